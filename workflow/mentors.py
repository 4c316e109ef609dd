"""Assigning a mentor to a case: the policy action ``assign_mentor``, not evidence.

Mentors see and serve only the cases assigned to them (``case_scope: assigned``), so the
assignment is written like any change to a case: checked, versioned and audited in one
transaction (:func:`workflow.casewrite.write_on_case`), its event kind and trigger both
``assign_mentor``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from workflow.actors import Actor
from workflow.casewrite import Recorded, write_on_case
from workflow.errors import InvalidInput
from workflow.evidence.registry import WriteContext, Written
from workflow.orm import Case, User
from workflow.permissions import require_action
from workflow.runtime import Runtime

ACTION = "assign_mentor"


def assign_mentor(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    mentor_name: str,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Assign the active mentor user ``mentor_name`` to the case."""

    def write(ctx: WriteContext) -> Written:
        user = ctx.conn.execute(
            select(User.id, User.role, User.active).where(User.name == mentor_name)
        ).first()
        if user is None or user.role != "mentor":
            raise InvalidInput(
                {"mentor": f"{mentor_name!r} is not a mentor"},
                {"mentor": f"{mentor_name!r} nav mentors"},
            )
        if not user.active:
            raise InvalidInput(
                {"mentor": f"{mentor_name!r} is no longer active and takes no new cases"},
                {"mentor": f"{mentor_name!r} vairs nav aktīvs un jaunas lietas nepieņem"},
            )
        ctx.conn.execute(update(Case).where(Case.id == ctx.head.id).values(mentor_id=user.id))
        ctx.head.mentor_id = user.id
        return ctx.head.id, {"mentor": mentor_name}

    return write_on_case(
        rt,
        actor,
        case_id,
        permit=lambda rules: require_action(rules, actor, ACTION),
        kind=ACTION,
        trigger=ACTION,
        write=write,
        expected_version=expected_version,
        at=at,
    )
