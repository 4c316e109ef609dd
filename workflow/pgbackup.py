"""PostgreSQL's side of backup and restore: ``pg_dump -Fc`` and ``pg_restore``.

Why the client tools and not SQL of our own: they are the server's own consistent,
versioned dump format, restorable by any PostgreSQL operator without this software.
The dump reads the very snapshot the checkpoint is taken from (``pg_dump --snapshot``
with the id ``pg_export_snapshot()`` returned in our REPEATABLE READ transaction), so
the checkpoint beside a dump matches it exactly while the service keeps writing.
The password goes to the tools in ``PGPASSWORD``, never on a command line others can see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from workflow.errors import WorkflowError

#: a pg_dump custom-format archive starts with these bytes
MAGIC = b"PGDMP"


class BackupError(WorkflowError):
    """A backup or restore cannot be made: the message says why and what to do instead."""


def conninfo(url: str | URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment carrying it."""
    parsed = make_url(url) if isinstance(url, str) else url
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    bare = parsed.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _tool(name: str, instead: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH (Debian: apt-get install postgresql-client-15). "
            f"Run instead: {instead}"
        )
    return found


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed (exit {done.returncode}): {' '.join(detail[-3:])}")


def dump(engine: Engine, dest: Path, while_open: Callable[[Connection], None], named: Path) -> None:
    """``pg_dump -Fc`` of one snapshot into ``dest``; ``while_open`` runs in that snapshot.

    ``named`` is the file the user asked for (``dest`` is its partial twin until done).
    """
    uri, env = conninfo(engine.url)
    pg_dump = _tool(
        "pg_dump",
        f"pg_dump -Fc -f {named} '{uri}', then: inkubators audit checkpoint -o "
        f"{named}.checkpoint.json (taken after the dump, it may cover a few newer events)",
    )
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}", uri],
                env,
                "pg_dump",
            )
            while_open(conn)


def tables(engine: Engine) -> list[str]:
    """The tables outside PostgreSQL's own schemas (none in an empty database)."""
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                        " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                        " ORDER BY 1"
                    )
                ).scalars()
            )
    except OperationalError as exc:
        database = engine.url.database
        raise BackupError(
            f"cannot connect to database {database!r} ({str(exc.orig).strip()}); "
            f"restore needs an existing empty database: createdb {database}"
        ) from None


def restore(engine: Engine, src: Path) -> None:
    """``pg_restore`` the archive into the (empty) database, all or nothing."""
    uri, env = conninfo(engine.url)
    pg_restore = _tool(
        "pg_restore", f"pg_restore --no-owner --no-acl --single-transaction -d '{uri}' {src}"
    )
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={uri}",
            str(src),
        ],
        env,
        "pg_restore",
    )
