"""Reading rules files: what is accepted (a BOM, CRLF, anchors, exact decimals), where the
bounds lie, how ``policy check FILE`` tells a states file from a policy file, and what the
commands do when a declared file is broken: report it and exit 1, or carry on with the
last good rules, never a traceback."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from inkubators.cli import main
from tests.conftest import ROOT
from tests.policies.conftest import Files
from workflow import rulestatus, rulestore
from workflow.checking import check_files
from workflow.errors import DefinitionError
from workflow.policies import load_policy
from workflow.rules import load_rules
from workflow.runtime import Runtime
from workflow.yamlfiles import MAX_BYTES, RulesFileError, parse_yaml, read_rules_file
from workflow.yamlnodes import MAX_DEPTH, MAX_VALUES

CORPUS = ROOT / "tests" / "data" / "invalid_rules"
POLICY = (ROOT / "policies" / "programme.yaml").read_text("utf-8")
STATES = (ROOT / "states" / "incubation.yaml").read_text("utf-8")


def _refusal(text: str) -> str:
    with pytest.raises(RulesFileError) as exc:
        parse_yaml(text, "policies/p.yaml")
    return str(exc.value)


# --- what is accepted -------------------------------------------------------------------


def test_a_bom_and_crlf_line_ends_give_the_same_rules(tmp_path: Path) -> None:
    """Saved by a Windows editor, the same policy: the same text, so the same hash."""
    # the same folder name, as the policy's hash covers each file's name
    unix_dir, windows_dir = tmp_path / "a" / "policies", tmp_path / "b" / "policies"
    for folder, data in (
        (unix_dir, POLICY.encode()),
        (windows_dir, b"\xef\xbb\xbf" + POLICY.replace("\n", "\r\n").encode()),
    ):
        folder.mkdir(parents=True)
        (folder / "programme.yaml").write_bytes(data)
    plain, windows = load_policy(unix_dir), load_policy(windows_dir)
    assert windows.files[0][1] == POLICY
    assert windows.sha256 == plain.sha256
    assert windows.spec == plain.spec


def test_anchors_and_merge_keys_within_the_bounds_still_work(tmp_path: Path) -> None:
    """Staff may reuse a list with an anchor; a merged key given again overrides it
    (YAML's rule), which is not a duplicate key."""
    every = (
        "[analyse, consult, select_sources, draft_application, submit, record_outcome, withdraw]"
    )
    assert POLICY.count(f"triggers: {every}") == 2  # the coordinator's and the admin's
    text = POLICY.replace(f"triggers: {every}", f"triggers: &every {every}", 1)
    (tmp_path / "programme.yaml").write_text(
        text.replace(f"triggers: {every}", "triggers: *every"), "utf-8"
    )
    policy = load_policy(tmp_path)
    assert policy.role("admin").triggers == policy.role("coordinator").triggers
    assert len(policy.role("admin").triggers) == 7
    merged = parse_yaml(
        "a: &a {capacity: 15, budget_eur: 1.00}\nb:\n  <<: *a\n  budget_eur: 2.50\n", "p"
    )
    assert merged["b"] == {"capacity": 15, "budget_eur": Decimal("2.50")}


def test_numbers_are_the_decimals_written() -> None:
    data = parse_yaml("a: 10000.00\nb: 0.1\nc: 1_000.5\nd: 2\n", "p")
    assert [str(v) for v in data.values()] == ["10000.00", "0.1", "1000.5", "2"]
    rules = load_rules(ROOT / "states", ROOT / "policies")
    assert str(rules.policy.spec.cycle_defaults.budget_eur) == "10000.00"


# --- the bounds -------------------------------------------------------------------------


def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused() -> None:
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_yaml(deepest, "p") is not None
    assert _refusal("[" + deepest + "]") == (
        f"policies/p.yaml: line 1, column {MAX_DEPTH + 1}: nested deeper than {MAX_DEPTH} levels"
    )
    # the top mapping is the first level, so 49 keys deep holds a value at the 50th
    last = "  " * (MAX_DEPTH - 1)
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH - 1)) + last + "v\n"
    assert parse_yaml(block, "p") is not None
    deeper = block.replace(last + "v\n", last + "k49: v\n")
    assert _refusal(deeper).startswith(
        f"policies/p.yaml: line {MAX_DEPTH}, column {len(last) + 1}: k0.k1.k2.k3.k4.k5.k6.k7…: "
    )


def test_values_up_to_the_limit_are_read_and_one_more_is_refused() -> None:
    # the list itself is one value
    assert len(parse_yaml("[" + "1," * (MAX_VALUES - 1) + "]", "p")) == MAX_VALUES - 1
    assert _refusal("[" + "1," * MAX_VALUES + "]").endswith(
        f"[{MAX_VALUES - 1}]: holds over 10,000 values (rules files hold a few hundred)"
    )


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    """A 20 MB file (sparse: nothing to read but NULs) is refused on its size alone."""
    big = tmp_path / "programme.yaml"
    with open(big, "wb") as f:
        f.truncate(20 * 1024 * 1024)
    with pytest.raises(RulesFileError) as exc:
        read_rules_file(big, "policies/programme.yaml")
    assert str(exc.value) == (
        "policies/programme.yaml: 20,971,520 bytes is over the limit of 1,000,000 bytes "
        "for a rules file"
    )
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"#" * (MAX_BYTES - 1) + b"\n")
    assert read_rules_file(exact, "exact.yaml") == "#" * (MAX_BYTES - 1) + "\n"


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(DefinitionError) as exc:
        load_policy(tmp_path)
    assert exc.value.problems == [
        f"{tmp_path.name}/folder.yaml: not a regular file",
        f"{tmp_path.name}/gone.yaml: cannot be read: No such file or directory",
    ]


# --- policy check FILE: the kind from the content ---------------------------------------


def test_a_candidates_kind_comes_from_its_content_not_its_name(tmp_path: Path) -> None:
    states_named_like_policy = tmp_path / "programme.yaml"
    states_named_like_policy.write_text(STATES.replace("Uzņemta", "Uzņemta organizācija"), "utf-8")
    policy_named_like_states = tmp_path / "incubation.yaml"
    policy_named_like_states.write_text(POLICY.replace("capacity: 15", "capacity: 12"), "utf-8")
    out = check_files(ROOT / "states", ROOT / "policies", states_named_like_policy)
    real = load_rules(ROOT / "states", ROOT / "policies")
    assert out.endswith(f"policy {real.policy_hash[:12]}")  # the policy in force, unchanged
    assert f"(states {real.states_hash[:12]})" not in out
    out = check_files(ROOT / "states", ROOT / "policies", policy_named_like_states)
    assert f"(states {real.states_hash[:12]})" in out
    assert not out.endswith(real.policy_hash[:12])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty; nothing to check"),
        ("# to do\n", "the file is empty; nothing to check"),
        ("{}\n", "the file is empty; nothing to check"),
        ("- a\n", "expected a mapping, got list"),
        (
            "name: x\n",
            "neither a states file (keys: id, initial, states, transitions, migrations) nor a "
            "policy file (sections: cycle_defaults, guards, roles, eligibility, deadlines, tokens, idempotency, reports, reminders, documents, registry, budget)",
        ),
        (
            "initial: a\nroles: {}\n",
            "mixes states keys (initial) and policy sections (roles); a file is one or the other",
        ),
    ],
)
def test_an_empty_or_unrecognisable_candidate_is_refused(
    tmp_path: Path, text: str, problem: str
) -> None:
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(text, "utf-8")
    with pytest.raises(DefinitionError) as exc:
        check_files(ROOT / "states", ROOT / "policies", candidate)
    assert exc.value.problems == [f"{candidate}: (top): {problem}"]


def _first_non_ascii(text: str) -> tuple[int, int, str]:
    """Line, column and character of the first character outside ASCII."""
    at = next(i for i, c in enumerate(text) if ord(c) > 127)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1, text[at]


def test_a_candidate_repairing_an_unreadable_file_checks_clean(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "programme.yaml").write_bytes(POLICY.encode("cp1257"))
    fixed = tmp_path / "programme.yaml"
    fixed.write_text(POLICY, "utf-8")
    assert check_files(ROOT / "states", policies, fixed).startswith("OK: 8 states")
    states_candidate = tmp_path / "incubation.yaml"
    states_candidate.write_text(STATES, "utf-8")
    with pytest.raises(DefinitionError) as exc:  # the broken policy file still stands
        check_files(ROOT / "states", policies, states_candidate)
    line, column, char = _first_non_ascii(POLICY)
    byte = char.encode("cp1257")[0]
    assert exc.value.problems == [
        f"policies/programme.yaml: line {line}, column {column}: byte 0x{byte:02X} is not "
        "valid UTF-8; rules files must be saved as UTF-8 (not Windows-1257 or another code page)"
    ]


# --- the commands with a broken declared file -------------------------------------------


class Commands:
    """``inkubators`` on private copies of the declared files and one SQLite file."""

    def __init__(self, tmp: Path) -> None:
        self.states_dir, self.policy_dir = tmp / "states", tmp / "policies"
        shutil.copytree(ROOT / "states", self.states_dir)
        shutil.copytree(ROOT / "policies", self.policy_dir)
        self.env = {
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "INKUBATORS_STATES_DIR": str(self.states_dir),
            "INKUBATORS_POLICY_DIR": str(self.policy_dir),
        }

    def __call__(self, *args: str) -> Result:
        result = CliRunner().invoke(main, list(args), env=self.env)
        # never a traceback: the only exception a command may end with is its exit
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output
        return result


BROKEN = [
    "policy-windows-1257-policy.yaml",
    "policy-deep-flow-lists-5000.yaml",
    "policy-billion-laughs.yaml",
    "policy-huge-comments.yaml",
    "policy-duplicate-role-grants-withdraw.yaml",
    "policy-utf-16-bom-policy.yaml",
    "policy-tag-python-object-apply.yaml",
    "policy-capacity-yes.yaml",
]


@pytest.mark.parametrize("name", BROKEN)
def test_commands_report_a_broken_file_or_carry_on(tmp_path: Path, name: str) -> None:
    run = Commands(tmp_path)
    assert run("init").exit_code == 0  # the good rules are stored as the last good version
    assert run("demo").exit_code == 0
    in_force = run("policy", "status").stdout.splitlines()[:2]
    shutil.copy(CORPUS / name, run.policy_dir / "programme.yaml")

    check = run("policy", "check")
    assert check.exit_code == 1
    assert check.stderr.startswith("policies/programme.yaml: ")

    st = run("policy", "status")
    assert st.exit_code == 1
    assert st.stdout.splitlines()[:2] == in_force
    assert "files: NOT APPLIED (policies/programme.yaml modified " in st.stdout
    assert f"  {check.stderr.splitlines()[0]}" in st.stdout.splitlines()

    verify = run("audit", "verify")  # carries on with the last good rules
    assert verify.exit_code == 0
    assert verify.stdout.startswith("audit log OK: ")
    assert run("case", "list").stdout.count("\n") == 11


def test_a_broken_file_and_nothing_stored_is_a_clear_refusal(tmp_path: Path) -> None:
    run = Commands(tmp_path)
    shutil.copy(CORPUS / "policy-windows-1257-policy.yaml", run.policy_dir / "programme.yaml")
    for args in (("audit", "verify"), ("policy", "status"), ("case", "list")):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith("policies/programme.yaml: line 1, column "), result.stderr
        assert "is not valid UTF-8" in result.stderr.splitlines()[0]


def test_anything_a_file_sets_off_in_the_checks_is_a_refusal_not_an_error(
    watched_rt: Runtime,
    files: Files,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The watcher is the boundary between edited files and requests: were a file to set
    off a bug in the checks, the request still gets the last good rules, the admin sees
    the problem and the log keeps the traceback."""
    before = watched_rt.rules

    def broken(*_: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(rulestore, "load_rules", broken)
    files.edit(files.policy, "capacity: 15", "capacity: 16")
    assert watched_rt.rules is before
    assert rulestatus.status(watched_rt).errors == [
        "states/, policies/: the files could not be checked "
        "(RecursionError: maximum recursion depth exceeded)"
    ]
    assert any(r.exc_info and r.exc_info[0] is RecursionError for r in caplog.records)
    monkeypatch.undo()
    files.edit(files.policy, "capacity: 16", "capacity: 17")  # the next edit applies
    assert watched_rt.rules.policy.spec.cycle_defaults.capacity == 17
