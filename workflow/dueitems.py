"""What falls due on a user's cases: the read model behind reminders and calendar feeds.

Three kinds of item, each from data the programme already keeps:

- ``call``: a funding call closes for a case that selected its source (or prepared an
  application to it) and has not submitted an application to it;
- ``step``: the day a case's time in its state runs out (the policy's ``deadlines:``,
  counted as :mod:`workflow.deadlines` counts them); overdue once that day has passed;
- ``decision``: a submitted application without a decision, whose decision is expected
  ``reminders.decision_days`` after its submission.

Only open cases (not in a final state) and only the cases the user's role may see
(:func:`workflow.permissions.case_scope_clause`). Each item has a ``key`` naming exactly
what it is about, which the reminders remember so that nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import Connection, Subquery, and_, exists, select, union

from workflow.actors import Actor
from workflow.deadlines import deadline_days
from workflow.localformat import day as fmt_day
from workflow.orm import Application, Case, FundingSource, Organisation, SourceSelection
from workflow.permissions import case_scope_clause
from workflow.rules import Rules
from workflow.runtime import local_day

ItemKind = Literal["call", "step", "decision"]


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due on one case, worded in both languages."""

    kind: ItemKind
    key: str
    case_id: int
    organisation: str
    due_on: date
    en: str
    lv: str
    #: the funding programme a call or decision is about ("" for a step)
    programme: str = ""

    def text(self, lang: str) -> str:
        """The item in ``lang`` (Latvian unless English)."""
        return self.en if lang == "en" else self.lv


@dataclass(frozen=True, slots=True)
class Window:
    """Which items to take: calls closing in ``calls_from..calls_to``; steps due by
    ``steps_by`` (None: every open case's); decisions expected by ``decisions_by``."""

    calls_from: date
    calls_to: date | None
    steps_by: date | None
    decisions_by: date | None


def reminder_window(rules: Rules, as_of: date) -> Window:
    """What a reminder on ``as_of`` is about: calls closing within the policy's lead days,
    cases overdue (their deadline day passed) and decisions expected within the lead days."""
    lead = timedelta(days=rules.policy.spec.reminders.lead_days)
    return Window(as_of, as_of + lead, as_of - timedelta(days=1), as_of + lead)


def calendar_window(as_of: date) -> Window:
    """What a calendar feed shows: calls that closed in the last 30 days or will close,
    every open case's state deadline and every expected decision."""
    return Window(as_of - timedelta(days=30), None, None, None)


def due_items(
    conn: Connection,
    rules: Rules,
    actor: Actor | None,
    window: Window,
    *,
    case_ids: Collection[int] | None = None,
) -> list[DueItem]:
    """The items on the cases ``actor`` may see (None: every case), or on those of
    ``case_ids`` among them, by day, then case."""
    open_states = [s for s in rules.states.state_ids if not rules.is_final(s)]
    scope = case_scope_clause(rules, actor)
    cases = (
        select(Case.id, Case.state, Case.state_since, Organisation.name.label("org"))
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(Case.state.in_(open_states))
    )
    if scope is not None:
        cases = cases.where(scope)
    if case_ids is not None:
        cases = cases.where(Case.id.in_(sorted(case_ids)))
    opened = cases.subquery()
    items = [
        *_calls(conn, opened, window),
        *_steps(conn, rules, opened, window),
        *_decisions(conn, rules, opened, window),
    ]
    return sorted(items, key=lambda i: (i.due_on, i.case_id, i.kind, i.key))


def _calls(conn: Connection, opened: Subquery, window: Window) -> list[DueItem]:
    c = opened.c
    wanted = union(
        select(SourceSelection.case_id, SourceSelection.funding_source_id),
        select(Application.case_id, Application.funding_source_id),
    ).subquery()
    submitted = exists().where(
        Application.case_id == wanted.c.case_id,
        Application.funding_source_id == wanted.c.funding_source_id,
        Application.submitted_on.is_not(None),
    )
    q = (
        select(
            c.id,
            c.org,
            FundingSource.id,
            FundingSource.funder,
            FundingSource.programme,
            FundingSource.call_closes,
        )
        .join(wanted, wanted.c.case_id == c.id)
        .join(FundingSource, FundingSource.id == wanted.c.funding_source_id)
        .where(~submitted, FundingSource.call_closes >= window.calls_from)
    )
    if window.calls_to is not None:
        q = q.where(FundingSource.call_closes <= window.calls_to)
    out = []
    for case_id, org, source_id, funder, programme, closes in conn.execute(q):
        out.append(
            DueItem(
                "call",
                f"call:{case_id}:{source_id}:{closes.isoformat()}",
                case_id,
                org,
                closes,
                f"{org}: the call {funder} — {programme} closes on "
                f"{fmt_day(closes, 'en')}; nothing submitted to it yet",
                f"{org}: konkurss {funder} — {programme} slēdzas "
                f"{fmt_day(closes, 'lv')}; pieteikums tam vēl nav iesniegts",
                programme,
            )
        )
    return out


def _steps(conn: Connection, rules: Rules, opened: Subquery, window: Window) -> list[DueItem]:
    c = opened.c
    out = []
    for case_id, state, since, org in conn.execute(select(c.id, c.state, c.state_since, c.org)):
        days = deadline_days(rules, state)
        if days is None:
            continue
        entered = local_day(since)
        due = entered + timedelta(days=days)
        if window.steps_by is not None and due > window.steps_by:
            continue
        label = rules.states.state(state).label
        out.append(
            DueItem(
                "step",
                f"step:{case_id}:{state}:{entered.isoformat()}",
                case_id,
                org,
                due,
                f"{org}: in the state '{label.en}' since {fmt_day(entered, 'en')}; the "
                f"policy's {days} days end on {fmt_day(due, 'en')}",
                f"{org}: stāvoklī '{label.lv}' kopš {fmt_day(entered, 'lv')}; politikas "
                f"{days} dienas beidzas {fmt_day(due, 'lv')}",
            )
        )
    return out


def _decisions(conn: Connection, rules: Rules, opened: Subquery, window: Window) -> list[DueItem]:
    c = opened.c
    wait = timedelta(days=rules.policy.spec.reminders.decision_days)
    q = (
        select(
            c.id,
            c.org,
            Application.id,
            Application.title,
            Application.submitted_on,
            FundingSource.programme,
        )
        .join(Application, Application.case_id == c.id)
        .join(FundingSource, FundingSource.id == Application.funding_source_id)
        .where(and_(Application.submitted_on.is_not(None), Application.decision.is_(None)))
    )
    out = []
    for case_id, org, app_id, title, submitted_on, programme in conn.execute(q):
        due = submitted_on + wait
        if window.decisions_by is not None and due > window.decisions_by:
            continue
        out.append(
            DueItem(
                "decision",
                f"decision:{app_id}:{due.isoformat()}",
                case_id,
                org,
                due,
                f"{org}: a decision on '{title}' ({programme}, submitted "
                f"{fmt_day(submitted_on, 'en')}) is expected by {fmt_day(due, 'en')}",
                f"{org}: lēmums par '{title}' ({programme}, iesniegts "
                f"{fmt_day(submitted_on, 'lv')}) gaidāms līdz {fmt_day(due, 'lv')}",
                programme,
            )
        )
    return out
