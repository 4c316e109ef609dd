"""Input models shared by the CLI, the JSON API and the web forms (one validation each).

Money is a decimal in EUR with at most two decimals; dates lie between 2000 and 2100;
unknown fields are refused so a typo never passes silently.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("100000000"), max_digits=11, decimal_places=2)]
PositiveMoney = Annotated[
    Decimal, Field(gt=0, le=Decimal("100000000"), max_digits=11, decimal_places=2)
]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
#: The longest comment a transition or enrolment keeps: room for a reason, not a report.
COMMENT_MAX = 2000
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COMMENT_MAX)]


class Input(BaseModel):
    """Strict base for every input."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationIn(Input):
    """An NGO to register."""

    name: Text
    reg_no: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{11}$")] = (
        Field(description="Latvian register number, 11 digits")
    )
    legal_form: Tag = Field(description="e.g. association, foundation")
    fields: list[Tag] = Field(default_factory=list, max_length=20)


class CycleIn(Input):
    """An incubation cycle; budget and capacity default from the policy."""

    name: Text
    starts_on: Day
    ends_on: Day
    budget_eur: Money | None = None
    capacity: Annotated[int, Field(ge=1, le=1000)] | None = None

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, ends_on: date, info: ValidationInfo) -> date:
        """On the later field, so the error names ``ends_on`` (skipped when ``starts_on``
        itself was invalid: that error already speaks)."""
        starts_on = info.data.get("starts_on")
        if starts_on is not None and ends_on < starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return ends_on


class FundingSourceIn(Input):
    """A funder's programme with its call window."""

    funder: Text
    programme: Text
    call_opens: Day
    call_closes: Day
    max_grant_eur: PositiveMoney
    domains: list[Tag] = Field(default_factory=list, max_length=20)

    @field_validator("call_closes")
    @classmethod
    def _closes_after_opening(cls, call_closes: date, info: ValidationInfo) -> date:
        """On the later field, so the error names ``call_closes``."""
        call_opens = info.data.get("call_opens")
        if call_opens is not None and call_closes < call_opens:
            raise ValueError("call_closes must not be before call_opens")
        return call_closes


class EnrolmentIn(Input):
    """Enrol an organisation into a cycle."""

    organisation_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    cycle_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class AnalysisIn(Input):
    """The in-depth analysis of the organisation's activity."""

    findings: LongText
    need_areas: list[Tag] = Field(min_length=1, max_length=20)
    recorded_on: Day | None = None


class ConsultationIn(Input):
    """One mentor consultation (held on or after the day the case was enrolled)."""

    mentor: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ] = Field(
        description="the mentor's name as written: mentors may be people from outside the "
        "programme without a user account, so it is free text, not a user reference"
    )
    held_on: Day = Field(description="not in the future, not before the case's enrolment")
    hours: Annotated[Decimal, Field(gt=0, le=24, max_digits=4, decimal_places=2)]
    topic: Text


class SelectionIn(Input):
    """A funding source chosen for the case."""

    funding_source_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    selected_on: Day | None = None


class ApplicationIn(Input):
    """A project application prepared for a funding source."""

    funding_source_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    title: Text
    domain: Tag
    total_budget_eur: PositiveMoney
    requested_eur: PositiveMoney
    prepared_on: Day | None = None


class ApplicationUpdate(Input):
    """Submission and decision of an application; omitted fields stay as they are."""

    submitted_on: Day | None = None
    decision: Literal["awarded", "rejected"] | None = None
    decided_on: Day | None = None
    awarded_eur: Money | None = None


class UserIn(Input):
    """A user account."""

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.@-]{2,80}$")
    ]
    role: Literal["coordinator", "mentor", "auditor", "admin"]
    locale: Literal["lv", "en"] = "lv"
