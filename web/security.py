"""Who is asking: browser sessions (flask-login's user loader) and API bearer tokens
(flask-login's request loader), one authentication system for both.

A browser session holds the user's ``session_epoch``; logging out (or a password change)
advances the epoch in the database, so a copied cookie replayed after logout no longer
loads a user, in any worker.
"""

from __future__ import annotations

from flask import Request, g, session
from flask_login import UserMixin

from web.context import runtime
from web.extensions import login_manager
from workflow.accounts import UserView, get_user
from workflow.actors import Actor
from workflow.tokens import authenticate


class WebUser(UserMixin):
    """The flask-login user: a thin wrapper over the engine's user view."""

    def __init__(self, view: UserView, via_token: bool = False) -> None:
        self.view = view
        self.via_token = via_token

    def get_id(self) -> str:
        """flask-login's session key."""
        return str(self.view.id)

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot log in."""
        return self.view.active

    @property
    def name(self) -> str:
        """The user's login name."""
        return self.view.name

    @property
    def role(self) -> str:
        """The user's role."""
        return self.view.role

    @property
    def locale(self) -> str:
        """The user's preferred language."""
        return self.view.locale

    def actor(self) -> Actor:
        """The user as the engine's Actor."""
        return self.view.actor()


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    """Load the session's user, unless the session was ended (epoch moved on)."""
    try:
        view = get_user(runtime(), int(user_id))
    except ValueError:
        return None
    if view is None or not view.active or session.get("epoch") != view.session_epoch:
        return None
    return WebUser(view)


@login_manager.request_loader
def load_user_from_request(request: Request) -> WebUser | None:
    """Authenticate API calls by ``Authorization: Bearer TOKEN``; why a known token does
    not work (expired, revoked) is kept in ``g.token_problem`` for the 401's detail."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    check = authenticate(runtime(), token.strip())
    if check.user is None:
        g.token_problem = check.problem
        return None
    return WebUser(check.user, via_token=True)
