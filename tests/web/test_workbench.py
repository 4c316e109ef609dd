"""The workbench's pages on the demo programme (clock: 20 February 2024): the start page
"My work", a mentor assigned from the case page and in bulk from the case list (and then
seeing the case), a mentor's consultation form offering only themself, and the budget
page with the pilot's spending and a consultation the budget cannot pay refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from inkubators.demo.programme import DEMO_PASSWORD
from tests.conftest import ADMIN
from workflow import accounts, recording, registry, views
from workflow.evidence.consultations import ConsultationIn
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def _open_case_ids(rt: Runtime) -> list[int]:
    cases, _ = views.list_cases(rt, ADMIN, limit=500)
    return [c.id for c in cases if not rt.rules.is_final(c.state)]


def _rows(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return body.split("<tbody>", 1)[1].split("<tr")[1:]


def test_login_lands_on_my_work_listing_open_cases_most_urgent_first(
    app: Flask, client_as: Client, app_rt: Runtime
) -> None:
    r = app.test_client().post("/login", data={"name": "ilze", "password": DEMO_PASSWORD})
    assert r.headers["Location"] == "/work"

    page = client_as("coordinator").get("/work").get_data(as_text=True)
    rows = _rows(page, "work")
    assert len(rows) == len(_open_case_ids(app_rt))
    ids = [int(re.search(r'id="work-(\d+)"', row).group(1)) for row in rows]  # type: ignore[union-attr]
    assert set(ids) == set(_open_case_ids(app_rt))
    # in February 2024 every open pilot case is overdue: first the longest overdue ...
    assert all('class="overdue"' in row for row in rows)
    assert "Fotast" in rows[0]
    assert "nokavēts 123 dienas" in rows[0]
    assert "Atzīmēt kā iesniegtu" in rows[0]  # the next step ...
    # ... and why not yet, in the guard's own words (a call closed meanwhile)
    assert "konkurss slēdzās 15.02.2024." in rows[0]
    # the last: a decision expected 90 days (the policy's) after the submission
    assert "gaidāms lēmums" in rows[-1]
    assert "nokavēts 48 dienas" in rows[-1]
    assert "gaida lēmumu" in rows[-1]
    assert "Mans darbs" in page


def test_a_mentor_sees_only_their_own_cases_in_my_work(client_as: Client, app_rt: Runtime) -> None:
    janis = accounts.acting_user(app_rt, "janis")
    theirs, _ = views.list_cases(app_rt, janis, limit=500)
    open_theirs = {c.id for c in theirs if not app_rt.rules.is_final(c.state)}
    page = client_as("mentor").get("/work").get_data(as_text=True)
    shown = {int(m) for m in re.findall(r'id="work-(\d+)"', page)}
    assert shown == open_theirs
    assert shown < set(_open_case_ids(app_rt))


def test_a_mentor_assigned_from_the_case_page_then_sees_the_case(
    client_as: Client, ids: dict[str, int]
) -> None:
    kc = ids["kc"]
    anna = client_as("other_mentor")
    assert anna.get(f"/cases/{kc}").status_code == 403
    mentor_page = client_as("mentor").get(f"/cases/{kc}").get_data(as_text=True)
    assert 'id="mentor-form"' not in mentor_page  # a mentor assigns nobody

    c = client_as("coordinator")
    page = c.get(f"/cases/{kc}").get_data(as_text=True)
    assert 'id="mentor-form"' in page
    r = c.post(
        f"/cases/{kc}/mentor", data={"mentor": "anna", "expected_version": str(ids["kc_version"])}
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    assert "Mentors piešķirts: anna." in c.get(f"/cases/{kc}").get_data(as_text=True)
    assert anna.get(f"/cases/{kc}").status_code == 200
    assert client_as("mentor").get(f"/cases/{kc}").status_code == 403

    # a stale form and a name that is no mentor's say so, and change nothing
    stale = c.post(f"/cases/{kc}/mentor", data={"mentor": "janis", "expected_version": "1"})
    assert stale.status_code == 409
    wrong = c.post(f"/cases/{kc}/mentor", data={"mentor": "ilze", "expected_version": ""})
    assert wrong.status_code == 422
    assert "&#39;ilze&#39; nav mentors" in wrong.get_data(as_text=True)
    assert anna.get(f"/cases/{kc}").status_code == 200
    assert (
        client_as("mentor").post(f"/cases/{kc}/mentor", data={"mentor": "janis"}).status_code == 403
    )


def test_bulk_assignment_from_the_case_list_lists_every_case(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    listing = c.get("/cases/").get_data(as_text=True)
    assert 'form="bulk-mentor"' in listing
    assert 'id="bulk-mentor"' in listing
    assert 'form="bulk-mentor"' not in client_as("auditor").get("/cases/").get_data(as_text=True)

    anna_user = accounts.acting_user(app_rt, "anna")
    annas, _ = views.list_cases(app_rt, anna_user, state="submitted")
    first, second = annas[0].id, annas[1].id
    r = c.post("/cases/mentor", data={"mentor": "janis", "case": [str(first), str(second)]})
    assert r.status_code == 200
    outcomes = _rows(r.get_data(as_text=True), "bulk-results")
    assert [("piešķirts" in row, "jau" in row) for row in outcomes] == [(True, False)] * 2
    assert "piešķirtas 2 lietas" in r.get_data(as_text=True)
    janis, anna = client_as("mentor"), client_as("other_mentor")
    assert janis.get(f"/cases/{first}").status_code == 200
    assert janis.get(f"/cases/{second}").status_code == 200
    assert anna.get(f"/cases/{first}").status_code == 403
    again = c.post("/cases/mentor", data={"mentor": "janis", "case": [str(first)]})
    assert "jau piešķirts, bez izmaiņām" in again.get_data(as_text=True)

    nobody = c.post("/cases/mentor", data={"mentor": "", "case": [str(first)]})
    assert nobody.status_code == 422
    assert "Mentors:" in nobody.get_data(as_text=True)
    none_ticked = c.post("/cases/mentor", data={"mentor": "anna"})
    assert none_ticked.status_code == 422
    assert "atzīmējiet vismaz vienu lietu" in none_ticked.get_data(as_text=True)
    assert client_as("mentor").post("/cases/mentor", data={"mentor": "janis"}).status_code == 403


def test_a_mentors_consultation_form_offers_only_themself(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    janis = client_as("mentor")
    form = janis.get(f"/cases/{ids['kc']}/consultations").get_data(as_text=True)
    select = form.split('name="mentor"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option[^>]*value="([^"]*)"', select) == ["janis"]
    assert "mentor_other" not in form
    before = views.case_detail(app_rt, None, ids["kc"]).consultation_count
    r = janis.post(
        f"/cases/{ids['kc']}/consultations",
        data={"mentor": "anna", "held_on": "2024-02-19", "hours": "1", "topic": "Svešā vārdā"},
    )
    assert r.status_code == 403
    assert views.case_detail(app_rt, None, ids["kc"]).consultation_count == before
    # a coordinator still chooses among the mentors or names an external one
    coordinator_form = client_as("coordinator").get(f"/cases/{ids['kc']}/consultations")
    text = coordinator_form.get_data(as_text=True)
    assert 'value="anna"' in text
    assert "mentor_other" in text


def test_the_budget_page_shows_the_pilots_spending_and_a_refused_overrun(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    pilot = next(c for c in registry.list_cycles(app_rt) if c.starts_on < date(2024, 1, 1))
    c = client_as("coordinator")
    page = c.get(f"/budget?cycle={pilot.id}").get_data(as_text=True)
    # 39.5 hours x 50.00 + 11 cases x 150.00 + 1,000.00 seminars = 4,625.00 of 10,000.00
    assert re.search(r'id="fig-spent">4\s625,00 EUR \(46,25 %\)', page), page
    assert re.search(r'id="fig-remaining">5\s375,00 EUR', page)
    assert re.search(r'id="fig-committed">9\s250,00 EUR', page)  # 11 x 12 h x 50 + costs
    mentors = _rows(page, "budget-mentors")
    assert [re.search(r"<td>(\w+)</td>", m).group(1) for m in mentors] == ["anna", "janis"]  # type: ignore[union-attr]
    assert "budget-warning-spent" not in page
    assert client_as("mentor").get("/budget").status_code == 403
    assert "Budžets" in client_as("auditor").get("/budget").get_data(as_text=True)

    # four full days of mentoring take spending to 8,425.00: the 80 % warning shows ...
    ilze = accounts.acting_user(app_rt, "ilze")
    for _ in range(4):
        recording.record(
            app_rt,
            ilze,
            ids["kc"],
            ConsultationIn(
                mentor="anna", held_on=date(2024, 2, 19), hours=Decimal(24), topic="Stratēģija"
            ),
        )
    warned = c.get(f"/budget?cycle={pilot.id}").get_data(as_text=True)
    assert "tēriņi sasnieguši 80 % no budžeta" in warned
    # ... and 12 hours more (600.00, with 575.00 left) are refused on the hours field
    kc = views.case_detail(app_rt, None, ids["kc"])
    r = c.post(
        f"/cases/{ids['kc']}/consultations",
        data={
            "mentor": "anna",
            "held_on": "2024-02-19",
            "hours": "12",
            "topic": "Vēl",
            "expected_version": str(kc.version),
        },
    )
    assert r.status_code == 422
    errors = r.get_data(as_text=True).split('id="hours-errors"', 1)[1].split("</ul>", 1)[0]
    assert "atlikums 575,00 EUR" in errors
    assert "politika pārtēriņu neatļauj" in errors
    assert views.case_detail(app_rt, None, ids["kc"]).version == kc.version


def test_the_start_page_shows_the_users_calendar_feed(client_as: Client) -> None:
    """The start page gives the same private feed address as the user's own page."""
    c = client_as("mentor")
    work = c.get("/work").get_data(as_text=True)
    mine = c.get("/me").get_data(as_text=True)
    feed = mine.split('id="feed-link" href="', 1)[1].split('"', 1)[0]
    assert "/calendar/" in feed
    assert feed.endswith(".ics")
    assert f'href="{feed}"' in work.split('id="work-calendar"', 1)[1]
    assert c.get(feed.split("localhost", 1)[-1]).status_code == 200
