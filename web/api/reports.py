"""The programme's figures for a cycle as of a day."""

from __future__ import annotations

from typing import Literal

from flask import Response
from pydantic import Field

from web.api.cases import Query
from web.api.models import Model, MoneyStr
from web.api.routing import api_route
from web.context import actor, rules, runtime
from web.councilreport import MEDIA, Format, render
from workflow.councilreport import council_report
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


class ReportFileQuery(ReportQuery):
    """The day and the language of the council report."""

    lang: Literal["lv", "en"] = Field(default="lv", description="lv (default) or en")


class ReportCsvQuery(ReportFileQuery):
    """The day, the language and which of the report's lists the CSV file holds."""

    list: Literal["figures", "funnel", "sources", "domains", "mentors", "organisations"] = (
        "organisations"
    )


#: The HTML file carries its styles and charts inside; nothing in it runs or is fetched.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _file(cycle_id: int, query: ReportFileQuery, fmt: Format, csv_list: str = "") -> Response:
    """The council report of the cycle as a file; the lines per organisation are those the
    caller's role may see, the figures the cycle's (as in the JSON report)."""
    report = council_report(runtime(), actor(), cycle_id, query.as_of)
    out = render(report, rules(), fmt, query.lang, csv_list or "organisations")
    resp = Response(out.content, mimetype=out.media)
    how = "inline" if fmt == "html" else "attachment"
    resp.headers["Content-Disposition"] = f'{how}; filename="{out.filename}"'
    resp.headers["Content-Security-Policy"] = FILE_CSP
    return resp


_ABOUT = (
    "the council report: figures, funnel, funds by source and domain, mentor hours, organisations"
)


@api_route(
    "/reports/cycles/<int:cycle_id>.pdf",
    tag="reports",
    query=ReportFileQuery,
    errors=(404,),
    stream={MEDIA["pdf"]: f"{_ABOUT} (A4, fonts embedded)"},
)
def report_pdf(cycle_id: int, query: ReportFileQuery) -> Response:
    """The council report as a PDF, with the same figures as the JSON report."""
    return _file(cycle_id, query, "pdf")


@api_route(
    "/reports/cycles/<int:cycle_id>.xlsx",
    tag="reports",
    query=ReportFileQuery,
    errors=(404,),
    stream={MEDIA["xlsx"]: f"{_ABOUT}: a sheet of figures and one per list"},
)
def report_xlsx(cycle_id: int, query: ReportFileQuery) -> Response:
    """The council report as a spreadsheet: numbers and dates in typed cells."""
    return _file(cycle_id, query, "xlsx")


@api_route(
    "/reports/cycles/<int:cycle_id>.html",
    tag="reports",
    query=ReportFileQuery,
    errors=(404,),
    stream={MEDIA["html"]: f"{_ABOUT}, one self-contained page"},
)
def report_html(cycle_id: int, query: ReportFileQuery) -> Response:
    """The council report as one HTML page, styles and charts inside."""
    return _file(cycle_id, query, "html")


@api_route(
    "/reports/cycles/<int:cycle_id>.csv",
    tag="reports",
    query=ReportCsvQuery,
    errors=(404,),
    stream={MEDIA["csv"]: "one list of the council report, with a header row"},
)
def report_csv(cycle_id: int, query: ReportCsvQuery) -> Response:
    """One list of the council report as CSV (default: one line per organisation)."""
    return _file(cycle_id, query, "csv", query.list)
