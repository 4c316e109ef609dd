"""The programme's figures for a cycle as of a day."""

from __future__ import annotations

from pydantic import Field

from web.api.cases import Query
from web.api.models import Model, MoneyStr
from web.api.routing import api_route
from web.context import runtime
from workflow.reports import cycle_report
from workflow.schemas import Day


class ReportQuery(Query):
    """The day the figures stand at (default: today)."""

    as_of: Day | None = Field(default=None, description="YYYY-MM-DD")


class ReportOut(Model):
    """The figures the council and the article speak of; money as decimal strings."""

    cycle_id: int
    organisations: int
    capacity: int
    budget_eur: MoneyStr
    cases_by_state: dict[str, int]
    awarded_eur: MoneyStr
    awarded_organisations: int
    submitted_awaiting: int
    prepared_waiting_for_call: int
    total_budget_eur: MoneyStr
    largest_project_eur: MoneyStr
    overdue_cases: int


@api_route(
    "/reports/cycles/<int:cycle_id>",
    tag="reports",
    query=ReportQuery,
    response=ReportOut,
    errors=(404,),
)
def report(cycle_id: int, query: ReportQuery) -> ReportOut:
    """The cycle's figures as they stood at the end of ``as_of``, from the dated evidence."""
    return ReportOut.model_validate(cycle_report(runtime(), cycle_id, query.as_of))
