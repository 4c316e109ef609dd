"""Judging triggers: every guard of a trigger run on the facts, and "what may fire and why not".

Shared by the transition path (:func:`workflow.advance.fire` re-checks the guards with
:func:`evaluate` inside its transaction) and the read models (the case page, the rules
preview), so a read never imports the write service and both judge a trigger the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from workflow.actors import Actor
from workflow.factloader import load_facts
from workflow.facts import Facts
from workflow.permissions import may_fire
from workflow.rules import CompiledTransition, Rules


@dataclass(frozen=True, slots=True)
class GuardOutcome:
    """One guard's verdict on one trigger."""

    guard: str
    passed: bool
    message_en: str
    message_lv: str


@dataclass(frozen=True, slots=True)
class TriggerStatus:
    """Whether a trigger may fire from the case's state now, and every reason if not."""

    trigger: str
    dest: str
    allowed: bool
    outcomes: tuple[GuardOutcome, ...]
    role_allowed: bool

    @property
    def blocked_by(self) -> list[GuardOutcome]:
        """The failing guards."""
        return [o for o in self.outcomes if not o.passed]


def evaluate(ct: CompiledTransition, facts: Facts) -> tuple[GuardOutcome, ...]:
    """Run every guard of ``ct`` (never stopping at the first failure)."""
    outcomes = []
    for bg in ct.guards:
        v = bg.spec.fn(facts, bg.params)
        outcomes.append(GuardOutcome(bg.spec.name, v.passed, v.en, v.lv))
    return tuple(outcomes)


def trigger_statuses(
    conn: Connection, rules: Rules, actor: Actor | None, case_id: int, state: str, today: date
) -> list[TriggerStatus]:
    """Every trigger declared from ``state`` with allowed/blocked and all reasons."""
    available = rules.by_source.get(state, ())
    if not available:
        return []
    needs = frozenset().union(*(ct.needs for ct in available))
    facts = load_facts(conn, case_id, needs, today)
    out = []
    for ct in available:
        outcomes = evaluate(ct, facts)
        out.append(
            TriggerStatus(
                trigger=ct.trigger,
                dest=ct.dest,
                allowed=all(o.passed for o in outcomes),
                outcomes=outcomes,
                role_allowed=may_fire(rules, actor, ct.trigger),
            )
        )
    return out
