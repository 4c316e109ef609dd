"""The web UI while a rules file in force is broken: every page a coordinator opens still
answers 200 under the last good rules, and the admin's rules page names the problem."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inkubators.demo.loader import load_demo
from inkubators.demo.programme import DEMO_PASSWORD
from tests.conftest import ROOT, Clock
from web import create_app
from workflow.db import make_engine
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime
from workflow.settings import Settings

CORPUS = ROOT / "tests" / "data" / "invalid_rules"
BROKEN = {
    "policy-windows-1257-policy.yaml": "is not valid UTF-8",
    "policy-deep-flow-lists-5000.yaml": "nested deeper than 50 levels",
    "policy-billion-laughs.yaml": "once aliases are expanded",
    "policy-huge-comments.yaml": "over the limit of 1,000,000 bytes",
    "policy-utf-16-bom-policy.yaml": "the file is UTF-16",
    "states-loop-without-exit.yaml": "no final state can be reached from",
    "states-duplicate-initial.yaml": "duplicate key",
}
PAGES = ["/", "/cases/", "/cases/1", "/cycles/new", "/enrol", "/audit/"]


@dataclass
class Served:
    """The app and the folders its rules are watched from."""

    app: Flask
    states_dir: Path
    policy_dir: Path


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo programme served with rules watched from private copies of the files."""
    tmp = tmp_path_factory.mktemp("ui_bad_files")
    shutil.copy(sqlite_template, tmp / "db.sqlite3")
    shutil.copytree(ROOT / "states", tmp / "states")
    shutil.copytree(ROOT / "policies", tmp / "policies")
    url = f"sqlite:///{tmp / 'db.sqlite3'}"
    clock = Clock(datetime(2024, 2, 20, 10, tzinfo=UTC))
    engine = make_engine(url)
    rt = Runtime(engine, WatchedRules(tmp / "states", tmp / "policies", engine, clock), clock)
    load_demo(rt)
    settings = Settings(
        database_url=url,
        mode="test",
        secret_key="t" * 40,
        instance_dir=tmp,
        states_dir=tmp / "states",
        policy_dir=tmp / "policies",
    )
    app = create_app(settings, rt)
    app.config["WTF_CSRF_ENABLED"] = False
    yield Served(app, tmp / "states", tmp / "policies")
    engine.dispose()


def _page(client: FlaskClient, path: str) -> str:
    """The page (200 required) without its per-request CSRF tokens."""
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return re.sub(r"<input[^>]*csrf_token[^>]*>", "", r.get_data(as_text=True))


def _logged_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    r = client.post("/login", data={"name": name, "password": DEMO_PASSWORD})
    assert r.status_code == 302
    return client


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_page_answers_under_the_last_good_rules(served: Served, name: str) -> None:
    app = served.app
    rt: Runtime = app.extensions["inkubators"]
    if name.startswith("states-"):
        folder, real = served.states_dir, "states"
    else:
        folder, real = served.policy_dir, "policies"
    coordinator, admin = _logged_in(app, "ilze"), _logged_in(app, "admins")
    before = rt.rules
    pages = {p: _page(coordinator, p) for p in PAGES}
    for f in folder.glob("*.yaml"):
        f.unlink()
    shutil.copy(CORPUS / name, folder / name)
    try:
        for path in PAGES:  # the same rules in force, so the same pages
            assert _page(coordinator, path) == pages[path], path
        assert rt.rules is before
        page = html.unescape(admin.get("/admin/rules").get_data(as_text=True))
        assert f"{folder.name}/{name}" in page
        assert BROKEN[name] in page
    finally:
        (folder / name).unlink()
        for f in (ROOT / real).glob("*.yaml"):
            shutil.copy(f, folder / f.name)
    assert rt.rules is before
