"""Field messages in the user's language: pydantic's by error type, the engine's by field."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from pydantic import BaseModel, ValidationError

from web.ui import validation
from workflow import schemas
from workflow.errors import InvalidInput
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn, ApplicationUpdate
from workflow.evidence.consultations import ConsultationIn

Client = Callable[[str | None], FlaskClient]

# Inputs that between them break every rule the schemas declare.
BAD: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (ConsultationIn, {"mentor": "", "held_on": "x", "hours": "many", "extra": 1}),
    (ConsultationIn, {"mentor": "a", "held_on": "2024-01-01T10:00", "hours": "1.123"}),
    (ConsultationIn, {"mentor": "a", "held_on": "1999-01-01", "hours": "0", "topic": "a"}),
    (ConsultationIn, {"mentor": "a", "held_on": "2101-01-01", "hours": "25", "topic": "t"}),
    (
        ConsultationIn,
        {"mentor": "a", "held_on": "2020-01-01", "hours": "nan", "topic": "t"},
    ),
    (ConsultationIn, {"mentor": "a" * 121, "held_on": "2020-01-01T00:00:00"}),
    (
        ApplicationIn,
        {"funding_source_id": "x", "title": "t", "domain": "Bad", "total_budget_eur": "1e10"},
    ),
    (ApplicationIn, {"funding_source_id": "0", "total_budget_eur": "999999999.5"}),
    (ApplicationUpdate, {"decision": "maybe", "awarded_eur": "-1"}),
    (AnalysisIn, {"findings": "x", "need_areas": []}),
    (AnalysisIn, {"findings": "x", "need_areas": ["a"] * 21}),
    (schemas.OrganisationIn, {"name": "x", "reg_no": "1", "legal_form": "x"}),
    (schemas.UserIn, {"name": "x", "role": "x"}),
    (schemas.CycleIn, {"name": "x", "starts_on": "2024-02-01", "ends_on": "2024-01-01"}),
    (
        schemas.FundingSourceIn,
        {
            "funder": "x",
            "programme": "y",
            "call_opens": "2024-02-01",
            "call_closes": "2024-01-01",
            "max_grant_eur": "1",
        },
    ),
    (schemas.EnrolmentIn, {"organisation_id": "1.5", "cycle_id": 2**31}),
]


def _errors() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for model, data in BAD:
        with pytest.raises(ValidationError) as info:
            model.model_validate(data)
        out.extend(dict(e) for e in info.value.errors())
    return out


def test_every_schema_error_has_a_latvian_sentence(app: Flask) -> None:
    errors = _errors()
    types = {e["type"] for e in errors}
    assert {"missing", "string_too_short", "string_too_long", "value_error"} <= types
    assert types <= set(validation.MESSAGES), types - set(validation.MESSAGES)
    with app.test_request_context("/"):
        for err in errors:
            with force_locale("lv"):
                lv = validation.message(err)
            with force_locale("en"):
                en = validation.message(err)
            assert lv != en, (err, lv)
            assert "Input should" not in lv
            assert "Value error" not in lv


def test_limits_are_written_for_the_reader(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("lv"):
        by_field = {
            e["loc"][0]: validation.message(e)
            for e in _errors()
            if e["loc"] and e["type"] in ("less_than_equal", "greater_than_equal")
        }
        assert by_field["held_on"].startswith("Nedrīkst būt")  # a date bound, not a number
        assert "2100" in by_field["held_on"] or "2000" in by_field["held_on"]
        assert by_field["total_budget_eur"] == "Jābūt ne vairāk kā 100\xa0000\xa0000."
        model_rule = [e for e in _errors() if e["type"] == "value_error"][0]
        assert validation.message(model_rule) == "Cikls nedrīkst beigties pirms tā sākuma."


def test_engine_messages_are_latvian_in_the_latvian_ui(app: Flask) -> None:
    exc = InvalidInput(
        {"held_on": "2030-01-01 is in the future"}, {"held_on": "2030-01-01 ir nākotnē"}
    )
    with app.test_request_context("/"):
        with force_locale("lv"):
            assert validation.invalid_errors(exc) == {"held_on": "2030-01-01 ir nākotnē"}
        with force_locale("en"):
            assert validation.invalid_errors(exc) == {"held_on": "2030-01-01 is in the future"}
    old_style = InvalidInput({"x": "bad"})  # raise sites without Latvian still work
    assert old_style.errors == {"x": "bad"}
    assert old_style.errors_lv == {}


ENGINE = Path(__file__).parents[2] / "workflow"
# every engine module that refuses input (a new one is checked the day it is written)
REFUSING = sorted(
    str(p.relative_to(ENGINE).with_suffix(""))
    for p in ENGINE.rglob("*.py")
    if "migrations" not in p.parts and "InvalidInput(" in p.read_text() and p.name != "errors.py"
)


def test_the_refusing_modules_are_found() -> None:
    assert {"recording", "mentors", "newusers", "casequery", "evidence/common"} <= set(REFUSING)


@pytest.mark.parametrize("module", REFUSING)
def test_every_invalid_input_in_the_engine_says_it_in_latvian_too(module: str) -> None:
    source = (ENGINE / f"{module}.py").read_text()
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "InvalidInput"
    ]
    assert calls
    for call in calls:
        assert len(call.args) == 2, f"workflow/{module}.py:{call.lineno} has no Latvian message"


def test_consultation_form_errors_in_latvian_and_english(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    data = {"mentor": "janis", "held_on": "2024-01-01T10:00", "hours": "many", "topic": ""}
    page = c.post(f"/cases/{ids['kc']}/consultations", data=data).get_data(as_text=True)
    assert "Ievadiet skaitli, piemēram, 1250,50." in page
    assert "Šis lauks ir obligāts." in page
    assert "Ievadiet datumu formātā GGGG-MM-DD." in page
    assert "Input should" not in page
    future = {"mentor": "janis", "held_on": "2024-03-01", "hours": "1", "topic": "Budžets"}
    page = c.post(f"/cases/{ids['kc']}/consultations", data=future).get_data(as_text=True)
    assert "01.03.2024. ir nākotnē" in page
    c.post("/language", data={"lang": "en"})
    page = c.post(f"/cases/{ids['kc']}/consultations", data=data).get_data(as_text=True)
    assert "Enter a number, e.g. 1250,50." in page
    assert "This field is required." in page


def test_decision_errors_on_an_application_are_latvian(
    client_as: Client, ids: dict[str, int]
) -> None:
    r = client_as("coordinator").post(
        f"/applications/{ids['erasmus_app']}", data={"decision": "awarded", "awarded_eur": "1,5"}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    decision = page.split('id="decision-errors"', 1)[1].split("</ul>")[0]
    assert "lēmumu par pieteikumu pieņem tikai pēc tā iesniegšanas" in decision
    assert "jānorāda lēmuma datums" in page.split('id="decided_on-errors"', 1)[1]


def test_short_password_and_empty_login_in_latvian(client_as: Client, app: Flask) -> None:
    r = client_as("admin").post(
        "/admin/users",
        data={"name": "jauns", "role": "auditor", "locale": "lv", "password": "short"},
    )
    assert r.status_code == 422
    assert "jābūt vismaz 10 rakstzīmēm" in r.get_data(as_text=True)
    r = app.test_client().post("/login", data={"name": "", "password": ""})
    assert r.status_code == 400
    assert "Šis lauks ir obligāts." in r.get_data(as_text=True)
