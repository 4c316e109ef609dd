"""The UI's forms (Flask-WTF, so each carries a CSRF token).

Fields are plain text where the domain's pydantic schema does the validation, so there is
one set of rules for the API, the CLI and the forms; the views put the schema's errors
back on the fields. Text fields carry their length limit from :mod:`workflow.limits` (the
columns' and the schemas'), so the browser stops typing where the database would refuse,
and a longer value sent anyway is refused on the field.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import AnyOf, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from workflow.limits import (
    CODES_TEXT_MAX,
    COMMENT_MAX,
    EMAIL_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    REG_NO_DIGITS,
    USER_NAME_MAX,
)
from workflow.policies import ROLES

logger = logging.getLogger(__name__)


DATE = {"type": "date"}
# WTForms has no Latvian catalogue: its validators get their messages from ours.
REQUIRED = _l("This field is required.")
TOO_LONG = _l("At most %(max)d characters.")
NUMBER = {"inputmode": "decimal"}
CHOICE = _l("Choose one of the offered values.")


def most(limit: int) -> Length:
    """At most ``limit`` characters (also rendered as the input's ``maxlength``)."""
    return Length(max=limit, message=TOO_LONG)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


#: Text fields are stripped before their length is checked, as the schemas strip them.
STRIP = (_strip,)


class CodeBoxes(SelectMultipleField):
    """Codes as a list of labelled checkboxes (the choices come from the vocabulary).

    Choices are not enforced here: the schema's pattern decides, so a stored code the
    vocabulary does not know yet can still be sent back.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField(
        _l("User name"), validators=[InputRequired(message=REQUIRED), most(USER_NAME_MAX)]
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(message=REQUIRED), most(PASSWORD_MAX)]
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
    comment = TextAreaField(_l("Comment"), validators=[most(COMMENT_MAX)])


class VersionedForm(FlaskForm):
    """Evidence forms carry the case version the user saw (each kind's form is built on
    this from its declaration, :mod:`web.ui.kindforms`)."""

    expected_version = HiddenField()


class OrganisationForm(FlaskForm):
    """Register an NGO."""

    name = StringField(_l("Name"), filters=STRIP, validators=[most(NAME_MAX)])
    reg_no = StringField(
        _l("Registration number (11 digits)"),
        filters=STRIP,
        validators=[most(REG_NO_DIGITS)],
        render_kw={"inputmode": "numeric"},
    )
    legal_form = SelectField(
        _l("Legal form"),
        choices=[C("association", _l("association")), C("foundation", _l("foundation"))],
    )
    fields = CodeBoxes(_l("Fields of activity"))
    fields_other = StringField(
        _l("Other fields of activity (codes, comma-separated)"),
        filters=STRIP,
        validators=[most(CODES_TEXT_MAX)],
    )


class EnrolForm(FlaskForm):
    """Enrol an organisation into a cycle."""

    organisation_id = SelectField(_l("Organisation"), coerce=str)
    cycle_id = SelectField(_l("Cycle"), coerce=str)
    comment = TextAreaField(_l("Comment"), validators=[most(COMMENT_MAX)])


class CycleForm(FlaskForm):
    """A new incubation cycle; budget and capacity may be left to the policy's defaults."""

    name = StringField(_l("Name"), filters=STRIP, validators=[most(NAME_MAX)])
    starts_on = StringField(_l("Start date"), render_kw=DATE)
    ends_on = StringField(_l("End date"), render_kw=DATE)
    budget_eur = StringField(_l("Budget (EUR)"), render_kw=NUMBER)
    capacity = StringField(_l("Places"), render_kw={"inputmode": "numeric"})


class FundingSourceForm(FlaskForm):
    """A funder's programme and its call window.

    ``case`` is the case whose source selection sent the user here, to go back to it.
    """

    funder = StringField(_l("Funder"), filters=STRIP, validators=[most(NAME_MAX)])
    programme = StringField(_l("Programme"), filters=STRIP, validators=[most(NAME_MAX)])
    call_opens = StringField(_l("Call opens"), render_kw=DATE)
    call_closes = StringField(_l("Call closes"), render_kw=DATE)
    max_grant_eur = StringField(_l("Maximum grant (EUR)"), render_kw=NUMBER)
    domains = CodeBoxes(_l("Domains"))
    domains_other = StringField(
        _l("Other domains (codes, comma-separated)"),
        filters=STRIP,
        validators=[most(CODES_TEXT_MAX)],
    )
    case = HiddenField()


class UserForm(FlaskForm):
    """A new user account."""

    name = StringField(_l("User name"), filters=STRIP, validators=[most(USER_NAME_MAX)])
    role = SelectField(
        _l("Role"),
        # the policy's roles; their labels are marked for the catalogue in web/ui/vocabulary.py
        choices=[C(role, _l(role)) for role in ROLES],
    )
    locale = SelectField(_l("Language"), choices=[C("lv", "latviešu"), C("en", "English")])
    password = PasswordField(
        _l("Password (at least 10 characters)"), validators=[most(PASSWORD_MAX)]
    )


class UserChangeForm(FlaskForm):
    """A user's role and standing (one form per user on the users page).

    An unticked box is not sent, so ``active`` reads False then: the form always says both.
    """

    role = SelectField(
        _l("Role"),
        choices=[C(role, _l(role)) for role in ROLES],
        # WTForms' own "Not a valid choice." has no Latvian: the same check, our words
        validate_choice=False,
        validators=[InputRequired(message=REQUIRED), AnyOf(ROLES, message=CHOICE)],
    )
    active = BooleanField(_l("Active"))


class EmailForm(FlaskForm):
    """The address one's reminders go to; empty removes it (the engine checks its form)."""

    email = StringField(
        _l("E-mail for reminders"),
        validators=[most(EMAIL_MAX)],
        filters=[_strip],
        description=_l("Leave empty to receive no reminders."),
    )


class PasswordSetForm(FlaskForm):
    """A new password for a user; its minimum length is the service's rule, said on the field.

    The upper bound is the login form's, so no password is set that could never log in.
    """

    password = PasswordField(
        _l("New password"), validators=[InputRequired(message=REQUIRED), most(PASSWORD_MAX)]
    )


def _codes(raw: Any) -> list[str]:
    """Codes from ticked boxes and/or comma-separated text, in order, without repeats."""
    parts = raw if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for part in parts:
        for code in str(part or "").split(","):
            code = code.strip()
            if code and code not in out:
                out.append(code)
    return out


def values(form: FlaskForm, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The named fields as schema input: blanks omitted, lists split, decimal commas read
    (in a field asking for a decimal), ids as integers (the schemas may read strictly). A
    field ``<name>_other`` adds codes to a list or, when filled, stands in for a choice (an
    external mentor, another domain)."""
    out: dict[str, Any] = {}
    for name in names:
        field = getattr(form, name)
        raw = field.data
        other = getattr(form, f"{name}_other", None)
        if name in lists:
            codes = _codes(raw) + _codes(other.data if other is not None else None)
            if codes:
                out[name] = list(dict.fromkeys(codes))
            continue
        if other is not None and str(other.data or "").strip():
            raw = other.data
        if raw is None:
            continue
        text = str(raw).strip()
        if not text:
            continue
        if (field.render_kw or {}).get("inputmode") == "decimal":
            out[name] = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        elif name.endswith("_id") and text.isascii() and text.isdigit():
            out[name] = int(text)
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
