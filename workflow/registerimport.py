"""Importing a register extract: all of it in one transaction, or nothing.

The rows stream from :class:`workflow.registerfile.Extract` in chunks; each chunk's
register numbers already stored are read in one query, and the new and changed rows are
written with one ``INSERT … ON CONFLICT (regcode) DO UPDATE`` executed for the whole
chunk (SQLite and PostgreSQL alike). Unchanged rows are not written. A problem anywhere
in the file rolls everything back, and the refusal lists each problem with its line and
column. A successful import leaves a ``register_imports`` row (who, when, the file's
SHA-256, the policy's hash, the counts) in the same transaction: the auditor's record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, cast

from sqlalchemy import Connection, Table, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from workflow.actors import Actor
from workflow.orm import RegisterEntry, RegisterImport
from workflow.permissions import require_action
from workflow.registerfile import Extract
from workflow.registerrow import Entry
from workflow.runtime import Runtime

entries = cast(Table, RegisterEntry.__table__)
imports = cast(Table, RegisterImport.__table__)
#: Rows per round trip: one SELECT of the stored ones, one upsert of the new and changed.
CHUNK = 2000
FIELDS = Entry._fields
#: Who imports from the command line: whoever runs ``inkubators`` on the server.
OPERATOR = Actor(name="command line", role="operator")
#: Serialises imports across PostgreSQL connections (SQLite's BEGIN IMMEDIATE already does).
IMPORT_LOCK = 0x72656769
#: SQLite's page cache during an import, in KiB (set back to the default afterwards)
SQLITE_CACHE_KB = 256 * 1024
SQLITE_DEFAULT_CACHE_KB = 2000


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did."""

    import_id: int
    rows: int
    new: int
    changed: int
    unchanged: int
    sha256: str


def import_register(
    rt: Runtime,
    actor: Actor | None,
    stream: IO[bytes],
    file_name: str,
    progress: Callable[[int], None] | None = None,
    at: datetime | None = None,
) -> ImportResult:
    """Import the extract in ``stream`` (bytes) by the policy's ``registry:`` section.

    ``actor`` None is the operator at the command line; anyone else needs the policy's
    ``import_register`` action. ``progress`` is told how many bytes each line took.
    Raises :class:`~workflow.errors.RegisterFileInvalid` (nothing written) for a bad file.
    """
    rules = rt.rules
    if actor is not None:
        require_action(rules, actor, "import_register")
    who = actor or OPERATOR
    extract = Extract(stream, rules.policy.spec.registry, progress)
    with rt.engine.connect() as conn:
        sqlite_cache(conn, SQLITE_CACHE_KB)
        try:
            return _import(rt, conn, who, extract, file_name, at)
        finally:
            sqlite_cache(conn, SQLITE_DEFAULT_CACHE_KB)


def sqlite_cache(conn: Connection, kib: int) -> None:
    """Set SQLite's page cache of this connection (on the driver: no transaction begins).

    The whole file is one transaction: with SQLite's default 2 MB cache a big one spills
    pages to the WAL over and over; other databases are left alone."""
    if conn.dialect.name == "sqlite":
        conn.connection.dbapi_connection.execute(f"PRAGMA cache_size=-{int(kib)}")  # type: ignore[union-attr]


def _import(
    rt: Runtime,
    conn: Connection,
    who: Actor,
    extract: Extract,
    file_name: str,
    at: datetime | None,
) -> ImportResult:
    """The import's one transaction on ``conn``."""
    rules = rt.rules
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK})
        import_id: int = conn.execute(
            insert(imports)
            .values(
                at=at or rt.now(),
                actor=who.name,
                role=who.role,
                file_name=_shown_name(file_name),
                sha256="",
                rows=0,
                new=0,
                changed=0,
                unchanged=0,
                policy_hash=rules.policy_hash,
            )
            .returning(imports.c.id)
        ).scalar_one()
        upsert = _upsert(conn)
        batch: list[Entry] = []
        for entry in extract:
            if extract.problems:
                continue  # read on, to name every problem; nothing more is written
            batch.append(entry)
            if len(batch) >= CHUNK:
                _write(conn, upsert, batch, import_id, counts)
                batch.clear()
        if extract.problems:
            raise extract.problems.refusal()  # leaving the block rolls everything back
        _write(conn, upsert, batch, import_id, counts)
        rows = sum(counts.values())
        conn.execute(
            update(imports)
            .where(imports.c.id == import_id)
            .values(sha256=extract.sha256, rows=rows, **counts)
        )
    return ImportResult(import_id, rows, sha256=extract.sha256, **counts)


def _shown_name(file_name: str) -> str:
    """The file's name as recorded: printable characters only (an uploaded name is the
    sender's to choose; no database stores NUL), at most 255 of them."""
    kept = "".join(ch for ch in file_name if ch.isprintable()).strip()
    return kept[:255] or "(no name)"


def _upsert(conn: Connection) -> Insert:
    """``INSERT … ON CONFLICT (regcode) DO UPDATE`` in the connection's dialect."""
    written = (*FIELDS[1:], "import_id")
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(entries)
        return pg.on_conflict_do_update(
            index_elements=[entries.c.regcode], set_={c: pg.excluded[c] for c in written}
        )
    lite = sqlite.insert(entries)
    return lite.on_conflict_do_update(
        index_elements=[entries.c.regcode], set_={c: lite.excluded[c] for c in written}
    )


def _write(
    conn: Connection, upsert: Insert, batch: list[Entry], import_id: int, counts: dict[str, int]
) -> None:
    """Count the chunk's rows as new, changed or unchanged, and write the first two."""
    if not batch:
        return
    stored = {
        r[0]: tuple(r[1:])
        for r in conn.execute(
            select(*(entries.c[f] for f in FIELDS)).where(
                entries.c.regcode.in_([e.regcode for e in batch])
            )
        )
    }
    rows: list[dict[str, Any]] = []
    for e in batch:
        old = stored.get(e.regcode)
        if old is None:
            counts["new"] += 1
        elif old == tuple(e[1:]):
            counts["unchanged"] += 1
            continue
        else:
            counts["changed"] += 1
        rows.append({**e._asdict(), "import_id": import_id})
    if rows:
        # one executemany: sqlite3 loops in C, psycopg pipelines the statements (measured
        # faster than SQLAlchemy's 1,000-row VALUES pages that RETURNING would bring)
        conn.execute(upsert, rows)
