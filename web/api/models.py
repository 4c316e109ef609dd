"""Response models of the API that the engine's read models do not already give.

Money leaves as a decimal string with two places (``"10000.00"``) and times as ISO 8601
in UTC with the offset, whatever the database driver handed back (SQLite returns naive
UTC datetimes, PostgreSQL aware ones).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from workflow.views import CaseSummary, EventOut


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
MoneyStr = Annotated[
    Decimal,
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="always"),
    Field(json_schema_extra={"pattern": r"^-?\d+\.\d{2}$", "examples": ["10000.00"]}),
]


class Model(BaseModel):
    """Base of response models: built from ORM rows, dataclasses or engine models."""

    model_config = ConfigDict(from_attributes=True)


class OrganisationOut(Model):
    """A registered NGO."""

    id: int
    name: str
    reg_no: str
    legal_form: str
    fields: list[str]
    created_at: UtcDateTime


class CycleOut(Model):
    """An incubation cycle."""

    id: int
    name: str
    starts_on: date
    ends_on: date
    budget_eur: MoneyStr
    capacity: int
    created_at: UtcDateTime


class FundingSourceOut(Model):
    """A funder's programme and its call window."""

    id: int
    funder: str
    programme: str
    call_opens: date
    call_closes: date
    max_grant_eur: MoneyStr
    domains: list[str]
    created_at: UtcDateTime


class AuditEvent(EventOut):
    """One audit event, its time in UTC."""

    at: UtcDateTime


class CaseItem(CaseSummary):
    """One case in a list."""

    state_since: UtcDateTime


class OrganisationList(Model):
    """Every organisation."""

    items: list[OrganisationOut]


class CycleList(Model):
    """Every cycle, newest first."""

    items: list[CycleOut]


class FundingSourceList(Model):
    """Every funding source."""

    items: list[FundingSourceOut]


class CasePage(Model):
    """A page of cases; pass ``next_cursor`` as ``cursor`` for the next one (null: no more)."""

    items: list[CaseItem]
    next_cursor: str | None


class EventPage(Model):
    """A page of audit events, oldest first; ``next_cursor`` null when there are no more."""

    items: list[AuditEvent]
    next_cursor: str | None


class Recorded(Model):
    """A piece of evidence stored: its id, the case's new version and the audit event."""

    id: int
    case_id: int
    version: int
    event: AuditEvent
