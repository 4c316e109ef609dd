"""Assigning a mentor to a case: the policy action ``assign_mentor``, not evidence.

Mentors see and serve only the cases assigned to them (``case_scope: assigned``), so the
assignment is written like any change to a case: checked, versioned and audited in one
transaction (:func:`workflow.casewrite.write_on_case`), its event kind and trigger both
``assign_mentor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from workflow.actors import Actor
from workflow.casewrite import Recorded, write_on_case
from workflow.db import read
from workflow.errors import Conflict, Forbidden, InvalidInput, NotFound, WorkflowError
from workflow.evidence.registry import WriteContext, Written
from workflow.orm import Case, Organisation, User
from workflow.permissions import require_action
from workflow.runtime import Runtime

ACTION = "assign_mentor"
#: The most cases one bulk assignment takes (a page of the case list fits).
BULK_MAX = 200


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


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What became of one case of a bulk assignment: ``assigned`` (with the case's new
    version), ``unchanged`` (the mentor was already assigned: no event written) or
    ``refused`` (with the reason in both languages; the other cases go on)."""

    case_id: int
    organisation: str | None
    outcome: str
    version: int | None = None
    reason_en: str | None = None
    reason_lv: str | None = None


def _reason(exc: WorkflowError, case_id: int) -> tuple[str, str]:
    if isinstance(exc, NotFound):
        return f"case {case_id} not found", f"lieta {case_id} nav atrasta"
    if isinstance(exc, Forbidden):
        return (
            "this case is not yours to assign",
            "šīs lietas mentoru jums nav atļauts mainīt",
        )
    if isinstance(exc, Conflict) and exc.message_lv:
        return str(exc), exc.message_lv
    if isinstance(exc, InvalidInput):
        return str(exc), "; ".join(f"{k}: {v}" for k, v in exc.errors_lv.items()) or str(exc)
    return str(exc), str(exc)


def assign_mentor_bulk(
    rt: Runtime, actor: Actor, case_ids: Sequence[int], mentor_name: str
) -> list[BulkOutcome]:
    """Assign ``mentor_name`` to each case, each case its own audited write (one
    transaction per case, as :func:`assign_mentor`), so one closed or missing case does
    not undo the others: the answer lists every case's outcome, in the order given.

    Refused as a whole, before anything is written: a role that may not assign mentors,
    no cases or more than :data:`BULK_MAX`, and a name that is not an active mentor's.
    """
    require_action(rt.rules, actor, ACTION)
    wanted = list(dict.fromkeys(case_ids))
    if not 1 <= len(wanted) <= BULK_MAX:
        raise InvalidInput(
            {"case_ids": f"from 1 to {BULK_MAX} cases"},
            {"case_ids": f"no 1 līdz {BULK_MAX} lietām"},
        )
    with read(rt.engine) as conn:
        rows = conn.execute(
            select(Case.id, Case.mentor_id, Organisation.name)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .where(Case.id.in_(wanted))
        ).all()
        current = {r.id: r.mentor_id for r in rows}
        names = {r.id: r.name for r in rows}
        mentor_id = conn.scalar(
            select(User.id).where(User.name == mentor_name, User.role == "mentor", User.active)
        )
    out: list[BulkOutcome] = []
    for case_id in wanted:
        if mentor_id is not None and case_id in current and current[case_id] == mentor_id:
            out.append(BulkOutcome(case_id, names.get(case_id), "unchanged"))
            continue
        try:
            rec = assign_mentor(rt, actor, case_id, mentor_name)
        except InvalidInput as exc:
            if not any(o.outcome == "assigned" for o in out):
                raise  # the mentor itself is refused: nothing was written
            en, lv = _reason(exc, case_id)  # deactivated while the batch ran
            out.append(BulkOutcome(case_id, names.get(case_id), "refused", None, en, lv))
            continue
        except WorkflowError as exc:
            en, lv = _reason(exc, case_id)
            out.append(BulkOutcome(case_id, names.get(case_id), "refused", None, en, lv))
            continue
        out.append(BulkOutcome(case_id, names.get(case_id), "assigned", rec.version))
    return out
