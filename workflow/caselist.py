"""The coordinator's case list: any column sorted either way, filtered by mentor and by
what falls due, one page at a time, and the whole filtered list for the exports.

The filters of :mod:`workflow.casequery` (cycle, state, overdue, search, the actor's
scope) select the cases, up to :data:`LIST_CAP`, reading only the columns the list sorts
by; whole rows are built for the page shown (or every row, for an export). This module
adds each case's next due day (the earliest item :mod:`workflow.dueitems` finds for it:
its state's deadline day under the policy, a selected call's closing day, an expected
decision; the same items the reminders and calendar feeds use), the mentor and due-day
filters, and sorts in Python with :func:`workflow.collation.latvian_key` for names: one
order on SQLite and PostgreSQL whatever the server's locale. The list a coordinator
works with is bounded (a cycle holds at most its capacity; every cycle together a few
hundred cases); past the cap the list says it is cut (``capped``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from workflow import casequery, views
from workflow.actors import Actor
from workflow.collation import latvian_key
from workflow.db import read
from workflow.deadlines import days_over, deadline_days
from workflow.dueitems import Window, due_items
from workflow.errors import InvalidInput
from workflow.orm import Case, Cycle, Organisation, User
from workflow.runtime import Runtime
from workflow.viewmodels import CaseSummary

#: The most rows a sorted list reads (a page of it is shown; the exports take all).
LIST_CAP = 20_000
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
SORTS: dict[str, Callable[[Any, list[str]], Any]] = {
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


@dataclass(frozen=True, slots=True)
class _Sortable:
    """What the list sorts and filters by, for every matching case: a few columns read
    without building whole rows (those are built for the page shown, or an export)."""

    id: int
    organisation: str
    reg_no: str
    cycle: str
    state: str
    state_since: datetime
    mentor: str | None
    days_over: int  # counted only when the list is sorted by it
    due_on: date | None
    due_kind: str | None


def all_rows(rt: Runtime, actor: Actor, q: CaseQuery, **filters: Any) -> tuple[list[CaseRow], bool]:
    """Every matching row (up to the cap), filtered and sorted; and whether it was cut."""
    found, capped = _sorted(rt, actor, q, True, filters)
    return _whole(rt, actor, found), capped


def _sorted(
    rt: Runtime, actor: Actor, q: CaseQuery, with_due: bool, filters: dict[str, Any]
) -> tuple[list[_Sortable], bool]:
    """The matching cases' sort columns, filtered and sorted. ``with_due=False`` (a page
    that neither sorts nor filters by the due day) leaves the due days out: finding them
    for every open case costs more than the rest, so :func:`page` finds them for the rows
    it shows only."""
    check_query(q)
    with_due = with_due or needs_due(q)
    rules, today = rt.rules, rt.today()
    columns = select(
        Case.id,
        Organisation.name,
        Organisation.reg_no,
        Cycle.name,
        Case.state,
        Case.state_since,
        User.name,
    )
    joined = (
        columns.join(Organisation, Organisation.id == Case.organisation_id)
        .join(Cycle, Cycle.id == Case.cycle_id)
        .outerjoin(User, User.id == Case.mentor_id)
        .order_by(Case.id)
        .limit(LIST_CAP + 1)
    )
    stmt = casequery.filtered(joined, rules, actor, today, **filters)
    with read(rt.engine) as conn:
        rows = conn.execute(stmt).all()
    capped = len(rows) > LIST_CAP
    due = _next_due(rt, actor, today) if with_due else {}
    found = [
        _Sortable(
            *(r[0], r[1], r[2], r[3], r[4], r[5], r[6]),
            days_over(deadline_days(rules, r[4]), r[5], today) if q.sort == "overdue" else 0,
            *due.get(r[0], (None, None)),
        )
        for r in rows[:LIST_CAP]
    ]
    if q.mentor is not None:
        wanted = None if q.mentor == NO_MENTOR else q.mentor
        found = [r for r in found if r.mentor == wanted]
    if q.due_within is not None:
        last = today + timedelta(days=q.due_within)
        found = [r for r in found if r.due_on is not None and r.due_on <= last]
    if q.due_before is not None:
        before = q.due_before
        found = [r for r in found if r.due_on is not None and r.due_on < before]
    states = list(rules.states.state_ids)
    key = SORTS[q.sort]
    found.sort(key=lambda r: (key(r, states), r.id), reverse=q.descending)
    return found, capped


def _whole(rt: Runtime, actor: Actor, found: list[_Sortable]) -> list[CaseRow]:
    """Whole list rows for ``found``, in its order, with its due days."""
    by_id = {r.id: r for r in found}
    return [
        CaseRow(**s.model_dump(), due_on=by_id[s.id].due_on, due_kind=by_id[s.id].due_kind)
        for s in views.summaries(rt, actor, [r.id for r in found])
    ]


def page(
    rt: Runtime, actor: Actor, q: CaseQuery, page_no: int = 1, size: int = 50, **filters: Any
) -> CasePage:
    """Page ``page_no`` (from 1) of the sorted list."""
    if page_no < 1:
        raise InvalidInput({"page": "a page number from 1"}, {"page": "lapas numurs no 1"})
    found, capped = _sorted(rt, actor, q, False, filters)
    pages = max(1, -(-len(found) // size))
    start = (page_no - 1) * size
    shown = found[start : start + size]
    if not needs_due(q) and shown:
        due = _next_due(rt, actor, rt.today(), {r.id for r in shown})
        shown = [
            dataclasses.replace(r, due_on=d[0], due_kind=d[1])
            for r in shown
            for d in [due.get(r.id, (None, None))]
        ]
    return CasePage(_whole(rt, actor, shown), len(found), page_no, pages, capped)


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
