"""Fixtures for the UI: the demo programme loaded once per run into a SQLite file that
each test copies, an app on that copy with a settable clock, and logged-in clients."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inkubators.demo.loader import load_demo
from inkubators.demo.programme import DEMO_PASSWORD
from tests.conftest import ADMIN, Clock
from web import create_app
from workflow import views
from workflow.db import make_engine
from workflow.rules import Rules
from workflow.runtime import FixedRules, Runtime
from workflow.settings import Settings

SECRET = "t" * 40
ROLES = {
    "coordinator": "ilze",
    "mentor": "janis",
    "other_mentor": "anna",
    "auditor": "revidents",
    "admin": "admins",
}


@pytest.fixture(scope="session")
def demo_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, rules: Rules
) -> Path:
    """A migrated SQLite file with the 2023 pilot loaded, made once per run."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    rt = Runtime(
        make_engine(f"sqlite:///{path}"),
        FixedRules(rules),
        clock=lambda: datetime(2023, 10, 20, tzinfo=UTC),
    )
    load_demo(rt)
    rt.engine.dispose()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    """This test's own copy of the demo database."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def web_clock(clock: Clock) -> Clock:
    """20 February 2024: Erasmus+'s call is open, ESF+'s has not opened yet."""
    clock.set("2024-02-20")
    return clock


def make_app(url: str, rules: Rules, clock: Clock, tmp_path: Path, **overrides: object) -> Flask:
    """An app in test mode on ``url`` with its own runtime (CSRF off unless asked)."""
    settings = Settings(
        database_url=url,
        mode="test",
        secret_key=SECRET,
        instance_dir=tmp_path,
        **overrides,  # type: ignore[arg-type]
    )
    runtime = Runtime(make_engine(url), FixedRules(rules), clock=clock)
    app = create_app(settings, runtime)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def app(demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    """The app on the demo database."""
    app = make_app(demo_url, rules, web_clock, tmp_path)
    yield app
    app.extensions["inkubators"].engine.dispose()


@pytest.fixture
def app_rt(app: Flask) -> Runtime:
    """The app's runtime."""
    return app.extensions["inkubators"]  # type: ignore[no-any-return]


def login(client: FlaskClient, name: str, password: str = DEMO_PASSWORD) -> None:
    """Log ``name`` in on ``client`` and check it worked."""
    r = client.post("/login", data={"name": name, "password": password})
    assert r.status_code == 302, r.get_data(as_text=True)


@pytest.fixture(scope="session")
def session_cookies() -> dict[str, str]:
    """Session cookies by role, reused across tests: every test's database copy has the
    same users at the same session epoch, and argon2 makes each real login slow."""
    return {}


@pytest.fixture
def client_as(app: Flask, session_cookies: dict[str, str]) -> Callable[[str | None], FlaskClient]:
    """A test client logged in as the demo user of a role (None: anonymous)."""

    def make(role: str | None) -> FlaskClient:
        client = app.test_client()
        if role is None:
            return client
        if role in session_cookies:
            client.set_cookie("session", session_cookies[role])
        else:
            login(client, ROLES[role])
            cookie = client.get_cookie("session")
            assert cookie is not None
            session_cookies[role] = cookie.value
        return client

    return make


@pytest.fixture
def ids(app_rt: Runtime) -> dict[str, int]:
    """Ids of the records the tests use: Keep The Change's case and its applications."""
    cases, _ = views.list_cases(app_rt, ADMIN, search="Keep The Change")
    kc = views.case_detail(app_rt, None, cases[0].id)
    erasmus = next(
        a for a in kc.applications if "Erasmus" in a.programme or a.title.startswith("Ilgtsp")
    )
    esf = next(a for a in kc.applications if a.id != erasmus.id)
    return {"kc": kc.id, "kc_version": kc.version, "erasmus_app": erasmus.id, "esf_app": esf.id}
