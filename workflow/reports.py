"""The programme's headline figures for a cycle, computed from dated evidence as of a day.

Nothing is stored pre-computed: the state of each case as of the day is replayed from
its audit events, and applications count by their prepared, submitted and decided
dates, so the 2023 pilot as of the council sitting (2023-10-19) shows the article's
figures, and the same report a year later shows what happened since.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db import read_session
from workflow.errors import NotFound
from workflow.orm import Application, AuditEvent, Case, Cycle, FundingSource, Organisation
from workflow.runtime import Runtime
from workflow.schemas import check_day
from workflow.views import days_over


class CycleReport(BaseModel):
    """The figures the council and the article speak of."""

    cycle_id: int
    organisations: int
    capacity: int
    budget_eur: Decimal
    cases_by_state: dict[str, int]
    awarded_eur: Decimal
    awarded_organisations: int
    submitted_awaiting: int
    prepared_waiting_for_call: int
    total_budget_eur: Decimal
    largest_project_eur: Decimal
    overdue_cases: int


class OverdueCase(BaseModel):
    """A case past its state's deadline on a day: one line behind ``overdue_cases``."""

    case_id: int
    organisation: str
    state: str
    since: date
    deadline_days: int
    days_over: int


def _replay(s: Session, cycle_id: int, end: datetime) -> dict[int, tuple[str, datetime]]:
    """Each case's state before ``end`` and since when, from its audit events."""
    state_of: dict[int, tuple[str, datetime]] = {}
    rows = s.execute(
        select(
            AuditEvent.case_id,
            AuditEvent.kind,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.at,
        )
        .join(Case, Case.id == AuditEvent.case_id)
        .where(Case.cycle_id == cycle_id, AuditEvent.at < end)
        .order_by(AuditEvent.case_id, AuditEvent.seq)
    )
    for case_id, kind, from_state, to_state, at in rows:
        if case_id not in state_of:
            state_of[case_id] = (to_state, at)
        elif kind == "migrate":
            # a states change mapped the case: ``rulemigrate`` keeps ``state_since``, so
            # the deadline clock keeps running from the original entry
            state_of[case_id] = (to_state, state_of[case_id][1])
        elif from_state != to_state:
            state_of[case_id] = (to_state, at)
    return state_of


def _days_over(rt: Runtime, state: str, since: datetime, as_of: date) -> int:
    """Days past the policy's deadline for ``state`` on ``as_of``: the engine's one rule."""
    return days_over(rt.rules.policy.spec.deadlines.get(state), since, as_of)


def _day_end(as_of: date) -> datetime:
    """The first instant after ``as_of``, once the day is known to lie within ``Day``."""
    check_day("as_of", as_of)
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


def overdue_cases(
    rt: Runtime, cycle_id: int, as_of: date | None = None, *, mentor_id: int | None = None
) -> list[OverdueCase]:
    """The cases counted in ``cycle_report(...).overdue_cases`` for the same day, most
    overdue first; ``mentor_id`` narrows them to one mentor's cases (what a mentor sees)."""
    as_of = as_of or rt.now().date()
    end = _day_end(as_of)
    with read_session(rt.engine) as s:
        if s.get(Cycle, cycle_id) is None:
            raise NotFound("cycle", cycle_id)
        state_of = _replay(s, cycle_id, end)
        q = (
            select(Case.id, Organisation.name)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .where(Case.cycle_id == cycle_id)
        )
        if mentor_id is not None:
            q = q.where(Case.mentor_id == mentor_id)
        names: dict[int, str] = {case_id: name for case_id, name in s.execute(q)}
    out = []
    for case_id, (state, since) in state_of.items():
        over = _days_over(rt, state, since, as_of)
        if over > 0 and case_id in names:
            out.append(
                OverdueCase(
                    case_id=case_id,
                    organisation=names[case_id],
                    state=state,
                    since=since.date(),
                    deadline_days=rt.rules.policy.spec.deadlines[state],
                    days_over=over,
                )
            )
    return sorted(out, key=lambda c: (-c.days_over, c.case_id))


def cycle_report(rt: Runtime, cycle_id: int, as_of: date | None = None) -> CycleReport:
    """Compute the cycle's figures as they stood at the end of ``as_of`` (default today)."""
    rules = rt.rules
    as_of = as_of or rt.now().date()
    end = _day_end(as_of)
    with read_session(rt.engine) as s:
        cycle = s.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound("cycle", cycle_id)
        state_of = _replay(s, cycle_id, end)
        case_org = dict(
            s.execute(select(Case.id, Case.organisation_id).where(Case.cycle_id == cycle_id)).all()
        )
        apps = s.execute(
            select(Application, FundingSource.call_opens)
            .join(FundingSource, FundingSource.id == Application.funding_source_id)
            .join(Case, Case.id == Application.case_id)
            .where(Case.cycle_id == cycle_id, Application.prepared_on <= as_of)
        ).all()
    by_state = {sid: 0 for sid in rules.states.state_ids}
    overdue = 0
    for state, since in state_of.values():
        by_state[state] = by_state.get(state, 0) + 1
        if _days_over(rt, state, since, as_of) > 0:
            overdue += 1
    awarded = Decimal(0)
    winners: set[int] = set()
    awaiting = waiting = 0
    budgets: list[Decimal] = []
    for app, call_opens in apps:
        budgets.append(app.total_budget_eur)
        submitted = app.submitted_on is not None and app.submitted_on <= as_of
        decided = app.decided_on is not None and app.decided_on <= as_of
        if decided and app.decision == "awarded" and app.awarded_eur:
            awarded += app.awarded_eur
            winners.add(case_org[app.case_id])
        elif submitted and not decided:
            awaiting += 1
        elif not submitted and call_opens > as_of:
            waiting += 1
    return CycleReport(
        cycle_id=cycle_id,
        organisations=len(state_of),
        capacity=cycle.capacity,
        budget_eur=cycle.budget_eur,
        cases_by_state=by_state,
        awarded_eur=awarded,
        awarded_organisations=len(winners),
        submitted_awaiting=awaiting,
        prepared_waiting_for_call=waiting,
        total_budget_eur=sum(budgets, Decimal(0)),
        largest_project_eur=max(budgets, default=Decimal(0)),
        overdue_cases=overdue,
    )
