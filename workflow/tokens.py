"""API bearer tokens: issued, checked, listed and revoked; every issue and revocation is in
the account log, in the same transaction.

Only a token's SHA-256 is stored. A token works until the policy's
``tokens.lifetime_days`` after it was issued (the policy in force decides, so shortening
the lifetime ends old tokens at once), until it is revoked, or until its user's password
changes (:func:`workflow.accounts.set_password` revokes them) or the user is deactivated.
A refused token says why (expired, revoked), so its holder knows to ask for a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from workflow import accountlog
from workflow.actors import Actor
from workflow.db import read_one, read_session
from workflow.errors import Forbidden, NotFound
from workflow.orm import ApiToken, User
from workflow.permissions import may, require_action
from workflow.runtime import Runtime, as_utc
from workflow.users import UserView, inactive

TokenStatus = Literal["active", "expired", "revoked", "password_changed"]
#: ``last_used_at`` is written at most this often per token: a write per API call would
#: serialise readers on SQLite for a figure nobody needs to the second.
USE_RESOLUTION = timedelta(hours=1)
REVOKED = "revoked"
PASSWORD_SET = "password_set"  # the reason recorded when a password change ends a token


@dataclass(frozen=True, slots=True)
class TokenView:
    """A token as its owner and the admins see it (never the token or its hash)."""

    id: int
    user: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    status: TokenStatus


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """The outcome of presenting a token: its active user, or why it does not work
    (``problem`` is None when the token is simply unknown)."""

    user: UserView | None
    problem: str | None = None


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(rt: Runtime) -> timedelta:
    """How long a token works after it is issued, per the policy in force."""
    return timedelta(days=rt.rules.policy.spec.tokens.lifetime_days)


class _TokenRow(Protocol):
    """A token's columns: the ORM object, or the row of :data:`_TOKEN_CHECK`."""

    @property
    def id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def last_used_at(self) -> datetime | None: ...
    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def revoked_reason(self) -> str | None: ...


def _status(t: _TokenRow, expires_at: datetime, now: datetime) -> TokenStatus:
    if t.revoked_at is not None:
        return "password_changed" if t.revoked_reason == PASSWORD_SET else "revoked"
    return "expired" if now >= expires_at else "active"


def _token_view(t: _TokenRow, user: str, rt: Runtime, span: timedelta) -> TokenView:
    expires_at = as_utc(t.created_at) + span
    return TokenView(
        id=t.id,
        user=user,
        created_at=as_utc(t.created_at),
        expires_at=expires_at,
        last_used_at=as_utc(t.last_used_at) if t.last_used_at is not None else None,
        revoked_at=as_utc(t.revoked_at) if t.revoked_at is not None else None,
        status=_status(t, expires_at, as_utc(rt.now())),
    )


def create_token(
    rt: Runtime, name: str, at: datetime | None = None, actor: Actor | None = None
) -> str:
    """Issue a bearer token for the user; the token itself is returned once, never stored.

    ``actor`` None means the operator at the command line. A deactivated user gets none:
    it would never work.
    """
    if actor is not None:
        require_action(rt.rules, actor, "manage_users")
    token = "ink_" + secrets.token_urlsafe(32)
    when = at or rt.now()
    with Session(rt.engine) as s, s.begin():
        owner = s.scalar(select(User).where(User.name == name))
        if owner is None:
            raise NotFound("user", name)
        if not owner.active:
            raise inactive(name)
        row = ApiToken(user_id=owner.id, token_hash=token_digest(token), created_at=when)
        s.add(row)
        s.flush()
        # the id and digest bind the row to this event (workflow.accountbind)
        details = {"token_id": row.id, "token_sha256": row.token_hash}
        accountlog.append(s.connection(), actor, "token_created", name, when, details)
    return token


_TOKEN_CHECK = (
    select(
        ApiToken.id,
        ApiToken.created_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
        ApiToken.revoked_reason,
        User.id.label("uid"),
        User.name,
        User.role,
        User.locale,
        User.active,
        User.session_epoch,
        User.organisation_id.label("org"),
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


def authenticate(rt: Runtime, token: str) -> TokenCheck:
    """The active user a bearer token belongs to, or why it does not work.

    Every API request asks, so it is one Core statement in autocommit (no ORM objects, no
    BEGIN/COMMIT round trips) and nothing is cached: a revocation, a password change or a
    deactivation stops the token on the very next request, in every worker.
    """
    with read_one(rt.engine) as conn:
        row = conn.execute(_TOKEN_CHECK, {"digest": token_digest(token)}).first()
    if row is None:
        return TokenCheck(None)
    view = _token_view(row, row.name, rt, lifetime(rt))
    owner = UserView(
        row.uid, row.name, row.role, row.locale, row.active, row.session_epoch, row.org
    )
    if view.status == "revoked":
        return TokenCheck(None, f"the token was revoked at {view.revoked_at:%Y-%m-%d %H:%M} UTC")
    if view.status == "password_changed":
        return TokenCheck(None, "the token ended when its user's password was changed")
    if view.status == "expired":
        return TokenCheck(None, f"the token expired at {view.expires_at:%Y-%m-%d %H:%M} UTC")
    if not owner.active:
        return TokenCheck(None)
    _note_use(rt, view)
    return TokenCheck(owner)


def _note_use(rt: Runtime, view: TokenView) -> None:
    """Record when the token was last used, to the hour (see :data:`USE_RESOLUTION`)."""
    now = as_utc(rt.now())
    if view.last_used_at is not None and now - view.last_used_at < USE_RESOLUTION:
        return
    with Session(rt.engine) as s, s.begin():
        s.execute(update(ApiToken).where(ApiToken.id == view.id).values(last_used_at=now))


def list_tokens(rt: Runtime, actor: Actor | None, user: str | None = None) -> list[TokenView]:
    """Tokens by issue, newest first: a user's own; every user's for the operator (``actor``
    None) and for roles that manage users. ``user`` narrows the list to one user."""
    sees_all = actor is None or may(rt.rules, actor, "manage_users")
    if not sees_all:
        assert actor is not None
        if user is not None and user != actor.name:
            raise Forbidden(actor.role, "list another user's tokens")
        user = actor.name
    q = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
    if user is not None:
        q = q.where(User.name == user)
    span = lifetime(rt)
    with read_session(rt.engine) as s:
        if user is not None and s.scalar(select(User.id).where(User.name == user)) is None:
            raise NotFound("user", user)  # a misspelt name, not an empty list
        rows = s.execute(q.order_by(ApiToken.id.desc())).all()
        return [_token_view(t, name, rt, span) for t, name in rows]


def revoke_token(
    rt: Runtime, token_id: int, actor: Actor | None = None, at: datetime | None = None
) -> TokenView:
    """Revoke a token: it stops working at once. Users revoke their own; the operator
    (``actor`` None) and roles that manage users revoke anyone's. Another user's token is
    "not found" to the others, so nobody learns which ids exist. Revoking a revoked token
    changes nothing and writes nothing."""
    when = at or rt.now()
    with Session(rt.engine, expire_on_commit=False) as s, s.begin():
        found = s.execute(
            select(ApiToken, User.name)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.id == token_id)
            .with_for_update(of=ApiToken)
        ).first()
        if found is None:
            raise NotFound("token", token_id)
        row, owner = found
        if actor is not None and row.user_id != actor.user_id:
            if not may(rt.rules, actor, "manage_users"):
                raise NotFound("token", token_id)
        if row.revoked_at is None:
            row.revoked_at = when
            row.revoked_reason = REVOKED
            details = {"token_id": row.id}
            accountlog.append(s.connection(), actor, "token_revoked", owner, when, details)
    return _token_view(row, owner, rt, lifetime(rt))
