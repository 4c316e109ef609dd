"""Record ids as the UI accepts them: whole numbers from 1 to 2**31 - 1.

Every id column is a 32-bit integer on PostgreSQL, and SQLite refuses a Python int past
64 bits with an ``OverflowError``; so an id outside the range names no record and is
stopped here, before a query: in a path it is an unknown page (404), in a filter it is a
field error. The bound is the same as the schemas' (``le=2**31 - 1``), the CLI's
``MAX_ID`` and the API's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, ValidationError

from workflow.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """``<id:case_id>``: digits only, 1..MAX_ID, else the route does not match (404)."""

    regex = r"\d{1,19}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


class BadId(ValueError):
    """A filter's id that cannot name a record; ``message`` is in the user's language."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def parse_id(raw: str | None) -> int | None:
    """A filter's id from the query string: None when blank, else 1..MAX_ID or ``BadId``."""
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise BadId(_("Enter a whole number."))
    number = int(text) if len(text) <= 19 else MAX_ID + 1
    if not 1 <= number <= MAX_ID:
        raise BadId(_("Must be between 1 and %(max)d.", max=MAX_ID))
    return number


def check_cursor(decode: Callable[[str], int], cursor: str | None) -> None:
    """Refuse a page cursor whose id is out of range as the service refuses a malformed one."""
    if cursor and not 0 <= decode(cursor) <= MAX_ID:
        raise InvalidInput(
            {"cursor": "not a cursor this service issued"},
            {"cursor": "šo lapas norādi nav izdevis šis pakalpojums"},
        )
