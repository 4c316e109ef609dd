"""The report the council reads after a cycle, as of a day: a read model, nothing written.

Its headline figures are :func:`workflow.reports.report_in`'s, the function behind
``/api/v1/reports/cycles/{id}`` and the dashboard, read in the same session as the rest:
the funnel through the states (:mod:`workflow.stays`), the funds attracted by funding
source and by project domain, the mentor hours against the cycle's budget, and one line
per organisation. Every list counts what was dated on or before the day, as the figures do.

The lines per organisation show the cases the actor may see (a role scoped to its assigned
cases sees those); the figures, the funnel and the sums are the cycle's, as in the JSON
report every role may read.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import budget
from workflow.actors import Actor
from workflow.db import read_session
from workflow.deadlines import days_over, deadline_days
from workflow.orm import Application, Case, Consultation, FundingSource, Organisation, User
from workflow.permissions import case_scope_clause, require_programme_figures
from workflow.reports import CycleReport, day_end, report_in
from workflow.rules import Rules
from workflow.runtime import Runtime
from workflow.stays import FunnelRow, Stay, funnel, state_since, stays

ZERO = Decimal("0.00")


class FundsRow(BaseModel):
    """Applications and the money they attracted, for one funding source or one domain."""

    key: str
    funder: str = ""
    programme: str = ""
    applications: int = 0
    submitted: int = 0
    awarded: int = 0
    awarded_eur: Decimal = ZERO
    total_budget_eur: Decimal = ZERO


class MentorHours(BaseModel):
    """One mentor's consultations in the cycle up to the day."""

    mentor: str
    consultations: int
    hours: Decimal
    spent_eur: Decimal | None


class BudgetUse(BaseModel):
    """Mentor hours against the cycle's budget; money only where the policy has a
    ``budget:`` section (its figures: :mod:`workflow.budget`), otherwise the hours alone."""

    budget_eur: Decimal
    hours: Decimal
    mentor_hour_eur: Decimal | None
    spent_eur: Decimal | None
    remaining_eur: Decimal | None
    mentors: list[MentorHours]
    other_costs_eur: Decimal | None = None


class OrganisationLine(BaseModel):
    """One organisation's case as of the day."""

    case_id: int
    organisation: str
    reg_no: str
    state: str
    state_since: date
    days_over_deadline: int
    mentor: str | None
    consultations: int
    hours: Decimal
    applications: int
    submitted: int
    awarded: int
    awarded_eur: Decimal
    total_budget_eur: Decimal


class CouncilReport(BaseModel):
    """Everything the council report shows, in the programme's codes (words come later)."""

    cycle_id: int
    cycle_name: str
    starts_on: date
    ends_on: date
    as_of: date
    figures: CycleReport
    funnel: list[FunnelRow]
    by_source: list[FundsRow]
    by_domain: list[FundsRow]
    budget: BudgetUse
    organisations: list[OrganisationLine]


def council_report(
    rt: Runtime, actor: Actor | None, cycle_id: int, as_of: date | None = None
) -> CouncilReport:
    """The council report of the cycle at the end of ``as_of`` (default today); ``actor``
    None is the operator (every organisation's line). Not for a representative."""
    require_programme_figures(rules := rt.rules, actor)
    as_of = as_of or rt.today()
    with read_session(rt.engine) as s:
        cycle, figures = report_in(s, rules, cycle_id, as_of)
        all_stays = stays(s, cycle_id, day_end(as_of))
        apps = _applications(s, cycle_id, as_of)
        hours = _consultations(s, cycle_id, as_of)
        has_budget = rules.policy.spec.budget is not None
        counted = (
            budget.figures(s.connection(), rules.policy, cycle_id, as_of) if has_budget else None
        )
        return CouncilReport(
            cycle_id=cycle.id,
            cycle_name=cycle.name,
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
            as_of=as_of,
            figures=figures,
            funnel=funnel(rules.states.state_ids, all_stays),
            by_source=_by_source(apps),
            by_domain=_by_domain(apps, rules.policy.spec.reports.domains),
            budget=_budget(cycle.budget_eur, hours, counted),
            organisations=_lines(s, rules, actor, cycle_id, as_of, all_stays, apps, hours),
        )


# (case, source id, funder, programme, domain, total, submitted, awarded EUR or None)
AppRow = tuple[int, int, str, str, str, Decimal, bool, Decimal | None]
# (case, mentor, hours)
HoursRow = tuple[int, str, Decimal]


def _applications(s: Session, cycle_id: int, as_of: date) -> list[AppRow]:
    """The cycle's applications prepared by the day, with what was true of them that day."""
    q = (
        select(Application, FundingSource.funder, FundingSource.programme)
        .join(FundingSource, FundingSource.id == Application.funding_source_id)
        .join(Case, Case.id == Application.case_id)
        .where(Case.cycle_id == cycle_id, Application.prepared_on <= as_of)
        .order_by(Application.id)
    )
    out: list[AppRow] = []
    for app, funder, programme in s.execute(q):
        submitted = app.submitted_on is not None and app.submitted_on <= as_of
        decided = app.decided_on is not None and app.decided_on <= as_of
        won = decided and app.decision == "awarded" and bool(app.awarded_eur)
        awarded = app.awarded_eur if won else None
        out.append(
            (app.case_id, app.funding_source_id, funder, programme, app.domain)
            + (app.total_budget_eur, submitted, awarded)
        )
    return out


def _consultations(s: Session, cycle_id: int, as_of: date) -> list[HoursRow]:
    """The cycle's consultations held by the day."""
    q = (
        select(Consultation.case_id, Consultation.mentor, Consultation.hours)
        .join(Case, Case.id == Consultation.case_id)
        .where(Case.cycle_id == cycle_id, Consultation.held_on <= as_of)
    )
    return [(case_id, mentor, hours) for case_id, mentor, hours in s.execute(q)]


def _add(row: FundsRow, app: AppRow) -> None:
    row.applications += 1
    row.total_budget_eur += app[5]
    row.submitted += app[6]
    if app[7] is not None:
        row.awarded += 1
        row.awarded_eur += app[7]


def _by_source(apps: list[AppRow]) -> list[FundsRow]:
    """Per funding source, most money attracted first."""
    rows: dict[int, FundsRow] = {}
    for app in apps:
        row = rows.setdefault(app[1], FundsRow(key=str(app[1]), funder=app[2], programme=app[3]))
        _add(row, app)
    return sorted(rows.values(), key=lambda r: (-r.awarded_eur, -r.applications, r.funder))


def _by_domain(apps: list[AppRow], listed: list[str]) -> list[FundsRow]:
    """The policy's domains in its order (even at zero), then any other domain found."""
    rows = {d: FundsRow(key=d) for d in listed}
    for app in apps:
        _add(rows.setdefault(app[4], FundsRow(key=app[4])), app)
    return list(rows.values())


def _budget(
    budget_eur: Decimal, hours: list[HoursRow], counted: budget.CycleBudget | None
) -> BudgetUse:
    """Hours per mentor, most first; money from ``counted``, the budget's own figures
    (:mod:`workflow.budget`, the one rule for what hours cost), where the policy has a
    ``budget:`` section; without one, the hours alone."""
    per: dict[str, list[Decimal]] = defaultdict(list)
    for _case, mentor, h in hours:
        per[mentor].append(h)
    rate = None if counted is None else counted.mentor_hour_eur
    spent_by = {} if counted is None else {m.mentor: m.spent_eur for m in counted.mentors}

    def eur(mentor: str) -> Decimal | None:
        return None if counted is None else spent_by.get(mentor, ZERO)

    total = sum((h for _c, _m, h in hours), Decimal("0.00"))
    spent = None if counted is None else counted.spent_eur
    mentors = [
        MentorHours(mentor=m, consultations=len(hs), hours=sum(hs, ZERO), spent_eur=eur(m))
        for m, hs in per.items()
    ]
    return BudgetUse(
        budget_eur=budget_eur,
        hours=total,
        mentor_hour_eur=rate,
        spent_eur=spent,
        remaining_eur=None if spent is None else budget_eur - spent,
        mentors=sorted(mentors, key=lambda m: (-m.hours, m.mentor)),
        other_costs_eur=None if counted is None else counted.other_costs_eur,
    )


def _lines(
    s: Session,
    rules: Rules,
    actor: Actor | None,
    cycle_id: int,
    as_of: date,
    all_stays: list[Stay],
    apps: list[AppRow],
    hours: list[HoursRow],
) -> list[OrganisationLine]:
    """One line per case the actor may see that existed by the day, by organisation name."""
    now = state_since(all_stays)
    q = (
        select(Case.id, Organisation.name, Organisation.reg_no, User.name)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .outerjoin(User, User.id == Case.mentor_id)
        .where(Case.cycle_id == cycle_id)
    )
    scope = case_scope_clause(rules, actor)
    if scope is not None:
        q = q.where(scope)
    per_case: dict[int, FundsRow] = defaultdict(lambda: FundsRow(key=""))
    for app in apps:
        _add(per_case[app[0]], app)
    held: dict[int, list[Decimal]] = defaultdict(list)
    for case_id, _mentor, h in hours:
        held[case_id].append(h)
    out = []
    for case_id, name, reg_no, mentor in s.execute(q):
        if case_id not in now:
            continue  # enrolled after the day
        state, since = now[case_id]
        money = per_case[case_id]
        out.append(
            OrganisationLine(
                case_id=case_id,
                organisation=name,
                reg_no=reg_no,
                state=state,
                state_since=since,
                days_over_deadline=days_over(deadline_days(rules, state), since, as_of),
                mentor=mentor,
                consultations=len(held[case_id]),
                hours=sum(held[case_id], ZERO),
                applications=money.applications,
                submitted=money.submitted,
                awarded=money.awarded,
                awarded_eur=money.awarded_eur,
                total_budget_eur=money.total_budget_eur,
            )
        )
    # ordered here, not by the database: SQLite's and PostgreSQL's orders of "ā" differ
    return sorted(out, key=lambda o: (o.organisation.casefold(), o.case_id))
