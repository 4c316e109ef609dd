"""Input models shared by the CLI, the JSON API and the web forms (one validation each).

Money is a decimal in EUR with at most two decimals; dates lie between 2000 and 2100;
ids are 32-bit (``MAX_ID``); text never holds a NUL character (PostgreSQL cannot store
one, so it would otherwise fail in the driver); unknown fields are refused so a typo
never passes silently.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from workflow.errors import InvalidInput
from workflow.limits import (
    CODE_MAX,
    CODES_PER_LIST,
    EMAIL_MAX,
    LONG_TEXT_MAX,
    NAME_MAX,
    PERSON_NAME_MAX,
    REG_NO_DIGITS,
    TITLE_MAX,
    USER_NAME_MAX,
)

# re-exported: their callers import them from here
from workflow.limits import COMMENT_MAX as COMMENT_MAX
from workflow.limits import SEARCH_MAX as SEARCH_MAX
from workflow.policies import Role

#: Every id column is a 32-bit integer on PostgreSQL (and SQLite overflows past 64 bits):
#: an id outside 1..MAX_ID names no record, so every entry point refuses it before a query.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A case version: 0 before the first event, then counting up.
Version = Annotated[int, Field(ge=0, le=MAX_ID)]
DAY_MIN = date(2000, 1, 1)
DAY_MAX = date(2100, 12, 31)
NUL_MESSAGE = "must not contain NUL characters"
NUL_MESSAGE_LV = "nedrīkst saturēt NUL rakstzīmes"


def _no_nul(value: str) -> str:
    """PostgreSQL stores no NUL in text: refuse it here, naming the field, not in the driver."""
    if "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return value


NoNul = AfterValidator(_no_nul)


def refuse_nul(field: str, value: str | None) -> None:
    """The same rule for a parameter that is not a model field (e.g. a search term)."""
    if value is not None and "\x00" in value:
        raise InvalidInput({field: NUL_MESSAGE}, {field: NUL_MESSAGE_LV})


def check_id(field: str, value: int) -> int:
    """An id from outside a model (a cursor, a path): 1..MAX_ID or ``InvalidInput``."""
    if not 1 <= value <= MAX_ID:
        raise InvalidInput(
            {field: f"must be between 1 and {MAX_ID}"}, {field: f"jābūt no 1 līdz {MAX_ID}"}
        )
    return value


def check_day(field: str, value: date) -> date:
    """A day from outside a model (a report's ``as_of``, a filter): within ``Day``'s range."""
    if not DAY_MIN <= value <= DAY_MAX:
        raise InvalidInput(
            {field: f"must be between {DAY_MIN} and {DAY_MAX}"},
            {field: f"jābūt no {DAY_MIN} līdz {DAY_MAX}"},
        )
    return value


#: The name of an organisation, a cycle, a funder or a programme (lengths: :mod:`workflow.limits`).
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX), NoNul
]
#: A title or a topic.
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX), NoNul
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LONG_TEXT_MAX), NoNul
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=rf"^[a-z][a-z0-9_]{{0,{CODE_MAX - 1}}}$"),
    NoNul,
]
#: A person's name as written (a mentor from outside the programme has no account).
PersonName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PERSON_NAME_MAX), NoNul
]
#: A user account's login name.
UserName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=rf"^[A-Za-z0-9_.@-]{{2,{USER_NAME_MAX}}}$"),
    NoNul,
]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("100000000"), max_digits=11, decimal_places=2)]
PositiveMoney = Annotated[
    Decimal, Field(gt=0, le=Decimal("100000000"), max_digits=11, decimal_places=2)
]
Day = Annotated[date, Field(ge=DAY_MIN, le=DAY_MAX)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COMMENT_MAX), NoNul]


def check_comment(comment: str) -> str:
    """The :data:`Comment` rule for a service's ``comment`` parameter: stripped, no NUL, at
    most :data:`COMMENT_MAX` characters, so every caller (CLI, API, UI) stores the same."""
    comment = comment.strip()
    refuse_nul("comment", comment)
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(
            {"comment": f"at most {COMMENT_MAX} characters"},
            {"comment": f"ne vairāk kā {COMMENT_MAX} rakstzīmes"},
        )
    return comment


class Input(BaseModel):
    """Strict base for every input."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


RegNo = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=rf"^[0-9]{{{REG_NO_DIGITS}}}$"), NoNul
]


class OrganisationIn(Input):
    """An NGO to register."""

    name: Name
    reg_no: RegNo = Field(description=f"Latvian register number, {REG_NO_DIGITS} digits")
    legal_form: Tag = Field(description="e.g. association, foundation")
    fields: list[Tag] = Field(default_factory=list, max_length=CODES_PER_LIST)


class CycleIn(Input):
    """An incubation cycle; budget and capacity default from the policy."""

    name: Name
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

    funder: Name
    programme: Name
    call_opens: Day
    call_closes: Day
    max_grant_eur: PositiveMoney
    domains: list[Tag] = Field(default_factory=list, max_length=CODES_PER_LIST)

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

    organisation_id: Id
    cycle_id: Id


class UserIn(Input):
    """A user account."""

    name: UserName
    role: Role
    locale: Literal["lv", "en"] = "lv"
    organisation: RegNo | None = Field(
        default=None,
        description="the register number of the organisation a representative acts for "
        "(required for the role representative, refused for any other)",
    )


#: One ``@`` with something on each side, no spaces or control characters.
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=EMAIL_MAX, pattern=EMAIL_PATTERN)
]


class RepresentativeIn(Input):
    """An organisation's representative to invite: the account's name, where the one-time
    link goes, and the language of their pages."""

    name: UserName
    email: EmailAddress = Field(description="where the one-time link to set a password goes")
    locale: Literal["lv", "en"] = "lv"


class UserChange(Input):
    """A change to an account's role or standing; what is left out stays as it is."""

    role: Role | None = None
    active: bool | None = None
