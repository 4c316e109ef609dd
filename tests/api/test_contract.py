"""Contract tests through the Flask test client: each endpoint, each documented status."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import Api
from workflow.accounts import get_user_by_name
from workflow.runtime import Runtime


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


# --- Bad input: 400 for what is not a JSON object, 422 naming the field, nothing written --


def _raw(api: Api, path: str, data: str) -> Any:
    return api.call("POST", path, data=data, headers={"Content-Type": "application/json"})


def test_malformed_json_and_non_objects_are_400(api: Api) -> None:
    for data in ("{", "", "[1, 2]", '"text"', "NaN", '{"name": NaN}'):
        resp = _raw(api, "/organisations", data)
        assert resp.status_code == 400, data
    assert api.ok("GET", "/organisations")["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"name": "X", "starts_on": "2023-03-01", "ends_on": "2023-12-31", "colour": "red"},
            "colour",
        ),
        (
            {"name": "X", "starts_on": "2023-03-01", "ends_on": "2023-12-31", "budget_eur": "-5"},
            "budget_eur",
        ),
        (
            {"name": "X", "starts_on": "2023-03-01", "ends_on": "2023-12-31", "budget_eur": "1e12"},
            "budget_eur",
        ),
        ({"name": "X", "starts_on": "1899-03-01", "ends_on": "2023-12-31"}, "starts_on"),
        ({"name": "X", "starts_on": "2023-02-30", "ends_on": "2023-12-31"}, "starts_on"),
        ({"name": "X" * 301, "starts_on": "2023-03-01", "ends_on": "2023-12-31"}, "name"),
        (
            {"name": "X", "starts_on": "2023-03-01", "ends_on": "2023-12-31", "capacity": "many"},
            "capacity",
        ),
        ({"name": "X", "starts_on": "2023-03-01"}, "ends_on"),
        ({"name": "X\u0000", "starts_on": "2023-03-01", "ends_on": "2023-12-31"}, "name"),
    ],
)
def test_invalid_cycle_is_422_naming_the_field_and_writes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    resp = api.post("/cycles", body)
    assert resp.status_code == 422
    assert field in [e["field"] for e in resp.get_json()["errors"]]
    assert api.ok("GET", "/cycles")["items"] == []


def test_invalid_query_parameters_are_422_naming_the_parameter(api: Api) -> None:
    for query, field in (
        ("limit=0", "limit"),
        ("cycle_id=abc", "cycle_id"),
        ("state=nowhere", "state"),
        ("cursor=zzz", "cursor"),
        ("colour=red", "colour"),
    ):
        resp = api.get(f"/cases?{query}")
        assert resp.status_code == 422, query
        assert [e["field"] for e in resp.get_json()["errors"]] == [field]


def test_empty_query_values_count_as_not_given(api: Api, world: dict[str, Any]) -> None:
    page = api.ok("GET", "/cases?cycle_id=&state=&overdue=")
    assert [c["id"] for c in page["items"]] == [world["case"]["id"]]


def test_absurd_path_ids_are_404_not_500(api: Api) -> None:
    assert api.get("/cases/99999999999999").status_code == 404
    assert api.get("/reports/cycles/0").status_code == 404


# --- Enrolment -------------------------------------------------------------------------


def _org(api: Api, n: int, **over: Any) -> int:
    body = {
        "name": f"Biedrība {n}",
        "reg_no": f"{40008100000 + n}",
        "legal_form": "association",
        "fields": ["social"],
    }
    body.update(over)
    return int(api.ok("POST", "/organisations", body, 201)["id"])


def test_enrolment_conflicts_and_ineligibility(api: Api, world: dict[str, Any]) -> None:
    cycle_id = world["cycle"]["id"]
    again = api.post("/cases", {"organisation_id": world["org"]["id"], "cycle_id": cycle_id})
    assert again.status_code == 409
    assert again.get_json()["code"] == "already_enrolled"
    flats = _org(api, 1, fields=["real_estate_management"])
    refused = api.post("/cases", {"organisation_id": flats, "cycle_id": cycle_id})
    assert refused.status_code == 422
    assert refused.get_json()["reasons"]
    assert api.post("/cases", {"organisation_id": 777, "cycle_id": cycle_id}).status_code == 404
    assert api.post("/organisations", {**world["org"], "id": None}).status_code == 422
    dup = dict(world["org"])
    for key in ("id", "created_at"):
        dup.pop(key)
    assert api.post("/organisations", dup).status_code == 409
    assert len(api.ok("GET", f"/cases?cycle_id={cycle_id}")["items"]) == 1


def test_case_list_pages_with_an_opaque_cursor_and_filters(api: Api, world: dict[str, Any]) -> None:
    cycle_id = world["cycle"]["id"]
    for n in range(4):
        api.ok("POST", "/cases", {"organisation_id": _org(api, n + 10), "cycle_id": cycle_id}, 201)
    first = api.ok("GET", f"/cases?cycle_id={cycle_id}&limit=2")
    second = api.ok("GET", f"/cases?cycle_id={cycle_id}&limit=2&cursor={first['next_cursor']}")
    third = api.ok("GET", f"/cases?cycle_id={cycle_id}&limit=2&cursor={second['next_cursor']}")
    ids = [c["id"] for p in (first, second, third) for c in p["items"]]
    assert len(ids) == 5
    assert len(set(ids)) == 5
    assert third["next_cursor"] is None
    assert api.ok("GET", "/cases?state=analysed")["items"] == []
    assert len(api.ok("GET", "/cases?state=enrolled&overdue=false")["items"]) == 5
    assert api.ok("GET", "/cases?overdue=true")["items"] == []


# --- Transitions -------------------------------------------------------------------------


def _analysis(api: Api, case_id: int) -> Any:
    return api.ok(
        "POST",
        f"/cases/{case_id}/analysis",
        {"findings": "Vāja finanšu plānošana", "need_areas": ["fundraising"]},
        201,
    )


def test_transition_statuses(api: Api, world: dict[str, Any]) -> None:
    case_id = world["case"]["id"]
    blocked = api.post(f"/cases/{case_id}/transitions", {"trigger": "analyse"})
    assert blocked.status_code == 422
    assert blocked.get_json()["blocked_by"] == [
        {
            "guard": "needs_analysis_recorded",
            "message": "no needs analysis recorded yet",
            "message_lv": "vajadzību analīze vēl nav reģistrēta",
        }
    ]
    wrong_state = api.post(f"/cases/{case_id}/transitions", {"trigger": "submit"})
    assert wrong_state.status_code == 409
    assert wrong_state.get_json()["state"] == "enrolled"
    recorded = _analysis(api, case_id)
    assert recorded["version"] == 2
    assert recorded["event"]["trigger"] == "record_analysis"
    stale = api.post(f"/cases/{case_id}/transitions", {"trigger": "analyse", "expected_version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["actual_version"] == 2
    assert (
        api.post(
            f"/cases/{case_id}/transitions", {"trigger": "analyse"}, role="auditor"
        ).status_code
        == 403
    )
    fired = api.ok(
        "POST",
        f"/cases/{case_id}/transitions",
        {"trigger": "analyse", "expected_version": 2, "comment": "ok"},
    )
    assert fired["state"] == "analysed"
    assert fired["version"] == 3
    assert fired["event"]["to_state"] == "analysed"
    assert fired["event"]["seq"] == 3
    assert fired["event"]["comment"] == "ok"
    assert api.ok("GET", f"/cases/{case_id}")["state"] == "analysed"
    assert api.post("/cases/424242/transitions", {"trigger": "analyse"}).status_code == 404
    assert api.post(f"/cases/{case_id}/transitions", {"trigger": "Analyse!"}).status_code == 422


def test_evidence_endpoints_and_application_update(api: Api, world: dict[str, Any]) -> None:
    case_id, source_id = world["case"]["id"], world["source"]["id"]
    _analysis(api, case_id)
    consult = api.ok(
        "POST",
        f"/cases/{case_id}/consultations",
        {"mentor": "anna", "held_on": "2023-03-01", "hours": 2.5, "topic": "Budžets"},
        201,
    )
    assert consult["event"]["payload"]["hours"] == "2.5"
    future = api.post(
        f"/cases/{case_id}/consultations",
        {"mentor": "anna", "held_on": "2023-03-02", "hours": 1, "topic": "Budžets"},
    )
    assert future.get_json()["errors"] == [
        {"field": "held_on", "message": "2 Mar 2023 is in the future"}
    ]
    unselected = api.post(
        f"/cases/{case_id}/applications",
        {
            "funding_source_id": source_id,
            "title": "P",
            "domain": "social",
            "total_budget_eur": "100",
            "requested_eur": "90",
        },
    )
    assert unselected.status_code == 422
    assert unselected.get_json()["errors"][0]["field"] == "funding_source_id"
    api.ok("POST", f"/cases/{case_id}/sources", {"funding_source_id": source_id}, 201)
    assert (
        api.post(f"/cases/{case_id}/sources", {"funding_source_id": source_id}).status_code == 409
    )
    app = api.ok(
        "POST",
        f"/cases/{case_id}/applications",
        {
            "funding_source_id": source_id,
            "title": "P",
            "domain": "social",
            "total_budget_eur": "100",
            "requested_eur": "90",
        },
        201,
    )
    stale = api.patch(
        f"/applications/{app['id']}?expected_version=1", {"submitted_on": "2023-03-01"}
    )
    assert stale.status_code == 409
    updated = api.ok("PATCH", f"/applications/{app['id']}", {"submitted_on": "2023-03-01"})
    assert updated["event"]["trigger"] == "update_applications"
    case = api.ok("GET", f"/cases/{case_id}")
    assert case["evidence"]["applications"][0]["status"] == "submitted"
    assert case["evidence"]["applications"][0]["total_budget_eur"] == "100.00"
    assert case["evidence"]["consultation_hours"] == "2.50"
    assert api.patch("/applications/9999", {"submitted_on": "2023-03-01"}).status_code == 404
    assert api.patch(f"/applications/{app['id']}", {}).status_code == 422


def test_mentor_sees_and_serves_only_assigned_cases(api: Api, world: dict[str, Any]) -> None:
    case_id = world["case"]["id"]
    assert api.ok("GET", "/cases", role="mentor")["items"] == []
    assert api.get(f"/cases/{case_id}", role="mentor").status_code == 403
    assert api.post(f"/cases/{case_id}/mentor", {"mentor": "revidents"}).status_code == 422
    api.ok("POST", f"/cases/{case_id}/mentor", {"mentor": "anna"})
    assert [c["id"] for c in api.ok("GET", "/cases", role="mentor")["items"]] == [case_id]
    assert api.ok("GET", f"/cases/{case_id}", role="mentor")["mentor"] == "anna"
    assert len(api.ok("GET", f"/cases/{case_id}/audit", role="mentor")["items"]) == 2


# --- Audit, reports, rules ----------------------------------------------------------------


def test_audit_pages_filters_export_and_verify(api: Api, world: dict[str, Any]) -> None:
    case_id = world["case"]["id"]
    _analysis(api, case_id)
    api.ok("POST", f"/cases/{case_id}/transitions", {"trigger": "analyse"})
    first = api.ok("GET", "/audit?limit=2")
    rest = api.ok("GET", f"/audit?limit=2&cursor={first['next_cursor']}")
    assert [e["seq"] for e in first["items"] + rest["items"]] == [1, 2, 3]
    assert rest["next_cursor"] is None
    assert [
        e["trigger"] for e in api.ok("GET", f"/audit?case_id={case_id}&trigger=analyse")["items"]
    ] == ["analyse"]
    assert api.ok("GET", "/audit?actor=nobody")["items"] == []
    assert len(api.ok("GET", "/audit?since=2023-03-01&until=2023-03-02")["items"]) == 3
    assert api.ok("GET", "/audit?since=2023-03-02T00:00:00Z")["items"] == []
    assert api.get("/audit", role="mentor").status_code == 403
    assert api.get("/audit?since=yesterday").status_code == 422
    case_audit = api.ok("GET", f"/cases/{case_id}/audit")["items"]
    assert [e["trigger"] for e in case_audit] == ["enrol", "record_analysis", "analyse"]
    assert case_audit[0]["at"] == "2023-03-01T10:00:00Z"
    jsonl = api.get("/audit/export?format=jsonl", role="auditor")
    assert jsonl.status_code == 200
    assert jsonl.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in jsonl.get_data(as_text=True).splitlines()]
    assert [e["seq"] for e in lines] == [1, 2, 3]
    csv_export = api.get("/audit/export?format=csv", role="auditor")
    assert csv_export.mimetype == "text/csv"
    assert len(csv_export.get_data(as_text=True).strip().splitlines()) == 4
    assert api.get("/audit/export?format=xml").status_code == 422
    assert api.get("/audit/export", role="mentor").status_code == 403
    assert api.ok("GET", "/audit/verify", role="auditor") == {
        "ok": True,
        "checked": 3,
        "first_bad": None,
    }
    assert api.get("/audit/verify", role="mentor").status_code == 403


REPORT_KEYS = {
    "cycle_id",
    "organisations",
    "capacity",
    "budget_eur",
    "cases_by_state",
    "awarded_eur",
    "awarded_organisations",
    "submitted_awaiting",
    "prepared_waiting_for_call",
    "total_budget_eur",
    "largest_project_eur",
    "overdue_cases",
}


def test_report_has_exactly_the_listed_keys(api: Api, world: dict[str, Any]) -> None:
    cycle_id = world["cycle"]["id"]
    report = api.ok("GET", f"/reports/cycles/{cycle_id}?as_of=2023-03-01", role="mentor")
    assert set(report) == REPORT_KEYS
    assert report["organisations"] == 1
    assert report["cases_by_state"]["enrolled"] == 1
    assert report["budget_eur"] == "10000.00"
    assert report["awarded_eur"] == "0.00"
    before = api.ok("GET", f"/reports/cycles/{cycle_id}?as_of=2023-02-28")
    assert before["organisations"] == 0
    assert api.get(f"/reports/cycles/{cycle_id}?as_of=2023-13-01").status_code == 422
    assert api.get("/reports/cycles/4242").status_code == 404


def test_workflow_and_policy_with_their_hashes(api: Api) -> None:
    wf = api.ok("GET", "/workflow", role="auditor")
    assert wf["initial"] == "enrolled"
    assert len(wf["hash"]) == 64
    consult = next(t for t in wf["transitions"] if t["trigger"] == "consult")
    assert consult["guards"] == ["enough_consultations"]
    assert {s["id"]: s["label"]["en"] for s in wf["states"]}["outcome"] == "Outcome recorded"
    pol = api.ok("GET", "/policy", role="mentor")
    assert len(pol["hash"]) == 64
    assert pol["policy"]["cycle_defaults"] == {"budget_eur": "10000.00", "capacity": 15}
    assert pol["policy"]["roles"]["mentor"]["case_scope"] == "assigned"


def test_a_browser_session_cookie_is_no_credential_for_the_api(
    api: Api, sqlite_rt: Runtime, world: dict[str, Any]
) -> None:
    coordinator = get_user_by_name(sqlite_rt, "ilze")
    with api.client.session_transaction() as session:
        session["_user_id"] = str(coordinator.id)
        session["_fresh"] = True
        session["epoch"] = coordinator.session_epoch
    assert api.get("/cases", role=None).status_code == 401
    assert (
        api.post(
            "/cycles", {"name": "X", "starts_on": "2023-03-01", "ends_on": "2023-04-01"}, role=None
        ).status_code
        == 401
    )
    # With a token as well, the token's user acts, not the cookie's.
    assert (
        api.post(
            "/cycles",
            {"name": "X", "starts_on": "2023-03-01", "ends_on": "2023-04-01"},
            role="auditor",
        ).status_code
        == 403
    )
    assert [c["name"] for c in api.ok("GET", "/cycles", role="auditor")["items"]] == ["Cikls A"]


@pytest.mark.parametrize(
    ("path", "make", "field"),
    [
        ("/cases", lambda o, c: {"organisation_id": str(o), "cycle_id": c}, "organisation_id"),
        ("/cases", lambda o, c: {"organisation_id": o, "cycle_id": True}, "cycle_id"),
        ("/cases", lambda o, c: {"organisation_id": float(o), "cycle_id": c}, "organisation_id"),
        (
            "/cycles",
            lambda o, c: {
                "name": "X",
                "starts_on": "2023-03-01",
                "ends_on": "2023-12-31",
                "capacity": "15",
            },
            "capacity",
        ),
        (
            "/cycles",
            lambda o, c: {
                "name": "X",
                "starts_on": "2023-03-01",
                "ends_on": "2023-12-31",
                "budget_eur": True,
            },
            "budget_eur",
        ),
        (
            "/cycles",
            lambda o, c: {"name": "X", "starts_on": 1677628800, "ends_on": "2023-12-31"},
            "starts_on",
        ),
    ],
)
def test_wrong_json_types_are_422_not_coerced(
    api: Api, world: dict[str, Any], path: str, make: Any, field: str
) -> None:
    """A string or a boolean is no id and a number is no date: nothing is guessed."""
    body = make(_org(api, 50), world["cycle"]["id"])
    cases_before = api.ok("GET", "/cases")["items"]
    cycles_before = api.ok("GET", "/cycles")["items"]
    resp = api.post(path, body)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert [e["field"] for e in resp.get_json()["errors"]] == [field]
    assert api.ok("GET", "/cases")["items"] == cases_before
    assert api.ok("GET", "/cycles")["items"] == cycles_before


def test_money_may_be_a_number_or_a_decimal_string(api: Api) -> None:
    for budget in (12345.67, "12345.67", 12345):
        cycle = api.ok(
            "POST",
            "/cycles",
            {
                "name": f"C {budget!r}",
                "starts_on": "2023-03-01",
                "ends_on": "2023-12-31",
                "budget_eur": budget,
                "capacity": 3,
            },
            201,
        )
        assert cycle["budget_eur"] == f"{float(budget):.2f}"
        assert cycle["capacity"] == 3


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        (
            "/cycles",
            {"name": "X", "starts_on": "2023-12-31", "ends_on": "2023-03-01"},
            {"field": "ends_on", "message": "ends_on must not be before starts_on"},
        ),
        (
            "/funding-sources",
            {
                "funder": "F",
                "programme": "P",
                "call_opens": "2023-12-31",
                "call_closes": "2023-03-01",
                "max_grant_eur": "100",
            },
            {"field": "call_closes", "message": "call_closes must not be before call_opens"},
        ),
    ],
)
def test_dates_out_of_order_name_the_later_field(
    api: Api, path: str, body: dict[str, Any], error: dict[str, str]
) -> None:
    resp = api.post(path, body)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [error]
    assert resp.get_json()["detail"] == f"{error['field']}: {error['message']}"
    assert api.ok("GET", path)["items"] == []


def test_an_invalid_start_is_reported_alone(api: Api) -> None:
    """With no valid start to compare with, the end is not blamed for it."""
    resp = api.post("/cycles", {"name": "X", "starts_on": "2023-13-01", "ends_on": "2023-03-01"})
    assert [e["field"] for e in resp.get_json()["errors"]] == ["starts_on"]


# --- Problem types ---------------------------------------------------------------------


def _type(resp: Any) -> str:
    return str(resp.get_json()["type"]).removeprefix("urn:inkubators:problem:")


def test_each_failure_has_its_own_documented_problem_type(api: Api, world: dict[str, Any]) -> None:
    """A client branches on ``type``: one kebab-case slug per kind of failure, each listed
    in the document's Problem schema."""
    case_id, cycle_id = world["case"]["id"], world["cycle"]["id"]
    consultation = {"mentor": "Anna", "held_on": "2023-03-10", "hours": 2, "topic": "Plāns"}
    seen = {
        "already-enrolled": api.post(
            "/cases", {"organisation_id": world["org"]["id"], "cycle_id": cycle_id}
        ),
        "duplicate": api.post(
            "/cycles", {"name": "Cikls A", "starts_on": "2023-03-01", "ends_on": "2023-12-31"}
        ),
        "guard-rejected": api.post(f"/cases/{case_id}/transitions", {"trigger": "analyse"}),
        "transition-not-allowed": api.post(f"/cases/{case_id}/transitions", {"trigger": "submit"}),
        "stale-version": api.post(
            f"/cases/{case_id}/transitions", {"trigger": "analyse", "expected_version": 7}
        ),
        "forbidden": api.post(
            f"/cases/{case_id}/transitions", {"trigger": "analyse"}, role="auditor"
        ),
        "not-found": api.get("/cases/424242"),
        "invalid-input": api.post("/cases", {"organisation_id": "x", "cycle_id": cycle_id}),
        "unauthorized": api.get("/cases", role=None),
    }
    withdrawn = api.post(
        f"/cases/{case_id}/transitions", {"trigger": "withdraw", "comment": "Valde izstājas"}
    )
    assert withdrawn.status_code == 200
    seen["case-closed"] = api.post(f"/cases/{case_id}/consultations", consultation)
    assert {slug: _type(resp) for slug, resp in seen.items()} == {slug: slug for slug in seen}
    closed = seen["case-closed"].get_json()
    assert (closed["status"], closed["code"], closed["title"]) == (
        409,
        "case_closed",
        "The case is closed",
    )
    described = api.ok("GET", "/openapi.json")["components"]["schemas"]["Problem"]
    for slug in seen:
        assert f"`{slug}`" in described["properties"]["type"]["description"]


def test_a_consultation_before_enrolment_is_422_on_held_on(api: Api, world: dict[str, Any]) -> None:
    case_id = world["case"]["id"]
    resp = api.post(
        f"/cases/{case_id}/consultations",
        {"mentor": "Anna", "held_on": "2020-01-01", "hours": 3, "topic": "PR"},
    )
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [
        {
            "field": "held_on",
            "message": "1 Jan 2020 is before the case was enrolled on 1 Mar 2023",
        }
    ]
    case = api.ok("GET", f"/cases/{case_id}")
    assert case["evidence"]["consultations"] == []
    assert case["version"] == 1
