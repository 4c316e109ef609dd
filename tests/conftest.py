"""Shared fixtures: a fresh database per test on SQLite and PostgreSQL, a settable clock,
and factories for the programme's records.

Databases: the schema is migrated once per run into a template (a SQLite file, a
PostgreSQL template database); each test gets its own copy and it is dropped after.
PostgreSQL tests read TEST_POSTGRES_URL, skip when the server is unreachable, and fail
instead of skipping when CI=true.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workflow import enrolment, registry
from workflow.actors import Actor
from workflow.db import make_engine, upgrade
from workflow.rules import Rules, load_rules
from workflow.runtime import FixedRules, Runtime
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn

ROOT = Path(__file__).resolve().parent.parent

# The web app keeps hashed, compressed copies of its static files in a content-addressed
# folder (by default in its instance folder, which is a fresh one per test here): one
# folder for every app and every server the tests start, so brotli runs once, not per app.
os.environ.setdefault(
    "INKUBATORS_STATIC_CACHE_DIR",
    str(Path(tempfile.gettempdir()) / f"inkubators-test-static-{os.getuid()}"),
)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"

COORDINATOR = Actor("ilze", "coordinator", None)
AUDITOR = Actor("revidents", "auditor", None)
ADMIN = Actor("admins", "admin", None)


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now (for a server under test)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Clock:
    """A clock tests set by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: str | date, hour: int = 10) -> None:
        """Move to ``day`` at ``hour`` UTC."""
        d = date.fromisoformat(day) if isinstance(day, str) else day
        self.now = datetime.combine(d, time(hour), tzinfo=UTC)


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The repository's states and policy, compiled once."""
    return load_rules(ROOT / "states", ROOT / "policies")


# --- SQLite -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database for one test."""
    path = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


# --- PostgreSQL ---------------------------------------------------------------------


def _admin_engine(url: str) -> Any:
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The server URL; skip (or fail in CI) when it cannot be reached."""
    url = os.environ.get("TEST_POSTGRES_URL", PG_DEFAULT)
    try:
        eng = _admin_engine(url)
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL at {url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {url}: {exc}")
    return url


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> Iterator[str]:
    """A migrated template database, created for this run and dropped after it."""
    name = f"ink_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(pg_server)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_server: str, pg_template: str) -> Iterator[str]:
    """A fresh database for one test, copied from the template, dropped after."""
    name = f"ink_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(pg_server)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --- Runtime on either database --------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def clock() -> Clock:
    """Starts on 2023-03-01 10:00 UTC, the pilot's first day."""
    return Clock(datetime(2023, 3, 1, 10, tzinfo=UTC))


def make_runtime(url: str, rules: Rules, clock: Clock) -> Runtime:
    """A runtime on ``url`` with fixed rules and the test clock."""
    return Runtime(engine=make_engine(url), rules_source=FixedRules(rules), clock=clock)


@pytest.fixture
def rt(db_url: str, rules: Rules, clock: Clock) -> Iterator[Runtime]:
    """A runtime on a fresh database (SQLite and PostgreSQL)."""
    runtime = make_runtime(db_url, rules, clock)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def sqlite_rt(sqlite_url: str, rules: Rules, clock: Clock) -> Iterator[Runtime]:
    """A runtime on a fresh SQLite database only."""
    runtime = make_runtime(sqlite_url, rules, clock)
    yield runtime
    runtime.engine.dispose()


# --- Factories ------------------------------------------------------------------------


@pytest.fixture
def make_org(rt: Runtime) -> Callable[..., int]:
    """Register an organisation; returns its id."""
    counter = iter(range(10**6))

    def make(**overrides: Any) -> int:
        n = next(counter)
        data: dict[str, Any] = {
            "name": f"Biedrība {n}",
            "reg_no": f"{40000000000 + n + 1000 * os.getpid() % 10**6:011d}"[-11:],
            "legal_form": "association",
            "fields": ["social"],
        }
        data.update(overrides)
        return registry.create_organisation(rt, COORDINATOR, OrganisationIn(**data)).id

    return make


@pytest.fixture
def make_cycle(rt: Runtime) -> Callable[..., int]:
    """Open a cycle; returns its id."""
    counter = iter(range(10**6))

    def make(**overrides: Any) -> int:
        data: dict[str, Any] = {
            "name": f"Cikls {next(counter)}",
            "starts_on": date(2023, 3, 1),
            "ends_on": date(2023, 12, 31),
        }
        data.update(overrides)
        return registry.create_cycle(rt, COORDINATOR, CycleIn(**data)).id

    return make


@pytest.fixture
def make_source(rt: Runtime) -> Callable[..., int]:
    """Register a funding source (call open through 2023 by default); returns its id."""

    def make(**overrides: Any) -> int:
        data: dict[str, Any] = {
            "funder": "Sabiedrības integrācijas fonds",
            "programme": "NVO fonds",
            "call_opens": date(2023, 3, 1),
            "call_closes": date(2023, 12, 31),
            "max_grant_eur": Decimal("40000"),
            "domains": ["social"],
        }
        data.update(overrides)
        return registry.create_funding_source(rt, COORDINATOR, FundingSourceIn(**data)).id

    return make


@pytest.fixture
def make_case(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> Callable[..., int]:
    """Enrol a new organisation into a (new) cycle; returns the case id."""

    def make(cycle_id: int | None = None, **org: Any) -> int:
        cid = cycle_id if cycle_id is not None else make_cycle()
        return enrolment.enrol(rt, COORDINATOR, make_org(**org), cid)

    return make
