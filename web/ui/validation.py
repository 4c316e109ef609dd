"""Field messages in the user's language: pydantic's errors by type, the engine's by field.

Pydantic words its messages in English for developers ("Input should be a valid
decimal"); the forms show a sentence per error *type* instead, filled from the error's
context (``max_length``, ``ge`` …) and translated with gettext, so the same schema serves
the API (English, as pydantic says it) and a Latvian screen. The engine's own
``InvalidInput`` carries its Latvian messages in ``errors_lv``; this module picks them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_decimal, gettext, lazy_gettext, ngettext
from pydantic import ValidationError

from web.ui.helpers import day, lang
from workflow.errors import InvalidInput

logger = logging.getLogger(__name__)

Context = Mapping[str, Any]

# Patterns of workflow.schemas, each with the rule it stands for in words.
PATTERNS: dict[str, Any] = {
    r"^[a-z][a-z0-9_]{0,39}$": lazy_gettext(
        "Lowercase Latin letters, digits and underscores, starting with a letter "
        "(at most 40 characters)."
    ),
    r"^[0-9]{11}$": lazy_gettext("Exactly 11 digits."),
    r"^[A-Za-z0-9_.@-]{2,80}$": lazy_gettext(
        "2 to 80 Latin letters, digits or the characters . _ @ -"
    ),
}

# Messages of the schemas' own model validators, by their English text.
VALUE_ERRORS: dict[str, Any] = {
    "ends_on must not be before starts_on": lazy_gettext(
        "The cycle must not end before it starts."
    ),
    "call_closes must not be before call_opens": lazy_gettext(
        "The call must not close before it opens."
    ),
}


def _bound(value: Any) -> str:
    """A limit from the error's context as the reader writes it (a date or a number)."""
    if isinstance(value, date):
        return day(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return day(date.fromisoformat(text))
    try:
        return str(format_decimal(Decimal(text)))
    except InvalidOperation:
        return text


def _is_date(value: Any) -> bool:
    return isinstance(value, date) or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)))


def _num(ctx: Context, key: str) -> int:
    return int(ctx.get(key, 0))


def _pattern(ctx: Context) -> str:
    rule = PATTERNS.get(str(ctx.get("pattern", "")))
    return str(rule) if rule is not None else gettext("Does not match the expected format.")


def _value_error(ctx: Context) -> str:
    text = str(ctx.get("error", ""))
    rule = VALUE_ERRORS.get(text)
    if rule is None:
        logger.warning("no translation for the model validator message %r", text)
        return text
    return str(rule)


def _ge(ctx: Context) -> str:
    if _is_date(ctx["ge"]):
        return gettext("Must not be before %(bound)s.", bound=_bound(ctx["ge"]))
    return gettext("Must be at least %(bound)s.", bound=_bound(ctx["ge"]))


def _le(ctx: Context) -> str:
    if _is_date(ctx["le"]):
        return gettext("Must not be after %(bound)s.", bound=_bound(ctx["le"]))
    return gettext("Must be at most %(bound)s.", bound=_bound(ctx["le"]))


def _too_short_text(ctx: Context) -> str:
    n = _num(ctx, "min_length")
    if n <= 1:
        return gettext("Must not be empty.")
    return ngettext("At least %(num)d character.", "At least %(num)d characters.", n)


def _list_too_short(ctx: Context) -> str:
    n = _num(ctx, "min_length")
    return ngettext("Give at least %(num)d value.", "Give at least %(num)d values.", n)


def _list_too_long(ctx: Context) -> str:
    n = _num(ctx, "max_length")
    return ngettext("At most %(num)d value.", "At most %(num)d values.", n)


def _date(ctx: Context) -> str:
    return gettext("Enter a date as YYYY-MM-DD.")


def _number(ctx: Context) -> str:
    return gettext("Enter a number, e.g. 1250,50.")


def _whole(ctx: Context) -> str:
    return gettext("Enter a whole number.")


MESSAGES: dict[str, Callable[[Context], str]] = {
    "missing": lambda ctx: gettext("This field is required."),
    "string_too_short": _too_short_text,
    "string_too_long": lambda ctx: ngettext(
        "At most %(num)d character.", "At most %(num)d characters.", _num(ctx, "max_length")
    ),
    "string_pattern_mismatch": _pattern,
    "string_type": lambda ctx: gettext("Enter text."),
    "greater_than": lambda ctx: gettext("Must be more than %(bound)s.", bound=_bound(ctx["gt"])),
    "greater_than_equal": _ge,
    "less_than": lambda ctx: gettext("Must be less than %(bound)s.", bound=_bound(ctx["lt"])),
    "less_than_equal": _le,
    "decimal_max_places": lambda ctx: ngettext(
        "At most %(num)d digit after the decimal point.",
        "At most %(num)d digits after the decimal point.",
        _num(ctx, "decimal_places"),
    ),
    "decimal_max_digits": lambda ctx: ngettext(
        "At most %(num)d digit in all.", "At most %(num)d digits in all.", _num(ctx, "max_digits")
    ),
    "decimal_whole_digits": lambda ctx: ngettext(
        "At most %(num)d digit before the decimal point.",
        "At most %(num)d digits before the decimal point.",
        _num(ctx, "whole_digits"),
    ),
    "decimal_parsing": _number,
    "decimal_type": _number,
    "finite_number": _number,
    "int_parsing": _whole,
    "int_type": _whole,
    "int_from_float": _whole,
    "date_parsing": _date,
    "date_type": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": _date,
    "literal_error": lambda ctx: gettext("Choose one of the offered values."),
    "too_short": _list_too_short,
    "list_too_short": _list_too_short,
    "too_long": _list_too_long,
    "list_too_long": _list_too_long,
    "list_type": lambda ctx: gettext("Give a list of values."),
    "value_error": _value_error,
    "extra_forbidden": lambda ctx: gettext("This field is not expected here."),
}


def message(err: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence in the user's language (pydantic's own as a last resort)."""
    render = MESSAGES.get(str(err.get("type", "")))
    if render is None:
        logger.warning("no translation for the validation error type %r", err.get("type"))
        return str(err.get("msg", "invalid"))
    return render(err.get("ctx") or {})


def pydantic_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors keyed by the first element of each location (the field name)."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ()
        key = str(loc[0]) if loc else ""
        msg = message(err)
        out[key] = f"{out[key]} {msg}" if key in out else msg
    return out


def invalid_errors(exc: InvalidInput) -> dict[str, str]:
    """The engine's field messages in the user's language (its Latvian ones when given)."""
    if lang() != "lv":
        return dict(exc.errors)
    return {field: exc.errors_lv.get(field, text) for field, text in exc.errors.items()}
