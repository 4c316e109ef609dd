"""Notes and the calendar in the UI: a note added from its form appears in the case's
history with its type, day and text; the case list finds the case by it; the user's own
page shows their calendar address, whose feed parses and which they can replace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from icalendar import Calendar

from workflow import contacts
from workflow.accounts import get_user_by_name
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def test_a_note_from_the_form_shows_in_the_history_and_the_list_finds_it(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert f'href="/cases/{ids["kc"]}/notes">Pievienot piezīmi</a>' in page
    form = c.get(f"/cases/{ids['kc']}/notes").get_data(as_text=True)
    assert "Telefona saruna" in form
    r = c.post(
        f"/cases/{ids['kc']}/notes",
        data={"note_type": "phone", "noted_on": "2024-02-19", "text": "Valde apstiprināja budžetu"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    history = page.split('id="history"', 1)[1]
    assert "Pievienota piezīme" in history
    assert "<strong>Telefona saruna</strong>, 19.02.2024.:" in history
    assert '<span class="text">Valde apstiprināja budžetu</span>' in history
    listed = c.get("/cases/?q=apstiprināja").get_data(as_text=True)
    assert "Keep The Change" in listed
    assert "Fotast" not in listed


def test_a_note_dated_tomorrow_is_refused_on_its_field(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    r = c.post(
        f"/cases/{ids['kc']}/notes",
        data={"note_type": "meeting", "noted_on": "2024-02-21", "text": "Rītdienas tikšanās"},
    )
    assert r.status_code == 422  # the engine refused it (the form's own checks passed)
    assert "21.02.2024. ir nākotnē" in r.get_data(as_text=True)
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "Rītdienas tikšanās" not in page


def test_my_page_gives_a_calendar_address_whose_feed_parses_and_can_be_replaced(
    client_as: Client,
) -> None:
    c = client_as("mentor")  # janis: Keep The Change among his cases
    nav = c.get("/cases/").get_data(as_text=True)
    assert 'id="my-settings"' in nav
    page = c.get("/me").get_data(as_text=True)
    assert "Mans kalendārs" in page
    url = page.split('id="feed-url" type="url" readonly value="', 1)[1].split('"', 1)[0]
    assert url.startswith("http://localhost/calendar/")
    anonymous = client_as(None)
    resp = anonymous.get(url)
    assert resp.status_code == 200
    assert resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.get_data())
    summaries = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    erasmus = summaries["Konkurss slēdzas: Keep The Change — KA210 mazās partnerības 2024"]
    assert erasmus.decoded("dtstart") == date(2024, 3, 5)
    assert "KA210" in str(erasmus["description"])
    assert not any("Fotast" in s for s in summaries)  # anna's case, not janis's
    assert c.post("/me/calendar/revoke").status_code == 302
    assert anonymous.get(url).status_code == 404
    again = c.get("/me").get_data(as_text=True)
    assert url not in again
    assert "vecā kalendāra adrese vairs nedarbojas" in again.lower()


def test_my_page_needs_a_login(client_as: Client) -> None:
    r = client_as(None).get("/me")
    assert r.status_code == 302
    assert "/login" in r.headers["Location"]


def test_users_set_their_own_reminder_address_and_a_bad_one_is_named(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("mentor")
    bad = c.post("/me/email", data={"email": "janis@"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "nav e-pasta adrese" in page
    assert 'aria-invalid="true"' in page
    assert contacts.email_of(app_rt, _user_id(app_rt, "janis")) is None
    ok = c.post("/me/email", data={"email": " janis@liepaja.lv "})
    assert ok.status_code == 302
    page = c.get("/me").get_data(as_text=True)
    assert "Jūsu atgādinājumi tiek sūtīti uz janis@liepaja.lv." in page
    assert '<dd id="my-email">janis@liepaja.lv</dd>' in page
    log = c.get("/audit/accounts")  # a mentor may not read the account log; the admin may
    assert log.status_code == 403
    assert "E-pasta adrese iestatīta" in client_as("admin").get("/audit/accounts").get_data(
        as_text=True
    )
    cleared = c.post("/me/email", data={"email": ""})
    assert cleared.status_code == 302
    assert contacts.email_of(app_rt, _user_id(app_rt, "janis")) is None


def _user_id(rt: Runtime, name: str) -> int:
    return get_user_by_name(rt, name).id
