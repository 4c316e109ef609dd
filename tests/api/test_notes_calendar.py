"""The notes and calendar API: ``POST/GET /cases/{id}/notes`` with the policy's roles, and
``GET/DELETE /me/calendar`` whose URL serves an iCalendar feed that parses, shows the
caller's call deadlines and due steps, and stops working once revoked."""

from __future__ import annotations

from datetime import date
from typing import Any

from icalendar import Calendar

from tests.api.conftest import Api


def test_notes_are_added_audited_and_listed_newest_first(api: Api, world: dict[str, Any]) -> None:
    case = world["case"]["id"]
    first = api.ok(
        "POST", f"/cases/{case}/notes", {"note_type": "phone", "text": "Zvanīja valde"}, 201
    )
    assert first["event"]["trigger"] == "record_notes"
    assert first["version"] == 2
    second = api.ok(
        "POST",
        f"/cases/{case}/notes",
        {"note_type": "meeting", "noted_on": "2023-03-01", "text": "Tikšanās birojā"},
        201,
    )
    page = api.ok("GET", f"/cases/{case}/notes")
    assert [(n["id"], n["note_type"], n["text"]) for n in page["items"]] == [
        (second["id"], "meeting", "Tikšanās birojā"),
        (first["id"], "phone", "Zvanīja valde"),
    ]
    assert page["items"][0]["recorded_by"] == "ilze"
    one = api.ok("GET", f"/cases/{case}/notes?limit=1")
    assert one["next_cursor"] is not None
    rest = api.ok("GET", f"/cases/{case}/notes?limit=1&cursor={one['next_cursor']}")
    assert [n["id"] for n in rest["items"]] == [first["id"]]
    found = api.ok("GET", "/cases?search=birojā")
    assert [c["id"] for c in found["items"]] == [case]
    history = api.ok("GET", f"/cases/{case}/audit")
    assert [e["trigger"] for e in history["items"]] == ["enrol", "record_notes", "record_notes"]


def test_bad_notes_are_refused_naming_the_field(api: Api, world: dict[str, Any]) -> None:
    case = world["case"]["id"]
    for body, field in (
        ({"note_type": "fax", "text": "x"}, "note_type"),
        ({"note_type": "phone", "text": ""}, "text"),
        ({"note_type": "phone", "text": "x", "noted_on": "2023-03-02"}, "noted_on"),
        ({"note_type": "phone", "text": "x", "noted_on": "1.3.2023"}, "noted_on"),
    ):
        resp = api.post(f"/cases/{case}/notes", body)
        assert resp.status_code == 422, body
        assert field in resp.get_data(as_text=True)
    assert api.ok("GET", f"/cases/{case}/notes")["items"] == []
    assert api.get("/cases/999999/notes").status_code == 404


def test_roles_decide_who_adds_and_reads_notes(api: Api, world: dict[str, Any]) -> None:
    case = world["case"]["id"]
    body = {"note_type": "email", "text": "Nosūtīts"}
    assert api.post(f"/cases/{case}/notes", body, role="auditor").status_code == 403
    assert api.get(f"/cases/{case}/notes", role="auditor").status_code == 200
    # a mentor sees and notes only the cases assigned to them
    assert api.post(f"/cases/{case}/notes", body, role="mentor").status_code == 403
    assert api.get(f"/cases/{case}/notes", role="mentor").status_code == 403
    api.ok("POST", f"/cases/{case}/mentor", {"mentor": "anna"})
    assert api.post(f"/cases/{case}/notes", body, role="mentor").status_code == 201
    assert len(api.ok("GET", f"/cases/{case}/notes", role="mentor")["items"]) == 1


def feed(api: Api, url: str) -> Calendar:
    resp = api.client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/calendar"
    return Calendar.from_ical(resp.get_data())


def test_the_calendar_feed_shows_deadlines_and_is_revocable(
    api: Api, world: dict[str, Any]
) -> None:
    case = world["case"]["id"]
    api.ok("POST", f"/cases/{case}/sources", {"funding_source_id": world["source"]["id"]}, 201)
    url = api.ok("GET", "/me/calendar")["url"]
    assert url.startswith("http://localhost/calendar/")
    assert url.endswith(".ics")
    assert api.ok("GET", "/me/calendar")["url"] == url  # the same until revoked
    events = {str(e["uid"]).split("@")[0]: e for e in feed(api, url).walk("VEVENT")}
    src = world["source"]["id"]
    call = events[f"call:{case}:{src}:2023-12-31"]
    assert call.decoded("dtstart") == date(2023, 12, 31)
    assert str(call["summary"]) == "Konkurss slēdzas: Biedrība Alfa — NVO fonds"  # in Latvian
    step = events[f"step:{case}:enrolled:2023-03-01"]
    assert step.decoded("dtstart") == date(2023, 3, 22)  # enrolled: 21 days in the policy
    # the mentor's feed has none of the coordinator's cases until one is assigned to her
    mentor_url = api.ok("GET", "/me/calendar", role="mentor")["url"]
    assert mentor_url != url
    assert list(feed(api, mentor_url).walk("VEVENT")) == []
    # revoked: the old address is gone at once, a new one works
    assert api.ok("DELETE", "/me/calendar") == {"revoked": True}
    assert api.client.get(url).status_code == 404
    new = api.ok("GET", "/me/calendar")["url"]
    assert new != url
    assert len(list(feed(api, new).walk("VEVENT"))) == 2
    assert api.get("/me/calendar", role=None).status_code == 401


def test_a_forged_or_malformed_feed_token_is_a_404(api: Api) -> None:
    url = api.ok("GET", "/me/calendar")["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    row, mac = token.split("-", 1)
    for bad in (
        f"{row}-{'A' * len(mac)}",
        f"{int(row) + 1}-{mac}",
        "99999999999-x",
        "abc",
        "-",
        "x" * 100,
    ):
        assert api.client.get(f"/calendar/{bad}.ics").status_code == 404, bad
