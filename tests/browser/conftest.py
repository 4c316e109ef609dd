"""Browser tests: the app served on a free 127.0.0.1 port with the demo programme, and
Debian's Chromium driven by Playwright (its own browser download does not work here).

Without Chromium the tests skip, except with ``CI=true``, where they fail.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from inkubators.demo.loader import load_demo
from inkubators.demo.programme import DEMO_PASSWORD
from tests.conftest import ADMIN, IN_CI, ROOT
from web import create_app
from workflow import accounts, views
from workflow.db import make_engine
from workflow.rules import Rules
from workflow.runtime import FixedRules, Runtime
from workflow.schemas import UserIn
from workflow.settings import Settings

ARTIFACTS = ROOT / "test-artifacts"
#: Keep The Change's representative in the served demo
REPRESENTATIVE = "kc.valde"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, or skip (fail in CI)."""
    path = shutil.which("chromium")
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return path


@pytest.fixture(scope="module")
def server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, rules: Rules
) -> Iterator[str]:
    """The app with the demo loaded, served from a thread; yields its base URL."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "demo.sqlite3"
    shutil.copy(sqlite_template, db)
    url = f"sqlite:///{db}"
    runtime = Runtime(make_engine(url), FixedRules(rules))
    load_demo(runtime)
    # Keep The Change's representative, so their pages are driven too
    kc = views.list_cases(runtime, ADMIN, search="Keep The Change")[0][0]
    representative = UserIn(name=REPRESENTATIVE, role="representative", organisation=kc.reg_no)
    accounts.add_user(runtime, representative, DEMO_PASSWORD)
    settings = Settings(database_url=url, mode="test", secret_key="b" * 40, instance_dir=folder)
    app = create_app(settings, runtime)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """One headless Chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
