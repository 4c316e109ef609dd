"""Several hosts starting at once on one new PostgreSQL database each bring the schema up
(``inkubators serve`` does before its workers start): they take turns, so every one
succeeds and the schema ends at the newest revision, created once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, text

from workflow.db import alembic_config

pytestmark = pytest.mark.postgres
HOSTS = 4


@pytest.fixture
def empty_pg(pg_server: str) -> Iterator[str]:
    name = f"ink_e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_hosts_upgrading_an_empty_database_at_once_all_succeed(empty_pg: str) -> None:
    cli = str(Path(sys.executable).parent / "inkubators")
    env = {**os.environ, "DATABASE_URL": empty_pg}
    hosts = [
        subprocess.Popen([cli, "init"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(HOSTS)
    ]
    for host in hosts:
        out, err = host.communicate(timeout=120)
        assert host.returncode == 0, err.decode()
        assert b"database ready" in out
    engine = create_engine(empty_pg)
    with engine.connect() as c:
        versions = c.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert "cases" in inspect(c).get_table_names()
    engine.dispose()
    assert versions == [ScriptDirectory.from_config(alembic_config(empty_pg)).get_current_head()]
