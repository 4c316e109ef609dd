"""Acceptance: issue 3's "done when", driven the way a newcomer drives it.

The client knows only ``GET /api/v1/openapi.json`` and a coordinator's token. Every call is
looked up in the document by its ``operationId`` (method and path come from the document,
never from this file), every request body is checked against the documented schema before
it is sent (so the document, not the tests' knowledge, must say which fields exist and
which are required), and every answer is checked against the documented response schema.
A newcomer who followed the document and got a body the document does not describe would
be stuck; so would this test.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from tests.api.conftest import Api
from tests.conftest import Clock
from workflow.tokens import create_token

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
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class Newcomer:
    """A client that knows the API only through its OpenAPI document."""

    def __init__(self, api: Api) -> None:
        self.api = api
        resp = api.get("/openapi.json", role=None)
        assert resp.status_code == 200, "the document must be readable without a token"
        self.doc: dict[str, Any] = resp.get_json()
        assert self.doc["openapi"].startswith("3.1")
        self.ops: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.ops[op["operationId"]] = (method.upper(), path, op)

    # --- the document as a newcomer reads it ------------------------------------------

    def schema(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow ``$ref`` into ``components``."""
        while "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = self.doc["components"]["schemas"][name]
        return node

    def check(self, value: Any, node: dict[str, Any], where: str) -> None:
        """The subset of JSON Schema a reader relies on: types, required, no extras."""
        node = self.schema(node)
        if "anyOf" in node:
            errors = []
            for alt in node["anyOf"]:
                try:
                    self.check(value, alt, where)
                    return
                except AssertionError as exc:
                    errors.append(str(exc))
            raise AssertionError(f"{where}: matches no alternative: {errors}")
        kind = node.get("type")
        if kind is not None:
            allowed = JSON_TYPES[kind]
            ok = isinstance(value, allowed) and not (
                kind in ("integer", "number") and isinstance(value, bool)
            )
            assert ok, f"{where}: {value!r} is not {kind}"
        if "enum" in node:
            assert value in node["enum"], f"{where}: {value!r} not in {node['enum']}"
        if "pattern" in node and isinstance(value, str):
            assert re.search(node["pattern"], value), f"{where}: {value!r} !~ {node['pattern']}"
        if isinstance(value, dict):
            props = node.get("properties", {})
            missing = set(node.get("required", [])) - set(value)
            assert not missing, f"{where}: documented as required but absent: {missing}"
            if node.get("additionalProperties") is False:
                extra = set(value) - set(props)
                assert not extra, f"{where}: not in the document: {extra}"
            extra_schema = node.get("additionalProperties")
            for key, item in value.items():
                if key in props:
                    self.check(item, props[key], f"{where}.{key}")
                elif isinstance(extra_schema, dict):
                    self.check(item, extra_schema, f"{where}.{key}")
        if isinstance(value, list) and "items" in node:
            for i, item in enumerate(value):
                self.check(item, node["items"], f"{where}[{i}]")

    # --- calls ------------------------------------------------------------------------

    def call(
        self,
        op_id: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
        **path_params: Any,
    ) -> tuple[int, Any]:
        """Call the operation as documented; check the request and the answer."""
        method, path, op = self.ops[op_id]
        declared = {p["name"] for p in op.get("parameters", [])}
        assert set(path_params) | set(query or {}) <= declared, (op_id, declared)
        url = path.removeprefix("/api/v1").format(**path_params)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        kwargs: dict[str, Any] = {}
        if body is not None:
            req = op["requestBody"]["content"]["application/json"]["schema"]
            self.check(body, req, f"{op_id} request")
            kwargs["json"] = body
        resp = self.api.call(method, url, **kwargs)
        documented = op["responses"].get(str(resp.status_code))
        assert documented is not None, f"{op_id}: {resp.status_code} is not documented"
        media = documented.get("content", {})
        if resp.mimetype in ("application/json", "application/problem+json"):
            data = resp.get_json()
            schema = media.get(resp.mimetype, media.get("application/json", {})).get("schema")
            assert schema is not None, f"{op_id}: no schema for {resp.status_code} {resp.mimetype}"
            self.check(data, schema, f"{op_id} {resp.status_code}")
            return resp.status_code, data
        assert resp.mimetype in media, f"{op_id}: {resp.mimetype} not documented"
        return resp.status_code, resp.get_data(as_text=True)

    def ok(self, op_id: str, status: int, body: Any = None, **kw: Any) -> Any:
        got, data = self.call(op_id, body, **kw)
        assert got == status, (op_id, got, data)
        return data


def _trigger(case: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in case["triggers"] if t["trigger"] == name)


def _fire(n: Newcomer, case: dict[str, Any], trigger: str, comment: str = "") -> dict[str, Any]:
    body = {"trigger": trigger, "expected_version": case["version"], "comment": comment}
    fired = n.ok("fire", 200, body, case_id=case["id"])
    assert fired["state"] == _trigger(case, trigger)["dest"]
    assert fired["event"]["trigger"] == trigger
    return dict(n.ok("get_case", 200, case_id=case["id"]))


def test_newcomer_with_only_the_document_and_a_token(api: Api, clock: Clock) -> None:
    n = Newcomer(api)

    # The rules, as the document says where to find them.
    workflow = n.ok("workflow", 200)
    policy = n.ok("policy", 200)
    triggers = {t["trigger"] for t in workflow["transitions"]}
    assert {"analyse", "consult", "submit", "record_outcome", "withdraw"} <= triggers

    # A cycle with the policy's defaults; organisations up to capacity; the 16th refused.
    cycle = n.ok(
        "create_cycle",
        201,
        {"name": "Jauns cikls", "starts_on": "2023-03-01", "ends_on": "2023-12-31"},
    )
    assert cycle["capacity"] == policy["policy"]["cycle_defaults"]["capacity"] == 15
    orgs = [
        n.ok(
            "create_organisation",
            201,
            {
                "name": f"Biedrība „Ēdoles ļaudis” {i}",
                "reg_no": f"{40010000000 + i}",
                "legal_form": "association",
                "fields": ["social"],
            },
        )
        for i in range(16)
    ]
    cases = [
        n.ok("enrol", 201, {"organisation_id": o["id"], "cycle_id": cycle["id"]}) for o in orgs[:15]
    ]
    assert {c["state"] for c in cases} == {"enrolled"}
    status, problem = n.call("enrol", {"organisation_id": orgs[15]["id"], "cycle_id": cycle["id"]})
    assert status == 409
    assert problem["code"] == "cycle_full"
    assert "15 of 15" in problem["detail"]
    listed = n.ok("list_cases", 200, query={"cycle_id": cycle["id"], "limit": 500})
    assert len(listed["items"]) == 15, "the refused enrolment left nothing behind"

    # Exactly why a trigger is blocked: on the case, and again when it is fired anyway.
    case = cases[0]
    view = _trigger(case, "analyse")
    assert view["allowed"] is False
    assert [b["guard"] for b in view["blocked_by"]] == ["needs_analysis_recorded"]
    assert all(b["message"] and b["message_lv"] for b in view["blocked_by"])
    status, problem = n.call(
        "fire", {"trigger": "analyse", "expected_version": case["version"]}, case_id=case["id"]
    )
    assert status == 422
    assert problem["blocked_by"] == view["blocked_by"]

    # Evidence, step by step, to the outcome.
    n.ok(
        "record_analysis",
        201,
        {"findings": "Nav finanšu piesaistes plāna", "need_areas": ["fundraising"]},
        case_id=case["id"],
    )
    case = _fire(n, n.ok("get_case", 200, case_id=case["id"]), "analyse")
    needs = policy["policy"]["guards"]["consult"]
    blocked = _trigger(case, "consult")["blocked_by"]
    assert blocked
    assert str(needs["min_hours"]) in blocked[0]["message"]
    n.ok(
        "record_consultation",
        201,
        {"mentor": "anna", "held_on": "2023-03-01", "hours": "2.5", "topic": "Stratēģija"},
        case_id=case["id"],
    )
    case = _fire(n, n.ok("get_case", 200, case_id=case["id"]), "consult")
    source = n.ok(
        "create_funding_source",
        201,
        {
            "funder": "Liepājas valstspilsētas pašvaldība",
            "programme": "NVO projektu konkurss",
            "call_opens": "2023-03-01",
            "call_closes": "2023-11-30",
            "max_grant_eur": "20000.00",
            "domains": ["social"],
        },
    )
    n.ok("select_source", 201, {"funding_source_id": source["id"]}, case_id=case["id"])
    case = _fire(n, n.ok("get_case", 200, case_id=case["id"]), "select_sources")
    application = n.ok(
        "add_application",
        201,
        {
            "funding_source_id": source["id"],
            "title": "Kopienas centrs Karostā",
            "domain": "social",
            "total_budget_eur": "25000.00",
            "requested_eur": "20000.00",
        },
        case_id=case["id"],
    )
    case = _fire(n, n.ok("get_case", 200, case_id=case["id"]), "draft_application")
    submit = _trigger(case, "submit")
    assert not submit["allowed"]
    assert "Kopienas centrs Karostā" in submit["blocked_by"][0]["message"]

    # A stale version is refused, naming both versions.
    status, problem = n.call(
        "fire", {"trigger": "submit", "expected_version": case["version"] - 1}, case_id=case["id"]
    )
    assert status == 409
    assert (problem["expected_version"], problem["actual_version"]) == (
        case["version"] - 1,
        case["version"],
    )

    n.ok(
        "update_application", 200, {"submitted_on": "2023-03-01"}, application_id=application["id"]
    )
    case = _fire(n, n.ok("get_case", 200, case_id=case["id"]), "submit", "iesniegts")
    assert not _trigger(case, "record_outcome")["allowed"]
    clock.set("2023-06-15")
    # 106 days on, past the policy's tokens.lifetime_days (90): the 401 says so; a new token
    got, problem = n.call("list_tokens")
    assert got == 401
    assert problem["detail"].startswith("the token expired at 2023-05-30 10:00 UTC")
    api.tokens["coordinator"] = create_token(
        api.client.application.extensions["inkubators"], "ilze"
    )
    n.ok(
        "update_application",
        200,
        {"decision": "awarded", "decided_on": "2023-06-14", "awarded_eur": "18000.00"},
        application_id=application["id"],
    )
    case = _fire(n, n.ok("get_case", 200, case_id=case["id"]), "record_outcome", "piešķirts")
    assert case["state"] == "outcome"
    assert case["final"] is True

    # The audit log: read it, link the chain by hand, let the server recompute it.
    log = n.ok("case_audit", 200, case_id=case["id"])["items"]
    assert [e["seq"] for e in log] == list(range(1, case["version"] + 1))
    previous = None
    for event in log:
        assert event["prev_hash"] == previous
        assert event["policy_hash"] == policy["hash"]
        assert event["states_hash"] == workflow["hash"]
        previous = event["hash"]
    last = log[-1]
    assert (last["trigger"], last["actor"], last["comment"]) == (
        "record_outcome",
        "ilze",
        "piešķirts",
    )
    assert last["at"].startswith("2023-06-15")
    assert [g["guard"] for g in last["guards"]] == ["all_decisions_recorded"]
    filtered = n.ok("list_audit", 200, query={"case_id": case["id"], "trigger": "submit"})
    assert [e["hash"] for e in filtered["items"]] == [
        e["hash"] for e in log if e["trigger"] == "submit"
    ]
    verdict = n.ok("verify_audit", 200)
    assert verdict["ok"] is True
    assert verdict["first_bad"] is None
    exported = n.ok("export_audit", 200, query={"format": "jsonl", "case_id": case["id"]})
    lines = [json.loads(line) for line in exported.splitlines() if line]
    assert [e["hash"] for e in lines] == [e["hash"] for e in log]

    # The cycle report, with exactly the keys.
    report = n.ok("report", 200, query={"as_of": "2023-06-15"}, cycle_id=cycle["id"])
    assert set(report) == REPORT_KEYS
    assert report["organisations"] == 15
    assert report["cases_by_state"]["outcome"] == 1
    assert report["cases_by_state"]["enrolled"] == 14
    assert Decimal(report["awarded_eur"]) == Decimal("18000")
    assert report["awarded_organisations"] == 1
    assert Decimal(report["largest_project_eur"]) == Decimal("25000")
