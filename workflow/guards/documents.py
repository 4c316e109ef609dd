"""The guard a step gets when the policy's ``documents.required`` or
``documents.required_per_decided_application`` names its trigger: the case must hold a
current (not superseded) document of each kind, or each decided application must.

It is declared by the policy, not the states file, so it is not in the registry a states
file names guards from; :func:`for_trigger` binds it when the rules compile.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from workflow.docfacts import DOCUMENTS, DocumentFact
from workflow.docpolicy import Label
from workflow.evidence import applications
from workflow.facts import Facts
from workflow.guards.registry import GuardSpec, Verdict
from workflow.policies import Policy

NAME = "documents_attached"


class DocumentParams(BaseModel):
    """What one trigger requires, with the words for each kind it names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kinds: tuple[str, ...] = ()
    per_decided_application: tuple[str, ...] = ()
    labels: dict[str, Label] = {}

    def words(self, kind: str) -> Label:
        """The kind's label (its id when the policy gives none)."""
        return self.labels.get(kind) or Label(lv=kind, en=kind)


def documents_attached(f: Facts, p: DocumentParams) -> Verdict:
    """Every required kind has a current document; every decided application has its own."""
    docs: tuple[DocumentFact, ...] = f.loaded.get(DOCUMENTS) or ()
    current = [d for d in docs if d.current]
    missing_en: list[str] = []
    missing_lv: list[str] = []
    for kind in p.kinds:
        if not any(d.kind == kind for d in current):
            w = p.words(kind)
            missing_en.append(f"no {w.en} document ({kind}) uploaded")
            missing_lv.append(f"nav augšupielādēts dokuments «{w.lv}»")
    if p.per_decided_application:
        apps = applications.KIND.fact(f) or ()
        for a in (a for a in apps if a.decision is not None):
            for kind in p.per_decided_application:
                if not any(
                    d.kind == kind and d.application_id == a.application_id for d in current
                ):
                    w = p.words(kind)
                    missing_en.append(
                        f"no {w.en} document ({kind}) for the decided application '{a.title}'"
                    )
                    missing_lv.append(f"izlemtajam pieteikumam '{a.title}' nav dokumenta «{w.lv}»")
    if missing_en:
        return Verdict(False, "; ".join(missing_en), "; ".join(missing_lv))
    named = [*p.kinds, *p.per_decided_application]
    return Verdict(
        True,
        "required documents uploaded: " + ", ".join(p.words(k).en for k in named),
        "vajadzīgie dokumenti augšupielādēti: " + ", ".join(f"«{p.words(k).lv}»" for k in named),
    )


def for_trigger(policy: Policy, trigger: str) -> tuple[GuardSpec, DocumentParams] | None:
    """The document guard ``trigger`` has under ``policy``, with its parameters, if any."""
    spec = policy.spec.documents
    kinds = tuple(spec.required.get(trigger, ()))
    per_app = tuple(spec.required_per_decided_application.get(trigger, ()))
    if not kinds and not per_app:
        return None
    needs = frozenset({DOCUMENTS, *((applications.KIND.name,) if per_app else ())})
    params = DocumentParams(
        kinds=kinds,
        per_decided_application=per_app,
        labels={k: spec.label(k) for k in (*kinds, *per_app)},
    )
    return GuardSpec(NAME, documents_attached, needs, DocumentParams), params
