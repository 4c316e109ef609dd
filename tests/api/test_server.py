"""Contract tests through a real server process: gunicorn serving ``web:create_app()`` on
PostgreSQL, configured only by the environment, as it runs in production."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, free_port
from workflow.accounts import add_user
from workflow.db import make_engine
from workflow.rules import Rules
from workflow.runtime import FixedRules, Runtime
from workflow.schemas import UserIn
from workflow.tokens import create_token

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@dataclass
class Reply:
    """What came back: status, headers, body (JSON when it is JSON)."""

    status: int
    headers: Any
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Server:
    """A running gunicorn and the tokens of its users."""

    base: str
    tokens: dict[str, str]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        role: str | None = "coordinator",
        raw: bytes | None = None,
    ) -> Reply:
        """One HTTP request; 4xx/5xx are answers, not exceptions."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if role is not None:
            req.add_header("Authorization", f"Bearer {self.tokens[role]}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return Reply(resp.status, resp.headers, resp.read().decode())
        except urllib.error.HTTPError as err:
            reply = Reply(err.code, err.headers, err.read().decode())
            err.close()
            assert reply.headers["Content-Type"] == "application/problem+json"
            assert reply.json["status"] == reply.status
            return reply

    def ok(
        self, method: str, path: str, body: Any = None, status: int = 200, role: str = "coordinator"
    ) -> Any:
        reply = self.call(method, path, body, role)
        assert reply.status == status, reply.text
        return reply.json


def _wait_ready(proc: subprocess.Popen[bytes], url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{out}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer {url} within {seconds}s")


@pytest.fixture
def server(pg_url: str, rules: Rules, tmp_path: Path) -> Iterator[Server]:
    """gunicorn with two workers on a fresh PostgreSQL database; stopped after the test."""
    rt = Runtime(make_engine(pg_url), FixedRules(rules))
    tokens = {}
    for name, role in (("ilze", "coordinator"), ("revidents", "auditor")):
        add_user(rt, UserIn(name=name, role=role))  # type: ignore[arg-type]
        tokens[role] = create_token(rt, name)
    rt.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "INKUBATORS_MODE": "test",
        "INKUBATORS_SECRET_KEY": "gunicorn-test-secret-0123456789abcdef",
        "INKUBATORS_INSTANCE_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "web:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        _wait_ready(proc, base + "/openapi.json")
        yield Server(base, tokens)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_contract_through_gunicorn_on_postgresql(server: Server) -> None:
    assert server.ok("GET", "/openapi.json")["openapi"] == "3.1.0"
    anonymous = server.call("GET", "/cases", role=None)
    assert anonymous.status == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert server.call("POST", "/cycles", raw=b"{not json").status == 400
    invalid = server.call(
        "POST",
        "/cycles",
        {"name": "C", "starts_on": "2024-01-01", "ends_on": "2024-06-30", "capacity": 0},
    )
    assert invalid.status == 422
    assert [e["field"] for e in invalid.json["errors"]] == ["capacity"]
    assert (
        server.call(
            "POST",
            "/cycles",
            {"name": "C", "starts_on": "2024-01-01", "ends_on": "2024-06-30"},
            role="auditor",
        ).status
        == 403
    )

    cycle = server.ok(
        "POST",
        "/cycles",
        {"name": "C", "starts_on": "2024-01-01", "ends_on": "2024-06-30", "capacity": 2},
        201,
    )
    assert cycle["budget_eur"] == "10000.00"
    orgs = [
        server.ok(
            "POST",
            "/organisations",
            {"name": f"B{n}", "reg_no": f"4000900000{n}", "legal_form": "association"},
            201,
        )["id"]
        for n in range(6)
    ]
    # Six enrolments at once through two workers: exactly the capacity gets in.
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(
            pool.map(
                lambda o: server.call(
                    "POST", "/cases", {"organisation_id": o, "cycle_id": cycle["id"]}
                ),
                orgs,
            )
        )
    assert sorted(r.status for r in replies) == [201, 201, 409, 409, 409, 409]
    assert {r.json["code"] for r in replies if r.status == 409} == {"cycle_full"}
    case = next(r.json for r in replies if r.status == 201)
    assert case["state"] == "enrolled"
    assert server.call("GET", "/cases/987654").status == 404

    blocked = server.call("POST", f"/cases/{case['id']}/transitions", {"trigger": "analyse"})
    assert blocked.status == 422
    assert [b["guard"] for b in blocked.json["blocked_by"]] == ["needs_analysis_recorded"]
    assert (
        server.call("POST", f"/cases/{case['id']}/transitions", {"trigger": "submit"}).status == 409
    )
    recorded = server.ok(
        "POST", f"/cases/{case['id']}/analysis", {"findings": "F", "need_areas": ["strategy"]}, 201
    )
    stale = server.call(
        "POST", f"/cases/{case['id']}/transitions", {"trigger": "analyse", "expected_version": 1}
    )
    assert stale.status == 409
    assert (
        server.call(
            "POST", f"/cases/{case['id']}/transitions", {"trigger": "analyse"}, role="auditor"
        ).status
        == 403
    )
    fired = server.ok(
        "POST",
        f"/cases/{case['id']}/transitions",
        {"trigger": "analyse", "expected_version": recorded["version"]},
    )
    assert fired["state"] == "analysed"
    assert fired["event"]["prev_hash"] == recorded["event"]["hash"]

    assert [e["trigger"] for e in server.ok("GET", f"/cases/{case['id']}/audit")["items"]] == [
        "enrol",
        "record_analysis",
        "analyse",
    ]
    assert server.ok("GET", "/audit/verify", role="auditor") == {
        "ok": True,
        "checked": 4,
        "first_bad": None,
    }
    export = server.call("GET", "/audit/export?format=jsonl", role="auditor")
    assert export.headers["Content-Type"] == "application/x-ndjson"
    assert len(export.text.splitlines()) == 4
    report = server.ok("GET", f"/reports/cycles/{cycle['id']}", role="auditor")
    assert report["organisations"] == 2
    assert report["cases_by_state"]["analysed"] == 1


def _raw(base: str, request: bytes) -> tuple[int, str, Any]:
    """Send bytes as they are (no client library would send these); the status line, the
    Content-Type and the parsed body of the answer."""
    host, port = base.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers["Content-Type"], json.loads(body)


# What gunicorn refuses before the app sees a request: (raw request, status, problem slug).
REFUSALS = [
    (
        b"GET /api/v1/cases?search=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        414,
        "uri-too-long",
    ),
    (b"GET /api/v1/cases extra HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad-request"),
    ("GET /api/v1/cases/ā HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 400, "bad-request"),
    (b"GET /api/v1/ca\x01ses HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad-request"),
    ("GĀT /api/v1/cases HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 400, "bad-request"),
    (
        b"GET /api/v1/cases HTTP/1.1\r\nHost: x\r\nX: " + b"h" * 9000 + b"\r\n\r\n",
        431,
        "request-header-fields-too-large",
    ),
]


def test_the_servers_own_refusals_are_problem_documents(server: Server) -> None:
    for request_bytes, status, slug in REFUSALS:
        got, media, problem = _raw(server.base, request_bytes)
        assert (got, media) == (status, "application/problem+json"), request_bytes[:60]
        assert problem["status"] == status
        assert problem["type"] == f"urn:inkubators:problem:{slug}"
        assert set(problem) == {"type", "title", "status", "detail"}
    # the same server still answers
    assert server.ok("GET", "/cases")["items"] == []
