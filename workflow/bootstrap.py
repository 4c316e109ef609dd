"""Building a :class:`Runtime` from settings: the one place the engine is created."""

from __future__ import annotations

from workflow.db import make_engine, upgrade
from workflow.rules import load_rules
from workflow.runtime import FixedRules, Runtime
from workflow.settings import Settings


def build_runtime(settings: Settings, *, migrate: bool = False) -> Runtime:
    """Load and compile the rules, create the engine, optionally bring the schema up."""
    rules = load_rules(settings.states_dir, settings.policy_dir)
    url = settings.resolved_database_url()
    if migrate:
        upgrade(url)
    return Runtime(engine=make_engine(url), rules_source=FixedRules(rules))
