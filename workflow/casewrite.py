"""The one shape of every write on a case that is not a transition (evidence, a mentor's
assignment): lock the case's head, check the actor may see the case and do this, check
the version the actor saw, refuse a closed case, write, append the audit event, commit.

So a record and its event are one transaction, and a transition is always decided on
exactly the evidence its actor saw (the version moves with every write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from workflow import chain, contentbind
from workflow.actors import Actor
from workflow.errors import Conflict
from workflow.evidence.registry import WriteContext, Written
from workflow.orm import Case
from workflow.permissions import require_case_access
from workflow.rules import Rules
from workflow.runtime import Runtime, local_day


@dataclass(frozen=True, slots=True)
class Recorded:
    """A write stored: the record's id, the case's new version and the audit event."""

    id: int
    case_id: int
    version: int
    event: dict[str, Any]


def write_on_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    permit: Callable[[Rules], None],
    kind: str,
    trigger: str,
    write: Callable[[WriteContext], Written],
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Load, check, write, append, commit: ``permit`` raises if the actor may not,
    ``write`` stores the change and returns its id and the event's payload."""
    rules = rt.rules
    at = at or rt.now()
    with rt.engine.begin() as conn:
        head = chain.load_head(conn, case_id, lock=True)
        org = None
        if actor.organisation_id is not None:  # a representative: whose case is it?
            org = conn.scalar(select(Case.organisation_id).where(Case.id == case_id))
        require_case_access(rules, actor, head.mentor_id, org)
        permit(rules)
        chain.check_expected(head, expected_version)
        if rules.is_final(head.state):
            raise Conflict(
                f"case {case_id} is closed ({head.state}); it takes no more evidence",
                "case_closed",
                f"Lieta {case_id} ir slēgta ({rules.states.state(head.state).label.lv}); "
                "tajā vairs nevar reģistrēt pierādījumus.",
            )
        record_id, payload = write(WriteContext(conn, head, actor, local_day(at), rules.policy))
        payload = contentbind.bind(conn, payload)  # the stored row's hash, for audit verify
        event = chain.append(
            conn,
            head,
            kind=kind,
            trigger=trigger,
            to_state=head.state,
            actor=actor,
            at=at,
            payload=payload,
            policy_hash=rules.policy_hash,
            states_hash=rules.states_hash,
        )
    return Recorded(record_id, case_id, head.version, event)
