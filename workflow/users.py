"""A user as the rest of the system sees it, shared by the services that manage accounts
(:mod:`workflow.accounts`) and API tokens (:mod:`workflow.tokens`), which do not call
one another."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.actors import Actor
from workflow.errors import Conflict
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

    def actor(self) -> Actor:
        """The user acting in their role."""
        return Actor(self.name, self.role, self.id)


def user_view(u: User) -> UserView:
    """The view of a stored user."""
    return UserView(u.id, u.name, u.role, u.locale, u.active, u.session_epoch)


def inactive(name: str) -> Conflict:
    """The refusal of a deactivated account: it may not act, nor be issued a token."""
    return Conflict(
        f"user {name!r} is deactivated", "inactive", f"Lietotājs {name} ir deaktivizēts."
    )
