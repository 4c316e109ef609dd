"""The policy's ``registry:`` section: how to read a register extract and how to sort what
it lists, so another extract (a Lursoft export, a comma-separated file) is a policy edit.

- ``delimiter``, ``date_formats``, ``regcode_digits`` and ``columns`` (our field: the
  extract's header name; ``null`` for a column this extract does not have) say how to
  read the file;
- ``legal_forms`` maps the extract's legal-form codes to ``association`` or ``foundation``
  (every other code is ``other``: companies, parties, unions …);
- ``real_estate`` says which organisations manage real estate: a name pattern matches
  where a word of the name begins, ignoring case (``dzīb`` matches "DzĪB "Graudu 12"",
  not "Audzība"), or a NACE code where the extract has one.

Who of those counted is *eligible* is the ``eligibility:`` section's rule, the same one
enrolment uses (:mod:`workflow.eligibility`), never a second copy here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

LegalForm = Literal["association", "foundation", "other"]
Counted = Literal["association", "foundation"]
#: The field of activity that real-estate management is, as ``eligibility.excluded_fields``
#: and the organisations' ``fields`` name it.
REAL_ESTATE = "real_estate_management"
#: Column limits of ``register_entries`` (the register's own names run long).
REGCODE_MAX = 20
ENTRY_NAME_MAX = 500
ADDRESS_MAX = 500
CITY_MAX = 200
FORM_CODE_MAX = 20
FORM_TEXT_MAX = 200
CLOSED_MAX = 20
NACE_MAX = 10

ISO_DAY = "%Y-%m-%d"
_Strict = ConfigDict(extra="forbid", frozen=True, strict=True)


class RegisterColumns(BaseModel):
    """Which header names the extract's columns have; ``null``: this extract lacks it."""

    model_config = _Strict
    regcode: StrictStr = "regcode"
    name: StrictStr = "name"
    legal_form: StrictStr = "type"
    legal_form_text: StrictStr | None = "type_text"
    registered: StrictStr = "registered"
    terminated: StrictStr | None = "terminated"
    closed: StrictStr | None = "closed"
    address: StrictStr = "address"
    nace: StrictStr | None = None

    @field_validator("*")
    @classmethod
    def _not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("a column name must not be empty (write null for none)")
        return v

    def used(self) -> dict[str, str]:
        """Our field → the header name, for every column this extract has."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class RealEstateRules(BaseModel):
    """Which registered organisations manage real estate."""

    model_config = _Strict
    name_patterns: list[StrictStr] = Field(default_factory=list, max_length=200)
    nace_codes: list[StrictStr] = Field(default_factory=list, max_length=50)

    @field_validator("name_patterns")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            if not p.strip():
                raise ValueError("a name pattern must not be empty")
        return v


class RegistryPolicy(BaseModel):
    """How to read a register extract and sort its organisations."""

    model_config = _Strict
    delimiter: StrictStr = Field(default=";", min_length=1, max_length=1)
    date_formats: list[StrictStr] = Field(default_factory=lambda: ["%Y-%m-%d"], min_length=1)
    regcode_digits: StrictInt = Field(default=11, ge=1, le=REGCODE_MAX)
    columns: RegisterColumns = RegisterColumns()
    legal_forms: dict[StrictStr, Counted] = Field(
        default_factory=lambda: dict[str, Counted](BDR="association", NOD="foundation")
    )
    real_estate: RealEstateRules = RealEstateRules()
    #: the largest file an upload (form or API) may send; the CLI reads any size
    max_upload_mb: StrictInt = Field(default=200, ge=1, le=2000)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str) -> str:
        if v in ('"', "\r", "\n"):
            raise ValueError("the delimiter cannot be a quote or a line end")
        return v

    @field_validator("date_formats")
    @classmethod
    def _formats(cls, v: list[str]) -> list[str]:
        for f in v:
            if "%" not in f:
                raise ValueError(f"{f!r} is not a date format (e.g. %Y-%m-%d or %d.%m.%Y)")
        return v

    def legal_form(self, code: str) -> LegalForm:
        """``association``, ``foundation`` or ``other`` for an extract's legal-form code."""
        return self.legal_forms.get(code, "other")

    def codes_of(self, form: LegalForm) -> list[str]:
        """The extract's codes that mean ``form`` (not for ``other``: that is the rest)."""
        return sorted(c for c, f in self.legal_forms.items() if f == form)

    def is_real_estate(self, name: str, nace: str | None) -> bool:
        """Whether an organisation of this name (and NACE code) manages real estate."""
        if nace is not None and nace.strip() in self.real_estate.nace_codes:
            return True
        pattern = _compiled(tuple(self.real_estate.name_patterns))
        return pattern is not None and pattern.search(nfc(name)) is not None

    def parse_date(self, text: str) -> date | None:
        """The date ``text`` stands for in one of the formats, or None."""
        for fmt in self.date_formats:
            if fmt == ISO_DAY:  # the register's own format, read without strptime's cost
                if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
                    try:
                        return date.fromisoformat(text)
                    except ValueError:
                        continue
                continue
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        return None


def nfc(text: str) -> str:
    """One spelling of every letter (ā typed as a + macron is ā)."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    words = "|".join(re.escape(nfc(p.strip())) for p in patterns)
    return re.compile(rf"(?<!\w)(?:{words})", re.IGNORECASE)


def city_of(address: str | None) -> str | None:
    """The city an address names: its first part (``Liepāja, Graudu iela 12, LV-3401``)."""
    if not address:
        return None
    first = nfc(address.split(",", 1)[0]).strip()
    return first[:CITY_MAX] or None
