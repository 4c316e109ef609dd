"""API tokens: listed (your own; admins everyone's) and revoked through the API and the
command line, each issue and revocation in the account log; a token ends when it is
revoked, when its user's password changes and when the policy's lifetime is over, and the
401 says which."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from inkubators.cli import main
from tests.api.conftest import Api
from tests.conftest import ROOT, Clock
from workflow import accountlog
from workflow.accounts import add_user, set_password
from workflow.definitions import load_states
from workflow.errors import PolicyError
from workflow.policies import parse_policy
from workflow.rules import compile_rules
from workflow.runtime import FixedRules, Runtime
from workflow.schemas import UserIn
from workflow.tokens import authenticate, create_token, list_tokens


def _items(api: Api, role: str) -> list[dict[str, Any]]:
    return list(api.ok("GET", "/tokens", role=role)["items"])


def test_a_user_lists_their_own_tokens_and_an_admin_everyones(api: Api) -> None:
    mine = _items(api, "coordinator")
    assert [(t["user"], t["status"]) for t in mine] == [("ilze", "active")]
    assert mine[0]["created_at"] == "2023-03-01T10:00:00Z"
    assert mine[0]["expires_at"] == "2023-05-30T10:00:00Z"  # the policy's 90 days
    assert mine[0]["last_used_at"] == "2023-03-01T10:00:00Z"  # this very call
    assert sorted(t["user"] for t in _items(api, "admin")) == [
        "admins",
        "anna",
        "ilze",
        "revidents",
    ]


def test_revoking_a_token_ends_it_at_once_and_is_in_the_account_log(
    api: Api, sqlite_rt: Runtime
) -> None:
    spare = create_token(sqlite_rt, "ilze")
    spare_id = max(t["id"] for t in _items(api, "coordinator"))
    api.tokens["spare"] = spare
    assert api.get("/cases", role="spare").status_code == 200
    revoked = api.ok("DELETE", f"/tokens/{spare_id}")
    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"] == "2023-03-01T10:00:00Z"
    refused = api.get("/cases", role="spare")
    assert refused.status_code == 401
    assert refused.get_json()["detail"].startswith("the token was revoked at 2023-03-01 10:00 UTC")
    assert api.get("/cases").status_code == 200  # the other token of the same user works
    # again: nothing changes, nothing more is written
    assert api.ok("DELETE", f"/tokens/{spare_id}")["status"] == "revoked"
    events = [(e.action, e.subject, e.details) for e in reversed(accountlog.recent(sqlite_rt, 100))]
    assert events[-2:] == [
        ("token_created", "ilze", {"token_id": spare_id}),
        ("token_revoked", "ilze", {"token_id": spare_id}),
    ]
    assert accountlog.verify(sqlite_rt).ok


def test_another_users_token_is_not_found_except_for_admins(api: Api) -> None:
    admin_token = next(t["id"] for t in _items(api, "admin") if t["user"] == "admins")
    mentor_token = next(t["id"] for t in _items(api, "admin") if t["user"] == "anna")
    assert api.call("DELETE", f"/tokens/{admin_token}", "mentor").status_code == 404
    assert api.get("/cases", role="admin").status_code == 200
    assert api.ok("DELETE", f"/tokens/{mentor_token}", role="admin")["status"] == "revoked"
    assert api.get("/cases", role="mentor").status_code == 401
    assert api.call("DELETE", "/tokens/999", "admin").status_code == 404


def test_a_password_change_ends_the_users_tokens(api: Api, sqlite_rt: Runtime) -> None:
    before = _items(api, "coordinator")[0]["id"]
    set_password(sqlite_rt, "ilze", "jauna-parole-123")
    refused = api.get("/cases")
    assert refused.status_code == 401
    assert "password was changed" in refused.get_json()["detail"]
    api.tokens["coordinator"] = create_token(sqlite_rt, "ilze")  # issued after: works
    statuses = {t["id"]: t["status"] for t in _items(api, "coordinator")}
    assert statuses[before] == "password_changed"
    assert sorted(statuses.values()) == ["active", "password_changed"]
    changed = next(e for e in accountlog.recent(sqlite_rt, 100) if e.action == "password_set")
    assert changed.details == {"tokens_revoked": [before]}
    assert api.get("/cases", role="admin").status_code == 200  # other users keep theirs


def _rules_with(policy_extra: str) -> Any:
    text = (ROOT / "policies" / "programme.yaml").read_text(encoding="utf-8")
    text = text.replace("tokens:\n  lifetime_days: 90\n", policy_extra)
    return compile_rules(
        load_states(ROOT / "states"), parse_policy([("policies/programme.yaml", text)])
    )


def test_the_lifetime_comes_from_the_policy_in_force(sqlite_rt: Runtime, clock: Clock) -> None:
    add_user(sqlite_rt, UserIn(name="ilze", role="coordinator"))
    token = create_token(sqlite_rt, "ilze")
    week = Runtime(
        sqlite_rt.engine, FixedRules(_rules_with("tokens:\n  lifetime_days: 7\n")), clock
    )
    clock.now += timedelta(days=7) - timedelta(seconds=1)
    assert authenticate(week, token).user is not None
    clock.now += timedelta(seconds=1)
    check = authenticate(week, token)
    assert check.user is None
    assert check.problem == "the token expired at 2023-03-08 10:00 UTC"
    # the shipped policy (90 days) still lets the same token in
    assert authenticate(sqlite_rt, token).user is not None
    assert [t.status for t in list_tokens(week, None)] == ["expired"]


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("tokens:\n  lifetime_days: yes\n", "tokens.lifetime_days"),
        ("tokens:\n  lifetime_days: 0\n", "tokens.lifetime_days"),
        ("tokens:\n  lifetime: 90\n", "tokens.lifetime"),
    ],
)
def test_a_bad_token_policy_is_refused_naming_it(section: str, problem: str) -> None:
    with pytest.raises(PolicyError) as exc:
        _rules_with(section)
    assert any(f"policies/programme.yaml: {problem}" in p for p in exc.value.problems), exc.value


def test_token_list_and_revoke_at_the_command_line(
    api: Api, sqlite_url: str, sqlite_rt: Runtime
) -> None:
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, list(args), env={"DATABASE_URL": sqlite_url})

    listed = run("token", "list", "ilze")
    assert listed.exit_code == 0, listed.output
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    # the command line's clock is the real one: the 2023 token is long expired
    assert [(f[1], f[2], f[3], f[4]) for f in lines] == [
        ("ilze", "expired", "2023-03-01 10:00", "2023-05-30 10:00")
    ]
    assert len(run("token", "list").stdout.splitlines()) == 4
    assert run("token", "list", "nobody").exit_code != 0
    revoked = run("token", "revoke", lines[0][0])
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout == f"token {lines[0][0]} of ilze revoked\n"
    assert "revoked" in api.get("/cases").get_json()["detail"]
    assert run("token", "revoke", "999").exit_code != 0
    newest = accountlog.recent(sqlite_rt, 1)[0]
    assert (newest.actor, newest.action, newest.subject) == (
        "command line",
        "token_revoked",
        "ilze",
    )
