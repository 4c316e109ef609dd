"""Record ids as the UI accepts them: whole numbers from 1 to ``MAX_ID``.

Every id column is a 32-bit integer on PostgreSQL, and SQLite refuses a Python int past
64 bits with an ``OverflowError``; so an id outside the range names no record and is
stopped here, before a query: in a path it is an unknown page (404), in a filter it is a
field error. The bound is the engine's ``workflow.schemas.MAX_ID`` (page cursors are
checked by the engine's decoder itself).
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, ValidationError

from workflow.schemas import MAX_ID

logger = logging.getLogger(__name__)


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
