"""Backups taken while the service runs, each with the checkpoint it matches; restores.

Why not copy the database file: copying SQLite's file while the service writes gave a
corrupt copy about one time in forty. SQLite's online backup API copies a consistent
snapshot page by page under a read lock, which in WAL mode does not stop writers; on
PostgreSQL ``pg_dump`` does the same (:mod:`workflow.pgbackup`). Each backup is checked
(SQLite's ``integrity_check``, both hash chains) and gets a checkpoint of *that very
snapshot* beside it (``FILE.checkpoint.json``), signed when a key is configured, so a
restore can show it is the backup it claims to be, and a later checkpoint shows exactly
how many events the backup lacks.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from workflow import accountlog, auditlog, checkpoint, checkpointing, pgbackup
from workflow.checkpoint import Checkpoint, CheckpointError
from workflow.db import make_engine
from workflow.pgbackup import BackupError
from workflow.runtime import Runtime
from workflow.signing import Signer

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What ``backup`` wrote: the copy, and its checkpoint (None, with why, if the log
    did not verify: the copy is kept, as evidence, but nothing vouches for it)."""

    path: Path
    method: str
    checkpoint_path: Path | None
    checkpoint: Checkpoint | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """The restored database checked: both chains, and against the backup's checkpoint."""

    method: str
    chains: auditlog.VerifyResult
    accounts: accountlog.AccountVerifyResult
    checkpoint_path: Path | None
    checkpoint: Checkpoint | None
    comparison: checkpointing.Comparison | None


def checkpoint_path(backup_file: Path) -> Path:
    """Where a backup's checkpoint lives: beside it, named after it."""
    return backup_file.with_name(backup_file.name + ".checkpoint.json")


def backup(rt: Runtime, dest: Path, signer: Signer | None) -> BackupResult:
    """Copy the database named by ``rt`` to ``dest`` (never over an existing file)."""
    if dest.exists():
        raise BackupError(f"{dest} exists; refusing to overwrite it (choose a new name)")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a directory")
    taken: list[Checkpoint] = []
    problem: list[str] = []

    def take(conn: Connection) -> None:
        try:
            taken.append(checkpointing.take(conn, rt.rules, rt.now(), signer))
        except CheckpointError as exc:
            problem.append(str(exc))

    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if rt.engine.dialect.name == "sqlite":
            method = "SQLite online backup"
            _sqlite_copy(rt.engine, partial)
            with _read_only(partial) as engine, checkpointing.snapshot(engine) as conn:
                take(conn)
        else:
            method = "pg_dump -Fc"
            pgbackup.dump(rt.engine, partial, take, named=dest)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    if not taken:
        return BackupResult(dest, method, None, None, problem[0] if problem else None)
    where = checkpoint_path(dest)
    checkpoint.write(taken[0], where)
    return BackupResult(dest, method, where, taken[0])


def _sqlite_copy(engine: Engine, dest: Path) -> None:
    """One backup step over the whole file (a consistent snapshot), then checked."""
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
            # a backup is one self-contained file, not a database plus its WAL
            target.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
    finally:
        raw.close()
    if verdict != "ok":
        raise BackupError(f"the copy failed SQLite's integrity_check: {verdict}")


@contextmanager
def _read_only(path: Path) -> Iterator[Engine]:
    """An engine on a SQLite file opened read-only (no WAL set-up, nothing written)."""
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def _kind(src: Path) -> str:
    try:
        with src.open("rb") as f:
            start = f.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {src}: {exc.strerror}") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(pgbackup.MAGIC):
        return "postgresql"
    raise BackupError(f"{src} is neither a SQLite backup nor a pg_dump -Fc archive")


def restore(url: str, src: Path) -> RestoreResult:
    """Restore ``src`` into the empty database at ``url``, then check what was restored."""
    kind, dialect = _kind(src), make_url(url).get_backend_name()
    if kind != dialect:
        made = "a SQLite backup" if kind == "sqlite" else "a PostgreSQL dump"
        raise BackupError(
            f"{src} is {made}; DATABASE_URL names a {dialect} database: restore it into "
            f"a {'SQLite file' if kind == 'sqlite' else 'PostgreSQL database'}"
        )
    if kind == "sqlite":
        method = "SQLite online backup"
        _sqlite_restore(url, src)
    else:
        method = "pg_restore"
        engine = make_engine(url, poolclass=NullPool)
        try:
            _refuse_non_empty(url, pgbackup.tables(engine))
            pgbackup.restore(engine, src)
        finally:
            engine.dispose()
    return _check(url, method, src)


def _refuse_non_empty(url: str, tables: list[str]) -> None:
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        safe = make_url(url).render_as_string(hide_password=True)
        raise BackupError(
            f"{safe} is not empty (it has {len(tables)} tables: {shown}); restore only "
            "into an empty database: create a new one, or remove this one first"
        )


def _sqlite_restore(url: str, src: Path) -> None:
    path = Path(make_url(url).database or "")
    if not path.name:
        raise BackupError(f"DATABASE_URL {url} names no SQLite file")
    if path.exists() and path.stat().st_size:
        with _read_only(path) as engine, engine.connect() as conn:
            names = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).scalars()
            _refuse_non_empty(url, list(names))
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory: create it first")
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        if leftover.exists():
            raise BackupError(f"{leftover} is left over from another database: remove it first")
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        (verdict,) = source.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"{src} fails SQLite's integrity_check: {verdict}")
        ours = {"alembic_version", "cases", "audit_events", "account_events"}
        found = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        if not ours <= found:
            raise BackupError(
                f"{src} is a SQLite database but not an Inkubators backup "
                f"(it lacks the tables {', '.join(sorted(ours - found))})"
            )
        target = sqlite3.connect(path)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as the service runs it
        finally:
            target.close()
    finally:
        source.close()


def _check(url: str, method: str, src: Path) -> RestoreResult:
    beside = checkpoint_path(src)
    pinned = checkpoint.read(beside) if beside.exists() else None
    engine = make_engine(url, poolclass=NullPool)
    try:
        with checkpointing.snapshot(engine) as conn:
            chains = auditlog.verify_on(conn)
            accounts = accountlog.verify_on(conn)
            compared = checkpointing.compare(conn, pinned) if pinned else None
    except DBAPIError as exc:
        raise BackupError(
            f"{src} was restored, but what it holds is not an Inkubators database: "
            f"{str(exc.orig).strip()}"
        ) from None
    finally:
        engine.dispose()
    return RestoreResult(method, chains, accounts, beside if pinned else None, pinned, compared)
