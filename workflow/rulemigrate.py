"""Cases and a changed states file: refuse to strand them, or move them as the file says.

A states file that no longer declares a state in which cases stand is refused unless its
``migrations`` maps that state to a declared one. Applying the mapping appends one
``migrate`` event per case to its hash chain, in the caller's transaction, so the move
and the activation of the new rules commit together or not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from workflow import chain
from workflow.actors import SYSTEM
from workflow.definitions import StatesDefinition
from workflow.errors import DefinitionError
from workflow.orm import Case
from workflow.rules import Rules

logger = logging.getLogger(__name__)
cases = Case.__table__


def stranded(conn: Connection, states: StatesDefinition) -> dict[str, int]:
    """How many cases stand in each state ``states`` does not declare."""
    declared = states.state_ids
    rows = conn.execute(
        select(cases.c.state, func.count())
        .where(cases.c.state.not_in(declared))
        .group_by(cases.c.state)
    )
    return {str(state): int(n) for state, n in rows}


def stranding_problems(states: StatesDefinition, counts: dict[str, int]) -> list[str]:
    """One problem per removed state with cases in it and no mapping."""
    mapping = states.spec.migrations
    return [
        f"{states.source}: migrations: {n} case(s) stand in state {state!r}, which this "
        f"file no longer declares; map it to a declared state (migrations: {{{state}: …}})"
        for state, n in sorted(counts.items())
        if state not in mapping
    ]


def target_state(states: StatesDefinition, state: str) -> str:
    """Where a case in ``state`` stands under ``states`` (mapped if the state is gone)."""
    if state in states.state_ids:
        return state
    return states.spec.migrations.get(state, state)


def migrate_cases(conn: Connection, rules: Rules, at: datetime) -> int:
    """Move every case out of states ``rules`` no longer declares; raise if any is unmapped.

    The deadline clock (``state_since``) is kept: the case did not progress, its state
    was renamed or merged.
    """
    counts = stranded(conn, rules.states)
    if not counts:
        return 0
    problems = stranding_problems(rules.states, counts)
    if problems:
        raise DefinitionError(problems)
    mapping = rules.states.spec.migrations
    rows = conn.execute(
        select(cases.c.id, cases.c.state, cases.c.state_since)
        .where(cases.c.state.in_(list(counts)))
        .order_by(cases.c.id)
    ).all()
    for case_id, old, since in rows:
        head = chain.load_head(conn, case_id, lock=True)
        new = mapping[old]
        chain.append(
            conn,
            head,
            kind="migrate",
            trigger="migrate",
            to_state=new,
            actor=SYSTEM,
            at=at,
            comment=f"states file changed: {old!r} is now {new!r}",
            payload={"from_state": old, "to_state": new},
            policy_hash=rules.policy_hash,
            states_hash=rules.states_hash,
        )
        conn.execute(update(Case).where(Case.id == case_id).values(state_since=since))
    logger.warning(
        "states %s: moved %d case(s): %s",
        rules.states_hash[:12],
        len(rows),
        ", ".join(f"{o}->{mapping[o]} ({n})" for o, n in sorted(counts.items())),
    )
    return len(rows)
