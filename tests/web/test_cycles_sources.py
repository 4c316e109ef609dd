"""Opening a cycle and registering a funding source from the UI (/cycles/new,
/funding-sources/new): defaults from the policy, Latvian decimal commas, errors on the
field they concern, the way back to a case's source selection, and roles refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.test_unique_ids import duplicate_ids
from workflow import registry
from workflow.localformat import eur
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]

CYCLE = {
    "name": "Inkubators 2025",
    "starts_on": "2025-01-15",
    "ends_on": "2025-12-15",
    "budget_eur": "",
    "capacity": "",
}
SOURCE = {
    "funder": "Liepājas pilsētas dome",
    "programme": "NVO projektu konkurss 2024",
    "call_opens": "2024-02-01",
    "call_closes": "2024-03-29",
    "max_grant_eur": "45 000,00",
    "domains": ["education", "culture"],
    "domains_other": "beekeeping",
}


def counts(rt: Runtime) -> tuple[int, int]:
    """How many cycles and funding sources there are."""
    return len(registry.list_cycles(rt)), len(registry.list_funding_sources(rt))


def field_errors(page: str, name: str) -> str:
    """The text of a field's error list ('' when it has none)."""
    m = re.search(rf'<ul class="errors" id="{name}-errors">(.*?)</ul>', page, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)) if m else ""


def input_value(page: str, name: str) -> str:
    """The value an input is shown with."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag is not None, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def cycle_named(rt: Runtime, name: str) -> int:
    return next(c.id for c in registry.list_cycles(rt) if c.name == name)


# --- cycles -----------------------------------------------------------------------------


def test_the_cycle_form_has_a_label_for_every_input_and_says_the_defaults(
    client_as: Client,
) -> None:
    r = client_as("coordinator").get("/cycles/new")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "<h1>Jauns cikls</h1>" in page
    assert "novalidate" in page
    for name, label in (
        ("name", "Nosaukums"),
        ("starts_on", "Sākuma datums"),
        ("ends_on", "Beigu datums"),
        ("budget_eur", "Budžets (EUR)"),
        ("capacity", "Vietu skaits"),
    ):
        assert f'<label for="{name}">{label}</label>' in page
    assert re.search(r'<input[^>]*id="starts_on"[^>]*type="date"', page)
    assert re.search(r'<input[^>]*id="ends_on"[^>]*type="date"', page)
    assert re.search(r'<input[^>]*id="budget_eur"[^>]*inputmode="decimal"', page)
    # the policy's defaults, as the hint of the fields they fill
    hint = re.search(r'<span class="field-hint" id="budget_eur-hint">([^<]*)</span>', page)
    assert hint is not None
    assert eur(Decimal("10000"), "lv") in hint.group(1)  # 10 000,00 EUR
    assert "politikas noklusējum" in hint.group(1)
    assert 'aria-describedby="budget_eur-hint"' in page
    assert re.search(r'id="capacity-hint">[^<]*: 15\.<', page)
    # the existing cycles, so a name is not used twice
    listed = page.split('id="cycles"', 1)[1]
    assert "NVO izaugsmes inkubators 2024" in listed
    assert "NVO izaugsmes inkubators 2023 (pilots)" in listed
    assert duplicate_ids(page) == []


def test_a_coordinator_opens_a_cycle_with_the_policys_budget_and_places(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    before = counts(app_rt)
    r = c.post("/cycles/new", data=CYCLE)
    assert r.status_code == 302, r.get_data(as_text=True)
    new_id = cycle_named(app_rt, "Inkubators 2025")
    assert r.headers["Location"] == f"/?cycle={new_id}"
    assert counts(app_rt) == (before[0] + 1, before[1])
    stored = registry.get_cycle(app_rt, new_id)
    assert (stored.budget_eur, stored.capacity) == (Decimal("10000.00"), 15)
    assert (stored.starts_on, stored.ends_on) == (date(2025, 1, 15), date(2025, 12, 15))

    dashboard = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Cikls izveidots." in dashboard
    assert "<h2>Inkubators 2025</h2>" in dashboard
    assert f"budžets {eur(Decimal('10000'), 'lv')}" in dashboard
    assert re.search(r'id="fig-orgs">0 / 15<', dashboard)
    assert f'<option value="{new_id}" selected>Inkubators 2025</option>' in dashboard


def test_a_latvian_decimal_comma_budget_is_read(client_as: Client, app_rt: Runtime) -> None:
    c = client_as("coordinator")
    r = c.post(
        "/cycles/new",
        data={**CYCLE, "name": "Ar budžetu", "budget_eur": "12 500,50", "capacity": "20"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    stored = registry.get_cycle(app_rt, cycle_named(app_rt, "Ar budžetu"))
    assert (stored.budget_eur, stored.capacity) == (Decimal("12500.50"), 20)
    dashboard = c.get(r.headers["Location"]).get_data(as_text=True)
    assert eur(Decimal("12500.50"), "lv") in dashboard  # 12 500,50 EUR
    assert re.search(r'id="fig-orgs">0 / 20<', dashboard)


def test_a_cycle_ending_before_it_starts_is_refused_on_the_end_date(
    client_as: Client, app_rt: Runtime
) -> None:
    before = counts(app_rt)
    r = client_as("coordinator").post(
        "/cycles/new", data={**CYCLE, "starts_on": "2025-06-01", "ends_on": "2025-05-31"}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Cikls nedrīkst beigties pirms tā sākuma." in field_errors(page, "ends_on")
    assert field_errors(page, "starts_on") == ""
    assert 'aria-invalid="true"' in page
    # what was typed stays in the form
    assert input_value(page, "name") == "Inkubators 2025"
    assert input_value(page, "ends_on") == "2025-05-31"
    assert counts(app_rt) == before
    assert duplicate_ids(page) == []


def test_the_same_refusal_in_english(client_as: Client) -> None:
    c = client_as("coordinator")
    c.post("/language", data={"lang": "en"})
    page = c.get("/cycles/new").get_data(as_text=True)
    assert "<h1>New cycle</h1>" in page
    assert '<label for="ends_on">End date</label>' in page
    assert eur(Decimal("10000"), "en") in page  # 10,000.00 EUR
    r = c.post("/cycles/new", data={**CYCLE, "starts_on": "2025-06-01", "ends_on": "2025-05-31"})
    assert r.status_code == 422
    errors = field_errors(r.get_data(as_text=True), "ends_on")
    assert "The cycle must not end before it starts." in errors


def test_a_cycle_form_left_empty_or_malformed_says_so_on_each_field(
    client_as: Client, app_rt: Runtime
) -> None:
    before = counts(app_rt)
    c = client_as("coordinator")
    page = c.post("/cycles/new", data={}).get_data(as_text=True)
    for name in ("name", "starts_on", "ends_on"):
        assert "Šis lauks ir obligāts." in field_errors(page, name), name
    assert field_errors(page, "budget_eur") == field_errors(page, "capacity") == ""
    r = c.post(
        "/cycles/new",
        data={**CYCLE, "starts_on": "15.01.2025", "budget_eur": "daudz", "capacity": "0"},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Ievadiet datumu formātā GGGG-MM-DD." in field_errors(page, "starts_on")
    assert "Ievadiet skaitli, piemēram, 1250,50." in field_errors(page, "budget_eur")
    assert "Jābūt vismaz 1." in field_errors(page, "capacity")
    assert counts(app_rt) == before


def test_a_cycle_name_in_use_is_refused_and_nothing_written(
    client_as: Client, app_rt: Runtime
) -> None:
    taken = registry.list_cycles(app_rt)[0].name
    before = counts(app_rt)
    r = client_as("coordinator").post("/cycles/new", data={**CYCLE, "name": taken})
    assert r.status_code == 422
    assert f"Cikls ar nosaukumu {taken} jau pastāv." in r.get_data(as_text=True)
    assert counts(app_rt) == before


# --- funding sources --------------------------------------------------------------------


def test_the_source_form_has_a_label_for_every_input(client_as: Client) -> None:
    r = client_as("coordinator").get("/funding-sources/new")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "<h1>Reģistrēt finansējuma avotu</h1>" in page
    assert "novalidate" in page
    for name, label in (
        ("funder", "Finansētājs"),
        ("programme", "Programma"),
        ("call_opens", "Konkurss atveras"),
        ("call_closes", "Konkurss slēdzas"),
        ("max_grant_eur", "Maksimālais finansējums (EUR)"),
    ):
        assert f'<label for="{name}">{label}</label>' in page
    assert "<legend>Jomas</legend>" in page
    assert re.search(
        r'<input id="domains-\d+" name="domains" type="checkbox" value="education">', page
    )
    assert re.search(r'<input[^>]*id="call_opens"[^>]*type="date"', page)
    assert re.search(r'<input[^>]*id="call_closes"[^>]*type="date"', page)
    # the sources already registered, read-only
    listed = page.split('id="sources"', 1)[1]
    assert "Erasmus+" in listed
    assert 'id="back-to-case"' not in page  # not sent here from a case
    assert duplicate_ids(page) == []


def test_a_source_registered_from_a_case_is_offered_there(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    selection = c.get(f"/cases/{ids['kc']}/sources").get_data(as_text=True)
    link = re.search(r'<a id="new-source" href="([^"]+)">([^<]+)</a>', selection)
    assert link is not None
    assert link.group(2) == "Reģistrēt jaunu finansējuma avotu"
    assert link.group(1) == f"/funding-sources/new?case={ids['kc']}"
    assert "Liepājas pilsētas dome" not in selection

    form = c.get(link.group(1)).get_data(as_text=True)
    assert f'id="case" name="case" type="hidden" value="{ids["kc"]}"' in form
    assert f'href="/cases/{ids["kc"]}/sources"' in form  # the way back without registering

    before = counts(app_rt)
    r = c.post("/funding-sources/new", data={**SOURCE, "case": str(ids["kc"])})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert counts(app_rt) == (before[0], before[1] + 1)
    src = next(s for s in registry.list_funding_sources(app_rt) if s.funder == SOURCE["funder"])
    assert src.max_grant_eur == Decimal("45000.00")
    assert src.domains == ["education", "culture", "beekeeping"]
    assert (src.call_opens, src.call_closes) == (date(2024, 2, 1), date(2024, 3, 29))
    assert r.headers["Location"] == f"/cases/{ids['kc']}/sources?source={src.id}"

    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Finansējuma avots reģistrēts." in page
    select = page.split('<select id="funding_source_id"', 1)[1].split("</select>", 1)[0]
    offered = re.search(rf'<option selected value="{src.id}">([^<]*)</option>', select)
    assert offered is not None, select
    assert offered.group(1).startswith("Liepājas pilsētas dome — NVO projektu konkurss 2024")

    # and it can be chosen for the case
    r = c.post(
        f"/cases/{ids['kc']}/sources",
        data={"funding_source_id": str(src.id), "expected_version": str(ids["kc_version"])},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    assert "NVO projektu konkurss 2024" in c.get(f"/cases/{ids['kc']}").get_data(as_text=True)


def test_a_source_registered_elsewhere_goes_to_the_dashboard(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("admin")
    for case in ("", "abc", "//evil.example", "99999999999"):
        r = c.post("/funding-sources/new", data={**SOURCE, "programme": f"P {case}", "case": case})
        assert r.status_code == 302, r.get_data(as_text=True)
        assert r.headers["Location"] == "/"
    assert "Finansējuma avots reģistrēts." in c.get("/").get_data(as_text=True)


def test_a_call_closing_before_it_opens_is_refused_on_the_closing_date(
    client_as: Client, app_rt: Runtime
) -> None:
    before = counts(app_rt)
    r = client_as("coordinator").post(
        "/funding-sources/new", data={**SOURCE, "call_opens": "2024-04-01"}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Konkurss nedrīkst slēgties pirms tā atvēršanas." in field_errors(page, "call_closes")
    assert field_errors(page, "call_opens") == ""
    assert input_value(page, "max_grant_eur") == "45 000,00"
    assert re.search(r'<input checked[^>]*value="culture"', page)  # ticks kept
    assert counts(app_rt) == before


def test_source_money_and_domains_are_checked_on_their_fields(
    client_as: Client, app_rt: Runtime
) -> None:
    before = counts(app_rt)
    r = client_as("coordinator").post(
        "/funding-sources/new",
        data={**SOURCE, "max_grant_eur": "0", "domains_other": "Bišu Drauģi"},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Jābūt vairāk nekā 0." in field_errors(page, "max_grant_eur")
    assert "Mazie latīņu burti" in field_errors(page, "domains")
    assert counts(app_rt) == before


# --- roles and CSRF ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mentor", "other_mentor", "auditor"])
@pytest.mark.parametrize(
    ("route", "data", "what"),
    [
        ("/cycles/new", CYCLE, "pārvaldīt ciklus"),
        ("/funding-sources/new", SOURCE, "pārvaldīt finansējuma avotus"),
    ],
    ids=["cycle", "source"],
)
def test_roles_without_the_right_are_refused_and_nothing_is_written(
    client_as: Client,
    app_rt: Runtime,
    role: str,
    route: str,
    data: dict[str, object],
    what: str,
) -> None:
    c = client_as(role)
    before = counts(app_rt)
    for r in (c.get(route), c.post(route, data=data)):
        assert r.status_code == 403
        assert f"Jūsu lomai tas nav atļauts: {what}." in r.get_data(as_text=True)
    assert counts(app_rt) == before


@pytest.mark.parametrize(
    ("role", "shown"),
    [("coordinator", True), ("admin", True), ("mentor", False), ("auditor", False)],
)
def test_the_dashboard_links_to_both_forms_for_those_who_may(
    client_as: Client, role: str, shown: bool
) -> None:
    page = client_as(role).get("/").get_data(as_text=True)
    assert ('<a id="new-cycle" href="/cycles/new">Jauns cikls</a>' in page) is shown
    source_link = (
        '<a id="new-source" href="/funding-sources/new">Reģistrēt jaunu finansējuma avotu</a>'
    )
    assert (source_link in page) is shown


def test_posts_without_a_csrf_token_are_refused_and_write_nothing(
    client_as: Client, app: Flask, app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    before = counts(app_rt)
    for route, data in (("/cycles/new", CYCLE), ("/funding-sources/new", SOURCE)):
        r = c.post(route, data=data)
        assert r.status_code == 400
        assert "Veidlapa ir novecojusi" in r.get_data(as_text=True)
    assert counts(app_rt) == before

    # the same form with the page's token goes through
    page = c.get("/cycles/new").get_data(as_text=True)
    token = page.split('id="csrf_token" name="csrf_token" type="hidden" value="', 1)[1]
    r = c.post("/cycles/new", data={**CYCLE, "csrf_token": token.split('"', 1)[0]})
    assert r.status_code == 302
    assert counts(app_rt) == (before[0] + 1, before[1])
