"""One source for every text limit: what an input schema accepts fits the column it is
stored in, and a free-text field's limit is its column's, so validation, not the
database, refuses a long value (on PostgreSQL a VARCHAR refuses with a 500 otherwise)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import String, Text
from wtforms.validators import Length

from web.ui import forms
from workflow import limits, orm, schemas

# (schema, field) → (table, column): where each text input is stored.
STORED: dict[tuple[type[BaseModel], str], tuple[type[orm.Base], str]] = {
    (schemas.OrganisationIn, "name"): (orm.Organisation, "name"),
    (schemas.OrganisationIn, "reg_no"): (orm.Organisation, "reg_no"),
    (schemas.OrganisationIn, "legal_form"): (orm.Organisation, "legal_form"),
    (schemas.CycleIn, "name"): (orm.Cycle, "name"),
    (schemas.FundingSourceIn, "funder"): (orm.FundingSource, "funder"),
    (schemas.FundingSourceIn, "programme"): (orm.FundingSource, "programme"),
    (schemas.AnalysisIn, "findings"): (orm.NeedsAnalysis, "findings"),
    (schemas.ConsultationIn, "mentor"): (orm.Consultation, "mentor"),
    (schemas.ConsultationIn, "topic"): (orm.Consultation, "topic"),
    (schemas.ApplicationIn, "title"): (orm.Application, "title"),
    (schemas.ApplicationIn, "domain"): (orm.Application, "domain"),
    (schemas.UserIn, "name"): (orm.User, "name"),
}
# Free text (a length, not a pattern): the schema's limit is exactly the column's.
FREE_TEXT = {
    (schemas.OrganisationIn, "name"),
    (schemas.CycleIn, "name"),
    (schemas.FundingSourceIn, "funder"),
    (schemas.FundingSourceIn, "programme"),
    (schemas.ConsultationIn, "mentor"),
    (schemas.ConsultationIn, "topic"),
    (schemas.ApplicationIn, "title"),
}


def _longest(model: type[BaseModel], name: str) -> int | None:
    """The longest value the schema accepts for a field: its max_length, or the longest
    string its pattern matches (patterns here end in ``{m,n}`` or ``{n}``)."""
    prop: dict[str, Any] = model.model_json_schema()["properties"][name]
    if "maxLength" in prop:
        return int(prop["maxLength"])
    pattern = prop.get("pattern")
    if pattern is None:
        return None
    m = re.search(r"\{(?:(\d+),)?(\d+)\}\$$", pattern)
    assert m, pattern
    return int(m.group(2)) + (1 if pattern.startswith("^[a-z][") else 0)


@pytest.mark.parametrize(("model", "name"), STORED, ids=lambda v: getattr(v, "__name__", v))
def test_what_the_schema_accepts_fits_its_column(model: type[BaseModel], name: str) -> None:
    table, column = STORED[(model, name)]
    col_type = table.__table__.c[column].type
    longest = _longest(model, name)
    assert longest is not None, f"{model.__name__}.{name} has no length limit"
    if isinstance(col_type, String) and not isinstance(col_type, Text):
        assert col_type.length is not None
        assert longest <= col_type.length, (model.__name__, name, longest, col_type.length)
        if (model, name) in FREE_TEXT:
            assert longest == col_type.length, (model.__name__, name)


def test_the_limits_are_the_ones_the_columns_and_schemas_use() -> None:
    assert orm.Organisation.__table__.c["name"].type.length == limits.NAME_MAX  # type: ignore[attr-defined]
    assert _longest(schemas.OrganisationIn, "name") == limits.NAME_MAX
    assert _longest(schemas.ConsultationIn, "topic") == limits.TITLE_MAX
    assert _longest(schemas.AnalysisIn, "findings") == limits.LONG_TEXT_MAX
    assert _longest(schemas.OrganisationIn, "legal_form") == limits.CODE_MAX
    assert _longest(schemas.UserIn, "name") == limits.USER_NAME_MAX
    assert schemas.COMMENT_MAX == limits.COMMENT_MAX


@pytest.mark.parametrize(
    ("form", "field", "limit"),
    [
        (forms.OrganisationForm, "name", limits.NAME_MAX),
        (forms.OrganisationForm, "reg_no", limits.REG_NO_DIGITS),
        (forms.CycleForm, "name", limits.NAME_MAX),
        (forms.FundingSourceForm, "funder", limits.NAME_MAX),
        (forms.FundingSourceForm, "programme", limits.NAME_MAX),
        (forms.AnalysisForm, "findings", limits.LONG_TEXT_MAX),
        (forms.ConsultationForm, "mentor_other", limits.PERSON_NAME_MAX),
        (forms.ConsultationForm, "topic", limits.TITLE_MAX),
        (forms.ApplicationForm, "title", limits.TITLE_MAX),
        (forms.ApplicationForm, "domain_other", limits.CODE_MAX),
        (forms.UserForm, "name", limits.USER_NAME_MAX),
        (forms.LoginForm, "name", limits.USER_NAME_MAX),
        (forms.AdvanceForm, "comment", limits.COMMENT_MAX),
        (forms.EnrolForm, "comment", limits.COMMENT_MAX),
    ],
)
def test_each_form_field_carries_the_same_limit(form: Any, field: str, limit: int) -> None:
    validators = getattr(form, field).kwargs["validators"]
    assert [v.max for v in validators if isinstance(v, Length)] == [limit]
