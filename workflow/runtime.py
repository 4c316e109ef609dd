"""What every service call needs: the database engine, the rules in force and a clock.

Built once by the CLI or the app factory from :class:`~workflow.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

if TYPE_CHECKING:  # only a type here: the rules' own modules use this module's days
    from workflow.rules import Rules

#: Where the programme runs: its days (what is "today", "in the future", "closed") are
#: Liepāja's, not UTC's, or evidence entered after local midnight would be "tomorrow".
PROGRAMME_ZONE = ZoneInfo("Europe/Riga")


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """An aware UTC time: SQLite hands back naive times (stored as UTC), PostgreSQL aware
    ones; a time without an offset is UTC everywhere in the engine."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def local_day(at: datetime) -> date:
    """The programme's calendar day at ``at`` (a naive time is UTC)."""
    return as_utc(at).astimezone(PROGRAMME_ZONE).date()


class RulesSource(Protocol):
    """Supplies the rules in force; a file-watching source may swap them between calls."""

    def current(self) -> Rules:
        """The rules to decide the next request with."""
        ...


@dataclass
class FixedRules:
    """Rules that never change (tests, one-shot CLI commands)."""

    rules: Rules

    def current(self) -> Rules:
        """Always the same rules."""
        return self.rules


@dataclass
class Runtime:
    """The engine's context, handed to every service function."""

    engine: Engine
    rules_source: RulesSource
    clock: Callable[[], datetime] = field(default=utcnow)

    @property
    def rules(self) -> Rules:
        """The rules in force now."""
        return self.rules_source.current()

    def now(self) -> datetime:
        """The service's notion of now (tests and the demo set it)."""
        return self.clock()

    def today(self) -> date:
        """The programme's calendar day now."""
        return local_day(self.clock())
