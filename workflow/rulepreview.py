"""What a candidate states or policy file would change for the open cases, before saving it.

The candidate stands in among the rules in force as :mod:`workflow.candidates` says;
every open case is evaluated under both, and each case whose triggers' allowed/blocked
verdicts or blocking reasons differ is listed. Nothing is written or activated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from workflow.candidates import candidate_rules
from workflow.db import read
from workflow.errors import DefinitionError
from workflow.orm import Case, Organisation
from workflow.rulemigrate import stranded, stranding_problems, target_state
from workflow.runtime import Runtime
from workflow.triggers import TriggerStatus, trigger_statuses


@dataclass(frozen=True, slots=True)
class TriggerOutcome:
    """One trigger's verdict for a case: allowed, or blocked with each reason."""

    trigger: str
    dest: str
    allowed: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PreviewChange:
    """An open case the candidate would treat differently, with before and after."""

    case_id: int
    organisation: str
    state: str
    new_state: str
    changed: tuple[str, ...]
    before: tuple[TriggerOutcome, ...]
    after: tuple[TriggerOutcome, ...]


def _outcomes(statuses: list[TriggerStatus]) -> tuple[TriggerOutcome, ...]:
    return tuple(
        TriggerOutcome(
            s.trigger,
            s.dest,
            s.allowed,
            tuple(f"{o.guard}: {o.message_en}" for o in s.blocked_by),
        )
        for s in statuses
    )


def preview(rt: Runtime, candidate: Path) -> list[PreviewChange]:
    """Every open case whose triggers would be judged differently under ``candidate``."""
    active = rt.rules
    cand = candidate_rules(active, candidate)
    today = rt.today()
    open_states = [s for s in active.states.state_ids if not active.is_final(s)]
    changes = []
    with read(rt.engine) as conn:
        problems = stranding_problems(cand.states, stranded(conn, cand.states))
        if problems:
            raise DefinitionError(problems)
        rows = conn.execute(
            select(Case.id, Case.state, Organisation.name)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .where(Case.state.in_(open_states))
            .order_by(Case.id)
        ).all()
        for case_id, state, org in rows:
            new_state = target_state(cand.states, state)
            before = _outcomes(trigger_statuses(conn, active, None, case_id, state, today))
            after = _outcomes(trigger_statuses(conn, cand, None, case_id, new_state, today))
            if before == after and new_state == state:
                continue
            b, a = {o.trigger: o for o in before}, {o.trigger: o for o in after}
            changed = tuple(t for t in dict.fromkeys([*b, *a]) if b.get(t) != a.get(t))
            changes.append(PreviewChange(case_id, org, state, new_state, changed, before, after))
    return changes
