"""The read models of cases: what the case list, the case page, ``case show`` and the API
return, as pydantic models.

Kept apart from the queries in :mod:`workflow.views` that fill them, so their shape (and
the OpenAPI schemas the API generates from them, named after these classes) reads in one
place; callers import them from here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """Base of read models: built from ORM rows or rows of columns."""

    model_config = ConfigDict(from_attributes=True)


class CaseSummary(Out):
    """One line of the case list."""

    id: int
    organisation_id: int
    organisation: str
    reg_no: str
    cycle_id: int
    cycle: str
    state: str
    state_label_lv: str
    state_label_en: str
    version: int
    state_since: datetime
    days_in_state: int
    deadline_days: int | None
    overdue: bool
    days_over: int
    mentor: str | None


class BlockedBy(Out):
    """A failing guard."""

    guard: str
    message: str
    message_lv: str


class TriggerView(Out):
    """A declared trigger: whether it may fire from the case's state now and why not.

    Every trigger of the workflow is listed; one not declared from the current state is
    ``applicable=False`` and blocked by the pseudo-guard ``state``, which says where the
    case must be first.
    """

    trigger: str
    label_lv: str
    label_en: str
    dest: str
    applicable: bool
    allowed: bool
    role_allowed: bool
    blocked_by: list[BlockedBy]
    passed: list[BlockedBy]


class AnalysisOut(Out):
    """A recorded needs analysis."""

    id: int
    findings: str
    need_areas: list[str]
    recorded_on: date
    recorded_by: str


class ConsultationOut(Out):
    """A recorded consultation."""

    id: int
    mentor: str
    held_on: date
    hours: Decimal
    topic: str


class SelectionOut(Out):
    """A selected funding source with its call window."""

    id: int
    funding_source_id: int
    funder: str
    programme: str
    call_opens: date
    call_closes: date
    max_grant_eur: Decimal
    selected_on: date


class ApplicationOut(Out):
    """An application with its source's call window."""

    id: int
    case_id: int
    funding_source_id: int
    programme: str
    title: str
    domain: str
    total_budget_eur: Decimal
    requested_eur: Decimal
    status: str
    prepared_on: date
    submitted_on: date | None
    decision: str | None
    decided_on: date | None
    awarded_eur: Decimal | None
    call_opens: date
    call_closes: date


class EventOut(Out):
    """One audit event."""

    id: int
    case_id: int
    seq: int
    kind: str
    trigger: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    at: datetime
    comment: str
    guards: list[Any]
    payload: dict[str, Any]
    policy_hash: str
    states_hash: str
    prev_hash: str | None
    hash: str


class CaseDetail(CaseSummary):
    """Everything the case page and ``case show`` need."""

    legal_form: str
    fields: list[str]
    final: bool
    analyses: list[AnalysisOut]
    consultations: list[ConsultationOut]  # the newest few, oldest first
    consultation_count: int
    consultation_hours: Decimal
    sources: list[SelectionOut]
    applications: list[ApplicationOut]
    triggers: list[TriggerView]
    history: list[EventOut]  # one page, oldest first
    history_before: int | None  # the seq to page back from; None: the history starts here
