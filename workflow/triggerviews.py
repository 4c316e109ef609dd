"""The case page's triggers: every declared trigger, whether it may fire now and why not.

:mod:`workflow.triggers` judges the triggers declared from the case's state; this read
model adds the labels and lists the rest of the workflow's triggers too, each blocked by
the pseudo-guard ``state`` that says where the case must stand first, so a coordinator
sees the whole way ahead and not only the next step.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from workflow.actors import Actor
from workflow.permissions import may_fire
from workflow.rules import Rules
from workflow.triggers import TriggerStatus, trigger_statuses
from workflow.viewmodels import BlockedBy, TriggerView


def trigger_views(
    conn: Connection, rules: Rules, actor: Actor | None, case_id: int, state: str, today: date
) -> list[TriggerView]:
    """Views of every declared trigger: those from ``state`` evaluated on the case's
    evidence first, then the rest with the reason they do not apply."""
    statuses = trigger_statuses(conn, rules, actor, case_id, state, today)
    views = [_evaluated(rules, st) for st in statuses]
    here = {st.trigger for st in statuses}
    st_label = rules.states.state(state).label
    for t in rules.states.spec.transitions:
        if t.trigger in here:
            continue
        here.add(t.trigger)
        if rules.is_final(state):
            en = f"the case is closed ({st_label.en})"
            lv = f"lieta ir slēgta ({st_label.lv})"
        else:
            froms = [rules.states.state(s).label for s in t.source]
            en = f"only from {', '.join(f.en for f in froms)}; the case is {st_label.en}"
            lv = f"tikai no stāvokļa {', '.join(f.lv for f in froms)}; lieta ir {st_label.lv}"
        views.append(
            TriggerView(
                trigger=t.trigger,
                label_lv=t.label.lv,
                label_en=t.label.en,
                dest=t.dest,
                applicable=False,
                allowed=False,
                role_allowed=may_fire(rules, actor, t.trigger),
                blocked_by=[BlockedBy(guard="state", message=en, message_lv=lv)],
                passed=[],
            )
        )
    return views


def _evaluated(rules: Rules, st: TriggerStatus) -> TriggerView:
    label = rules.states.trigger_label(st.trigger)
    return TriggerView(
        trigger=st.trigger,
        label_lv=label.lv,
        label_en=label.en,
        dest=st.dest,
        applicable=True,
        allowed=st.allowed,
        role_allowed=st.role_allowed,
        blocked_by=[
            BlockedBy(guard=o.guard, message=o.message_en, message_lv=o.message_lv)
            for o in st.blocked_by
        ],
        passed=[
            BlockedBy(guard=o.guard, message=o.message_en, message_lv=o.message_lv)
            for o in st.outcomes
            if o.passed
        ],
    )
