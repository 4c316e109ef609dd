"""The ``inkubators`` command through click's CliRunner, on a SQLite file named by
``DATABASE_URL``: set-up, the demo, looking at and advancing cases, users, tokens, the
audit export and the policy check."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from inkubators.cli import main
from tests.conftest import ROOT, Clock, make_runtime
from workflow import accounts, tokens
from workflow.chain import HASHED_FIELDS, event_hash
from workflow.rules import Rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Cli:
    """Runs ``inkubators`` commands against one database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(
            main, list(args), env={"DATABASE_URL": self.url}, input=input, catch_exceptions=False
        )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database created by ``init`` and filled by ``demo``, once for the module."""
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    cli = Cli(f"sqlite:///{path}")
    init = cli("init")
    assert init.exit_code == 0, init.output
    assert init.stdout == f"database ready: sqlite:///{path}\n"
    first = cli("demo")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("demo programme loaded\n")
    assert "  organisations: 11\n" in first.stdout
    assert "  submitted, awaiting decisions: 3\n" in first.stdout
    return path


@pytest.fixture
def cli(demo_db: Path, tmp_path: Path) -> Cli:
    """A private copy of the demo database, so tests may change it."""
    path = tmp_path / "db.sqlite3"
    for suffix in ("", "-wal"):  # a WAL not yet checkpointed holds committed pages
        if Path(f"{demo_db}{suffix}").exists():
            shutil.copy(f"{demo_db}{suffix}", f"{path}{suffix}")
    return Cli(f"sqlite:///{path}")


def test_demo_twice_says_already_loaded(cli: Cli) -> None:
    before = cli("case", "list").stdout
    again = cli("demo")
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [
        "the demo programme is already loaded; nothing changed",
        "demo users (password 'inkubators-demo'): ilze (coordinator), janis (mentor), "
        "anna (mentor), revidents (auditor), admins (admin)",
    ]  # ./run.sh runs it every time: the logins are always its last words before serving
    assert cli("case", "list").stdout == before


def test_case_list_shows_every_case_with_its_state(cli: Cli) -> None:
    result = cli("case", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    states = [line.split()[1] for line in lines]
    assert states.count("outcome") == 3
    assert states.count("submitted") == 3
    assert states.count("application_drafted") == 5
    assert "House of Hope" in result.stdout


def test_case_show_explains_a_blocked_trigger(cli: Cli) -> None:
    result = cli("case", "show", "7")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("case 7: Keep The Change")
    assert "state: application_drafted (Application drafted)" in out
    assert "  submit -> submitted (Mark as submitted): BLOCKED\n" in out
    assert "    - submitted_within_call: no application submitted inside its call window" in out
    assert "  withdraw -> withdrawn (Withdraw): BLOCKED\n" in out
    assert "    - reason_given: a reason must be given in the comment\n" in out
    lv = cli("case", "show", "7", "--lang", "lv").stdout
    assert "    - reason_given: komentārā jānorāda iemesls\n" in lv
    as_json = json.loads(cli("case", "show", "7", "--json").stdout)
    assert as_json["state"] == "application_drafted"


def test_case_show_unknown_case(cli: Cli) -> None:
    result = cli("case", "show", "999")
    assert result.exit_code == 1
    assert result.stderr == "error: case 999 not found\n"


def test_advance_succeeds_and_is_refused_with_reasons(cli: Cli) -> None:
    ok = cli("advance", "7", "withdraw", "--as", "ilze", "--comment", "Valde nolēma izstāties")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("case 7: application_drafted -> withdrawn (version 14, event ")
    assert "state: withdrawn" in cli("case", "show", "7").stdout

    blocked = cli("advance", "8", "submit", "--as", "ilze")
    assert blocked.exit_code == 1
    assert blocked.stdout == ""
    assert blocked.stderr.startswith(
        "blocked: submit\n  - submitted_within_call: no application submitted inside its call window"
    )
    assert "state: application_drafted" in cli("case", "show", "8").stdout

    forbidden = cli("advance", "8", "withdraw", "--as", "revidents", "--comment", "x")
    assert forbidden.exit_code == 1
    assert forbidden.stderr == "error: 'withdraw' is not allowed for role 'auditor'\n"

    stale = cli(
        "advance", "8", "withdraw", "--as", "ilze", "--comment", "x", "--expected-version", "1"
    )
    assert stale.exit_code == 1
    assert stale.stderr == (
        "error: case 8 has changed: expected version 1, found 11; reload it and try again\n"
    )
    assert cli("audit", "verify").exit_code == 0


def test_user_add_and_token_create(cli: Cli, rules: Rules, clock: Clock) -> None:
    added = cli(
        "user", "add", "liga", "--role", "mentor", "--password-stdin", input="ļoti-slepena-parole\n"
    )
    assert added.exit_code == 0, added.output
    assert added.stdout == "user liga (mentor) created\n"
    again = cli("user", "add", "liga", "--role", "mentor")
    assert again.exit_code == 1
    assert again.stderr == "error: user 'liga' exists\n"
    bad_role = cli("user", "add", "peteris", "--role", "boss")
    assert bad_role.exit_code == 2

    token = cli("token", "create", "liga")
    assert token.exit_code == 0
    value = token.stdout.strip()
    assert value.startswith("ink_")
    rt = make_runtime(cli.url, rules, clock)
    try:
        user = tokens.authenticate(rt, value).user
        assert user is not None
        assert (user.name, user.role) == ("liga", "mentor")
        assert accounts.authenticate(rt, "liga", "ļoti-slepena-parole") is not None
    finally:
        rt.engine.dispose()


def test_user_password_replaces_the_password_and_ends_sessions(
    cli: Cli, rules: Rules, clock: Clock
) -> None:
    rt = make_runtime(cli.url, rules, clock)
    try:
        epoch = accounts.get_user_by_name(rt, "ilze").session_epoch
        changed = cli("user", "password", "ilze", input="jauna-gara-parole-2026\n")
        assert changed.exit_code == 0, changed.output
        assert (
            changed.stdout == "password of ilze changed; their sessions and API tokens have ended\n"
        )
        assert accounts.authenticate(rt, "ilze", "inkubators-demo") is None
        assert accounts.authenticate(rt, "ilze", "jauna-gara-parole-2026") is not None
        assert accounts.get_user_by_name(rt, "ilze").session_epoch == epoch + 1
    finally:
        rt.engine.dispose()
    short = cli("user", "password", "ilze", input="īsa\n")
    assert short.exit_code == 1
    assert short.stderr == "error: password: must be at least 10 characters\n"
    nobody = cli("user", "password", "nav-tāda", input="jauna-gara-parole-2026\n")
    assert (nobody.exit_code, nobody.stderr) == (1, "error: user 'nav-tāda' not found\n")


def test_audit_export_parses_back_in_both_formats(cli: Cli) -> None:
    jsonl = cli("audit", "export", "--format", "jsonl")
    assert jsonl.exit_code == 0
    events = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(events) > 100
    for e in events:
        # the export carries everything needed to re-check each hash independently
        assert event_hash({k: e[k] for k in HASHED_FIELDS}) == e["hash"]
    as_csv = cli("audit", "export", "--format", "csv")
    assert as_csv.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["hash"] for r in rows] == [e["hash"] for e in events]
    assert [json.loads(r["guards"]) for r in rows] == [e["guards"] for e in events]
    assert {r["case_id"] for r in rows} == {str(n) for n in range(1, 12)}
    one_case = cli("audit", "export", "--format", "jsonl", "--case", "7").stdout.splitlines()
    assert {json.loads(line)["case_id"] for line in one_case} == {7}


def test_policy_check_good_and_bad_files(cli: Cli, tmp_path: Path) -> None:
    good = cli("policy", "check")
    assert good.exit_code == 0
    assert good.stdout.startswith("OK: 8 states, 7 transitions (states ")
    candidate = tmp_path / "programme.yaml"
    shutil.copy(ROOT / "policies" / "programme.yaml", candidate)
    assert cli("policy", "check", str(candidate)).exit_code == 0
    shutil.copy(FIXTURES / "bad_policies" / "role_undeclared_trigger.yaml", candidate)
    bad = cli("policy", "check", str(candidate))
    assert bad.exit_code == 1
    assert bad.stderr == (
        "policies/programme.yaml: line 11, column 25: roles.coordinator.triggers[1]: "
        "'aprove' is not a declared trigger\n"
    )
    states = tmp_path / "incubation.yaml"
    shutil.copy(FIXTURES / "bad_states" / "unknown_guard.yaml", states)
    bad_states = cli("policy", "check", str(states))
    assert bad_states.exit_code == 1
    assert bad_states.stderr.startswith(
        "states/incubation.yaml: line 37, column 14: transitions[3].guards[0]: "
        "unknown guard 'submitted_in_call'"
    )


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["case", "show", "99999999999999999999"], "'CASE_ID'"),
        (["case", "show", "0"], "'CASE_ID'"),
        (["case", "list", "--cycle", "2147483648"], "'--cycle'"),
        (["advance", "2147483648", "submit", "--as", "ilze"], "'CASE_ID'"),
        (
            ["advance", "7", "submit", "--as", "ilze", "--expected-version", "99999999999999"],
            "'--expected-version'",
        ),
        (["audit", "export", "--case", "99999999999999999999"], "'--case'"),
    ],
)
def test_ids_out_of_range_are_usage_errors(args: list[str], name: str, tmp_path: Path) -> None:
    """An id no record can have is refused by the command line, not by a driver traceback."""
    result = Cli(f"sqlite:///{tmp_path / 'never-created.sqlite3'}")(*args)
    assert result.exit_code == 2
    assert f"Invalid value for {name}" in result.stderr
    assert "is not in the range" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "never-created.sqlite3").exists()


def test_user_list_set_and_the_account_log(cli: Cli) -> None:
    listed = cli("user", "list")
    assert listed.exit_code == 0, listed.output
    assert "janis\tmentor\tlv\tactive\n" in listed.stdout
    assert "admins\tadmin\tlv\tactive\n" in listed.stdout

    promoted = cli("user", "set", "janis", "--role", "coordinator")
    assert promoted.stdout == "user janis: coordinator, active\n"
    left = cli("user", "set", "janis", "--inactive")
    assert left.stdout == "user janis: coordinator, inactive; their sessions have ended\n"
    assert cli("user", "set", "janis", "--inactive").stdout == "user janis: nothing to change\n"
    assert "janis\tcoordinator\tlv\tinactive\n" in cli("user", "list").stdout

    last = cli("user", "set", "admins", "--role", "auditor")
    assert last.exit_code == 1
    assert last.stderr == (
        "error: admins is the last active admin: nobody could manage users afterwards\n"
    )
    nothing = cli("user", "set", "janis")
    assert nothing.exit_code == 2
    assert "give --role, --active or --inactive" in nothing.output
    assert cli("user", "set", "nav-tāda", "--active").stderr == "error: user 'nav-tāda' not found\n"

    log = cli("user", "log", "--user", "janis").stdout.splitlines()
    assert [line.split("\t")[2:] for line in log] == [
        ["command line (operator)", "deactivated", "janis", ""],
        ["command line (operator)", "role_changed", "janis", "from=mentor to=coordinator"],
        ["command line (operator)", "user_added", "janis", "password=True role=mentor"],
    ]
    verified = cli("audit", "verify")
    assert verified.exit_code == 0
    assert (
        verified.stdout.splitlines()[1]
        == f"account log OK: {len(cli('user', 'log').stdout.splitlines())} events verified"
    )


def test_a_deactivated_user_cannot_act_from_the_command_line(cli: Cli) -> None:
    assert cli("user", "set", "ilze", "--inactive").exit_code == 0
    refused = cli("advance", "8", "withdraw", "--as", "ilze", "--comment", "x")
    assert (refused.exit_code, refused.stderr) == (1, "error: user 'ilze' is deactivated\n")
    assert cli("token", "create", "ilze").stderr == "error: user 'ilze' is deactivated\n"
    assert "\nstate: application_drafted" in cli("case", "show", "8").stdout
