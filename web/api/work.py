"""The coordinator's workbench: my work, mentors assigned in bulk, and a cycle's budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from web.api.cases import Query
from web.api.models import Model, MoneyStr
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import budget, mentors, mywork
from workflow.cursors import MAX_PAGE
from workflow.limits import USER_NAME_MAX
from workflow.schemas import Id


class WorkQuery(Query):
    """How many of the most urgent cases to list."""

    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100


class WorkItemOut(Model):
    """One open case's next step, when it is due and why it is not yet possible."""

    case_id: int
    organisation: str
    cycle_id: int
    state: str
    mentor: str | None
    next_trigger: str | None = Field(description="the first step the states file declares")
    due_on: date | None = Field(description="the earliest of the dates in ``due_kind``")
    due_kind: Literal["state_deadline", "call_closes", "decision_expected"] | None = Field(
        description="what the due day is: the policy's deadline for the state, a funding "
        "call's closing day, or the day a submitted application's decision is expected "
        "(the policy's reminders.decision_days after its submission)"
    )
    due_text: str | None = Field(description="what falls due that day (English)")
    due_text_lv: str | None = Field(description="the same in Latvian")
    overdue: bool = Field(description="the due day has passed")
    days_left: int | None = Field(description="days until the due day (negative: overdue)")
    possible: bool = Field(description="the next step's guards all pass now")
    may_fire: bool = Field(description="your role may take the next step")
    reason: str | None = Field(description="why the next step is not yet possible (English)")
    reason_lv: str | None = Field(description="the same in Latvian")


class WorkOut(Model):
    """Your open cases, overdue first, then by due day (none last)."""

    items: list[WorkItemOut]
    total: int = Field(description="every open case you serve, listed or not")
    overdue: int = Field(description="how many of them are overdue")


@api_route("/me/work", tag="work", query=WorkQuery, response=WorkOut)
def my_work(query: WorkQuery) -> WorkOut:
    """My work: every open case you serve, its next step and due day, most urgent first.

    Coordinators see every open case, mentors the cases assigned to them. ``reason`` is
    what the guards say about the next step, as on the case page.
    """
    page = mywork.work_page(runtime(), actor(), limit=query.limit)
    return WorkOut(
        items=[WorkItemOut.model_validate(i) for i in page.items],
        total=page.total,
        overdue=page.overdue,
    )


class BulkMentorIn(BaseModel):
    """Assign one mentor user to several cases."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    case_ids: list[Id] = Field(min_length=1, max_length=mentors.BULK_MAX)
    mentor: Annotated[str, StringConstraints(min_length=1, max_length=USER_NAME_MAX)]


class BulkOutcomeOut(Model):
    """What became of one case."""

    case_id: int
    organisation: str | None = Field(description="null for a case that does not exist")
    outcome: Literal["assigned", "unchanged", "refused"]
    version: int | None = Field(description="the case's new version, when assigned")
    reason_en: str | None
    reason_lv: str | None


class BulkMentorOut(Model):
    """Every case's outcome, in the order given."""

    mentor: str
    assigned: int
    results: list[BulkOutcomeOut]


@api_route(
    "/mentor-assignments",
    "POST",
    tag="cases",
    body=BulkMentorIn,
    response=BulkMentorOut,
    errors=(403,),
    permission=("actions", "assign_mentor"),
)
def assign_in_bulk(body: BulkMentorIn) -> BulkMentorOut:
    """Assign a mentor to several cases at once.

    Each case is its own audited write (as ``POST /cases/{id}/mentor``): a case that is
    closed, missing or not yours is listed as ``refused`` with its reason and the others
    are assigned; a case that already has this mentor is ``unchanged``. A name that is not
    an active mentor's is a 422 and nothing is written.
    """
    results = mentors.assign_mentor_bulk(runtime(), actor(), body.case_ids, body.mentor)
    return BulkMentorOut(
        mentor=body.mentor,
        assigned=sum(r.outcome == "assigned" for r in results),
        results=[BulkOutcomeOut.model_validate(r) for r in results],
    )


class MentorSpendingOut(Model):
    """One mentor's hours in the cycle and their cost."""

    mentor: str
    hours: Decimal
    spent_eur: MoneyStr


class CostLineOut(Model):
    """One of the policy's other cost lines for this cycle."""

    id: str
    label_lv: str
    label_en: str
    per: Literal["case", "cycle"]
    unit_eur: MoneyStr
    count: int
    eur: MoneyStr


class BudgetWarningOut(Model):
    """A policy threshold reached by spending (``spent``) or a plan over budget (``committed``)."""

    code: Literal["spent", "committed"]
    percent: int | None
    message_en: str
    message_lv: str


class BudgetOut(Model):
    """The cycle's budget: spent = mentor hours x rate + other cost lines; committed = hours
    planned per case x rate x cases + other cost lines; remaining = budget - spent."""

    cycle_id: int
    cycle: str
    budget_eur: MoneyStr
    committed_eur: MoneyStr
    spent_eur: MoneyStr
    remaining_eur: MoneyStr
    mentor_hour_eur: MoneyStr
    cases: int
    planned_hours_per_case: Decimal
    mentor_hours: Decimal
    mentor_spent_eur: MoneyStr
    other_costs_eur: MoneyStr
    used_percent: Decimal | None = Field(description="spent as a percentage of the budget")
    allow_overrun: bool
    mentors: list[MentorSpendingOut]
    other_costs: list[CostLineOut]
    warnings: list[BudgetWarningOut]


@api_route(
    "/cycles/<int:cycle_id>/budget",
    tag="catalogue",
    response=BudgetOut,
    errors=(403, 404, 409),
    permission=("actions", "read_budget"),
)
def cycle_budget(cycle_id: int) -> BudgetOut:
    """The cycle's budget against the mentor hours and other costs the policy counts.

    409 when the policy in force has no ``budget:`` section.
    """
    return BudgetOut.model_validate(budget.cycle_budget(runtime(), cycle_id))
