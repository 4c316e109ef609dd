"""The policy's ``documents:`` section: which kinds of document a case may hold, how large
an upload may be, and which steps need which documents.

Every part has a default, so a policy without the section accepts the five kinds of the
programme's work up to 20 MB and requires no document for any step. The cross checks that
need the workflow (a trigger named in ``required`` must exist) are :func:`problems`, run
when the rules compile.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

#: A kind's spelling: the word in the API, the form and the audit event.
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class Label(BaseModel):
    """A kind's name in both of the programme's languages."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    lv: StrictStr = Field(min_length=1, max_length=120)
    en: StrictStr = Field(min_length=1, max_length=120)


def _label(lv: str, en: str) -> Label:
    return Label(lv=lv, en=en)


DEFAULT_KINDS: dict[str, Label] = {
    "analysis": _label("Vajadzību analīze", "Needs analysis"),
    "budget": _label("Budžets", "Budget"),
    "application_draft": _label("Pieteikuma projekts", "Application draft"),
    "decision_letter": _label("Lēmuma vēstule", "Decision letter"),
    "other": _label("Cits dokuments", "Other document"),
}


class DocumentsPolicy(BaseModel):
    """Documents on cases: kinds, the size limit and the documents steps require."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    #: the largest upload, in MB (10**6 bytes)
    max_mb: StrictInt = Field(default=20, ge=1, le=2000)
    kinds: dict[StrictStr, Label] = Field(default_factory=lambda: dict(DEFAULT_KINDS))
    #: trigger -> kinds of which the case must hold a current (not superseded) document
    required: dict[StrictStr, list[StrictStr]] = Field(default_factory=dict)
    #: trigger -> kinds each decided application must have a current document of
    required_per_decided_application: dict[StrictStr, list[StrictStr]] = Field(default_factory=dict)

    @property
    def max_bytes(self) -> int:
        """The size limit in bytes."""
        return self.max_mb * 1_000_000

    def label(self, kind: str) -> Label:
        """The kind's words; a kind no longer listed keeps its id as its name."""
        return self.kinds.get(kind) or Label(lv=kind, en=kind)


def problems(spec: DocumentsPolicy, triggers: set[str], at: Callable[..., str]) -> list[str]:
    """Kinds that do not match the pattern, and requirements naming an unknown trigger or a
    kind the section does not list; ``at`` words a policy path as file, line and column."""
    out: list[str] = []
    pattern = re.compile(KIND_PATTERN)
    for kind in spec.kinds:
        if not pattern.match(kind):
            out.append(
                f"{at('documents', 'kinds', kind)}: a kind is lower-case letters, digits and _ "
                "(at most 40), beginning with a letter"
            )
    if not spec.kinds:
        out.append(f"{at('documents', 'kinds')}: at least one kind of document is needed")
    for section in ("required", "required_per_decided_application"):
        needed: dict[str, list[str]] = getattr(spec, section)
        for trigger, kinds in needed.items():
            if trigger not in triggers:
                out.append(
                    f"{at('documents', section, trigger)}: {trigger!r} is not a declared trigger"
                )
            for i, kind in enumerate(kinds):
                if kind not in spec.kinds:
                    out.append(
                        f"{at('documents', section, trigger, i)}: {kind!r} is not a document kind "
                        f"(kinds: {', '.join(spec.kinds)})"
                    )
    return out
