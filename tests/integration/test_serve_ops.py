"""``inkubators serve`` as operations see it: metrics added up across worker processes,
JSON log lines (gunicorn's too) with request ids, and a start refused in one line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
HEALTHZ_COUNT = re.compile(
    r'^inkubators_http_request_duration_seconds_count\{method="GET",route="/healthz",'
    r'status="200"\} (\d+)\.0$',
    re.M,
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INKUBATORS_") or k == "INKUBATORS_STATIC_CACHE_DIR"
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'ops.sqlite3'}",
        INKUBATORS_INSTANCE_DIR=str(tmp_path / "instance"),
        **extra,
    )
    return env


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_two_workers_one_metrics_view_and_json_logs(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over from the previous run")
    env = _env(tmp_path, INKUBATORS_MODE="demo", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [str(BIN / "inkubators"), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "serve did not answer in time"
            time.sleep(0.2)

        def access(route: str) -> list[dict[str, Any]]:
            return [
                line
                for line in _lines(log)
                if line["logger"] == "inkubators.access" and line["route"] == route
            ]

        # until both workers have answered some (the kernel picks who accepts)
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                statuses = list(pool.map(lambda _: _get(f"{base}/healthz")[0], range(40)))
                assert set(statuses) == {200}
                time.sleep(0.3)  # let the access lines reach the file
                if len({line["pid"] for line in access("/healthz")}) == 2:
                    break
        served = access("/healthz")
        assert len({line["pid"] for line in served}) == 2, "one worker answered every request"

        status, headers, body = _get(f"{base}/metrics", {"X-Request-Id": "scrape-1"})
        assert status == 200
        assert headers["X-Request-Id"] == "scrape-1"
        counted = HEALTHZ_COUNT.search(body)
        assert counted is not None, body[:2000]
        assert int(counted.group(1)) == len(served)  # both workers' requests, added up
        assert "inkubators_rules_reloads_total" in body
        assert not (metrics_dir / "counter_1.db").exists()  # emptied before the workers
        assert any(metrics_dir.glob("*.db"))

        status, _, body = _get(f"{base}/readyz")
        assert (status, json.loads(body)["status"]) == (200, "ready")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0

    lines = _lines(log)  # every line is one JSON object: gunicorn's, the app's, access lines
    booted = [x for x in lines if x["message"].startswith("Booting worker with pid")]
    assert len(booted) == 2
    assert {x["logger"] for x in booted} == {"gunicorn.error"}
    assert all({"time", "level", "logger", "message", "pid"} <= set(x) for x in lines)
    scrape = next(x for x in lines if x.get("route") == "/metrics")
    assert scrape["request_id"] == "scrape-1"
    assert scrape["status"] == 200
    assert scrape["duration_ms"] > 0


def test_serve_without_a_secret_in_production_stops_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(BIN / "inkubators"), "serve", "--port", str(free_port()), "--workers", "2"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: INKUBATORS_SECRET_KEY must be set to a random value")
    assert not (tmp_path / "ops.sqlite3").exists()  # refused before touching anything


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("INKUBATORS_MODE", "staging", "Input should be 'production', 'demo' or 'test'"),
        ("INKUBATORS_LOG_LEVEL", "LOUD", "Input should be 'DEBUG', 'INFO', 'WARNING' or"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(
    tmp_path: Path, name: str, value: str, said: str
) -> None:
    proc = subprocess.run(
        [str(BIN / "inkubators"), "serve", "--port", str(free_port())],
        env=_env(tmp_path, **{name: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"error: {name}: {said}")


def test_plain_gunicorn_with_the_shared_config_refuses_too(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            str(BIN / "gunicorn"),
            "-c",
            "python:web.gunicorn_conf",
            "-b",
            f"127.0.0.1:{free_port()}",
            "web:create_app()",
        ],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [json.loads(x) for x in proc.stderr.splitlines()]
    assert not [x for x in lines if "Booting worker" in x["message"]]
    refusal = lines[-1]
    assert refusal["level"] == "ERROR"
    assert refusal["message"].startswith("cannot start: INKUBATORS_SECRET_KEY must be set")
