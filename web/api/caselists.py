"""The case list as the list page shows it: sorted by any column (names in Latvian order),
filtered by mentor and due day, a page at a time; and the same list as CSV or xlsx.
The read model is :mod:`workflow.caselist`, as for the page and ``inkubators case export``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from flask import Response
from pydantic import Field, StringConstraints

from web.api.cases import Query
from web.api.models import CaseItem, Model
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import caseexport, caselist
from workflow.caselist import LIST_CAP, MAX_DUE_DAYS, CaseQuery, CaseRow
from workflow.limits import CODE_MAX, SEARCH_MAX, USER_NAME_MAX
from workflow.schemas import Day, Id

Sort = Literal["organisation", "reg_no", "cycle", "state", "since", "mentor", "overdue", "due"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SortedCaseQuery(Query):
    """Filters, order and page of the sorted case list."""

    cycle_id: Id | None = None
    state: Annotated[str, StringConstraints(max_length=CODE_MAX)] | None = None
    overdue: bool | None = None
    search: Annotated[str, StringConstraints(max_length=SEARCH_MAX)] | None = None
    sort: Sort = "organisation"
    dir: Literal["asc", "desc"] = "asc"
    mentor: Annotated[str, StringConstraints(max_length=USER_NAME_MAX)] | None = Field(
        default=None, description="a mentor's user name, or - for cases without one"
    )
    due_within: Annotated[int, Field(ge=0, le=MAX_DUE_DAYS)] | None = Field(
        default=None, description="due by today + this many days (overdue included)"
    )
    due_before: Day | None = None
    page: Annotated[int, Field(ge=1, le=LIST_CAP)] = 1
    limit: Annotated[int, Field(ge=1, le=500)] = 50


class ExportQuery(SortedCaseQuery):
    """The same list, whole, as a file; its column titles in ``lang``."""

    lang: Literal["lv", "en"] = "lv"


class SortedCaseItem(CaseItem):
    """One line of the sorted list: the case and its next due day."""

    due_on: date | None
    due_kind: Literal["step", "call", "decision"] | None


class SortedCasePage(Model):
    """A page of the sorted case list."""

    items: list[SortedCaseItem]
    total: int = Field(description="cases matching the filters")
    page: int
    pages: int
    capped: bool = Field(description=f"true when more than {LIST_CAP} cases matched")


def _split(q: SortedCaseQuery) -> tuple[CaseQuery, dict[str, object]]:
    query = CaseQuery(
        sort=q.sort,
        descending=q.dir == "desc",
        mentor=q.mentor,
        due_within=q.due_within,
        due_before=q.due_before,
    )
    names = ("cycle_id", "state", "overdue", "search")
    filters = {k: getattr(q, k) for k in names if getattr(q, k) is not None}
    return query, filters


def _item(row: CaseRow) -> SortedCaseItem:
    return SortedCaseItem.model_validate(row.model_dump())


@api_route("/cases/sorted", tag="cases", query=SortedCaseQuery, response=SortedCasePage)
def sorted_cases(query: SortedCaseQuery) -> SortedCasePage:
    """Cases you may see, sorted by any column (names in Latvian order), filtered by mentor
    and due day too, a numbered page at a time."""
    q, filters = _split(query)
    got = caselist.page(runtime(), actor(), q, query.page, query.limit, **filters)
    return SortedCasePage(
        items=[_item(r) for r in got.rows],
        total=got.total,
        page=got.page,
        pages=got.pages,
        capped=got.capped,
    )


def _export(query: ExportQuery, fmt: str) -> Response:
    q, filters = _split(query)
    rows, _capped = caselist.all_rows(runtime(), actor(), q, **filters)
    if fmt == "csv":
        resp = Response(caseexport.csv_text(rows, query.lang), mimetype="text/csv")
    else:
        resp = Response(caseexport.xlsx_bytes(rows, query.lang), mimetype=XLSX)
    resp.headers["Content-Disposition"] = f'attachment; filename="cases.{fmt}"'
    return resp


@api_route(
    "/cases/export.csv",
    tag="cases",
    query=ExportQuery,
    stream={"text/csv": "the sorted, filtered case list with a header row"},
)
def export_cases_csv(query: ExportQuery) -> Response:
    """The whole sorted, filtered case list as CSV (formula cells neutralised)."""
    return _export(query, "csv")


@api_route(
    "/cases/export.xlsx",
    tag="cases",
    query=ExportQuery,
    stream={XLSX: "the sorted, filtered case list: dates and numbers in typed cells"},
)
def export_cases_xlsx(query: ExportQuery) -> Response:
    """The whole sorted, filtered case list as a spreadsheet."""
    return _export(query, "xlsx")
