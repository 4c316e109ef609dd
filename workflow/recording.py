"""Writing evidence, the one service every entry point (API, UI, CLI, demo) calls.

Every write on a case that is not a transition has one shape (:func:`write_on_case`):
lock the case's head, check the actor may see the case and do this, check the version the
actor saw, refuse a closed case, write, append the audit event, commit; so the record
and its event are one transaction, and a transition is always decided on exactly the
evidence its actor saw. Which kind ``data`` is, and so its writer, permission and audit
trigger, comes from the kind's declaration (:mod:`workflow.evidence.registry`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from workflow import chain
from workflow.actors import Actor
from workflow.db import read
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.evidence.registry import Create, Update, WriteContext, Written, for_input
from workflow.permissions import require_case_access, require_evidence
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
        require_case_access(rules, actor, head.mentor_id)
        permit(rules)
        chain.check_expected(head, expected_version)
        if rules.is_final(head.state):
            raise Conflict(
                f"case {case_id} is closed ({head.state}); it takes no more evidence",
                "case_closed",
                f"Lieta {case_id} ir slēgta ({rules.states.state(head.state).label.lv}); "
                "tajā vairs nevar reģistrēt pierādījumus.",
            )
        record_id, payload = write(WriteContext(conn, head, actor, local_day(at)))
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


def record(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    data: BaseModel,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Store ``data`` on the case as the kind whose input model it is."""
    kind, op = for_input(data)
    if not isinstance(op, Create):
        raise TypeError(f"{type(data).__name__} changes a stored record: use update()")
    return write_on_case(
        rt,
        actor,
        case_id,
        permit=lambda rules: require_evidence(rules, actor, kind.name, op.verb),
        kind="evidence",
        trigger=kind.trigger(op),
        write=lambda ctx: op.write(ctx, data),
        expected_version=expected_version,
        at=at,
    )


def update(
    rt: Runtime,
    actor: Actor,
    record_id: int,
    data: BaseModel,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Change the stored record ``record_id`` of the kind whose change ``data`` is; the
    fields ``data`` leaves unset stay as they are."""
    kind, op = for_input(data)
    if not isinstance(op, Update):
        raise TypeError(f"{type(data).__name__} creates a record: use record()")
    case_id = case_of(rt, op, record_id)
    if not data.model_dump(exclude_unset=True):
        raise InvalidInput({"(body)": "nothing to change"}, {"(body)": "nav ko mainīt"})
    return write_on_case(
        rt,
        actor,
        case_id,
        permit=lambda rules: require_evidence(rules, actor, kind.name, op.verb),
        kind="evidence",
        trigger=kind.trigger(op),
        write=lambda ctx: op.write(ctx, record_id, data),
        expected_version=expected_version,
        at=at,
    )


def case_of(rt: Runtime, op: Update[Any], record_id: int) -> int:
    """The case the record ``record_id`` that ``op`` changes belongs to, or NotFound."""
    with read(rt.engine) as conn:
        case_id = op.case_of(conn, record_id)
    if case_id is None:
        raise NotFound(op.record, record_id)
    return case_id
