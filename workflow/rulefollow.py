"""Which activation is the newest, asked of the database at most every few seconds.

Several hosts behind a load balancer each keep their own copy of the rules files, but
they must decide by the same rules. The database's ``rules_versions`` is the truth: an
edit on any host is an activation (stored there), and every process, on every host,
follows the newest activation. Asking "is there a newer one?" is one primary-key
``max(id)`` read, made at most once per ``poll_seconds`` per process, so requests in
between cost nothing and a change reaches every host within that interval.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import Enum

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import read
from workflow.definitions import parse_states
from workflow.errors import DefinitionError
from workflow.orm import RulesVersion
from workflow.policies import parse_policy
from workflow.rules import Rules, compile_rules
from workflow.ruleversions import latest_files

logger = logging.getLogger(__name__)


class NewestActivation:
    """Remembers the newest ``rules_versions`` id this process has in force."""

    def __init__(
        self,
        engine: Engine,
        poll_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._monotonic = monotonic
        self._seen = 0
        self._next_poll = 0.0

    def newest_id(self) -> int | None:
        """The newest stored id (0: none), or None when the database cannot be read."""
        try:
            with read(self._engine) as conn:
                return int(conn.scalar(select(func.coalesce(func.max(RulesVersion.id), 0))) or 0)
        except SQLAlchemyError as exc:
            # asked every few seconds: one line, not a traceback each time, while it is down
            logger.warning("could not ask for the newest rules version: %s", exc.__class__.__name__)
            return None

    def seen(self, newest: int | None = None) -> None:
        """What is in force now is the newest activation (``newest``, or read it)."""
        found = self.newest_id() if newest is None else newest
        if found is not None:
            self._seen = max(self._seen, found)
        self._next_poll = self._monotonic() + self._poll_seconds

    def due(self) -> bool:
        """Whether it is time to ask again (cheap: no database access)."""
        return self._monotonic() >= self._next_poll

    def newer(self) -> int | None:
        """The newest id if another process activated one since :meth:`seen`, else None."""
        self._next_poll = self._monotonic() + self._poll_seconds
        found = self.newest_id()
        if found is None or found <= self._seen:
            return None
        return found


class NoStored(Enum):
    """Why :func:`newest_stored` has no rules to offer."""

    UNREADABLE = "the database could not be read"
    NONE = "no usable version stored"


def newest_stored(engine: Engine) -> Rules | NoStored:
    """The newest version any process activated, compiled.

    What every host follows, and what a process falls back to when its own files are
    broken: a worker that served no request between a good edit and a broken one still
    holds the older rules, but the newest stored version is already activated (cases
    already moved) and shared by every worker. A stored text this code no longer
    compiles is logged and counts as none stored.
    """
    try:
        with read(engine) as conn:
            files = latest_files(conn)
    except SQLAlchemyError:
        logger.exception("could not read the stored rules versions")
        return NoStored.UNREADABLE
    if files is None:
        return NoStored.NONE
    try:
        (sname, stext), *_ = files["states"]
        return compile_rules(parse_states(stext, sname), parse_policy(files["policy"]))
    except DefinitionError as exc:
        logger.error("the newest stored rules do not compile: %s", exc.problems)
        return NoStored.NONE
