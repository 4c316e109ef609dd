"""Alembic environment: runs migrations on the URL set by ``workflow.db.alembic_config``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from workflow.db import throwaway_engine
from workflow.orm import Base

config = context.config
target_metadata = Base.metadata
# Any constant: several hosts starting at once (each ``inkubators serve`` upgrades the
# schema first) take turns on PostgreSQL; the later ones then find it at the newest
# revision. SQLite's file lock already serialises them.
MIGRATION_LOCK = 0x696E6B6D


def _run(connection: Connection) -> None:
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata)
        _run(connectable)
        return
    engine = throwaway_engine(str(config.get_main_option("sqlalchemy.url")))
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
