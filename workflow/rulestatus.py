"""What rules are in force and what went wrong since: ``policy status`` and the admin page.

A file-following rules source (:class:`workflow.rulestore.WatchedRules`) reports its own
problems; fixed rules (tests, one-shot commands) never have any. Either way the
activation times come from ``rules_versions`` and the refused files' times from the
files themselves, so every process says the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import read
from workflow.rules import Rules
from workflow.ruleversions import activated_at
from workflow.runtime import Runtime, as_utc

logger = logging.getLogger(__name__)


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


@runtime_checkable
class ReportsStatus(Protocol):
    """A rules source that keeps its own status (the file watcher)."""

    def status(self) -> RulesStatus:
        """The rules in force and the problems of the files now."""
        ...


def status(rt: Runtime) -> RulesStatus:
    """The rules in force and any problem with the files (fixed rules never have one)."""
    source = rt.rules_source
    if isinstance(source, ReportsStatus):
        return source.status()
    rules = rt.rules
    states_at, policy_at = activations(rt.engine, rules)
    return RulesStatus(rules.states_hash, rules.policy_hash, None, [], None, states_at, policy_at)


def activations(engine: Engine, rules: Rules) -> tuple[datetime | None, datetime | None]:
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


def refused_files(dirs: tuple[Path, ...], errors: list[str]) -> tuple[RefusedFile, ...]:
    """The files the problems name (by their display name ``dir/file.yaml``), with their
    modification times; when none is named (a file removed, a database failure), every
    file and folder, so the time shown is that of the latest change on disk."""
    found: list[tuple[str, Path]] = []
    for d in dirs:
        for f in sorted(d.glob("*.yaml")):
            found.append((f"{f.parent.name}/{f.name}", f))
    named = [(n, f) for n, f in found if any(e.startswith(n + ":") for e in errors)]
    if not named:
        named = [(f"{d.name}/", d) for d in dirs] + found
        newest = max(named, key=lambda nf: _mtime(nf[1]) or datetime.min.replace(tzinfo=UTC))
        named = [newest]
    return tuple(RefusedFile(n, when) for n, f in named if (when := _mtime(f)) is not None)


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)
