"""Response models of the API that the engine's read models do not already give.

Money leaves as a decimal string with two places (``"10000.00"``) and times as ISO 8601
in UTC with the offset, whatever the database driver handed back (SQLite returns naive
UTC datetimes, PostgreSQL aware ones).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from workflow.chain import HASHED_FIELDS
from workflow.runtime import as_utc
from workflow.viewmodels import CaseSummary, EventOut

UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
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


class GuardCheck(Model):
    """One guard evaluated when the trigger fired (all passed, or the trigger would not have)."""

    guard: str
    passed: bool
    message: str = Field(description="what the guard found, in English")


# How ``hash`` is computed (workflow.chain.event_hash), for a client that re-checks it.
HASH_RULE = (
    "`hash` is the lowercase hexadecimal SHA-256 of the UTF-8 bytes of one JSON object "
    "holding exactly these fields of the event: "
    + ", ".join(f"`{name}`" for name in HASHED_FIELDS)
    + ". Not `id`, not `hash`. The JSON is canonical: object keys sorted (also inside "
    "`guards` and `payload`), no whitespace (separators `,` and `:`), non-ASCII characters "
    "written as themselves rather than as `\\u` escapes, and only what JSON requires "
    'escaped: `\\"`, `\\\\`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, the other '
    "characters below U+0020 as `\\u00xx` "
    "in lowercase hex; every value as this response gives it (null stays null) except "
    "`at`, written in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` with always six fractional "
    "digits. `prev_hash` is the `hash` of the case's previous event (`seq` one less; null "
    "for the first), so a case's events form a chain that any edit, insertion or removal "
    "breaks."
)


class AuditEvent(EventOut):
    """One audit event, its time in UTC."""

    model_config = ConfigDict(
        json_schema_extra={"description": "One audit event, its time in UTC. " + HASH_RULE}
    )

    at: UtcDateTime
    guards: list[GuardCheck] = Field(
        description="the guards checked when a trigger fired (empty for evidence and enrolment)"
    )
    hash: str = Field(description="SHA-256 in hex, computed as the event's description says")


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
