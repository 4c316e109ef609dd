"""The UI's forms (Flask-WTF, so each carries a CSRF token).

Fields are plain text where the domain's pydantic schema does the validation, so there is
one set of rules for the API, the CLI and the forms; the views put the schema's errors
back on the fields.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import InputRequired, Length

logger = logging.getLogger(__name__)


def _api_comment_limit() -> int:
    """The API's own bound on a transition comment (``web.api.cases.TransitionIn``).

    The engine takes a comment of any length and ``workflow.schemas`` has no bound for it,
    so the API's request model is the one place the number lives; the forms read it from
    there instead of repeating it. 2000 is that model's number today, used only if the
    model can no longer be read (logged, so a drift is seen).
    """
    try:
        from web.api.cases import TransitionIn

        for rule in TransitionIn.model_fields["comment"].metadata:
            limit = getattr(rule, "max_length", None)
            if isinstance(limit, int):
                return limit
    except (ImportError, KeyError, AttributeError):
        logger.warning("the API's comment limit could not be read; using 2000")
    return 2000


COMMENT_MAX = _api_comment_limit()
DATE = {"type": "date"}
# WTForms has no Latvian catalogue: its validators get their messages from ours.
REQUIRED = _l("This field is required.")
TOO_LONG = _l("At most %(max)d characters.")
NUMBER = {"inputmode": "decimal"}


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField(
        _l("User name"),
        validators=[InputRequired(message=REQUIRED), Length(max=80, message=TOO_LONG)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    next = HiddenField()


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token (logout)."""


class LanguageForm(FlaskForm):
    """Switch the interface language."""

    lang = HiddenField(validators=[InputRequired(message=REQUIRED)])
    next = HiddenField()


class AdvanceForm(FlaskForm):
    """Fire one trigger on a case at the version the user saw."""

    trigger = HiddenField(validators=[InputRequired(message=REQUIRED)])
    expected_version = HiddenField(validators=[InputRequired(message=REQUIRED)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=COMMENT_MAX, message=TOO_LONG)])


class VersionedForm(FlaskForm):
    """Evidence forms carry the case version the user saw."""

    expected_version = HiddenField()


class OrganisationForm(FlaskForm):
    """Register an NGO."""

    name = StringField(_l("Name"))
    reg_no = StringField(_l("Registration number (11 digits)"), render_kw={"inputmode": "numeric"})
    legal_form = SelectField(
        _l("Legal form"),
        choices=[C("association", _l("association")), C("foundation", _l("foundation"))],
    )
    fields = StringField(_l("Fields of activity (comma-separated, e.g. social, culture)"))


class EnrolForm(FlaskForm):
    """Enrol an organisation into a cycle."""

    organisation_id = SelectField(_l("Organisation"), coerce=str)
    cycle_id = SelectField(_l("Cycle"), coerce=str)
    comment = TextAreaField(_l("Comment"), validators=[Length(max=COMMENT_MAX, message=TOO_LONG)])


class AnalysisForm(VersionedForm):
    """The needs analysis."""

    findings = TextAreaField(_l("Findings"))
    need_areas = StringField(_l("Need areas (comma-separated, e.g. fundraising)"))
    recorded_on = StringField(_l("Date"), render_kw=DATE)


class ConsultationForm(VersionedForm):
    """One mentor consultation."""

    mentor = StringField(_l("Mentor"))
    held_on = StringField(_l("Held on"), render_kw=DATE)
    hours = StringField(_l("Hours"), render_kw=NUMBER)
    topic = StringField(_l("Topic"))


class SelectionForm(VersionedForm):
    """Choose a funding source."""

    funding_source_id = SelectField(_l("Funding source"), coerce=str)
    selected_on = StringField(_l("Date"), render_kw=DATE)


class ApplicationForm(VersionedForm):
    """A drafted application."""

    funding_source_id = SelectField(_l("Funding source"), coerce=str)
    title = StringField(_l("Title"))
    domain = StringField(_l("Domain (e.g. social, culture)"))
    total_budget_eur = StringField(_l("Total budget (EUR)"), render_kw=NUMBER)
    requested_eur = StringField(_l("Requested (EUR)"), render_kw=NUMBER)
    prepared_on = StringField(_l("Prepared on"), render_kw=DATE)


class ApplicationUpdateForm(VersionedForm):
    """Submission and decision of an application."""

    submitted_on = StringField(_l("Submitted on"), render_kw=DATE)
    decision = SelectField(
        _l("Decision"),
        choices=[C("", "–"), C("awarded", _l("awarded")), C("rejected", _l("rejected"))],
        validate_choice=False,  # the schema's Literal decides, with its message on the field
    )
    decided_on = StringField(_l("Decided on"), render_kw=DATE)
    awarded_eur = StringField(_l("Awarded (EUR)"), render_kw=NUMBER)


class UserForm(FlaskForm):
    """A new user account."""

    name = StringField(_l("User name"))
    role = SelectField(
        _l("Role"),
        choices=[
            C("coordinator", _l("coordinator")),
            C("mentor", _l("mentor")),
            C("auditor", _l("auditor")),
            C("admin", _l("admin")),
        ],
    )
    locale = SelectField(_l("Language"), choices=[C("lv", "latviešu"), C("en", "English")])
    password = PasswordField(_l("Password (at least 10 characters)"))


def values(form: FlaskForm, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The named fields as schema input: blanks omitted, lists split, decimal commas read."""
    out: dict[str, Any] = {}
    for name in names:
        raw = getattr(form, name).data
        if raw is None:
            continue
        text = str(raw).strip()
        if not text:
            continue
        if name in lists:
            out[name] = [p.strip() for p in text.split(",") if p.strip()]
        elif name.endswith(("_eur", "hours")):
            out[name] = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        else:
            out[name] = text
    return out


def expected_version(form: FlaskForm) -> int | None:
    """The version the form was rendered at, or None when absent or malformed."""
    raw = getattr(form, "expected_version", None)
    try:
        return int(raw.data) if raw is not None and raw.data not in (None, "") else None
    except ValueError:
        return None
