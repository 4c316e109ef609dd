"""A running multi-worker server follows the policy file: edit, break, fix, no restart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import COORDINATOR, ROOT, free_port
from workflow import advance, enrolment, recording, registry
from workflow.bootstrap import build_runtime
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.schemas import CycleIn, OrganisationIn
from workflow.settings import Settings

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
WORKERS = 2


class Server:
    """A gunicorn process with the demo programme and one case ready to ``consult``."""

    def __init__(self, tmp: Path) -> None:
        self.policy = tmp / "policies" / "programme.yaml"
        self.log = tmp / "server.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'server.sqlite3'}",
            "INKUBATORS_STATES_DIR": str(tmp / "states"),
            "INKUBATORS_POLICY_DIR": str(tmp / "policies"),
            "INKUBATORS_INSTANCE_DIR": str(tmp / "instance"),
            "INKUBATORS_MODE": "demo",
        }
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.case_id = 0

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "inkubators"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def prepare(self) -> None:
        assert self.cli("demo").returncode == 0
        self.token = self.cli("token", "create", "ilze").stdout.strip()
        settings = Settings(
            database_url=self.env["DATABASE_URL"],
            states_dir=Path(self.env["INKUBATORS_STATES_DIR"]),
            policy_dir=Path(self.env["INKUBATORS_POLICY_DIR"]),
        )
        rt = build_runtime(settings)
        cycle = registry.create_cycle(
            rt,
            COORDINATOR,
            CycleIn(name="Pārbaude", starts_on=date(2023, 1, 1), ends_on=date(2030, 1, 1)),
        )
        org = registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(
                name="Biedrība Pārbaude", reg_no="40008999999", legal_form="association"
            ),
        )
        self.case_id = enrolment.enrol(rt, COORDINATOR, org.id, cycle.id)
        recording.record(
            rt, COORDINATOR, self.case_id, AnalysisIn(findings="x", need_areas=["fundraising"])
        )
        advance.fire(rt, COORDINATOR, self.case_id, "analyse")
        recording.record(
            rt,
            COORDINATOR,
            self.case_id,
            ConsultationIn(
                mentor="anna", held_on=rt.now().date(), hours=Decimal(2), topic="Budžets"
            ),
        )
        rt.engine.dispose()

    def start(self) -> None:
        with self.log.open("w") as err:
            self._spawn(err)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/api/v1/policy")
                break
            except (urllib.error.URLError, ConnectionError):
                assert self.proc is not None
                assert self.proc.poll() is None, "the server exited"
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not answer within 60 s")
        self.wait_for_every_worker(deadline)

    def _spawn(self, err: IO[str]) -> None:
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:web.gunicorn_conf",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{self.port}",
                "web:create_app()",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )

    def wait_for_every_worker(self, deadline: float) -> None:
        """Until each worker has answered (its pid on an access line): a worker that booted
        after the first edit would load the edited file at its startup, not as a change."""
        with ThreadPoolExecutor(8) as pool:
            while time.monotonic() < deadline:
                list(pool.map(lambda _: self.get("/healthz"), range(16)))
                pids = {
                    line["pid"]
                    for line in map(json.loads, self.log.read_text("utf-8").splitlines())
                    if line["logger"] == "inkubators.access"
                }
                if len(pids) == WORKERS:
                    return
                time.sleep(0.2)
        raise AssertionError(f"not every worker answered within 60 s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def get(self, path: str) -> Any:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)

    def consult(self) -> list[tuple[bool, list[str]]]:
        """The ``consult`` verdict from several requests, so every worker answers."""
        out = []
        for _ in range(WORKERS * 3):
            case = self.get(f"/api/v1/cases/{self.case_id}")
            t = next(t for t in case["triggers"] if t["trigger"] == "consult")
            out.append((t["allowed"], [b["message"] for b in t["blocked_by"]]))
        return out

    def edit(self, old: str, new: str) -> None:
        text = self.policy.read_text("utf-8")
        assert old in text
        self.policy.write_text(text.replace(old, new), "utf-8")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    shutil.copytree(ROOT / "states", tmp_path / "states")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    srv = Server(tmp_path)
    srv.prepare()
    srv.start()
    yield srv
    srv.stop()


def test_policy_edits_reach_every_worker_without_restart(server: Server) -> None:
    n = WORKERS * 3
    assert server.consult() == [(True, [])] * n
    first_hash = server.get("/api/v1/policy")["hash"]

    server.edit("min_consultations: 1", "min_consultations: 3")
    blocked3 = "needs at least 3 consultations and 2 mentor hours; has 1 and 2"
    assert server.consult() == [(False, [blocked3])] * n
    raised = server.get("/api/v1/policy")
    assert raised["policy"]["guards"]["consult"]["min_consultations"] == 3
    assert raised["hash"] != first_hash

    server.edit("min_consultations: 3", "min_consultations: [")  # broken: same size, too
    assert server.consult() == [(False, [blocked3])] * n  # the last good rules stay
    assert server.get("/api/v1/policy")["hash"] == raised["hash"]
    status = server.cli("policy", "status")
    assert status.returncode == 1
    assert f"policy in force: {raised['hash']}" in status.stdout
    assert (
        "policies/programme.yaml: line 17, column 1: invalid YAML: expected ',' or ']'"
        in status.stdout
    )

    server.edit("min_consultations: [", "min_consultations: 2")
    blocked2 = "needs at least 2 consultations and 2 mentor hours; has 1 and 2"
    assert server.consult() == [(False, [blocked2])] * n
    status = server.cli("policy", "status")
    assert (status.returncode, status.stdout.splitlines()[-1]) == (0, "files: OK")

    history = server.cli("policy", "history", "--kind", "policy").stdout.splitlines()
    assert [line.split()[-1] for line in history] == ["change", "change", "startup"]
    assert history[-1].split()[2] == first_hash[:12]
    assert history[1].split()[2] == raised["hash"][:12]
