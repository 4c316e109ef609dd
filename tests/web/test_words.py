"""Codes stay codes in the database and the API; people read words in their language:
refused actions, fields of activity, need areas, rule versions, conflicts and eligibility."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, session
from flask.testing import FlaskClient

from web.ui.messages import conflict_message, eligibility_reasons, forbidden_what
from workflow import registry, views
from workflow.errors import Conflict, Forbidden, Ineligible
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


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
        assert forbidden_what(Forbidden("x", "record consultations")) == "reģistrēt konsultācijas"
        assert (
            forbidden_what(Forbidden("x", "update applications"))
            == "reģistrēt iesniegšanu un lēmumus"
        )
        assert forbidden_what(Forbidden("x", "assign_mentor")) == "piešķirt mentorus"
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


def test_enrolling_twice_is_explained_in_latvian(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    org = next(o for o in registry.list_organisations(app_rt) if o.name == kc.organisation)
    cycle = next(c for c in registry.list_cycles(app_rt) if c.name == kc.cycle)
    r = client_as("coordinator").post(
        "/enrol", data={"organisation_id": str(org.id), "cycle_id": str(cycle.id)}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f"{kc.organisation} jau ir uzņemta ciklā {kc.cycle} (lieta {kc.id})." in page
    assert "already enrolled" not in page


@pytest.mark.parametrize(
    ("exc", "lv"),
    [
        (  # the engine's own Latvian text is shown as it is, never reworded
            Conflict(
                "whatever", "cycle_full", "Pilots 2023 ir pilns: visas 11 vietas ir aizņemtas."
            ),
            "Pilots 2023 ir pilns: visas 11 vietas ir aizņemtas.",
        ),
        # a conflict raised without it (a bug at the raise site) shows the engine's
        # English, never nothing
        (Conflict("unheard of", "mystery"), "Unheard of."),
        (
            Conflict("Pilots is full: 21 of 21 places taken", "cycle_full"),
            "Pilots is full: 21 of 21 places taken.",
        ),
    ],
)
def test_conflicts_are_said_in_latvian(app: Flask, exc: Conflict, lv: str) -> None:
    with app.test_request_context():
        assert conflict_message(exc) == lv


def test_every_conflict_the_engine_raises_carries_latvian_text() -> None:
    """``conflict_message`` words no conflict by its code: each raise site in the engine
    gives a snake_case code and the Latvian sentence itself."""
    root = Path(__file__).parents[2] / "workflow"
    calls = [
        (path.name, node)
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Conflict"
    ]
    assert len(calls) >= 8
    for name, call in calls:
        where = f"{name}:{call.lineno}"
        keywords = {k.arg: k.value for k in call.keywords}
        code = call.args[1] if len(call.args) > 1 else keywords.get("code")
        assert isinstance(code, ast.Constant), where
        assert isinstance(code.value, str), where
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code.value), where
        lv = call.args[2] if len(call.args) > 2 else keywords.get("message_lv")
        assert lv is not None, where
        assert not (isinstance(lv, ast.Constant) and lv.value is None), where


def test_conflicts_in_english_are_the_engines_sentence(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    org = next(o for o in registry.list_organisations(app_rt) if o.name == kc.organisation)
    cycle = next(c for c in registry.list_cycles(app_rt) if c.name == kc.cycle)
    en = client_as("coordinator")
    en.post("/language", data={"lang": "en", "next": "/"})
    r = en.post("/enrol", data={"organisation_id": str(org.id), "cycle_id": str(cycle.id)})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f"{kc.organisation} is already enrolled in {kc.cycle} (case {kc.id})." in page
    assert "jau ir uzņemta" not in page


def test_selecting_a_source_twice_is_explained_in_latvian(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    chosen = kc.sources[0]
    r = client_as("coordinator").post(
        f"/cases/{ids['kc']}/sources",
        data={"funding_source_id": str(chosen.funding_source_id), "expected_version": kc.version},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f"{chosen.programme} šai lietai jau ir izvēlēta." in page
    assert "already selected" not in page


def test_eligibility_reasons_are_the_engines_latvian(app: Flask) -> None:
    exc = Ineligible(
        ["legal form 'company' is not admitted (admitted: association, foundation)"],
        ["Juridiskā forma “company” netiek pieņemta (pieņem: biedrība, nodibinājums)."],
    )
    bare = Ineligible(["the policy says no"])
    with app.test_request_context():
        assert eligibility_reasons(exc) == [
            "Juridiskā forma “company” netiek pieņemta (pieņem: biedrība, nodibinājums)."
        ]
        assert eligibility_reasons(bare) == ["The policy says no."]


def test_fields_and_needs_are_named_from_the_engines_vocabulary(app: Flask) -> None:
    """The screens and the engine's refusals use one list of names, in the request's language."""
    from web.ui.vocabulary import FIELDS, NEEDS, choices
    from workflow import vocabulary

    with app.test_request_context():
        assert str(FIELDS["real_estate_management"]) == "nekustamā īpašuma apsaimniekošana"
        assert vocabulary.lv("real_estate_management") == str(FIELDS["real_estate_management"])
        assert ("fundraising", "finansējuma piesaiste") in choices(NEEDS)
    with app.test_request_context():
        session["lang"] = "en"
        assert str(FIELDS["social"]) == "social services"
        assert str(NEEDS["fundraising"]) == "fundraising"
