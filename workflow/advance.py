"""Firing triggers: the engine's hot path.

A transition is one database transaction: read the case head, check role and version,
re-check every guard on the evidence read in that same transaction, move the head with
``UPDATE … WHERE id=? AND version=?`` and insert the audit event. Both or neither.
Judging a trigger's guards (here and on the read side) is :mod:`workflow.triggers`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow import chain
from workflow.actors import Actor
from workflow.errors import FailedGuard, GuardRejected, InvalidInput, TransitionNotAllowed
from workflow.factloader import load_head_and_facts
from workflow.permissions import require_case_access, require_trigger
from workflow.runtime import Runtime, local_day
from workflow.schemas import check_comment
from workflow.signals import reports_transitions
from workflow.triggers import evaluate

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TransitionResult:
    """A fired trigger: where the case is now and the audit event written."""

    case_id: int
    trigger: str
    from_state: str
    to_state: str
    version: int
    event: dict[str, Any]


@reports_transitions
def fire(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    trigger: str,
    *,
    expected_version: int | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> TransitionResult:
    """Fire ``trigger`` on a case as ``actor``; raise a WorkflowError saying why not."""
    rules = rt.rules
    at = at or rt.now()
    comment = check_comment(comment)
    if trigger not in rules.states.triggers:
        declared = ", ".join(rules.states.triggers)
        raise InvalidInput(
            {"trigger": f"{trigger!r} is not a declared trigger ({declared})"},
            {"trigger": f"{trigger!r} nav deklarēts notikums ({declared})"},
        )
    needs = rules.needs_by_trigger.get(trigger, frozenset())
    with rt.engine.begin() as conn:
        head, facts = load_head_and_facts(conn, case_id, needs, local_day(at), comment)
        require_case_access(rules, actor, head.mentor_id)
        require_trigger(rules, actor, trigger)
        chain.check_expected(head, expected_version)
        ct = rules.lookup(trigger, head.state)
        if ct is None:
            raise TransitionNotAllowed(trigger, head.state)
        outcomes = evaluate(ct, facts)
        failed = [
            FailedGuard(o.guard, o.message_en, o.message_lv) for o in outcomes if not o.passed
        ]
        if failed:
            raise GuardRejected(trigger, failed)
        from_state = head.state
        event = chain.append(
            conn,
            head,
            kind="transition",
            trigger=trigger,
            to_state=ct.dest,
            actor=actor,
            at=at,
            comment=comment,
            guards=[
                {"guard": o.guard, "passed": o.passed, "message": o.message_en} for o in outcomes
            ],
            policy_hash=rules.policy_hash,
            states_hash=rules.states_hash,
        )
    logger.info("case %s: %s %s -> %s by %s", case_id, trigger, from_state, ct.dest, actor.name)
    return TransitionResult(case_id, trigger, from_state, ct.dest, head.version, event)
