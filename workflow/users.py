"""A user as the rest of the system sees it, shared by the services that manage accounts
(:mod:`workflow.accounts`) and API tokens (:mod:`workflow.tokens`), which do not call
one another."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from workflow.actors import Actor
from workflow.errors import Conflict, InvalidInput
from workflow.orm import User


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as the rest of the system sees it (never the hash)."""

    id: int
    name: str
    role: str
    locale: str
    active: bool
    session_epoch: int
    #: the organisation a representative is bound to (none for staff)
    organisation_id: int | None = None

    def actor(self) -> Actor:
        """The user acting in their role (a representative for their organisation)."""
        return Actor(self.name, self.role, self.id, self.organisation_id)


def user_view(u: User) -> UserView:
    """The view of a stored user."""
    return UserView(u.id, u.name, u.role, u.locale, u.active, u.session_epoch, u.organisation_id)


def inactive(name: str) -> Conflict:
    """The refusal of a deactivated account: it may not act, nor be issued a token."""
    return Conflict(
        f"user {name!r} is deactivated", "inactive", f"Lietotājs {name} ir deaktivizēts."
    )


HASHER = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory defaults
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    """argon2id hash of a password that meets the minimum length (set by an admin, at the
    command line, or by an invited representative through their one-time link)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            {"password": f"must be at least {MIN_PASSWORD} characters"},
            {"password": f"jābūt vismaz {MIN_PASSWORD} rakstzīmēm"},
        )
    return HASHER.hash(password)
