"""Two servers, as two hosts behind a load balancer: each has its own copy of the rules
files and its own workers, both on one PostgreSQL database. An edit on either host is in
force on both within the poll interval; a restarted host with stale files keeps the
newest rules; a broken file on one host fails no request on either."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.policies.test_server_reload import WORKERS, Server

pytestmark = pytest.mark.slow
POLL_SECONDS = 0.5
Verdicts = list[tuple[bool, list[str]]]


def _blocked(n: int) -> Verdicts:
    reason = f"needs at least {n} consultations and 2 mentor hours; has 1 and 2"
    return [(False, [reason])] * (WORKERS * 3)


def _until(server: Server, expected: Verdicts, seconds: float = 15) -> None:
    """Every worker's verdict, asked again until it is ``expected`` (or time runs out)."""
    deadline = time.monotonic() + seconds
    seen = server.consult()
    while seen != expected and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS / 2)
        seen = server.consult()
    assert seen == expected


@pytest.fixture
def hosts(tmp_path: Path, pg_url: str) -> Iterator[tuple[Server, Server]]:
    pair = []
    for name in ("a", "b"):
        home = tmp_path / name
        shutil.copytree(ROOT / "states", home / "states")
        shutil.copytree(ROOT / "policies", home / "policies")
        host = Server(home)
        host.env.update(
            DATABASE_URL=pg_url,
            INKUBATORS_RULES_FOLLOW="database",
            INKUBATORS_RULES_POLL_SECONDS=str(POLL_SECONDS),
        )
        pair.append(host)
    a, b = pair
    a.prepare()
    b.token, b.case_id = a.token, a.case_id
    a.start()
    b.start()
    yield a, b
    a.stop()
    b.stop()


def test_two_hosts_with_their_own_files_decide_by_the_same_rules(
    hosts: tuple[Server, Server],
) -> None:
    a, b = hosts
    allowed: Verdicts = [(True, [])] * (WORKERS * 3)
    assert a.consult() == allowed
    assert b.consult() == allowed

    a.edit("min_consultations: 1", "min_consultations: 3")
    assert a.consult() == _blocked(3)
    _until(b, _blocked(3))  # B's files still say 1
    assert b.get("/api/v1/policy")["hash"] == a.get("/api/v1/policy")["hash"]

    b.stop()
    b.start()  # a restart with stale files does not revert anyone
    assert b.consult() == _blocked(3)
    assert a.consult() == _blocked(3)

    a.edit("min_consultations: 3", "min_consultations: [")  # broken on A only
    assert a.consult() == _blocked(3)
    assert b.consult() == _blocked(3)

    b.edit("min_consultations: 1", "min_consultations: 2")  # an edit on B goes live on A
    assert b.consult() == _blocked(2)
    _until(a, _blocked(2))
    history = b.cli("policy", "history", "--kind", "policy").stdout.splitlines()
    assert [line.split()[-1] for line in history] == ["change", "change", "startup"]


def test_policy_activate_on_one_host_reaches_the_other(
    hosts: tuple[Server, Server],
) -> None:
    """Files changed while a host was stopped (a deployment) go live by command."""
    a, b = hosts
    b.stop()
    b.edit("min_consultations: 1", "min_consultations: 4")
    b.start()
    assert b.consult() == [(True, [])] * (WORKERS * 3)  # started on the newest activation
    activated = b.cli("policy", "activate")
    assert activated.returncode == 0, activated.stderr
    _until(a, _blocked(4))
    _until(b, _blocked(4))
