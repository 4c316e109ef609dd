"""The coordinator's case list: any column sorted either way, filtered by mentor and by
what falls due, one page at a time, and the whole filtered list for the exports.

The filters of :func:`workflow.views.list_cases` (cycle, state, overdue, search, the
actor's scope) select the rows, page by keyset page, up to :data:`LIST_CAP`; this module
adds each case's next due day (the earliest item :mod:`workflow.dueitems` finds for it:
its state's deadline day under the policy, a selected call's closing day, an expected
decision; the same items the reminders and calendar feeds use), the mentor and due-day
filters, and sorts in Python with :func:`workflow.collation.latvian_key` for names: one
order on SQLite and PostgreSQL whatever the server's locale. The list a coordinator
works with is bounded (a cycle holds at most its capacity; every cycle together a few
hundred cases); past the cap the list says it is cut (``capped``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow import views
from workflow.actors import Actor
from workflow.collation import latvian_key
from workflow.cursors import MAX_PAGE
from workflow.db import read
from workflow.dueitems import Window, due_items
from workflow.errors import InvalidInput
from workflow.runtime import Runtime
from workflow.viewmodels import CaseSummary

#: The most rows a sorted list reads (a page of it is shown; the exports take all).
LIST_CAP = 5000
#: The longest "due within N days" asked.
MAX_DUE_DAYS = 3660
#: The mentor filter's value for cases without one.
NO_MENTOR = "-"


class CaseRow(CaseSummary):
    """One line of the sorted case list: the summary and the case's next due day."""

    due_on: date | None
    due_kind: str | None  # step, call or decision


def _by_name(v: str | None) -> Any:
    return latvian_key(v)


#: The sortable columns and each one's key (the case id breaks ties).
SORTS: dict[str, Callable[[CaseRow, list[str]], Any]] = {
    "organisation": lambda r, _s: _by_name(r.organisation),
    "reg_no": lambda r, _s: r.reg_no,
    "cycle": lambda r, _s: _by_name(r.cycle),
    "state": lambda r, states: states.index(r.state) if r.state in states else len(states),
    "since": lambda r, _s: r.state_since,
    "mentor": lambda r, _s: (r.mentor is None, _by_name(r.mentor)),
    "overdue": lambda r, _s: r.days_over,
    "due": lambda r, _s: (r.due_on is None, r.due_on or date.max),
}


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """What the list asks beyond :func:`workflow.views.list_cases`'s filters."""

    sort: str = "organisation"
    descending: bool = False
    mentor: str | None = None  # a user's name, or NO_MENTOR
    due_within: int | None = None  # due on or before today + N days (overdue included)
    due_before: date | None = None  # due before this day


@dataclass(frozen=True, slots=True)
class CasePage:
    """A page of the sorted list, how many rows match and whether the cap cut them."""

    rows: list[CaseRow]
    total: int
    page: int
    pages: int
    capped: bool


def check_query(q: CaseQuery) -> None:
    """Refuse an unknown column or an out-of-range number, naming the field."""
    if q.sort not in SORTS:
        raise InvalidInput(
            {"sort": f"{q.sort!r} is not a column; one of {', '.join(SORTS)}"},
            {"sort": f"{q.sort!r} nav kolonna; viena no {', '.join(SORTS)}"},
        )
    if q.due_within is not None and not 0 <= q.due_within <= MAX_DUE_DAYS:
        raise InvalidInput(
            {"due_within": f"a number of days from 0 to {MAX_DUE_DAYS}"},
            {"due_within": f"dienu skaits no 0 līdz {MAX_DUE_DAYS}"},
        )


def needs_due(q: CaseQuery) -> bool:
    """Whether the order or a filter depends on every row's next due day."""
    return q.sort == "due" or q.due_within is not None or q.due_before is not None


def all_rows(rt: Runtime, actor: Actor, q: CaseQuery, **filters: Any) -> tuple[list[CaseRow], bool]:
    """Every matching row (up to the cap), filtered and sorted; and whether it was cut."""
    return _rows(rt, actor, q, True, filters)


def _rows(
    rt: Runtime, actor: Actor, q: CaseQuery, with_due: bool, filters: dict[str, Any]
) -> tuple[list[CaseRow], bool]:
    """:func:`all_rows`; ``with_due=False`` (a page that neither sorts nor filters by the
    due day) leaves the due days out: finding them for every open case costs more than
    the rest of the list, so :func:`page` finds them for the rows it shows only."""
    check_query(q)
    with_due = with_due or needs_due(q)
    found: list[CaseSummary] = []
    cursor = None
    while len(found) < LIST_CAP:
        page, cursor = views.list_cases(
            rt, actor, limit=min(MAX_PAGE, LIST_CAP - len(found)), cursor=cursor, **filters
        )
        found.extend(page)
        if cursor is None:
            break
    capped = cursor is not None
    today = rt.today()
    rules = rt.rules
    due = _next_due(rt, actor, today) if with_due else {}
    rows = [
        CaseRow(
            **s.model_dump(),
            due_on=due.get(s.id, (None, None))[0],
            due_kind=due.get(s.id, (None, None))[1],
        )
        for s in found
    ]
    if q.mentor is not None:
        wanted = None if q.mentor == NO_MENTOR else q.mentor
        rows = [r for r in rows if r.mentor == wanted]
    if q.due_within is not None:
        last = today + timedelta(days=q.due_within)
        rows = [r for r in rows if r.due_on is not None and r.due_on <= last]
    if q.due_before is not None:
        before = q.due_before
        rows = [r for r in rows if r.due_on is not None and r.due_on < before]
    states = list(rules.states.state_ids)
    key = SORTS[q.sort]
    rows.sort(key=lambda r: (key(r, states), r.id), reverse=q.descending)
    return rows, capped


def page(
    rt: Runtime, actor: Actor, q: CaseQuery, page_no: int = 1, size: int = 50, **filters: Any
) -> CasePage:
    """Page ``page_no`` (from 1) of the sorted list."""
    if page_no < 1:
        raise InvalidInput({"page": "a page number from 1"}, {"page": "lapas numurs no 1"})
    rows, capped = _rows(rt, actor, q, False, filters)
    pages = max(1, -(-len(rows) // size))
    start = (page_no - 1) * size
    shown = rows[start : start + size]
    if not needs_due(q) and shown:
        due = _next_due(rt, actor, rt.today(), {r.id for r in shown})
        none: tuple[date | None, str | None] = (None, None)
        shown = [
            r.model_copy(update=dict(zip(("due_on", "due_kind"), due.get(r.id, none), strict=True)))
            for r in shown
        ]
    return CasePage(shown, len(rows), page_no, pages, capped)


def _next_due(
    rt: Runtime, actor: Actor, today: date, case_ids: Collection[int] | None = None
) -> dict[int, tuple[date, str]]:
    """Each open case's earliest due item (of ``case_ids`` only, if given): its state's
    deadline day (past or not), a call it waits on that closes today or later, an
    expected decision."""
    window = Window(calls_from=today, calls_to=None, steps_by=None, decisions_by=None)
    with read(rt.engine) as conn:
        items = due_items(conn, rt.rules, actor, window, case_ids=case_ids)
    out: dict[int, tuple[date, str]] = {}
    for item in items:  # by day, then case: the first one seen is the earliest
        out.setdefault(item.case_id, (item.due_on, item.kind))
    return out
