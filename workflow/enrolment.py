"""Enrolling an organisation into a cycle: capacity, duplicates and eligibility, then the
case's first audit event, all in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from workflow import chain
from workflow.actors import Actor
from workflow.eligibility import eligibility_reasons
from workflow.errors import Conflict, Ineligible, NotFound
from workflow.orm import Case, Cycle, Organisation
from workflow.permissions import require_action
from workflow.runtime import Runtime
from workflow.schemas import check_comment
from workflow.vocabulary import lv_one


def enrol(
    rt: Runtime,
    actor: Actor,
    organisation_id: int,
    cycle_id: int,
    *,
    at: datetime | None = None,
    comment: str = "",
) -> int:
    """Open a case for the organisation in the cycle; return its id.

    Refused with :class:`Conflict` when the cycle is full or the organisation is already
    in it, with :class:`Ineligible` (every reason) when the policy excludes it.
    """
    rules = rt.rules
    require_action(rules, actor, "enrol")
    comment = check_comment(comment)
    at = at or rt.now()
    with rt.engine.begin() as conn:
        s = Session(bind=conn)
        # Lock the cycle row, then the organisation's (always in that order, so never a
        # deadlock), so two enrolments can neither both take the cycle's last place nor
        # both count the organisation's cycles before either adds one (PostgreSQL; SQLite's
        # BEGIN IMMEDIATE already serialises writers).
        cycle = s.scalar(select(Cycle).where(Cycle.id == cycle_id).with_for_update())
        if cycle is None:
            raise NotFound("cycle", cycle_id)
        org = s.scalar(
            select(Organisation).where(Organisation.id == organisation_id).with_for_update()
        )
        if org is None:
            raise NotFound("organisation", organisation_id)
        already = conn.scalar(
            select(Case.id).where(
                Case.cycle_id == cycle_id, Case.organisation_id == organisation_id
            )
        )
        if already is not None:
            raise Conflict(
                f"{org.name} is already enrolled in {cycle.name} (case {already})",
                "already_enrolled",
                f"{org.name} jau ir uzņemta ciklā {cycle.name} (lieta {already}).",
            )
        taken = conn.scalar(select(func.count(Case.id)).where(Case.cycle_id == cycle_id)) or 0
        if taken >= cycle.capacity:
            raise Conflict(
                f"{cycle.name} is full: {taken} of {cycle.capacity} places taken",
                "cycle_full",
                _full_lv(cycle.name, cycle.capacity),
            )
        cycles_so_far = (
            conn.scalar(select(func.count(Case.id)).where(Case.organisation_id == organisation_id))
            or 0
        )
        reasons = eligibility_reasons(rules.policy, org, cycles_so_far)
        if reasons:
            raise Ineligible([r.en for r in reasons], [r.lv for r in reasons])
        initial = rules.states.spec.initial
        case_id = conn.execute(
            insert(Case).returning(Case.id),
            {
                "organisation_id": organisation_id,
                "cycle_id": cycle_id,
                "state": initial,
                "version": 0,
                "head_hash": "",
                "state_since": at,
                "enrolled_at": at,
            },
        ).scalar_one()
        head = chain.CaseHead(
            id=case_id, state=initial, version=0, head_hash="", mentor_id=None, cycle_id=cycle_id
        )
        chain.append(
            conn,
            head,
            kind="enrol",
            trigger="enrol",
            to_state=initial,
            actor=actor,
            at=at,
            comment=comment,
            payload={"organisation": org.name, "reg_no": org.reg_no, "cycle": cycle.name},
            policy_hash=rules.policy_hash,
            states_hash=rules.states_hash,
        )
    return int(case_id)


def _full_lv(cycle: str, capacity: int) -> str:
    """ "The cycle is full" in Latvian, its noun and verb agreeing with the number."""
    if lv_one(capacity):
        return f"{cycle} ir pilns: {capacity} vieta ir aizņemta."
    return f"{cycle} ir pilns: visas {capacity} vietas ir aizņemtas."
