"""Managing accounts: roles and standing change, the last admin stays, every change is logged
in a chain that verifies, and a tampered log names its first bad event."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import ADMIN, COORDINATOR
from workflow import accountlog, accounts, tokens
from workflow.actors import Actor
from workflow.errors import Conflict, Forbidden, NotFound
from workflow.runtime import Runtime
from workflow.schemas import UserChange, UserIn

PASSWORD = "ilgs-parole-123"


@pytest.fixture
def people(rt: Runtime) -> Runtime:
    """An admin (from the command line), a mentor and a coordinator (by the admin)."""
    accounts.add_user(rt, UserIn(name="admins", role="admin"), PASSWORD)
    accounts.add_user(rt, UserIn(name="anna", role="mentor"), PASSWORD, actor=ADMIN)
    accounts.add_user(rt, UserIn(name="ilze", role="coordinator"), PASSWORD, actor=ADMIN)
    return rt


def log(rt: Runtime) -> list[tuple[int, str, str, str, dict[str, object]]]:
    return [
        (e.seq, e.actor, e.action, e.subject, e.details) for e in reversed(accountlog.recent(rt))
    ]


def test_every_account_change_is_logged_with_who_and_what(people: Runtime) -> None:
    rt = people
    accounts.change_user(rt, "anna", UserChange(role="coordinator"), actor=ADMIN)
    accounts.change_user(rt, "ilze", UserChange(active=False), actor=ADMIN)
    accounts.change_user(rt, "ilze", UserChange(active=True), actor=ADMIN)
    accounts.set_password(rt, "anna", "cita-parole-4567", actor=ADMIN)
    tokens.create_token(rt, "anna")

    assert log(rt) == [
        (1, "command line", "user_added", "admins", {"role": "admin", "password": True}),
        (2, "admins", "user_added", "anna", {"role": "mentor", "password": True}),
        (3, "admins", "user_added", "ilze", {"role": "coordinator", "password": True}),
        (4, "admins", "role_changed", "anna", {"from": "mentor", "to": "coordinator"}),
        (5, "admins", "deactivated", "ilze", {}),
        (6, "admins", "reactivated", "ilze", {}),
        (7, "admins", "password_set", "anna", {"tokens_revoked": []}),
        (8, "command line", "token_created", "anna", {"token_id": 1}),
    ]
    assert accounts.get_user_by_name(rt, "anna").role == "coordinator"
    assert accountlog.verify(rt) == accountlog.AccountVerifyResult(True, 8)


def test_a_change_to_what_already_holds_writes_nothing(people: Runtime) -> None:
    before = log(people)
    result = accounts.change_user(people, "anna", UserChange(role="mentor", active=True))
    assert (result.user.role, result.user.active, result.changed) == ("mentor", True, False)
    assert log(people) == before


def test_deactivating_ends_sessions_and_stops_tokens_and_logins(people: Runtime) -> None:
    rt = people
    token = tokens.create_token(rt, "ilze")
    epoch = accounts.get_user_by_name(rt, "ilze").session_epoch
    accounts.change_user(rt, "ilze", UserChange(active=False), actor=ADMIN)

    ilze = accounts.get_user_by_name(rt, "ilze")
    assert (ilze.active, ilze.session_epoch) == (False, epoch + 1)
    assert tokens.authenticate(rt, token).user is None
    assert accounts.authenticate(rt, "ilze", PASSWORD) is None
    accounts.change_user(rt, "ilze", UserChange(active=True), actor=ADMIN)
    assert tokens.authenticate(rt, token).user is not None


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(people: Runtime) -> None:
    rt = people
    before = log(rt)
    for change in (UserChange(role="auditor"), UserChange(active=False)):
        with pytest.raises(Conflict) as exc:
            accounts.change_user(rt, "admins", change, actor=ADMIN)
        assert exc.value.code == "last_admin"
        assert "last active admin" in str(exc.value)
    assert accounts.get_user_by_name(rt, "admins").role == "admin"
    assert log(rt) == before

    accounts.add_user(rt, UserIn(name="otrs", role="admin"), PASSWORD, actor=ADMIN)
    accounts.change_user(rt, "admins", UserChange(role="auditor"), actor=Actor("otrs", "admin"))
    assert accounts.get_user_by_name(rt, "admins").role == "auditor"
    with pytest.raises(Conflict):
        accounts.change_user(rt, "otrs", UserChange(active=False), actor=Actor("otrs", "admin"))


def test_only_admins_manage_accounts(people: Runtime) -> None:
    rt = people
    before = log(rt)
    with pytest.raises(Forbidden):
        accounts.change_user(rt, "anna", UserChange(role="admin"), actor=COORDINATOR)
    with pytest.raises(Forbidden):
        accounts.set_password(rt, "anna", "cita-parole-4567", actor=COORDINATOR)
    with pytest.raises(Forbidden):
        tokens.create_token(rt, "anna", actor=COORDINATOR)
    assert accounts.get_user_by_name(rt, "anna").role == "mentor"
    assert log(rt) == before


def test_an_unknown_user_is_not_found_and_nothing_is_logged(people: Runtime) -> None:
    before = log(people)
    with pytest.raises(NotFound):
        accounts.change_user(people, "nav", UserChange(active=False), actor=ADMIN)
    with pytest.raises(NotFound):
        accounts.set_password(people, "nav", "cita-parole-4567", actor=ADMIN)
    assert log(people) == before


def test_the_database_refuses_to_edit_or_delete_account_events(people: Runtime) -> None:
    statements = ["UPDATE account_events SET actor = 'x'", "DELETE FROM account_events"]
    if people.engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        statements.append("TRUNCATE account_events")
    for sql in statements:
        with (
            pytest.raises(DBAPIError, match="account events are append-only"),
            people.engine.begin() as conn,
        ):
            conn.execute(text(sql))
    assert len(log(people)) == 3
    assert accountlog.verify(people) == accountlog.AccountVerifyResult(True, 3)


def _drop_protection(rt: Runtime) -> None:
    """What an attacker with database rights does first."""
    with rt.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER account_events_no_update"))
            conn.execute(text("DROP TRIGGER account_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER account_events_append_only ON account_events"))


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "problem"),
    [
        (
            'UPDATE account_events SET details = \'{"role": "auditor"}\' WHERE seq = 2',
            2,
            "its content does not match its hash: the event was edited",
        ),
        ("DELETE FROM account_events WHERE seq = 2", 3, "#3 where #2 was expected"),
        (
            "UPDATE account_events SET seq = seq + 10 WHERE seq = 2; "
            "UPDATE account_events SET seq = 2 WHERE seq = 3; "
            "UPDATE account_events SET seq = 3 WHERE seq = 12",
            2,
            "does not name the previous event's hash",
        ),
    ],
    ids=["edited", "deleted", "swapped"],
)
def test_verify_names_the_first_tampered_account_event(
    people: Runtime, tamper: str, bad_seq: int, problem: str
) -> None:
    _drop_protection(people)
    with people.engine.begin() as conn:
        for statement in tamper.split("; "):
            conn.execute(text(statement))
    result = accountlog.verify(people)
    assert (result.ok, result.first_bad_seq) == (False, bad_seq)
    assert result.problem is not None
    assert problem in result.problem.en


def test_a_deactivated_user_can_neither_act_from_the_command_line_nor_get_a_token(
    people: Runtime,
) -> None:
    ilze = accounts.acting_user(people, "ilze")
    assert (ilze.name, ilze.role) == ("ilze", "coordinator")
    assert ilze.user_id == accounts.get_user_by_name(people, "ilze").id
    accounts.change_user(people, "ilze", UserChange(active=False), actor=ADMIN)
    before = log(people)
    for attempt in (
        lambda: accounts.acting_user(people, "ilze"),
        lambda: tokens.create_token(people, "ilze"),
    ):
        with pytest.raises(Conflict) as exc:
            attempt()
        assert (exc.value.code, str(exc.value)) == ("inactive", "user 'ilze' is deactivated")
    assert log(people) == before
    with pytest.raises(NotFound):
        accounts.acting_user(people, "nav")
