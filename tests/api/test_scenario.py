"""The issue's "done when", as a new user would do it with only the OpenAPI document and a
coordinator's token; and the demo pilot's report through the API as of the council sitting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask

from inkubators.demo.loader import load_demo
from inkubators.demo.programme import PILOT
from tests.api.conftest import Api
from tests.conftest import Clock
from workflow.runtime import Runtime
from workflow.tokens import create_token


def _fire(api: Api, case: dict[str, Any], trigger: str) -> dict[str, Any]:
    body = {"trigger": trigger, "expected_version": case["version"], "comment": ""}
    fired = api.ok("POST", f"/cases/{case['id']}/transitions", body)
    assert fired["version"] == case["version"] + 1
    return dict(api.ok("GET", f"/cases/{case['id']}"))


def _blocked(case: dict[str, Any], trigger: str) -> list[str]:
    view = next(t for t in case["triggers"] if t["trigger"] == trigger)
    return [b["message"] for b in view["blocked_by"]]


def test_done_when_scenario(api: Api, clock: Clock, sqlite_rt: Runtime) -> None:
    doc = api.ok("GET", "/openapi.json")
    assert "/api/v1/reports/cycles/{cycle_id}" in doc["paths"]

    cycle = api.ok(
        "POST",
        "/cycles",
        {
            "name": "2024 pavasaris",
            "starts_on": "2023-03-01",
            "ends_on": "2023-12-31",
            "budget_eur": "10000.00",
            "capacity": 15,
        },
        201,
    )
    orgs = [
        api.ok(
            "POST",
            "/organisations",
            {
                "name": f"Biedrība {n}",
                "reg_no": f"{40009000000 + n}",
                "legal_form": "association",
                "fields": ["culture"],
            },
            201,
        )
        for n in range(16)
    ]
    cases = [
        api.ok("POST", "/cases", {"organisation_id": o["id"], "cycle_id": cycle["id"]}, 201)
        for o in orgs[:15]
    ]
    assert {c["state"] for c in cases} == {"enrolled"}
    full = api.post("/cases", {"organisation_id": orgs[15]["id"], "cycle_id": cycle["id"]})
    assert full.status_code == 409
    assert full.get_json()["code"] == "cycle_full"
    assert full.get_json()["type"] == "urn:inkubators:problem:cycle-full"
    assert full.get_json()["title"] == "The cycle is full"
    assert full.get_json()["detail"] == "2024 pavasaris is full: 15 of 15 places taken"

    source = api.ok(
        "POST",
        "/funding-sources",
        {
            "funder": "Kultūrkapitāla fonds",
            "programme": "Projektu konkurss",
            "call_opens": "2023-03-01",
            "call_closes": "2023-11-30",
            "max_grant_eur": "20000.00",
            "domains": ["culture"],
        },
        201,
    )
    case = cases[0]
    assert _blocked(case, "analyse") == ["no needs analysis recorded yet"]
    api.ok(
        "POST",
        f"/cases/{case['id']}/analysis",
        {"findings": "Nav stratēģijas", "need_areas": ["strategy"]},
        201,
    )
    case = _fire(api, api.ok("GET", f"/cases/{case['id']}"), "analyse")

    consult = {"mentor": "anna", "held_on": "2023-03-01", "hours": "1.5", "topic": "Stratēģija"}
    api.ok("POST", f"/cases/{case['id']}/consultations", consult, 201)
    case = api.ok("GET", f"/cases/{case['id']}")
    reasons = _blocked(case, "consult")
    assert len(reasons) == 1
    assert "1.5" in reasons[0]
    assert "2" in reasons[0]
    refused = api.post(f"/cases/{case['id']}/transitions", {"trigger": "consult"})
    assert refused.status_code == 422
    assert [b["message"] for b in refused.get_json()["blocked_by"]] == reasons
    api.ok("POST", f"/cases/{case['id']}/consultations", {**consult, "hours": "1"}, 201)
    case = _fire(api, api.ok("GET", f"/cases/{case['id']}"), "consult")

    api.ok("POST", f"/cases/{case['id']}/sources", {"funding_source_id": source["id"]}, 201)
    case = _fire(api, api.ok("GET", f"/cases/{case['id']}"), "select_sources")
    application = api.ok(
        "POST",
        f"/cases/{case['id']}/applications",
        {
            "funding_source_id": source["id"],
            "title": "Festivāls",
            "domain": "culture",
            "total_budget_eur": "25000.00",
            "requested_eur": "18000.00",
        },
        201,
    )
    case = _fire(api, api.ok("GET", f"/cases/{case['id']}"), "draft_application")
    api.ok("PATCH", f"/applications/{application['id']}", {"submitted_on": "2023-03-01"})
    case = _fire(api, api.ok("GET", f"/cases/{case['id']}"), "submit")
    assert _blocked(case, "record_outcome")
    clock.set("2023-06-15")
    # 106 days on, past the policy's tokens.lifetime_days (90): the coordinator needs a new one
    expired = api.get("/cases")
    assert expired.status_code == 401
    assert "expired at 2023-05-30 10:00 UTC" in expired.get_json()["detail"]
    api.tokens["coordinator"] = create_token(sqlite_rt, "ilze")
    api.ok(
        "PATCH",
        f"/applications/{application['id']}",
        {"decision": "awarded", "decided_on": "2023-06-14", "awarded_eur": "15000.00"},
    )
    case = _fire(api, api.ok("GET", f"/cases/{case['id']}"), "record_outcome")
    assert case["state"] == "outcome"
    assert not any(t["allowed"] for t in case["triggers"])

    log = api.ok("GET", f"/cases/{case['id']}/audit")["items"]
    transitions = [e["trigger"] for e in log if e["kind"] == "transition"]
    assert transitions == [
        "analyse",
        "consult",
        "select_sources",
        "draft_application",
        "submit",
        "record_outcome",
    ]
    assert [e["seq"] for e in log] == list(range(1, case["version"] + 1))
    assert log[-1]["hash"] == case["history"][-1]["hash"]
    everything: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = api.ok("GET", f"/audit?limit=7&cursor={cursor}")
        everything += page["items"]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert len(everything) == 15 + len(log) - 1
    assert api.ok("GET", "/audit/verify") == {
        "ok": True,
        "checked": len(everything),
        "first_bad": None,
    }

    report = api.ok("GET", f"/reports/cycles/{cycle['id']}?as_of=2023-06-15")
    assert report["organisations"] == 15
    assert report["cases_by_state"]["outcome"] == 1
    assert report["cases_by_state"]["enrolled"] == 14
    assert report["awarded_eur"] == "15000.00"
    assert report["awarded_organisations"] == 1
    assert report["largest_project_eur"] == "25000.00"


def test_demo_pilot_report_as_of_the_council_sitting_shows_the_articles_figures(
    app: Flask, sqlite_rt: Runtime
) -> None:
    load_demo(sqlite_rt)
    api = Api(app.test_client(), {"auditor": create_token(sqlite_rt, "revidents")})
    pilot = next(c for c in api.ok("GET", "/cycles", role="auditor")["items"] if c["name"] == PILOT)
    report = api.ok("GET", f"/reports/cycles/{pilot['id']}?as_of=2023-10-19", role="auditor")
    assert report["organisations"] == 11
    assert report["awarded_organisations"] == 3
    assert Decimal("100000") < Decimal(report["awarded_eur"]) < Decimal("110000")
    assert report["submitted_awaiting"] == 3
    assert report["prepared_waiting_for_call"] == 7
    assert Decimal(report["total_budget_eur"]) > Decimal("500000")
    assert Decimal(report["largest_project_eur"]) > Decimal("1000000")
