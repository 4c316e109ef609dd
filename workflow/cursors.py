"""Opaque keyset cursors: one encoding and one check for every paged list.

A cursor is the last id of the previous page behind a one-letter kind (``c`` for cases,
``e`` for audit events), base64url without padding. A decoded id outside 1..MAX_ID was
never issued by this service, and would overflow the driver (SQLite refuses an int past
64 bits), so it is refused here as a malformed cursor is: an error naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii

from workflow.errors import InvalidInput
from workflow.schemas import MAX_ID

#: The longest page any list serves (the API documents the same bound).
MAX_PAGE = 500


def check_limit(limit: int) -> None:
    """A page size between 1 and :data:`MAX_PAGE`, or ``InvalidInput`` naming ``limit``."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            {"limit": f"must be between 1 and {MAX_PAGE}"},
            {"limit": f"jābūt no 1 līdz {MAX_PAGE}"},
        )


def encode(kind: str, last_id: int) -> str:
    """An opaque cursor after ``last_id``."""
    return base64.urlsafe_b64encode(f"{kind}{last_id}".encode()).decode().rstrip("=")


def decode(kind: str, cursor: str) -> int:
    """The last id of the previous page; anything this service did not issue is refused."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        digits = text[len(kind) :]
        if not text.startswith(kind) or not digits.isascii() or not digits.isdigit():
            raise ValueError(cursor)
        if len(digits) > 10 or not 1 <= int(digits) <= MAX_ID:
            raise ValueError(cursor)
        return int(digits)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidInput(
            {"cursor": "not a cursor this service issued"},
            {"cursor": "šo lapas norādi nav izdevis šis pakalpojums"},
        ) from exc
