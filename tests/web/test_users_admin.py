"""Managing accounts on the users page and reading the account log: what an admin and an
auditor see, what the server refuses, and that a refused request changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from inkubators.demo.programme import DEMO_PASSWORD
from tests.web.conftest import login
from tests.web.test_unique_ids import duplicate_ids
from web.ui.vocabulary import ACCOUNT_ACTIONS
from workflow import accountlog, accounts
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]
NEW_PASSWORD = "jauna-parole-2024"


class _Table(HTMLParser):
    """The text of each body row's cells of the table with the given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = self.in_body = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.inside = self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(page: str, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(page)
    return parser.rows


def user_row(page: str, name: str) -> dict[str, str]:
    """A user's row on the users page as the table shows it (name, role, language, active)."""
    for cells in table(page, "users"):
        if cells[0] == name:
            return {"role": cells[1], "locale": cells[2], "active": cells[3]}
    raise AssertionError(f"no row for {name}")


def account_log(page: str) -> list[tuple[str, str, str, str]]:
    """The account log page's rows: (#, who, what, whom), newest first."""
    return [(c[0], c[2], c[3], c[4]) for c in table(page, "account-events")]


def main(page: str) -> str:
    return page.split('<main id="main"', 1)[1]


def flashes(page: str) -> str:
    found = re.search(r'<div class="flashes"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def changes(rt: Runtime) -> int:
    return len(accountlog.recent(rt, limit=1000))


def test_role_change_and_deactivation_show_in_the_table_and_the_account_log(
    client_as: Client, app: Flask, app_rt: Runtime
) -> None:
    admin = client_as("admin")
    assert user_row(admin.get("/admin/users").get_data(as_text=True), "anna")["role"] == "mentors"

    r = admin.post("/admin/users/anna", data={"role": "coordinator", "active": "y"})
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/users"
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Lietotāja anna izmaiņas saglabātas: loma — koordinators, aktīvs." in flashes(page)
    assert user_row(page, "anna") == {"role": "koordinators", "locale": "lv", "active": "jā"}

    anna = app.test_client()
    login(anna, "anna")
    # an unticked box is not sent: the user is deactivated
    r = admin.post("/admin/users/anna", data={"role": "coordinator"})
    assert r.status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "neaktīvs" in flashes(page)
    assert user_row(page, "anna") == {"role": "koordinators", "locale": "lv", "active": "nē"}
    assert anna.get("/").status_code == 302  # her session ended
    refused = app.test_client().post("/login", data={"name": "anna", "password": DEMO_PASSWORD})
    assert refused.status_code == 401

    log = account_log(client_as("auditor").get("/audit/accounts").get_data(as_text=True))
    assert log[:2] == [
        ("7", "admins (administrators)", "Deaktivizēts", "anna"),
        ("6", "admins (administrators)", "Loma mainīta: mentors → koordinators", "anna"),
    ]
    assert log[-1] == ("1", "komandrinda", "Lietotājs pievienots: koordinators, ar paroli", "ilze")

    r = admin.post("/admin/users/anna", data={"role": "coordinator", "active": "y"})
    assert r.status_code == 302
    page = client_as("coordinator").get("/audit/accounts").get_data(as_text=True)
    assert account_log(page)[0] == ("8", "admins (administrators)", "Atkārtoti aktivizēts", "anna")
    assert "Kontu žurnāla jaucējķēde ir pareiza (pārbaudīti 8 notikumi)." in page


def test_saving_a_row_unchanged_says_so_and_logs_nothing(
    client_as: Client, app_rt: Runtime
) -> None:
    admin = client_as("admin")
    before = changes(app_rt)
    r = admin.post("/admin/users/anna", data={"role": "mentor", "active": "y"})
    assert r.status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Lietotājam anna nav ko mainīt." in flashes(page)
    assert changes(app_rt) == before


def test_the_account_log_in_english(client_as: Client) -> None:
    admin = client_as("admin")
    admin.post("/admin/users/janis", data={"role": "auditor", "active": "y"})
    admin.post("/language", data={"lang": "en"})
    page = admin.get("/audit/accounts").get_data(as_text=True)
    assert account_log(page)[0] == (
        "6",
        "admins (admin)",
        "Role changed: mentor → auditor",
        "janis",
    )
    assert account_log(page)[-1] == (
        "1",
        "command line",
        "User added: coordinator, with a password",
        "ilze",
    )
    assert "The account log's hash chain verifies (6 events checked)." in page
    assert "Showing the newest 6 events." in page


@pytest.mark.parametrize(
    "data", [{"role": "auditor", "active": "y"}, {"role": "admin"}], ids=["demote", "deactivate"]
)
def test_the_last_admin_can_be_neither_demoted_nor_deactivated(
    client_as: Client, app_rt: Runtime, data: dict[str, str]
) -> None:
    admin = client_as("admin")
    before = changes(app_rt)
    r = admin.post("/admin/users/admins", data=data)
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    alert = main(page).split('id="user-problem"', 1)[1].split("</div>", 1)[0]
    assert "admins ir pēdējais aktīvais administrators" in alert
    assert user_row(page, "admins") == {"role": "administrators", "locale": "lv", "active": "jā"}
    assert duplicate_ids(page) == []
    # the row's form shows what holds, not what was refused
    row = page.split('id="user-5"', 1)[1].split("</tr>", 1)[0]
    assert '<option selected value="admin">' in row
    assert 'checked id="user-5-active"' in row
    assert changes(app_rt) == before
    assert accounts.get_user_by_name(app_rt, "admins").role == "admin"
    assert admin.get("/admin/users").status_code == 200  # still an admin, still logged in


def test_the_last_admin_message_in_english(client_as: Client) -> None:
    admin = client_as("admin")
    admin.post("/language", data={"lang": "en"})
    r = admin.post("/admin/users/admins", data={"role": "mentor", "active": "y"})
    assert r.status_code == 409
    assert "is the last active admin: nobody could manage users afterwards." in r.get_data(
        as_text=True
    )


def test_a_second_admin_may_demote_the_first(client_as: Client, app_rt: Runtime) -> None:
    admin = client_as("admin")
    promoted = admin.post("/admin/users/revidents", data={"role": "admin", "active": "y"})
    assert promoted.status_code == 302
    assert accounts.get_user_by_name(app_rt, "revidents").role == "admin"
    r = admin.post("/admin/users/admins", data={"role": "auditor", "active": "y"})
    assert r.status_code == 302
    assert accounts.get_user_by_name(app_rt, "admins").role == "auditor"
    assert admin.get("/admin/users").status_code == 403  # the page now refuses its own role


def test_a_new_password_works_on_the_login_form_and_ends_sessions(
    client_as: Client, app: Flask
) -> None:
    anna = app.test_client()
    login(anna, "anna")
    admin = client_as("admin")
    r = admin.post("/admin/users/anna/password", data={"password": NEW_PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/users"
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Lietotājam anna iestatīta jauna parole; viņa sesijas ir beigušās." in flashes(page)

    assert anna.get("/").status_code == 302
    old = app.test_client().post("/login", data={"name": "anna", "password": DEMO_PASSWORD})
    assert old.status_code == 401
    fresh = app.test_client()
    login(fresh, "anna", NEW_PASSWORD)
    assert "anna (mentors)" in fresh.get("/").get_data(as_text=True)

    log = account_log(client_as("auditor").get("/audit/accounts").get_data(as_text=True))
    assert log[0] == ("6", "admins (administrators)", "Parole iestatīta", "anna")


def test_a_short_password_is_said_on_its_field_and_changes_nothing(
    client_as: Client, app: Flask, app_rt: Runtime
) -> None:
    before = changes(app_rt)
    r = client_as("admin").post("/admin/users/anna/password", data={"password": "īsa-123"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    uid = accounts.get_user_by_name(app_rt, "anna").id
    errors = page.split(f'id="user-{uid}-password-errors"', 1)[1].split("</ul>", 1)[0]
    assert "jābūt vismaz 10 rakstzīmēm" in errors
    assert f'aria-describedby="user-{uid}-password-errors"' in page
    assert "Lietotāja anna izmaiņas nav saglabātas" in main(page)
    assert "īsa-123" not in page  # a password is never sent back
    assert duplicate_ids(page) == []
    assert changes(app_rt) == before
    login(app.test_client(), "anna")  # the old password still works


def test_an_empty_password_is_a_bad_form(client_as: Client, app_rt: Runtime) -> None:
    before = changes(app_rt)
    r = client_as("admin").post("/admin/users/anna/password", data={"password": ""})
    assert r.status_code == 400
    assert "Šis lauks ir obligāts." in r.get_data(as_text=True)
    assert changes(app_rt) == before


def test_an_unknown_role_is_a_bad_form_said_on_the_field(
    client_as: Client, app_rt: Runtime
) -> None:
    before = changes(app_rt)
    r = client_as("admin").post("/admin/users/anna", data={"role": "superuser", "active": "y"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    uid = accounts.get_user_by_name(app_rt, "anna").id
    errors = page.split(f'id="user-{uid}-role-errors"', 1)[1].split("</ul>", 1)[0]
    assert "Izvēlieties vienu no piedāvātajām vērtībām." in errors
    assert f'href="#user-{uid}"' in main(page)
    assert duplicate_ids(page) == []
    assert user_row(page, "anna")["role"] == "mentors"
    assert changes(app_rt) == before


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(
    client_as: Client, app: Flask, app_rt: Runtime
) -> None:
    admin = client_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    before = changes(app_rt)
    for route, data in (
        ("/admin/users/anna", {"role": "auditor", "active": "y"}),
        ("/admin/users/anna/password", {"password": NEW_PASSWORD}),
    ):
        r = admin.post(route, data=data)
        assert r.status_code == 400
        assert "Veidlapa ir novecojusi" in r.get_data(as_text=True)
    assert changes(app_rt) == before
    assert accounts.get_user_by_name(app_rt, "anna").role == "mentor"
    assert accounts.authenticate(app_rt, "anna", DEMO_PASSWORD) is not None

    # the same form with the page's token goes through
    page = admin.get("/admin/users").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = admin.post(
        "/admin/users/anna", data={"role": "auditor", "active": "y", "csrf_token": token}
    )
    assert r.status_code == 302
    assert accounts.get_user_by_name(app_rt, "anna").role == "auditor"


@pytest.mark.parametrize("role", ["coordinator", "auditor", "mentor", "other_mentor"])
@pytest.mark.parametrize(
    ("route", "data"),
    [
        ("/admin/users/anna", {"role": "admin", "active": "y"}),
        ("/admin/users/janis", {"role": "admin"}),
        ("/admin/users/anna/password", {"password": NEW_PASSWORD}),
    ],
    ids=["promote", "deactivate", "password"],
)
def test_only_admins_may_change_accounts(
    client_as: Client, app_rt: Runtime, role: str, route: str, data: dict[str, str]
) -> None:
    before = changes(app_rt)
    r = client_as(role).post(route, data=data)
    assert r.status_code == 403
    assert "Jūsu lomai tas nav atļauts: pārvaldīt lietotājus." in r.get_data(as_text=True)
    assert changes(app_rt) == before
    assert [(u.name, u.role, u.active) for u in accounts.list_users(app_rt)] == [
        ("admins", "admin", True),
        ("anna", "mentor", True),
        ("ilze", "coordinator", True),
        ("janis", "mentor", True),
        ("revidents", "auditor", True),
    ]
    assert accounts.authenticate(app_rt, "anna", DEMO_PASSWORD) is not None


@pytest.mark.parametrize("route", ["/admin/users/nav-tada", "/admin/users/nav-tada/password"])
def test_an_unknown_user_is_404(client_as: Client, app_rt: Runtime, route: str) -> None:
    before = changes(app_rt)
    r = client_as("admin").post(route, data={"role": "auditor", "password": NEW_PASSWORD})
    assert r.status_code == 404
    assert "nav-tada" in r.get_data(as_text=True)
    assert changes(app_rt) == before


def test_the_pages_link_to_each_other(client_as: Client) -> None:
    admin = client_as("admin")
    assert 'href="/audit/accounts"' in main(admin.get("/admin/users").get_data(as_text=True))
    auditor = client_as("auditor").get("/audit/").get_data(as_text=True)
    assert 'href="/audit/accounts"' in main(auditor)
    log = admin.get("/audit/accounts").get_data(as_text=True)
    assert 'href="/audit/"' in main(log)
    assert 'href="/admin/users"' in main(log)
    assert 'href="/admin/users"' not in main(
        client_as("auditor").get("/audit/accounts").get_data(as_text=True)
    )


@pytest.mark.parametrize("role", ["mentor", "other_mentor"])
def test_mentors_may_not_read_the_account_log(client_as: Client, role: str) -> None:
    r = client_as(role).get("/audit/accounts")
    assert r.status_code == 403
    assert "admins" not in main(r.get_data(as_text=True))


def _tamper(rt: Runtime, sql: str) -> None:
    """Drop the append-only triggers (what an attacker with database rights does first),
    then change the log behind the application's back."""
    with rt.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER account_events_no_update"))
            conn.execute(text("DROP TRIGGER account_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER account_events_append_only ON account_events"))
        conn.execute(text(sql))


def test_the_account_log_names_an_edited_event(client_as: Client, app_rt: Runtime) -> None:
    _tamper(app_rt, "UPDATE account_events SET subject = 'cits' WHERE seq = 2")
    auditor = client_as("auditor")
    page = auditor.get("/audit/accounts").get_data(as_text=True)
    status = page.split('id="account-chain-status"', 1)[1].split("</p>", 1)[0]
    assert status.startswith(' class="bad"')
    assert (
        "Kontu žurnāla jaucējķēde NAV pareiza: notikums #2: "
        "tā saturs neatbilst tā jaucējvērtībai: notikums ir labots"
    ) in " ".join(status.split())
    assert '<tr class="bad-event">\n    <td>2</td>' in page
    auditor.post("/language", data={"lang": "en"})
    page = auditor.get("/audit/accounts").get_data(as_text=True)
    assert (
        "The account log's hash chain does NOT verify: event #2: "
        "its content does not match its hash: the event was edited"
    ) in page


def test_the_account_log_names_a_removed_event(client_as: Client, app_rt: Runtime) -> None:
    _tamper(app_rt, "DELETE FROM account_events WHERE seq = 3")
    page = client_as("auditor").get("/audit/accounts").get_data(as_text=True)
    assert "notikums #4: #4, kur bija gaidīts #3: trūkst notikuma" in page


def test_every_account_action_has_a_label() -> None:
    assert set(ACCOUNT_ACTIONS) == set(accountlog.ACTIONS)
