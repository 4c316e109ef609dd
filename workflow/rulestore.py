"""Rules from files that staff edit while the service runs: watched, versioned, never broken.

:class:`WatchedRules` answers every request with the rules in force after a cheap check
(one ``os.stat`` per directory and per ``*.yaml`` file; the files are re-read only when
something changed). A change is loaded, compiled, checked against the cases in the
database and activated in one transaction (moving cases a ``migrations`` mapping names,
storing the new version); any problem keeps the last good rules and is kept as the
error admins see. Every worker process checks on its own, so all pick a change up on
their next request.

Every process also follows the newest activation in the database
(:mod:`workflow.rulefollow`, one cheap read every few seconds), so a change activated
by another worker or another host is in force everywhere within that interval. Several
hosts with their own copies of the files set ``follow="database"``: a host then starts
with the newest activation instead of activating its own (possibly stale) files, which
are activated only when their content changes.

What is in force and what went wrong is :mod:`workflow.rulestatus`; the stored versions
(history, show, diff) are :mod:`workflow.ruleversions`; a candidate's preview is
:mod:`workflow.rulepreview`. This module is the watcher alone: it imports what
activating a version needs (loading, compiling, moving stranded cases, storing the
version), never the transition path or the preview's guard evaluation.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from workflow.errors import DefinitionError
from workflow.rulefiles import RACY_NS, Fingerprint, RulesFiles
from workflow.rulefollow import NewestActivation, NoStored, newest_stored
from workflow.rulemigrate import migrate_cases
from workflow.rules import Rules, load_rules
from workflow.rulestatus import RulesStatus, activations, refused_files
from workflow.ruleversions import lock_activation, record
from workflow.runtime import utcnow
from workflow.signals import announce, rules_activated, rules_refused

logger = logging.getLogger(__name__)


class WatchedRules:
    """A :class:`~workflow.runtime.RulesSource` that follows the files on disk."""

    def __init__(
        self,
        states_dir: Path,
        policy_dir: Path,
        engine: Engine,
        clock: Callable[[], datetime] = utcnow,
        *,
        follow: Literal["files", "database"] = "files",
        poll_seconds: float = 2.0,
    ) -> None:
        self.states_dir = states_dir
        self.policy_dir = policy_dir
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._files = RulesFiles(states_dir, policy_dir)
        self._fp: Fingerprint | None = None
        self._digest = ""
        self._racy_until = 0
        self._rules: Rules | None = None
        self._loaded_at: datetime | None = None
        self._errors: list[str] = []
        self._errors_since: datetime | None = None
        self._follow_database = follow == "database"
        self._newest = NewestActivation(engine, poll_seconds)
        with self._lock:
            self._start()

    # --- the hot path ------------------------------------------------------------------

    def current(self) -> Rules:
        """The rules in force, reloaded first if a file changed since the last call."""
        if self._files.fingerprint() != self._fp or self._racy_changed():
            with self._lock:
                fp = self._files.fingerprint()
                if fp != self._fp or self._racy_changed():
                    self._reload(fp, "file change")
        if self._newest.due():
            with self._lock:
                if self._newest.due():
                    self._follow()
        assert self._rules is not None
        return self._rules

    def status(self) -> RulesStatus:
        """The hashes in force, when they were loaded, and the problems of the files now."""
        rules = self.current()
        errors = list(self._errors)
        states_at, policy_at = activations(self._engine, rules)
        return RulesStatus(
            states_hash=rules.states_hash,
            policy_hash=rules.policy_hash,
            loaded_at=self._loaded_at,
            errors=errors,
            errors_since=self._errors_since,
            states_activated_at=states_at,
            policy_activated_at=policy_at,
            refused=refused_files((self.states_dir, self.policy_dir), errors) if errors else (),
        )

    def _racy_changed(self) -> bool:
        """Within the racy window only: whether the files' content differs from the last read."""
        if not self._racy_until:
            return False
        changed = self._files.digest() != self._digest
        if not changed and time.time_ns() > self._racy_until:
            self._racy_until = 0
        return changed

    # --- loading -----------------------------------------------------------------------

    def _observe(self, fp: Fingerprint) -> tuple[Fingerprint, str, int]:
        """What is about to be read: the fingerprint, the content digest, the racy window."""
        newest = max((p[1] for p in fp if len(p) > 1 and isinstance(p[1], int)), default=0)
        racy_until = newest + RACY_NS if time.time_ns() < newest + RACY_NS else 0
        return fp, self._files.digest(), racy_until

    def _remember(self, seen: tuple[Fingerprint, str, int]) -> None:
        """After a load (good or bad): an unchanged file is not parsed again.

        Set only once the outcome is in place, so a concurrent fast-path call never
        matches the new fingerprint while the old rules are still being replaced.
        """
        self._digest, self._racy_until = seen[1], seen[2]
        self._fp = seen[0]

    def _start(self) -> None:
        """First load. Following the database: the newest activation, whatever this
        host's files say (they are activated when they change). Following the files:
        the files, falling back to the newest stored version when they are broken."""
        seen = self._observe(self._files.fingerprint())
        if self._follow_database and isinstance(stored := newest_stored(self._engine), Rules):
            self._rules, self._loaded_at = stored, self._clock()
            self._newest.seen()
            self._compare_files(stored)
            self._remember(seen)
            return
        try:
            rules = self._load_files()
            self._activate(rules, "startup")
        except DefinitionError as exc:
            stored = newest_stored(self._engine)
            if isinstance(stored, NoStored):
                raise  # the files' own problems
            self._rules, self._loaded_at = stored, self._clock()
            self._newest.seen()
            self._fail(exc.problems)
        self._remember(seen)

    def _compare_files(self, in_force: Rules) -> None:
        """At startup, following the database: say whether this host's files differ."""
        try:
            files = self._load_files()
        except DefinitionError as exc:
            self._fail(exc.problems)
            return
        if (files.states_hash, files.policy_hash) != (in_force.states_hash, in_force.policy_hash):
            logger.warning(
                "the rules files here differ from the newest activation, which is in force "
                "(states %s, policy %s); they are activated when edited, or by "
                "`inkubators policy activate`",
                in_force.states_hash[:12],
                in_force.policy_hash[:12],
            )

    def _follow(self) -> None:
        """Put in force what another process (on any host) activated since."""
        if self._newest.newer() is None:
            return
        stored = newest_stored(self._engine)
        if isinstance(stored, Rules):
            self._adopt(stored, "another process activated them")
        self._newest.seen()

    def activate_files(self, by: str) -> Rules:
        """Activate this host's files now (``policy activate``); refused files raise."""
        with self._lock:
            rules = self._load_files()
            self._activate(rules, by)
            return rules

    def _reload(self, fp: Fingerprint, by: str) -> None:
        seen = self._observe(fp)
        if self._follow_database and seen[1] == self._digest:
            self._remember(seen)  # touched, not edited: no reason to override the newest
            return
        try:
            rules = self._load_files()
            assert self._rules is not None
            if (rules.states_hash, rules.policy_hash) != (
                self._rules.states_hash,
                self._rules.policy_hash,
            ):
                self._activate(rules, by)  # clears the errors once in force
            else:
                self._clear()
        except DefinitionError as exc:
            stored = newest_stored(self._engine)
            if isinstance(stored, Rules):
                self._adopt(stored, "the files are broken")
            self._fail(exc.problems)
            if stored is NoStored.UNREADABLE:
                return  # try again on the next call
        except SQLAlchemyError as exc:
            self._fail([f"database: the changed rules could not be activated: {exc}"])
            return  # not remembered: try again on the next call
        self._remember(seen)

    def _load_files(self) -> Rules:
        """The files' rules; anything but a refusal (a bug the files' content set off) is
        logged with its traceback and refused too, so no file can take a request down."""
        try:
            return load_rules(self.states_dir, self.policy_dir)
        except DefinitionError:
            raise
        except Exception as exc:  # the one boundary between edited files and requests
            logger.exception("checking the rules files failed unexpectedly")
            where = f"{self.states_dir.name}/, {self.policy_dir.name}/"
            problem = f"the files could not be checked ({type(exc).__name__}: {exc})"
            raise DefinitionError([f"{where}: {problem}"]) from exc

    def _adopt(self, rules: Rules, why: str) -> None:
        """Put the newest stored rules in force unless they are."""
        assert self._rules is not None
        if (rules.states_hash, rules.policy_hash) == (
            self._rules.states_hash,
            self._rules.policy_hash,
        ):
            return
        self._rules, self._loaded_at = rules, self._clock()
        logger.info(
            "in force: the newest stored states %s, policy %s (%s)",
            rules.states_hash[:12],
            rules.policy_hash[:12],
            why,
        )

    def _activate(self, rules: Rules, by: str) -> None:
        """Move stranded cases (or refuse), store the versions, then swap: all or nothing."""
        at = self._clock()
        with self._engine.begin() as conn:
            lock_activation(conn)
            moved = migrate_cases(conn, rules, at)
            stored = record(conn, rules, by, at)
        self._rules, self._loaded_at = rules, at
        self._newest.seen()
        self._clear()
        announce(rules_activated, by)
        logger.info(
            "rules in force: states %s, policy %s (%s; stored %s; %d case(s) moved)",
            rules.states_hash[:12],
            rules.policy_hash[:12],
            by,
            ", ".join(stored) or "nothing new",
            moved,
        )

    def _clear(self) -> None:
        self._errors, self._errors_since = [], None

    def _fail(self, problems: list[str]) -> None:
        """Keep the rules in force and say so once per distinct set of problems: one log
        record naming every problem and the hashes kept, not one line per problem plus a
        second warning about the same event."""
        assert self._rules is not None
        if problems != self._errors:
            announce(rules_refused, tuple(problems))
            logger.error(
                "rules not changed (keeping states %s, policy %s):\n  %s",
                self._rules.states_hash[:12],
                self._rules.policy_hash[:12],
                "\n  ".join(problems),
            )
        if not self._errors:
            self._errors_since = self._clock()
        self._errors = list(problems)
