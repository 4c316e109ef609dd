"""Building the database engine (one place) and bringing the schema up to date.

SQLite gets WAL, ``synchronous=FULL`` (the audit log must survive a power cut), foreign
keys, a busy timeout, and write transactions that start with ``BEGIN IMMEDIATE`` so that
concurrent writers queue instead of failing with "database is locked" mid-transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from workflow.chainbytes import json_text

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
READ_ONLY = "inkubators_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` with the pragmas and transaction mode it needs.

    JSON columns are written as canonical JSON, so an audit event's stored text is the
    text its hash covers and verifying needs no decoding (:mod:`workflow.chainbytes`).
    """
    kwargs.setdefault("json_serializer", json_text)
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            raise ValueError("an in-memory SQLite database cannot be shared; use a file")
        kwargs.setdefault("connect_args", {}).update({"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine)
        return engine
    # No ping before each checkout: on every request that was a round trip as dear as the
    # query. A connection the server dropped (a restart, an idle timeout) fails its first
    # statement instead; SQLAlchemy then sees the disconnect, discards that connection and
    # every older one in the pool, so one request fails and the next ones reconnect.
    # ``pool_recycle`` retires connections before a typical server or proxy idle timeout.
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (on SQLite a deferred BEGIN, so readers never queue)."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn


@contextmanager
def read_one(engine: Engine) -> Iterator[Connection]:
    """A connection for a read that is ONE statement (the token check, a list's page).

    On PostgreSQL it runs in autocommit: a single SELECT is its own transaction with its
    own snapshot, so the explicit BEGIN and COMMIT around it would only add two round
    trips to every request. SQLite reads stay in :func:`read`'s deferred transaction.
    Several statements that must agree with each other belong in :func:`read`.
    """
    if engine.dialect.name == "sqlite":
        with read(engine) as conn:
            yield conn
        return
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


def alembic_config(url: str) -> Any:
    """Alembic's config pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def throwaway_engine(url: str) -> Engine:
    """An engine without pooling, for one-off maintenance (migrations, tests)."""
    return make_engine(url, poolclass=NullPool)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """An ORM session on a read-only transaction, for views and lists."""
    with read(engine) as conn, Session(bind=conn) as session:
        yield session
