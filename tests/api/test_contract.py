"""Contract tests through the Flask test client: each endpoint, each documented status."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def test_openapi_document_is_3_1_and_lists_every_endpoint(api: Api) -> None:
    doc = api.ok("GET", "/openapi.json")
    assert doc["openapi"] == "3.1.0"
    paths = doc["paths"]
    assert set(paths["/api/v1/cases"]) == {"get", "post"}
    assert "post" in paths["/api/v1/cases/{case_id}/transitions"]
    assert "patch" in paths["/api/v1/applications/{application_id}"]
    schemas = doc["components"]["schemas"]
    assert schemas["CycleIn"]["additionalProperties"] is False
    assert {"trigger", "dest", "allowed", "blocked_by"} <= set(schemas["TriggerView"]["properties"])


def test_missing_or_wrong_token_is_401_with_bearer_challenge(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        resp = api.call("GET", "/cases", role=None, headers=headers)
        assert resp.status_code == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_api_path_is_a_404_problem(api: Api) -> None:
    assert api.get("/nothing-here").status_code == 404
    assert api.call("DELETE", "/cases").status_code == 405


def test_catalogue_round_trip_with_money_as_decimal_strings(
    api: Api, world: dict[str, Any]
) -> None:
    cycle = world["cycle"]
    assert cycle["budget_eur"] == "10000.00"
    assert cycle["capacity"] == 15
    assert api.ok("GET", f"/cycles/{cycle['id']}")["name"] == "Cikls A"
    assert [c["id"] for c in api.ok("GET", "/cycles")["items"]] == [cycle["id"]]
    assert api.ok("GET", "/organisations")["items"][0]["reg_no"] == "40008000001"
    assert api.ok("GET", "/funding-sources")["items"][0]["max_grant_eur"] == "40000.00"
    assert api.get("/cycles/999").status_code == 404


def test_enrolled_case_shows_state_version_and_why_analyse_is_blocked(
    api: Api, world: dict[str, Any]
) -> None:
    case = world["case"]
    assert case["state"] == "enrolled"
    assert case["version"] == 1
    analyse = next(t for t in case["triggers"] if t["trigger"] == "analyse")
    assert analyse["allowed"] is False
    assert analyse["blocked_by"][0]["guard"] == "needs_analysis_recorded"
    assert analyse["blocked_by"][0]["message"] == "no needs analysis recorded yet"
