"""A running multi-worker server while its rules files turn invalid and valid again under
load: not one request fails, and no invalid file's rules are ever served.

The editor swaps files atomically (as editors that save by rename do), through invalid
files of every kind from the corpus and valid edits between them; a client thread sends
requests all the while. Every answer must be 200 and name a states and policy hash that
belongs to one of the valid versions.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.policies.test_server_reload import Server
from workflow.policies import policy_hash
from workflow.yamlfiles import sha256_text

pytestmark = pytest.mark.slow
CORPUS = ROOT / "tests" / "data" / "invalid_rules"
POLICY_FILES = [
    "policy-windows-1257-policy.yaml",
    "policy-utf-16-bom-policy.yaml",
    "policy-nul-in-value.yaml",
    "policy-huge-comments.yaml",
    "policy-deep-flow-lists-5000.yaml",
    "policy-billion-laughs.yaml",
    "policy-duplicate-role-grants-withdraw.yaml",
    "policy-tag-python-object-apply.yaml",
    "policy-capacity-yes.yaml",
    "policy-capacity-quoted.yaml",
    "policy-empty-policy.yaml",
    "policy-role-unknown-trigger.yaml",
    "policy-control-bell.yaml",
    "policy-recursive-list.yaml",
]
STATES_FILES = [
    "states-windows-1257-states.yaml",
    "states-loop-without-exit.yaml",
    "states-no-final-state.yaml",
    "states-deep-block-lists.yaml",
    "states-billion-laughs-in-states.yaml",
    "states-unknown-guard.yaml",
    "states-duplicate-initial.yaml",
    "states-empty-file.yaml",
]
PATHS = [
    "/api/v1/policy",
    "/api/v1/workflow",
    "/api/v1/cases/{case}",
    "/api/v1/cases?state=analysed",
]


@dataclass
class Load:
    """A client thread sending requests in turn until stopped (or a bound is reached)."""

    server: Server
    limit: int = 20_000
    done: int = 0
    failures: list[str] = field(default_factory=list)
    policy_hashes: set[str] = field(default_factory=set)
    states_hashes: set[str] = field(default_factory=set)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set() and self.done < self.limit:
            path = PATHS[self.done % len(PATHS)].format(case=self.server.case_id)
            try:
                body = self.server.get(path)
            except urllib.error.HTTPError as exc:
                self.failures.append(f"{path}: {exc.code}")
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                self.failures.append(f"{path}: {exc!r}")
            else:
                if path == "/api/v1/policy":
                    self.policy_hashes.add(body["hash"])
                elif path == "/api/v1/workflow":
                    self.states_hashes.add(body["hash"])
            self.done += 1

    def wait(self, more: int, until: float = 90.0) -> None:
        """Until ``more`` further requests have been answered (so the workers saw the file)."""
        target, deadline = self.done + more, time.monotonic() + until
        while self.done < target and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.done >= target, "the client stalled"


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, as an editor saving by rename does."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    shutil.copytree(ROOT / "states", tmp_path / "states")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    srv = Server(tmp_path)
    srv.prepare()
    srv.start()
    yield srv
    srv.stop()


def test_no_request_fails_while_files_turn_invalid_and_back(server: Server) -> None:
    states_path = server.policy.parent.parent / "states" / "incubation.yaml"
    policy_text = server.policy.read_text("utf-8")
    states_text = states_path.read_text("utf-8")
    valid_policy = {policy_hash((("policies/programme.yaml", policy_text),))}
    valid_states = {sha256_text(states_text)}
    load = Load(server)
    client = threading.Thread(target=load.run, daemon=True)
    client.start()
    try:
        for i, name in enumerate(POLICY_FILES + STATES_FILES):
            is_policy = name.startswith("policy-")
            target = server.policy if is_policy else states_path
            _replace(target, (CORPUS / name).read_bytes())
            load.wait(4 * len(PATHS))
            # a valid edit after each invalid file: the server must follow it
            if is_policy:
                text = policy_text.replace("capacity: 15", f"capacity: {20 + i}")
                valid_policy.add(policy_hash((("policies/programme.yaml", text),)))
            else:
                text = states_text.replace("{lv: Uzņemta,", f"{{lv: Uzņemta ({i}),")
                valid_states.add(sha256_text(text))
            _replace(target, text.encode("utf-8"))
            deadline = time.monotonic() + 90
            want = (
                policy_hash((("policies/programme.yaml", text),))
                if is_policy
                else sha256_text(text)
            )
            while time.monotonic() < deadline:
                got = server.get("/api/v1/policy" if is_policy else "/api/v1/workflow")["hash"]
                if got == want:
                    break
                time.sleep(0.1)
            assert got == want, f"the valid edit after {name} was not taken up"
    finally:
        load.stop.set()
        client.join(timeout=120)
    print(f"\nrules files under load: {load.done} requests, {len(load.failures)} failed")
    assert load.failures == []
    assert load.done >= 4 * len(PATHS) * len(POLICY_FILES + STATES_FILES)
    assert load.policy_hashes <= valid_policy
    assert load.states_hashes <= valid_states
    status = server.cli("policy", "status")
    assert (status.returncode, status.stdout.splitlines()[-1]) == (0, "files: OK")
    history = server.cli("policy", "history").stdout.splitlines()
    by = [line.split()[-1] for line in history]  # one version per valid edit, none for the rest
    assert (by.count("change"), by.count("startup")) == (len(POLICY_FILES + STATES_FILES), 2)
