"""Codes stay codes in the database and the API; people read words in their language:
refused actions, fields of activity, need areas, rule versions, conflicts and eligibility."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web.ui.messages import conflict_message, eligibility_reason, forbidden_what
from workflow import registry, views
from workflow.actors import Actor
from workflow.errors import Conflict, Forbidden
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]
ADMIN = Actor("admins", "admin", None)


@pytest.mark.parametrize(
    ("role", "route", "words", "code"),
    [
        ("auditor", "/admin/rules", "pārvaldīt darba plūsmas noteikumus", "manage_policies"),
        ("coordinator", "/admin/users", "pārvaldīt lietotājus", "manage_users"),
        ("mentor", "/enrol", "uzņemt organizācijas", "enrol"),
        ("mentor", "/cases/{kc}/analysis", "reģistrēt vajadzību analīzi", "record analysis"),
    ],
)
def test_the_403_page_names_the_refused_action_in_words(
    client_as: Client, ids: dict[str, int], role: str, route: str, words: str, code: str
) -> None:
    r = client_as(role).get(route.format(**ids))
    assert r.status_code == 403
    problem = r.get_data(as_text=True).split('class="problem">', 1)[1].split("</p>", 1)[0]
    assert problem == f"Jūsu lomai tas nav atļauts: {words}."
    assert code not in problem


def test_a_refused_step_is_named_by_its_label(app: Flask) -> None:
    with app.test_request_context():
        assert forbidden_what(Forbidden("auditor", "withdraw")) == "solis “Izstāties no programmas”"
        assert forbidden_what(Forbidden("x", "record mentor_assignment")) == "piešķirt mentorus"
        assert forbidden_what(Forbidden("x", "no_such_action")) == "no_such_action"


def test_fields_of_activity_and_need_areas_are_words(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    detail = views.case_detail(app_rt, None, ids["kc"])
    assert detail.fields
    assert detail.analyses
    page = client_as("coordinator").get(f"/cases/{ids['kc']}").get_data(as_text=True)
    fields = page.split('id="case-fields">', 1)[1].split("<", 1)[0]
    for code in detail.fields:
        assert code not in fields
    assert "izglītība" in fields or "vide" in fields or "sociālie pakalpojumi" in fields
    for code in detail.analyses[0].need_areas:
        assert f"{code}," not in page
        assert f"({code}" not in page
    en = client_as("coordinator")
    en.post("/language", data={"lang": "en", "next": "/"})
    page = en.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "_" not in page.split('id="case-fields">', 1)[1].split("<", 1)[0]


def test_an_unknown_field_code_is_shown_as_it_is(app: Flask) -> None:
    from web.ui.vocabulary import FIELDS, labels

    with app.test_request_context():
        assert labels(FIELDS, ["education", "beekeeping"]) == "izglītība, beekeeping"
        assert labels(FIELDS, []) == "–"


def test_rule_history_says_kind_and_origin_in_words(client_as: Client, app_rt: Runtime) -> None:
    from workflow import ruleversions

    with app_rt.engine.begin() as conn:
        ruleversions.record(conn, app_rt.rules, "startup", app_rt.now())
    c = client_as("admin")
    table = c.get("/admin/rules").get_data(as_text=True).split('id="rules-history"', 1)[1]
    assert "<td>politika</td>" in table
    assert "<td>stāvokļi</td>" in table
    assert "servisa palaišana" in table
    assert "<td>policy</td>" not in table
    assert "<td>startup</td>" not in table


@pytest.mark.parametrize("code", ["already_enrolled", "already-enrolled"])
def test_enrolling_twice_is_explained_in_latvian(
    app: Flask, code: str, client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    org = next(o for o in registry.list_organisations(app_rt) if o.name == kc.organisation)
    cycle = next(c for c in registry.list_cycles(app_rt) if c.name == kc.cycle)
    if code == "already_enrolled":  # as the engine raises it, through the form
        r = client_as("coordinator").post(
            "/enrol", data={"organisation_id": str(org.id), "cycle_id": str(cycle.id)}
        )
        assert r.status_code == 422
        page = r.get_data(as_text=True)
        assert f"{kc.organisation} jau ir uzņemta ciklā {kc.cycle} (lieta {kc.id})." in page
        assert "already enrolled" not in page
    else:  # the API's slug spelling is understood too
        exc = Conflict(f"X is already enrolled in {kc.cycle} (case 3)", code)
        with app.test_request_context():
            assert conflict_message(exc) == f"X jau ir uzņemta ciklā {kc.cycle} (lieta 3)."


@pytest.mark.parametrize(
    ("exc", "lv"),
    [
        (
            Conflict("Pilots 2023 is full: 11 of 11 places taken", "cycle_full"),
            "Pilots 2023 ir pilns: visas 11 vietas ir aizņemtas.",
        ),
        (
            Conflict("Pilots is full: 21 of 21 places taken", "cycle-full"),
            "Pilots ir pilns: 21 vieta ir aizņemta.",
        ),
        (
            Conflict("case 7 is closed (withdrawn); it takes no more evidence", "case-closed"),
            "Lieta 7 ir slēgta (Izstājusies); tajā vairs nevar reģistrēt pierādījumus.",
        ),
        (
            Conflict("Erasmus+ is already selected for case 4", "duplicate"),
            "Erasmus+ šai lietai jau ir izvēlēta.",
        ),
        (Conflict("user 'ilze' exists", "duplicate"), "Lietotājs ilze jau pastāv."),
        (Conflict("something new", "cycle_full"), "Cikls ir pilns."),
        (Conflict("unheard of", "mystery"), "unheard of"),
    ],
)
def test_conflicts_are_said_by_code_with_their_details(app: Flask, exc: Conflict, lv: str) -> None:
    with app.test_request_context():
        assert conflict_message(exc) == lv


def test_selecting_a_source_twice_is_explained_in_latvian(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    chosen = kc.sources[0]
    r = client_as("coordinator").post(
        f"/cases/{ids['kc']}/source",
        data={"funding_source_id": str(chosen.funding_source_id), "expected_version": kc.version},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f"{chosen.programme} šai lietai jau ir izvēlēta." in page
    assert "already selected" not in page


@pytest.mark.parametrize(
    ("reason", "lv"),
    [
        (
            "field of activity real_estate_management is excluded from the programme by policy",
            "Programma neattiecas uz darbības jomu: nekustamā īpašuma apsaimniekošana.",
        ),
        (
            "legal form 'company' is not admitted (admitted: association, foundation)",
            "Juridiskā forma “company” netiek pieņemta (pieņem: biedrība, nodibinājums).",
        ),
        (
            "the organisation has already taken part in 3 cycle(s); the policy allows at most 3",
            "Organizācija jau ir piedalījusies 3 ciklos; noteikumi atļauj ne vairāk kā 3.",
        ),
        (
            "the organisation has already taken part in 1 cycle(s); the policy allows at most 1",
            "Organizācija jau ir piedalījusies 1 ciklā; noteikumi atļauj ne vairāk kā 1.",
        ),
    ],
)
def test_eligibility_reasons_are_said_by_rule(app: Flask, reason: str, lv: str) -> None:
    with app.test_request_context():
        assert eligibility_reason(reason) == lv
