"""Access to the engine's runtime and the acting user from inside a request."""

from __future__ import annotations

from typing import cast

from flask import current_app
from flask_login import current_user

from workflow.actors import Actor
from workflow.runtime import Runtime


def runtime() -> Runtime:
    """The runtime bound to the running app."""
    return cast(Runtime, current_app.extensions["inkubators"])


def actor() -> Actor:
    """The logged-in (or token-authenticated) user as the engine's Actor."""
    return cast(Actor, current_user.actor())
