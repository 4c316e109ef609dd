"""The guard registry: the named functions ``states/*.yaml`` references, each explaining
itself in lv and en.

A guard never raises to say no: it returns a :class:`Verdict`, so the engine can list
every failing guard of every trigger at once. Thresholds come from the policy file
(``guards.<trigger>``) through each guard's parameter model. The guards themselves are in
the package's other modules, which register here when the package is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from workflow.evidence.registry import fact_kinds
from workflow.facts import Facts


@dataclass(frozen=True, slots=True)
class Verdict:
    """A guard's answer: passed or not, and why, in Latvian and English."""

    passed: bool
    en: str
    lv: str


class NoParams(BaseModel):
    """For guards without thresholds."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


GuardFn = Callable[[Facts, Any], Verdict]


@dataclass(frozen=True, slots=True)
class GuardSpec:
    """A registered guard: its function, the evidence it reads and its parameter model."""

    name: str
    fn: GuardFn
    needs: frozenset[str]
    params: type[BaseModel]


REGISTRY: dict[str, GuardSpec] = {}
# Not stored evidence but the comment typed with the trigger: a guard that needs it asks
# for something the advance form itself supplies.
COMMENT = "comment"


def guard(
    name: str, needs: tuple[str, ...] = (), params: type[BaseModel] = NoParams
) -> Callable[[GuardFn], GuardFn]:
    """Register a guard under the name the states file uses.

    ``needs`` names the evidence kinds it reads (only those are loaded for it) and
    :data:`COMMENT` when it reads the comment given with the trigger.
    """

    unknown = set(needs) - fact_kinds() - {COMMENT}
    if unknown:  # a misspelt kind would load nothing and the guard would see None
        raise ValueError(f"guard {name!r} needs unknown kinds {sorted(unknown)}")

    def register(fn: GuardFn) -> GuardFn:
        REGISTRY[name] = GuardSpec(name, fn, frozenset(needs), params)
        return fn

    return register


def comment_guards() -> frozenset[str]:
    """The guards a comment satisfies: a screen asks for the comment instead of refusing."""
    return frozenset(name for name, spec in REGISTRY.items() if COMMENT in spec.needs)
