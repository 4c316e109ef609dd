"""Access to the engine's runtime, its rules and the acting user from inside a request."""

from __future__ import annotations

from typing import cast

from flask import current_app, g
from flask_login import current_user

from workflow.actors import Actor
from workflow.rules import Rules
from workflow.runtime import Runtime


def runtime() -> Runtime:
    """The runtime bound to the running app."""
    return cast(Runtime, current_app.extensions["inkubators"])


def rules() -> Rules:
    """The rules in force for this request, read from the runtime once and kept in ``g``.

    A watching rules source checks its files on every read, and a page asks for labels
    and permissions dozens of times; reading once also keeps one page under one set of
    rules when a file changes while it renders. Service functions read ``rt.rules``
    themselves (a write decides under the rules in force when it commits).
    """
    cached = g.get("inkubators_rules")
    if cached is None:
        cached = g.inkubators_rules = runtime().rules
    return cast(Rules, cached)


def actor() -> Actor:
    """The logged-in (or token-authenticated) user as the engine's Actor."""
    return cast(Actor, current_user.actor())
