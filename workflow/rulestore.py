"""Rules from files that staff edit while the service runs: watched, versioned, never broken.

:class:`WatchedRules` answers every request with the rules in force after a cheap check
(one ``os.stat`` per directory and per ``*.yaml`` file; the files are re-read only when
something changed). A change is loaded, compiled, checked against the cases in the
database and activated in one transaction (moving cases a ``migrations`` mapping names,
storing the new version); any problem keeps the last good rules and is kept as the
error admins see. Every worker process checks on its own, so all pick a change up on
their next request.

The admin UI and the CLI call the functions named in ``__all__``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import read
from workflow.definitions import parse_states
from workflow.errors import DefinitionError
from workflow.policies import parse_policy
from workflow.rulemigrate import migrate_cases
from workflow.rulepreview import PreviewChange, TriggerOutcome, preview
from workflow.rules import Rules, compile_rules, load_rules
from workflow.ruleversions import (
    RulesVersionView,
    activated_at,
    diff,
    history,
    latest_files,
    lock_activation,
    record,
    show,
)
from workflow.runtime import Runtime, as_utc, utcnow
from workflow.yamlfiles import MAX_BYTES

logger = logging.getLogger(__name__)

# A file whose mtime is this close to the moment it was read may be rewritten within
# the same timestamp tick; until the window passes its content is compared too.
RACY_NS = 2_000_000_000

Fingerprint = tuple[tuple[object, ...], ...]


class _NoStored(Enum):
    """Why :meth:`WatchedRules._newest_stored` has no rules to offer."""

    UNREADABLE = "the database could not be read"
    NONE = "no usable version stored"


@dataclass(frozen=True, slots=True)
class RefusedFile:
    """A rules file on disk that was not applied, and when it was last written."""

    name: str
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class RulesStatus:
    """What is in force and what went wrong since: for ``policy status`` and the admin page.

    ``loaded_at`` and ``errors_since`` are moments of *this process* (meaningful in a
    long-running server, not in a one-shot command); ``states_activated_at`` and
    ``policy_activated_at`` come from ``rules_versions`` and ``refused`` from the files'
    modification times, so they say the same in every process.
    """

    states_hash: str
    policy_hash: str
    loaded_at: datetime | None
    errors: list[str]
    errors_since: datetime | None
    states_activated_at: datetime | None = None
    policy_activated_at: datetime | None = None
    refused: tuple[RefusedFile, ...] = ()


class WatchedRules:
    """A :class:`~workflow.runtime.RulesSource` that follows the files on disk."""

    def __init__(
        self,
        states_dir: Path,
        policy_dir: Path,
        engine: Engine,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.states_dir = states_dir
        self.policy_dir = policy_dir
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._dirs = ((states_dir, str(states_dir)), (policy_dir, str(policy_dir)))
        self._listing: dict[str, tuple[tuple[int, int], list[str]]] = {}
        self._fp: Fingerprint | None = None
        self._digest = ""
        self._racy_until = 0
        self._rules: Rules | None = None
        self._loaded_at: datetime | None = None
        self._errors: list[str] = []
        self._errors_since: datetime | None = None
        with self._lock:
            self._start()

    # --- the hot path ------------------------------------------------------------------

    def current(self) -> Rules:
        """The rules in force, reloaded first if a file changed since the last call."""
        if self._fingerprint() != self._fp or self._racy_changed():
            with self._lock:
                fp = self._fingerprint()
                if fp != self._fp or self._racy_changed():
                    self._reload(fp, "file change")
        assert self._rules is not None
        return self._rules

    def status(self) -> RulesStatus:
        """The hashes in force, when they were loaded, and the problems of the files now."""
        rules = self.current()
        errors = list(self._errors)
        states_at, policy_at = _activations(self._engine, rules)
        return RulesStatus(
            states_hash=rules.states_hash,
            policy_hash=rules.policy_hash,
            loaded_at=self._loaded_at,
            errors=errors,
            errors_since=self._errors_since,
            states_activated_at=states_at,
            policy_activated_at=policy_at,
            refused=self._refused(errors) if errors else (),
        )

    def _refused(self, errors: list[str]) -> tuple[RefusedFile, ...]:
        """The files the problems name (by their display name ``dir/file.yaml``), with their
        modification times; when none is named (a file removed, a database failure), every
        file and folder, so the time shown is that of the latest change on disk."""
        found: list[tuple[str, Path]] = []
        for d in (self.states_dir, self.policy_dir):
            for f in sorted(d.glob("*.yaml")):
                found.append((f"{f.parent.name}/{f.name}", f))
        named = [(n, f) for n, f in found if any(e.startswith(n + ":") for e in errors)]
        if not named:
            named = [(f"{d.name}/", d) for d in (self.states_dir, self.policy_dir)] + found
            newest = max(named, key=lambda nf: _mtime(nf[1]) or datetime.min.replace(tzinfo=UTC))
            named = [newest]
        return tuple(RefusedFile(n, when) for n, f in named if (when := _mtime(f)) is not None)

    def _fingerprint(self) -> Fingerprint:
        """Names, mtime, size and inode of both directories and their files: a few stats."""
        parts: list[tuple[object, ...]] = []
        for d, dname in self._dirs:
            try:
                st = os.stat(dname)
            except OSError:
                parts.append((dname, None))
                continue
            key = (st.st_mtime_ns, st.st_ino)
            cached = self._listing.get(dname)
            if cached is None or cached[0] != key:
                cached = (key, [str(f) for f in sorted(d.glob("*.yaml"))])
                self._listing[dname] = cached
            parts.append((dname, *key))
            for fname in cached[1]:
                try:
                    fs = os.stat(fname)
                except OSError:
                    parts.append((fname, None))
                    continue
                parts.append((fname, fs.st_mtime_ns, fs.st_size, fs.st_ino))
        return tuple(parts)

    def _racy_changed(self) -> bool:
        """Within the racy window only: whether the files' content differs from the last read."""
        if not self._racy_until:
            return False
        changed = self._read_digest() != self._digest
        if not changed and time.time_ns() > self._racy_until:
            self._racy_until = 0
        return changed

    def _read_digest(self) -> str:
        h = hashlib.sha256()
        for d in (self.states_dir, self.policy_dir):
            for f in sorted(d.glob("*.yaml")):
                h.update(str(f).encode() + b"\0")
                try:  # a FIFO would block and a huge file is refused anyway: bounded
                    if f.is_file():
                        with open(f, "rb") as fh:
                            h.update(fh.read(MAX_BYTES + 1))
                except OSError:
                    h.update(b"\1missing")
                h.update(b"\0")
        return h.hexdigest()

    # --- loading -----------------------------------------------------------------------

    def _observe(self, fp: Fingerprint) -> tuple[Fingerprint, str, int]:
        """What is about to be read: the fingerprint, the content digest, the racy window."""
        newest = max((p[1] for p in fp if len(p) > 1 and isinstance(p[1], int)), default=0)
        racy_until = newest + RACY_NS if time.time_ns() < newest + RACY_NS else 0
        return fp, self._read_digest(), racy_until

    def _remember(self, seen: tuple[Fingerprint, str, int]) -> None:
        """After a load (good or bad): an unchanged file is not parsed again.

        Set only once the outcome is in place, so a concurrent fast-path call never
        matches the new fingerprint while the old rules are still being replaced.
        """
        self._digest, self._racy_until = seen[1], seen[2]
        self._fp = seen[0]

    def _start(self) -> None:
        """First load; broken files fall back to the newest version stored in the database."""
        seen = self._observe(self._fingerprint())
        try:
            rules = self._load_files()
            self._activate(rules, "startup")
        except DefinitionError as exc:
            stored = self._newest_stored()
            if isinstance(stored, _NoStored):
                raise  # the files' own problems
            self._rules, self._loaded_at = stored, self._clock()
            self._fail(exc.problems)
        self._remember(seen)

    def _reload(self, fp: Fingerprint, by: str) -> None:
        seen = self._observe(fp)
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
            stored = self._newest_stored()
            if isinstance(stored, Rules):
                self._adopt(stored)
            self._fail(exc.problems)
            if stored is _NoStored.UNREADABLE:
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

    def _newest_stored(self) -> Rules | _NoStored:
        """The newest version any process activated, compiled, for when the files are broken.

        Workers pick up a change on their next request, so a worker that served none
        between a good edit and a broken one still holds the older rules; the last good
        rules are the newest stored in ``rules_versions`` (already activated, cases
        already moved), shared by every worker. A stored text this code no longer
        compiles is logged and counts as none stored.
        """
        try:
            with read(self._engine) as conn:
                files = latest_files(conn)
        except SQLAlchemyError:
            logger.exception("could not read the stored rules versions")
            return _NoStored.UNREADABLE
        if files is None:
            return _NoStored.NONE
        try:
            return _compile_stored(files)
        except DefinitionError as exc:
            logger.error("the newest stored rules do not compile: %s", exc.problems)
            return _NoStored.NONE

    def _adopt(self, rules: Rules) -> None:
        """Files broken on reload: put the newest stored rules in force unless they are."""
        assert self._rules is not None
        if (rules.states_hash, rules.policy_hash) == (
            self._rules.states_hash,
            self._rules.policy_hash,
        ):
            return
        self._rules, self._loaded_at = rules, self._clock()
        logger.info(
            "rules files broken; in force: the newest stored states %s, policy %s",
            rules.states_hash[:12],
            rules.policy_hash[:12],
        )

    def _activate(self, rules: Rules, by: str) -> None:
        """Move stranded cases (or refuse), store the versions, then swap: all or nothing."""
        at = self._clock()
        with self._engine.begin() as conn:
            lock_activation(conn)
            moved = migrate_cases(conn, rules, at)
            stored = record(conn, rules, by, at)
        self._rules, self._loaded_at = rules, at
        self._clear()
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
            logger.error(
                "rules not changed (keeping states %s, policy %s):\n  %s",
                self._rules.states_hash[:12],
                self._rules.policy_hash[:12],
                "\n  ".join(problems),
            )
        if not self._errors:
            self._errors_since = self._clock()
        self._errors = list(problems)


def _compile_stored(files: dict[str, list[tuple[str, str]]]) -> Rules:
    (sname, stext), *_ = files["states"]
    return compile_rules(parse_states(stext, sname), parse_policy(files["policy"]))


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _activations(engine: Engine, rules: Rules) -> tuple[datetime | None, datetime | None]:
    """When the states and the policy in force were activated, from ``rules_versions``."""
    try:
        with read(engine) as conn:
            return (
                _utc(activated_at(conn, "states", rules.states_hash)),
                _utc(activated_at(conn, "policy", rules.policy_hash)),
            )
    except SQLAlchemyError:
        logger.exception("could not read the activation times of the rules in force")
        return None, None


def status(rt: Runtime) -> RulesStatus:
    """The rules in force and any problem with the files (fixed rules never have one)."""
    source = rt.rules_source
    if isinstance(source, WatchedRules):
        return source.status()
    rules = rt.rules
    states_at, policy_at = _activations(rt.engine, rules)
    return RulesStatus(rules.states_hash, rules.policy_hash, None, [], None, states_at, policy_at)


__all__ = [
    "PreviewChange",
    "RefusedFile",
    "RulesStatus",
    "RulesVersionView",
    "TriggerOutcome",
    "WatchedRules",
    "diff",
    "history",
    "preview",
    "show",
    "status",
]
