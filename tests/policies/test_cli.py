"""The ``policy`` commands an administrator and an auditor type."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from inkubators import cli
from tests.conftest import Clock
from tests.policies.conftest import Files
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime

Invoke = Callable[..., tuple[int, str]]
"""Run ``inkubators policy ARGS...``; returns the exit code and the output."""


@pytest.fixture
def run(watched_rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setattr(cli, "runtime", lambda migrate=True: watched_rt)

    def invoke(*args: str) -> tuple[int, str]:
        out = CliRunner().invoke(cli.main, ["policy", *args])
        return out.exit_code, out.output

    return invoke


def test_show_diff_and_history(run: Invoke, watched_rt: Runtime, files: Files) -> None:
    v1 = watched_rt.rules.policy_hash
    files.edit(files.policy, "capacity: 15", "capacity: 12")
    v2 = watched_rt.rules.policy_hash

    code, out = run("history", "--kind", "policy")
    assert code == 0
    assert [(ln.split()[2], ln.split()[-1]) for ln in out.splitlines()] == [
        (v2[:12], "change"),
        (v1[:12], "startup"),
    ]
    code, out = run("show", v1[:10])
    assert code == 0
    assert out.splitlines()[:1] == [f"# policy {v1}"]
    assert "  capacity: 15\n" in out
    code, out = run("diff", v1[:10], v2[:10])
    assert (code, [ln for ln in out.splitlines() if ln.startswith(("-  ", "+  "))]) == (
        0,
        ["-  capacity: 15", "+  capacity: 12"],
    )
    code, out = run("show", "abcdef123")
    assert (code, out.strip()) == (1, "error: rules version 'abcdef123' not found")


def test_preview_prints_before_and_after(
    run: Invoke, files: Files, analysed_case: Callable[..., int], tmp_path: Path
) -> None:
    case_id = analysed_case(n=1)
    candidate = tmp_path / "programme.yaml"
    candidate.write_text(
        files.policy.read_text("utf-8").replace("min_consultations: 1", "min_consultations: 2"),
        "utf-8",
    )
    code, out = run("preview", str(candidate))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"case {case_id} ")
    assert lines[0].endswith("(analysed):")
    assert lines[1] == (
        "  consult: allowed -> BLOCKED (enough_consultations: needs at least 2 consultations "
        "and 2 mentor hours; has 1 and 2)"
    )
    assert lines[-1] == "1 open case(s) would change; nothing was activated"
    assert "min_consultations: 1" in files.policy.read_text("utf-8")


def test_status_ok_then_broken(run: Invoke, files: Files) -> None:
    code, out = run("status")
    assert (code, out.splitlines()[-1]) == (0, "files: OK")
    files.edit(files.policy, "capacity: 15", "capacity: fifteen")
    code, out = run("status")
    assert code == 1
    assert out.splitlines()[-1] == (
        "  policies/programme.yaml: line 7, column 3: cycle_defaults.capacity: "
        "Input should be a valid integer, got the text 'fifteen'"
    )


def _new_process(
    monkeypatch: pytest.MonkeyPatch, watched_rt: Runtime, files: Files, clock: Clock
) -> None:
    """What a later ``inkubators`` command sees: the same database and files, rules loaded
    afresh by a new process whose clock has moved on."""
    clock.set("2023-06-15", hour=9)

    def runtime(migrate: bool = True) -> Runtime:
        source = WatchedRules(files.states_dir, files.policy_dir, watched_rt.engine, clock)
        return Runtime(watched_rt.engine, source, clock)

    monkeypatch.setattr(cli, "runtime", runtime)


def test_status_shows_when_the_rules_were_activated_not_when_it_ran(
    run: Invoke, watched_rt: Runtime, files: Files, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = clock.now  # the rules were activated when watched_rt started
    _new_process(monkeypatch, watched_rt, files, clock)
    code, out = run("status")
    assert code == 0
    when = started.isoformat(timespec="seconds")
    assert out.splitlines() == [
        f"states in force: {watched_rt.rules.states_hash} (activated {when})",
        f"policy in force: {watched_rt.rules.policy_hash} (activated {when})",
        "files: OK",
    ]
    assert "2023-06-15" not in out


def test_status_of_a_refused_file_shows_when_it_was_written(
    run: Invoke,
    watched_rt: Runtime,
    files: Files,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    files.edit(files.policy, "capacity: 15", "capacity: fifteen")
    written = datetime(2023, 5, 2, 8, 30, 15, tzinfo=UTC)
    os.utime(files.policy, (written.timestamp(), written.timestamp()))
    _new_process(monkeypatch, watched_rt, files, clock)
    code, out = run("status")
    assert code == 1
    assert out.splitlines()[2] == (
        "files: NOT APPLIED (policies/programme.yaml modified 2023-05-02T08:30:15+00:00); "
        "the rules above stay in force:"
    )
    assert "2023-06-15" not in out
    # the problem is the command's output, not also a log line beside it
    assert not [r for r in caplog.records if r.name == "workflow.rulestore"]


def test_a_broken_file_is_reported_once_per_command(
    watched_rt: Runtime,
    files: Files,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    make_case: Callable[..., int],
) -> None:
    case_id = make_case()
    files.edit(files.policy, "capacity: 15", "capacity: fifteen")
    _new_process(monkeypatch, watched_rt, files, clock)
    out = CliRunner().invoke(cli.main, ["case", "show", str(case_id)])
    assert out.exit_code == 0, out.output
    said = [r.getMessage() for r in caplog.records if r.name == "workflow.rulestore"]
    assert said == [
        f"rules not changed (keeping states {watched_rt.rules.states_hash[:12]}, "
        f"policy {watched_rt.rules.policy_hash[:12]}):\n"
        "  policies/programme.yaml: line 7, column 3: cycle_defaults.capacity: "
        "Input should be a valid integer, got the text 'fifteen'"
    ]
