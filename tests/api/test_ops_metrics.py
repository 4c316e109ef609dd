"""The engine's events as Prometheus counters, driven through the API as a client would:
transitions by trigger and outcome, guard refusals by guard, audit verifications; and
the engine's own log line of a transition carrying the request's id."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from sqlalchemy import text

from tests.api.conftest import Api
from web.logs import RequestIdFilter, json_formatter
from workflow.runtime import Runtime


def sample(name: str, **labels: str) -> float:
    """The counter's value in this process (0 before its first increment)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def transitions(trigger: str, outcome: str) -> float:
    return sample("inkubators_transitions_total", trigger=trigger, outcome=outcome)


def fire(api: Api, case_id: int, trigger: str, version: int | None = None) -> int:
    body: dict[str, Any] = {"trigger": trigger}
    if version is not None:
        body["expected_version"] = version
    return api.post(f"/cases/{case_id}/transitions", body).status_code


def test_transitions_are_counted_by_trigger_and_outcome(api: Api, world: dict[str, Any]) -> None:
    cid = world["case"]["id"]
    before = {
        ("analyse", "refused"): transitions("analyse", "refused"),
        ("analyse", "fired"): transitions("analyse", "fired"),
        ("consult", "refused"): transitions("consult", "refused"),
        ("consult", "conflict"): transitions("consult", "conflict"),
        ("(undeclared)", "refused"): transitions("(undeclared)", "refused"),
    }
    guard = sample("inkubators_guard_refusals_total", guard="needs_analysis_recorded")

    assert fire(api, cid, "analyse") == 422  # no analysis recorded: the guard says no
    assert sample("inkubators_guard_refusals_total", guard="needs_analysis_recorded") == guard + 1
    api.ok("POST", f"/cases/{cid}/analysis", {"findings": "Vāja", "need_areas": ["x"]}, 201)
    version = api.ok("GET", f"/cases/{cid}")["version"]
    assert fire(api, cid, "analyse", version) == 200
    assert fire(api, cid, "consult", version) == 409  # stale: the case moved on
    assert fire(api, cid, "analyse") == 409  # not declared from 'analysed'
    assert fire(api, cid, "consult") == 422  # too few consultations
    assert fire(api, cid, "launch_rocket") == 422  # a typo must not become a label

    after = {key: transitions(*key) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        ("analyse", "refused"): 2,
        ("analyse", "fired"): 1,
        ("consult", "refused"): 1,
        ("consult", "conflict"): 1,
        ("(undeclared)", "refused"): 1,
    }
    assert sample("inkubators_guard_refusals_total", guard="enough_consultations") >= 1
    exposition = api.client.get("/metrics", buffered=True).get_data(as_text=True)
    assert "launch_rocket" not in exposition


def test_audit_verifications_count_runs_events_and_findings(
    api: Api, world: dict[str, Any], app: Flask, sqlite_rt: Runtime
) -> None:
    ok_runs = sample("inkubators_audit_verify_runs_total", result="ok")
    broken_runs = sample("inkubators_audit_verify_runs_total", result="broken")
    events = sample("inkubators_audit_verify_events_total")
    findings = sample("inkubators_audit_verify_findings_total")

    first = api.ok("GET", "/audit/verify", role="auditor")
    assert first["ok"] is True
    assert sample("inkubators_audit_verify_runs_total", result="ok") == ok_runs + 1
    assert sample("inkubators_audit_verify_events_total") == events + first["checked"]
    assert sample("inkubators_audit_verify_last_ok_timestamp_seconds") > 0

    with sqlite_rt.engine.begin() as conn:  # an attacker edits an event behind the engine
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET comment = 'labots'"))
    second = api.ok("GET", "/audit/verify", role="auditor")
    assert second["ok"] is False
    assert sample("inkubators_audit_verify_runs_total", result="broken") == broken_runs + 1
    assert sample("inkubators_audit_verify_findings_total") == findings + 1
    assert sample("inkubators_audit_verify_runs_total", result="ok") == ok_runs + 1


@pytest.fixture
def engine_lines() -> Iterator[StringIO]:
    out = StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("workflow.advance")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_the_engine_line_of_a_transition_carries_the_request_id(
    api: Api, world: dict[str, Any], engine_lines: StringIO
) -> None:
    cid = world["case"]["id"]
    api.ok("POST", f"/cases/{cid}/analysis", {"findings": "Vāja", "need_areas": ["x"]}, 201)
    resp = api.call(
        "POST",
        f"/cases/{cid}/transitions",
        json={"trigger": "analyse"},
        headers={"X-Request-Id": "client-trace-42"},
    )
    assert resp.status_code == 200
    assert resp.headers["X-Request-Id"] == "client-trace-42"
    (line,) = [json.loads(x) for x in engine_lines.getvalue().splitlines()]
    assert line["logger"] == "workflow.advance"
    assert line["message"] == f"case {cid}: analyse enrolled -> analysed by ilze"
    assert line["request_id"] == "client-trace-42"
