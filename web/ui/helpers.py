"""Template helpers and request hooks shared by every UI blueprint.

Labels of states and triggers come from the states file in the user's language; dates
and EUR amounts are written by :mod:`workflow.localformat` for the locale, as the engine
writes them in its reasons. Nothing here decides a rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale, lazy_gettext
from flask_login import current_user, logout_user
from wtforms import Form

from web.context import rules, runtime
from web.ui import vocabulary
from workflow import localformat, permissions
from workflow.evidence import registry as evidence_kinds
from workflow.runtime import local_day

logger = logging.getLogger(__name__)

LOCALES = ("lv", "en")
LOGIN_REQUIRED = lazy_gettext("Please log in to see this page.")


def select_locale() -> str:
    """The session's switch first, then the user's own setting, then Latvian."""
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    if getattr(current_user, "is_authenticated", False):
        loc = getattr(current_user, "locale", None)
        if loc in LOCALES:
            return str(loc)
    return "lv"


def lang() -> str:
    """The language of this request (``lv`` or ``en``)."""
    return str(get_locale() or "lv")


def pick(label: Any) -> str:
    """The ``lv`` or ``en`` text of a label object from the states file."""
    return str(label.lv if lang() == "lv" else label.en)


def state_label(state: str) -> str:
    """A state's label in the user's language (the id if the state is no longer declared)."""
    try:
        return pick(rules().states.state(state).label)
    except (KeyError, ValueError, LookupError):
        return state


# Events the engine writes that are neither a transition of the states file nor evidence
# (whose words are each kind's own, ``workflow.evidence``): enrolment, mentor assignment
# and a move by changed rules; a document uploaded (workflow.documents).
EVENT_LABELS: dict[str, Any] = {
    "enrol": lazy_gettext("Enrolled in the cycle"),
    "assign_mentor": lazy_gettext("Mentor assigned"),
    "record_document": lazy_gettext("Document uploaded"),
    "migrate": lazy_gettext("Moved by a change of the workflow rules"),
}


def event_triggers() -> list[str]:
    """Every trigger of an event that is no transition, in the programme's order."""
    evidence = [k.trigger(op) for k in evidence_kinds.kinds() for op in k.operations]
    return ["enrol", "assign_mentor", *evidence, "record_document", "migrate"]


def trigger_label(trigger: str) -> str:
    """What an event did, in the user's language: the states file's label for a transition,
    the kind's words for evidence (also under a trigger's earlier spelling), ours for
    enrolment, mentor assignment and migration (the id only for a trigger no longer known)."""
    try:
        return pick(rules().states.trigger_label(trigger))
    except (KeyError, ValueError, LookupError):
        now = evidence_kinds.current_trigger(trigger)
        label = EVENT_LABELS.get(now)
        if label is not None:
            return str(label)
        written = evidence_kinds.by_trigger(now)
        return pick(written[1].done) if written is not None else trigger


def money(value: Decimal | float | int | None) -> str:
    """An EUR amount in the locale's number format."""
    if value is None:
        return "–"
    return localformat.eur(Decimal(value), str(get_locale()))


def number(value: Decimal | float | int | None, places: int = 2) -> str:
    """A decimal (hours, counts with fractions) in the locale's number format: 4,00 in lv."""
    if value is None:
        return "–"
    return str(format_decimal(Decimal(value), format="#,##0." + "0" * places))


def plain_number(value: Decimal | None) -> str:
    """A decimal to put back into a form field: the locale's decimal sign, no grouping."""
    if value is None:
        return ""
    return str(format_decimal(Decimal(value), format="0.00"))


def day(value: date | datetime | None) -> str:
    """A date in the locale's medium format."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = local_day(value)
    return localformat.day(value, str(get_locale()))


def when(value: datetime | None) -> str:
    """A date and time in the locale's format (Riga time)."""
    if value is None:
        return "–"
    return localformat.day_time(value, str(get_locale()))


def may(action: str) -> bool:
    """Whether the logged-in user's role may take an administrative action."""
    if not current_user.is_authenticated:
        return False
    return permissions.may(rules(), current_user.actor(), action)


def may_record(kind: str) -> bool:
    """Whether the logged-in user's role may write evidence of ``kind`` (both operations)."""
    if not current_user.is_authenticated:
        return False
    return permissions.may_record(rules(), current_user.actor(), kind)


def reset_session() -> None:
    """Start the session afresh (at login, logout and an idle timeout): nothing of the old
    one survives but the language chosen in it, if it is one we speak."""
    keep = session.get("lang")
    session.clear()
    if keep in LOCALES:
        session["lang"] = keep


def apply_errors(form: Form, errors: dict[str, str]) -> list[str]:
    """Put domain or schema errors on the form's fields; return those that fit no field."""
    general = []
    for name, message in errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            general.append(f"{name}: {message}" if name and name != "(body)" else message)
    return general


def _idle_check() -> ResponseReturnValue | None:
    """End a browser session that has been idle longer than the configured timeout."""
    if request.path.startswith(("/api/", "/static/")):
        return None
    if not current_user.is_authenticated or getattr(current_user, "via_token", False):
        return None
    settings = runtime_settings()
    now = runtime().now().timestamp()
    seen = session.get("seen")
    if isinstance(seen, (int, float)) and now - seen > settings.idle_timeout_minutes * 60:
        logout_user()
        reset_session()
        flash(lazy_gettext("Your session ended after a period of inactivity; log in again."))
        return redirect(url_for("ui_auth.login", next=request.full_path))
    session["seen"] = now
    return None


def runtime_settings() -> Any:
    """The app's settings object."""
    from flask import current_app

    return current_app.config["INKUBATORS_SETTINGS"]


def init_app(app: Flask) -> None:
    """Template globals, filters and the idle-timeout hook."""
    app.before_request(_idle_check)
    app.add_template_filter(money, "money")
    app.add_template_filter(day, "day")
    app.add_template_filter(number, "number")
    app.add_template_filter(when, "when")
    helpers: dict[str, Callable[..., Any]] = {
        "state_label": state_label,
        "trigger_label": trigger_label,
        "pick": pick,
        "may": may,
        "may_record": may_record,
        "evidence_kind": evidence_kinds.get,
        "evidence_kinds": evidence_kinds.kinds,
        "lang": lang,
        "fields_text": lambda codes: vocabulary.labels(vocabulary.FIELDS, codes),
        "needs_text": lambda codes: vocabulary.labels(vocabulary.NEEDS, codes),
        "field_label": vocabulary.field_label,
        "rule_kind": lambda code: vocabulary.label(vocabulary.RULE_KINDS, code),
        "activated_by": lambda code: vocabulary.label(vocabulary.ACTIVATED_BY, code),
        "account_action": lambda code: vocabulary.label(vocabulary.ACCOUNT_ACTIONS, code),
    }
    for name, fn in helpers.items():
        app.add_template_global(fn, name)
