"""``inkubators serve``, the README's main job: the demo under gunicorn with several workers,
answering pages and stopping cleanly when asked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def test_serve_runs_the_demo_with_workers_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "INKUBATORS_INSTANCE_DIR": str(tmp_path / "instance"),
        "INKUBATORS_MODE": "demo",
    }
    demo = subprocess.run(
        [str(BIN / "inkubators"), "demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert demo.returncode == 0, demo.stderr
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "inkubators"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    page = r.read().decode()
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, "serve exited before answering"
                time.sleep(0.2)
        assert '<html lang="lv">' in page
        assert 'name="csrf_token"' in page
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert out.count("Booting worker with pid") == 2
