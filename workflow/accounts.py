"""Users and passwords: argon2id password hashes (API tokens: :mod:`workflow.tokens`).

Every change to an account is written to the account log (:mod:`workflow.accountlog`)
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from workflow import accountlog, newusers
from workflow.actors import Actor
from workflow.db import read_one, read_session
from workflow.errors import Conflict, NotFound
from workflow.orm import ApiToken, User
from workflow.permissions import require_action
from workflow.runtime import Runtime
from workflow.schemas import UserChange, UserIn
from workflow.users import HASHER as _hasher
from workflow.users import MIN_PASSWORD as MIN_PASSWORD  # re-exported
from workflow.users import UserView as UserView  # re-exported: its callers import it here
from workflow.users import hash_password as hash_password  # re-exported
from workflow.users import inactive as _inactive
from workflow.users import user_view as _view

# Verified against when a name is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("inkubators-dummy-password")


@dataclass(frozen=True, slots=True)
class UserChanged:
    """What :func:`change_user` did: the account as it now stands, and whether it changed."""

    user: UserView
    changed: bool


def add_user(
    rt: Runtime,
    data: UserIn,
    password: str | None = None,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> UserView:
    """Create a user; ``actor`` None means the operator at the command line."""
    if actor is not None:
        require_action(rt.rules, actor, "manage_users")
    pw_hash = hash_password(password) if password else None
    when = at or rt.now()
    with Session(rt.engine, expire_on_commit=False) as s, s.begin():
        user = newusers.insert_user(
            s,
            name=data.name,
            role=data.role,
            locale=data.locale,
            password_hash=pw_hash,
            organisation_id=newusers.organisation_binding(s, data.role, data.organisation),
            actor=actor,
            at=when,
        )
    return _view(user)


def set_password(
    rt: Runtime,
    name: str,
    password: str,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> None:
    """Replace a user's password and end their sessions and API tokens (whoever had the old
    password may have issued them); ``actor`` None: the command line."""
    if actor is not None:
        require_action(rt.rules, actor, "manage_users")
    pw_hash = hash_password(password)
    when = at or rt.now()
    with Session(rt.engine) as s, s.begin():
        user_id = s.scalar(
            update(User)
            .where(User.name == name)
            .values(password_hash=pw_hash, session_epoch=User.session_epoch + 1)
            .returning(User.id)
        )
        if user_id is None:
            raise NotFound("user", name)
        ended = s.scalars(
            update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=when, revoked_reason="password_set")
            .returning(ApiToken.id)
        ).all()
        details = {"tokens_revoked": sorted(ended)}
        accountlog.append(s.connection(), actor, "password_set", name, when, details)


def change_user(
    rt: Runtime,
    name: str,
    change: UserChange,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> UserChanged:
    """Change a user's role or standing; ``actor`` None means the command line.

    Deactivating ends the user's sessions and stops their API tokens (both check
    ``active``); their history stays. The last active admin can be neither demoted nor
    deactivated: nobody could manage users afterwards. A change to what already holds
    writes nothing.
    """
    if actor is not None:
        require_action(rt.rules, actor, "manage_users")
    when = at or rt.now()
    with Session(rt.engine, expire_on_commit=False) as s, s.begin():
        # On PostgreSQL: the active admins first, always in id order, then the user, so
        # two admins demoting each other wait for one another instead of deadlocking, and
        # the second sees the first's change (SQLite's BEGIN IMMEDIATE serialises anyway).
        s.execute(
            select(User.id)
            .where(User.role == "admin", User.active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
        user = s.scalar(select(User).where(User.name == name).with_for_update())
        if user is None:
            raise NotFound("user", name)
        role = change.role if change.role is not None else user.role
        active = change.active if change.active is not None else user.active
        if (role, active) == (user.role, user.active):
            return UserChanged(_view(user), changed=False)
        if role != user.role and newusers.REPRESENTATIVE in (role, user.role):
            raise Conflict(
                f"{name}: a representative's binding to an organisation is fixed; "
                "deactivate the account and add a new one",
                "representative_fixed",
                f"{name}: pārstāvja piesaiste organizācijai ir nemainīga; deaktivizējiet "
                "kontu un pievienojiet jaunu",
            )
        if user.role == "admin" and user.active and (role != "admin" or not active):
            _refuse_last_admin(s, user)
        conn = s.connection()
        if role != user.role:
            details = {"from": user.role, "to": role}
            accountlog.append(conn, actor, "role_changed", name, when, details)
            user.role = role
        if active != user.active:
            accountlog.append(conn, actor, "reactivated" if active else "deactivated", name, when)
            user.active = active
            if not active:
                user.session_epoch += 1
    return UserChanged(_view(user), changed=True)


def _refuse_last_admin(s: Session, user: User) -> None:
    """Refuse when no other active admin would remain (the caller holds their rows)."""
    others = s.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    ).all()
    if not others:
        raise Conflict(
            f"{user.name} is the last active admin: nobody could manage users afterwards",
            "last_admin",
            f"{user.name} ir pēdējais aktīvais administrators: pēc tam neviens nevarētu "
            "pārvaldīt lietotājus.",
        )


def authenticate(rt: Runtime, name: str, password: str) -> UserView | None:
    """The user if name and password match an active account; same cost either way."""
    with read_session(rt.engine) as s:
        user = s.scalar(select(User).where(User.name == name))
        stored = user.password_hash if user is not None and user.active else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None or user is None:
            return None
        return _view(user)


_USER_COLUMNS = (
    User.id,
    User.name,
    User.role,
    User.locale,
    User.active,
    User.session_epoch,
    User.organisation_id,
)
_USER_BY_ID = select(*_USER_COLUMNS).where(User.id == bindparam("user_id"))


def get_user(rt: Runtime, user_id: int) -> UserView | None:
    """A user by id (for the session loader: every page asks, so one Core statement)."""
    with read_one(rt.engine) as conn:
        row = conn.execute(_USER_BY_ID, {"user_id": user_id}).first()
    return UserView(*row) if row is not None else None


def get_user_by_name(rt: Runtime, name: str) -> UserView:
    """A user by name or NotFound."""
    with read_session(rt.engine) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound("user", name)
        return _view(user)


def acting_user(rt: Runtime, name: str) -> Actor:
    """The user named at the command line as the one acting: NotFound, or Conflict when the
    account is deactivated (it may not act, whichever way it comes in)."""
    user = get_user_by_name(rt, name)
    if not user.active:
        raise _inactive(name)
    return user.actor()


def list_users(rt: Runtime) -> list[UserView]:
    """Every user, by name."""
    with read_session(rt.engine) as s:
        return [_view(u) for u in s.scalars(select(User).order_by(User.name))]


def active_mentors(rt: Runtime) -> list[UserView]:
    """The users a case can be assigned to or a consultation attributed to, by name: active
    mentors (an inactive account keeps its history but takes no new work)."""
    with read_session(rt.engine) as s:
        rows = s.scalars(
            select(User).where(User.role == "mentor", User.active.is_(True)).order_by(User.name)
        )
        return [_view(u) for u in rows]


def end_sessions(rt: Runtime, user_id: int) -> None:
    """Invalidate every browser session of the user (logout everywhere)."""
    with Session(rt.engine) as s, s.begin():
        s.execute(
            update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1)
        )
