"""The case list's sort and due-day parameters, read from a query string once for the
page and the exports (``?sort=due&dir=desc&mentor=anna&due_within=14&due_before=…``)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from workflow.caselist import SORTS, CaseQuery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def list_query(args: MultiDict[str, str]) -> tuple[CaseQuery, list[str]]:
    """The query and the problems of malformed parameters, each naming its field."""
    problems: list[str] = []
    sort = args.get("sort", "organisation") or "organisation"
    if sort not in SORTS:
        problems.append(f"sort: {_('not a column of the list')}")
        sort = "organisation"
    mentor = args.get("mentor", "").strip() or None
    due_within = None
    raw = args.get("due_within", "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and len(raw) <= 4:
            due_within = int(raw)
        else:
            problems.append(f"due_within: {_('a whole number of days')}")
    due_before = None
    raw = args.get("due_before", "").strip()
    if raw:
        try:
            due_before = date.fromisoformat(raw)
        except ValueError:
            problems.append(f"due_before: {_('a date such as 2024-01-31')}")
        else:
            if not 2000 <= due_before.year <= 2100:
                problems.append(f"due_before: {_('a date such as 2024-01-31')}")
                due_before = None
    query = CaseQuery(
        sort=sort,
        descending=args.get("dir") == "desc",
        mentor=mentor,
        due_within=due_within,
        due_before=due_before,
    )
    return query, problems
