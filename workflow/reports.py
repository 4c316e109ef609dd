"""The programme's headline figures for a cycle, computed from dated evidence as of a day.

Nothing is stored pre-computed: the state of each case as of the day is replayed from
its audit events, and applications count by their prepared, submitted and decided
dates, so the 2023 pilot as of the council sitting (2023-10-19) shows the article's
figures, and the same report a year later shows what happened since.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.actors import Actor
from workflow.db import read_session
from workflow.deadlines import days_over, deadline_days
from workflow.errors import NotFound
from workflow.orm import Application, AuditEvent, Case, Cycle, FundingSource, Organisation
from workflow.permissions import case_scope_clause
from workflow.rules import Rules
from workflow.runtime import PROGRAMME_ZONE, Runtime, local_day
from workflow.schemas import check_day


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


def _over(
    rules: Rules, state_of: dict[int, tuple[str, datetime]], as_of: date
) -> dict[int, tuple[int, int]]:
    """The cases past their state's deadline on ``as_of``, each with that deadline and the
    days over it: the engine's one rule (:mod:`workflow.deadlines`), under the one version
    of the rules the caller read."""
    out = {}
    for case_id, (state, since) in state_of.items():
        deadline = deadline_days(rules, state)
        over = days_over(deadline, since, as_of)
        if deadline is not None and over > 0:
            out[case_id] = (deadline, over)
    return out


def day_end(as_of: date) -> datetime:
    """The first instant after the programme's day ``as_of``, once it is known to lie
    within ``Day``."""
    check_day("as_of", as_of)
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=PROGRAMME_ZONE)


def _replayed(
    s: Session, cycle_id: int, end: datetime
) -> tuple[Cycle, dict[int, tuple[str, datetime]]]:
    """The cycle and each of its cases' state before ``end``."""
    cycle = s.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("cycle", cycle_id)
    return cycle, _replay(s, cycle_id, end)


def _overdue_list(
    s: Session,
    rules: Rules,
    actor: Actor | None,
    cycle_id: int,
    state_of: dict[int, tuple[str, datetime]],
    over: dict[int, tuple[int, int]],
) -> list[OverdueCase]:
    """The overdue cases the actor may see, most overdue first."""
    if not over:
        return []
    q = (
        select(Case.id, Organisation.name)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(Case.cycle_id == cycle_id)
    )
    scope = case_scope_clause(rules, actor)
    if scope is not None:
        q = q.where(scope)
    names: dict[int, str] = {case_id: name for case_id, name in s.execute(q)}
    out = [
        OverdueCase(
            case_id=case_id,
            organisation=names[case_id],
            state=state_of[case_id][0],
            since=local_day(state_of[case_id][1]),
            deadline_days=deadline,
            days_over=days,
        )
        for case_id, (deadline, days) in over.items()
        if case_id in names
    ]
    return sorted(out, key=lambda c: (-c.days_over, c.case_id))


def _figures(
    s: Session,
    rules: Rules,
    cycle: Cycle,
    state_of: dict[int, tuple[str, datetime]],
    over: dict[int, tuple[int, int]],
    as_of: date,
) -> CycleReport:
    """The cycle's figures from its replayed states and its applications as of the day."""
    case_org = dict(
        s.execute(select(Case.id, Case.organisation_id).where(Case.cycle_id == cycle.id)).all()
    )
    apps = s.execute(
        select(Application, FundingSource.call_opens)
        .join(FundingSource, FundingSource.id == Application.funding_source_id)
        .join(Case, Case.id == Application.case_id)
        .where(Case.cycle_id == cycle.id, Application.prepared_on <= as_of)
    ).all()
    by_state = {sid: 0 for sid in rules.states.state_ids}
    for state, _since in state_of.values():
        by_state[state] = by_state.get(state, 0) + 1
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
        cycle_id=cycle.id,
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
        overdue_cases=len(over),
    )


def overdue_cases(
    rt: Runtime, actor: Actor | None, cycle_id: int, as_of: date | None = None
) -> list[OverdueCase]:
    """The cases counted in ``cycle_report(...).overdue_cases`` for the same day that the
    actor may see (``None``: the operator, every case), most overdue first."""
    rules = rt.rules
    as_of = as_of or rt.today()
    end = day_end(as_of)
    with read_session(rt.engine) as s:
        _cycle, state_of = _replayed(s, cycle_id, end)
        return _overdue_list(s, rules, actor, cycle_id, state_of, _over(rules, state_of, as_of))


def cycle_report(rt: Runtime, cycle_id: int, as_of: date | None = None) -> CycleReport:
    """Compute the cycle's figures as they stood at the end of ``as_of`` (default today)."""
    rules = rt.rules
    as_of = as_of or rt.today()
    with read_session(rt.engine) as s:
        return report_in(s, rules, cycle_id, as_of)[1]


def report_in(s: Session, rules: Rules, cycle_id: int, as_of: date) -> tuple[Cycle, CycleReport]:
    """The cycle and :func:`cycle_report`'s figures, read in the caller's session: the
    council report (:mod:`workflow.councilreport`) reads the rest of its lists in the same
    one, so its headline figures are this very function's."""
    cycle, state_of = _replayed(s, cycle_id, day_end(as_of))
    return cycle, _figures(s, rules, cycle, state_of, _over(rules, state_of, as_of), as_of)


def cycle_overview(
    rt: Runtime, actor: Actor | None, cycle_id: int, as_of: date | None = None
) -> tuple[CycleReport, list[OverdueCase]]:
    """``cycle_report`` and ``overdue_cases`` together (the dashboard), from one replay of
    the audit log under one version of the rules, so the list and the figure agree."""
    rules = rt.rules
    as_of = as_of or rt.today()
    end = day_end(as_of)
    with read_session(rt.engine) as s:
        cycle, state_of = _replayed(s, cycle_id, end)
        over = _over(rules, state_of, as_of)
        return (
            _figures(s, rules, cycle, state_of, over, as_of),
            _overdue_list(s, rules, actor, cycle_id, state_of, over),
        )
