""" "My work": every open case the user serves, its next step, when it is due and why it
is not yet possible, the most urgent first.

A case's next step is the first trigger the states file declares from its state (the way
forward; leaving the programme is declared after it). Its due day is the earliest of the
items :mod:`workflow.dueitems` finds on it (the same the reminders and calendar feeds
send), each open call and every step and decision whatever its day:

- ``state_deadline``: the day the policy's deadline for the state runs out
  (:mod:`workflow.deadlines`, the same count as the case list's "overdue");
- ``call_closes``: the closing day of a funding call the case still has to apply to (a
  selected source or a prepared application not yet submitted, whose call has not closed);
- ``decision_expected``: the day a submitted application's decision is expected (the
  policy's ``reminders: decision_days`` after its submission).

Why the step is not yet possible comes from the guards themselves
(:func:`workflow.triggers.trigger_statuses`), so it reads exactly as on the case page.
Coordinators (and every role that sees all cases) get all open cases; a mentor gets the
cases assigned to them (:func:`workflow.permissions.case_scope_clause`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from workflow.actors import Actor
from workflow.cursors import check_limit
from workflow.db import read
from workflow.dueitems import DueItem, Window, due_items
from workflow.orm import Case, Organisation, User
from workflow.permissions import case_scope_clause
from workflow.rules import Rules
from workflow.runtime import Runtime
from workflow.triggers import trigger_statuses

STATE_DEADLINE = "state_deadline"
CALL_CLOSES = "call_closes"
DECISION_EXPECTED = "decision_expected"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One open case's next step: when it is due, and why it is not yet possible."""

    case_id: int
    organisation: str
    cycle_id: int
    state: str
    mentor: str | None
    next_trigger: str | None
    due_on: date | None
    due_kind: str | None
    due_text: str | None
    due_text_lv: str | None
    overdue: bool
    days_left: int | None
    possible: bool
    may_fire: bool
    reason: str | None
    reason_lv: str | None


@dataclass(frozen=True, slots=True)
class _Due:
    case_id: int
    organisation: str
    cycle_id: int
    state: str
    mentor: str | None
    due_on: date | None
    due_kind: str | None
    due_text: str | None
    due_text_lv: str | None


#: :mod:`workflow.dueitems`' kinds of item, as this read model names them
DUE_KINDS = {"step": STATE_DEADLINE, "call": CALL_CLOSES, "decision": DECISION_EXPECTED}


def _due_dates(conn: Connection, rules: Rules, actor: Actor | None, today: date) -> list[_Due]:
    open_states = [s for s in rules.states.state_ids if not rules.is_final(s)]
    q = (
        select(Case.id, Case.state, Case.cycle_id, Organisation.name, User.name.label("mentor"))
        .join(Organisation, Organisation.id == Case.organisation_id)
        .outerjoin(User, User.id == Case.mentor_id)
        .where(Case.state.in_(open_states))
    )
    scope = case_scope_clause(rules, actor)
    if scope is not None:
        q = q.where(scope)
    first: dict[int, DueItem] = {}
    for due in due_items(conn, rules, actor, Window(today, None, None, None)):
        first.setdefault(due.case_id, due)  # by day: the first is the earliest
    out = []
    for r in conn.execute(q):
        item = first.get(r.id)
        out.append(
            _Due(
                r.id,
                r.name,
                r.cycle_id,
                r.state,
                r.mentor,
                item.due_on if item else None,
                DUE_KINDS[item.kind] if item else None,
                item.en if item else None,
                item.lv if item else None,
            )
        )
    return out


def _urgency(d: _Due) -> tuple[int, date, int]:
    """Overdue (and the longest overdue) first, then by due day; no due day last."""
    return (0 if d.due_on is not None else 1, d.due_on or date.max, d.case_id)


@dataclass(frozen=True, slots=True)
class WorkPage:
    """The most urgent of the actor's open cases, and how many there are in all."""

    items: list[WorkItem]
    total: int
    overdue: int


def my_work(
    rt: Runtime, actor: Actor, *, limit: int = 100, today: date | None = None
) -> list[WorkItem]:
    """The actor's open cases, most urgent first (the first ``limit``)."""
    return work_page(rt, actor, limit=limit, today=today).items


def work_page(
    rt: Runtime, actor: Actor, *, limit: int = 100, today: date | None = None
) -> WorkPage:
    """The actor's open cases, most urgent first, with each next step judged by its guards
    (for the first ``limit`` cases: due days are computed for all, the guards for those)."""
    check_limit(limit)
    rules = rt.rules
    today = today or rt.today()
    items = []
    with read(rt.engine) as conn:
        every = sorted(_due_dates(conn, rules, actor, today), key=_urgency)
        for d in every[:limit]:
            statuses = trigger_statuses(conn, rules, actor, d.case_id, d.state, today)
            nxt = statuses[0] if statuses else None
            blocked = nxt.blocked_by if nxt is not None else []
            items.append(
                WorkItem(
                    case_id=d.case_id,
                    organisation=d.organisation,
                    cycle_id=d.cycle_id,
                    state=d.state,
                    mentor=d.mentor,
                    next_trigger=nxt.trigger if nxt is not None else None,
                    due_on=d.due_on,
                    due_kind=d.due_kind,
                    due_text=d.due_text,
                    due_text_lv=d.due_text_lv,
                    overdue=d.due_on is not None and d.due_on < today,
                    days_left=(d.due_on - today).days if d.due_on is not None else None,
                    possible=nxt is not None and nxt.allowed,
                    may_fire=nxt is not None and nxt.role_allowed,
                    reason="; ".join(o.message_en for o in blocked) or None,
                    reason_lv="; ".join(o.message_lv for o in blocked) or None,
                )
            )
    overdue = sum(d.due_on is not None and d.due_on < today for d in every)
    return WorkPage(items, len(every), overdue)
