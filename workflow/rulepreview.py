"""What a candidate states or policy file would change for the open cases, before saving it.

The candidate stands in for its namesake among the rules in force (a states file for the
states file; a policy file for the policy file of the same name, or as an extra file);
every open case is evaluated under both, and each case whose triggers' allowed/blocked
verdicts or blocking reasons differ is listed. Nothing is written or activated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from workflow.advance import TriggerStatus, trigger_statuses
from workflow.db import read
from workflow.definitions import parse_states
from workflow.errors import DefinitionError
from workflow.orm import Case, Organisation
from workflow.policies import parse_policy
from workflow.rulemigrate import stranded, stranding_problems, target_state
from workflow.rules import Rules, compile_rules
from workflow.runtime import Runtime
from workflow.yamlfiles import parse_yaml, read_text


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


def is_states_file(text: str, name: str, active_states_source: str) -> bool:
    """A states file declares ``transitions``; an unreadable one is judged by its name."""
    try:
        data = parse_yaml(text, name)
    except ValueError:
        return Path(active_states_source).name == name
    return isinstance(data, dict) and "transitions" in data


def candidate_rules(active: Rules, candidate: Path) -> Rules:
    """The rules in force with ``candidate`` standing in for its namesake; raise if invalid."""
    text = read_text(candidate)
    if is_states_file(text, candidate.name, active.states.source):
        source = active.states.source
        if Path(source).name != candidate.name:
            source = f"{Path(source).parent.name}/{candidate.name}"
        return compile_rules(parse_states(text, source), active.policy)
    files = list(active.policy.files)
    names = [Path(n).name for n, _ in files]
    if candidate.name in names:
        i = names.index(candidate.name)
        files[i] = (files[i][0], text)
    else:
        folder = Path(files[0][0]).parent.name if files else "policies"
        files = sorted([*files, (f"{folder}/{candidate.name}", text)])
    return compile_rules(active.states, parse_policy(files))


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
    today = rt.now().date()
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
