"""Private calendar feed addresses: issue (or show again), revoke, and resolve a token.

A token is ``<row id>-<HMAC>``: the HMAC-SHA256, under the server's secret key, of the row
id, its user and the row's random nonce. So the address can be shown to its user again
(``GET /api/v1/me/calendar`` answers the same URL each time) while the database holds no
token, and a copy of the database alone cannot forge one. Revoking marks the row: its
address stops working at once, and the user's next request gets a new one. Changing the
server's secret key changes every address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from workflow.db import read
from workflow.orm import CalendarToken, User
from workflow.runtime import Runtime
from workflow.schemas import MAX_ID

#: The longest token this service issues (an id of 10 digits, a dash, 43 characters).
TOKEN_MAX = 60


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """Whose feed a token opens: the user's id, name, role and language."""

    user_id: int
    name: str
    role: str
    locale: str


def _mac(secret: bytes, row_id: int, user_id: int, nonce: str) -> str:
    digest = hmac.new(secret, f"calendar:{row_id}:{user_id}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def feed_token(rt: Runtime, user_id: int, secret: bytes) -> str:
    """The user's active feed token, issued now if they have none."""
    with rt.engine.begin() as conn:
        # one active token per user: the user's row is the lock two first requests share
        conn.execute(select(User.id).where(User.id == user_id).with_for_update())
        row = _active(conn, user_id)
        if row is None:
            nonce = secrets.token_hex(16)
            row_id = conn.execute(
                insert(CalendarToken).returning(CalendarToken.id),
                {"user_id": user_id, "nonce": nonce, "created_at": rt.now()},
            ).scalar_one()
        else:
            row_id, nonce = row
    return f"{row_id}-{_mac(secret, row_id, user_id, nonce)}"


def revoke(rt: Runtime, user_id: int) -> bool:
    """End the user's feed address at once; whether there was one to end."""
    with rt.engine.begin() as conn:
        done = conn.execute(
            update(CalendarToken)
            .where(CalendarToken.user_id == user_id, CalendarToken.revoked_at.is_(None))
            .values(revoked_at=rt.now())
        )
    return bool(done.rowcount)


def owner(rt: Runtime, token: str, secret: bytes) -> FeedOwner | None:
    """The active user whose active token ``token`` is, or None (unknown, forged,
    revoked, or its user deactivated): the caller answers all of these alike."""
    head, sep, mac = token.partition("-")
    if not sep or len(token) > TOKEN_MAX or not head.isascii() or not head.isdigit():
        return None
    if not 1 <= int(head) <= MAX_ID:
        return None
    with read(rt.engine) as conn:
        row = conn.execute(
            select(CalendarToken.user_id, CalendarToken.nonce, User.name, User.role, User.locale)
            .join(User, User.id == CalendarToken.user_id)
            .where(
                CalendarToken.id == int(head),
                CalendarToken.revoked_at.is_(None),
                User.active.is_(True),
            )
        ).first()
    if row is None:
        return None
    user_id, nonce, name, role, locale = row
    if not hmac.compare_digest(mac, _mac(secret, int(head), user_id, nonce)):
        return None
    return FeedOwner(user_id, name, role, locale)


def _active(conn: Connection, user_id: int) -> tuple[int, str] | None:
    row = conn.execute(
        select(CalendarToken.id, CalendarToken.nonce)
        .where(CalendarToken.user_id == user_id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])
