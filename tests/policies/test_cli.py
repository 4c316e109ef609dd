"""The ``policy`` commands an administrator and an auditor type."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from workflow import cli


@pytest.fixture
def run(watched_rt, monkeypatch):
    monkeypatch.setattr(cli, "runtime", lambda migrate=True: watched_rt)

    def invoke(*args: str) -> tuple[int, str]:
        out = CliRunner().invoke(cli.main, ["policy", *args])
        return out.exit_code, out.output

    return invoke


def test_show_diff_and_history(run, watched_rt, files):
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


def test_preview_prints_before_and_after(run, files, analysed_case, tmp_path):
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


def test_status_ok_then_broken(run, files):
    code, out = run("status")
    assert (code, out.splitlines()[-1]) == (0, "files: OK")
    files.edit(files.policy, "capacity: 15", "capacity: fifteen")
    code, out = run("status")
    assert code == 1
    assert out.splitlines()[-1] == (
        "  policies/programme.yaml: cycle_defaults.capacity: "
        "Input should be a valid integer, unable to parse string as an integer"
    )
