"""Building a :class:`Runtime` from settings: the one place the engine is created."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from workflow.db import make_engine, upgrade
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime, utcnow
from workflow.settings import Settings


def build_runtime(
    settings: Settings, *, migrate: bool = False, clock: Callable[[], datetime] = utcnow
) -> Runtime:
    """Create the engine, optionally bring the schema up, then watch the rules files.

    The schema comes first because activating rules stores their version and may move
    cases (see :mod:`workflow.rulestore`).
    """
    url = settings.resolved_database_url()
    if migrate:
        upgrade(url)
    engine = make_engine(url)
    rules = WatchedRules(
        settings.states_dir,
        settings.policy_dir,
        engine,
        clock,
        follow=settings.rules_follow,
        poll_seconds=settings.rules_poll_seconds,
    )
    return Runtime(engine=engine, rules_source=rules, clock=clock)
