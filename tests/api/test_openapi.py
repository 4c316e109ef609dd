"""The OpenAPI document tells a client enough to use the API without reading our code:
declared shapes for every answer, how an audit event's hash is computed, the triggers of
the workflow in force and which roles may call each write, from the policy in force."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tests.api.conftest import Api
from tests.conftest import ROOT
from workflow.rules import Rules, load_rules
from workflow.runtime import FixedRules, Runtime


def _schemas(api: Api) -> dict[str, Any]:
    schemas: dict[str, Any] = api.ok("GET", "/openapi.json")["components"]["schemas"]
    return schemas


def _recompute(event: dict[str, Any], description: str) -> str:
    """The event's hash, computed from the response by the words of the description only."""
    listed = re.search(r"exactly these fields of the event: (.+?)\. Not", description)
    assert listed is not None, description
    names = re.findall(r"`(\w+)`", listed.group(1))
    body = {name: event[name] for name in names}
    assert "six fractional digits" in description
    at = datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
    body["at"] = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_an_event_hash_recomputes_from_the_response_and_the_description(
    api: Api, world: dict[str, Any]
) -> None:
    case_id = world["case"]["id"]
    api.ok(
        "POST",
        f"/cases/{case_id}/analysis",
        {"findings": 'Vāja "finanšu" plānošana\nun PR', "need_areas": ["fundraising"]},
        201,
    )
    fired = api.ok(
        "POST",
        f"/cases/{case_id}/transitions",
        {"trigger": "analyse", "comment": "Valde: “jā” — ļoti labi\tnākamais solis"},
    )
    schema = _schemas(api)["AuditEvent"]
    description = schema["description"]
    events = api.ok("GET", f"/cases/{case_id}/audit", role="auditor")["items"]
    assert events[-1] == fired["event"]
    assert fired["event"]["guards"] == [
        {
            "guard": "needs_analysis_recorded",
            "passed": True,
            "message": events[-1]["guards"][0]["message"],
        }
    ]
    for prev, event in zip([None, *events], events, strict=False):
        assert _recompute(event, description) == event["hash"]
        assert event["prev_hash"] == (prev["hash"] if prev else None)
    assert set(schema["properties"]["guards"]["items"]) == {"$ref"}


def _drop_protection(rt: Runtime) -> None:
    with rt.engine.begin() as c:
        c.execute(text("DROP TRIGGER audit_events_no_update"))


def test_verify_names_the_first_bad_event_in_the_declared_shape(
    api: Api, world: dict[str, Any], sqlite_rt: Runtime
) -> None:
    case_id = world["case"]["id"]
    _drop_protection(sqlite_rt)
    with sqlite_rt.engine.begin() as c:
        c.execute(
            text("UPDATE audit_events SET comment = 'edited' WHERE case_id = :c"), {"c": case_id}
        )
        event_id = c.scalar(text("SELECT id FROM audit_events WHERE case_id = :c"), {"c": case_id})
    result = api.ok("GET", "/audit/verify", role="auditor")
    assert result["ok"] is False
    assert result["first_bad"] == {
        "event_id": event_id,
        "case_id": case_id,
        "seq": 1,
        "problem": "its content does not match its hash: the event was edited",
    }
    schemas = _schemas(api)
    assert schemas["VerifyOut"]["properties"]["first_bad"]["anyOf"][0] == {
        "$ref": "#/components/schemas/BadEvent"
    }
    assert set(schemas["BadEvent"]["required"]) == set(result["first_bad"])


def _rules_with(tmp_path: Path, policy: dict[str, str], states: dict[str, str]) -> Rules:
    """The repository's rules with the given replacements made in copies of the files."""
    states_dir, policy_dir = tmp_path / "states", tmp_path / "policies"
    shutil.copytree(ROOT / "states", states_dir)
    shutil.copytree(ROOT / "policies", policy_dir)
    for path, edits in (
        (policy_dir / "programme.yaml", policy),
        (states_dir / "incubation.yaml", states),
    ):
        content = path.read_text("utf-8")
        for old, new in edits.items():
            assert old in content
            content = content.replace(old, new)
        path.write_text(content, "utf-8")
    return load_rules(states_dir, policy_dir)


def test_triggers_and_roles_follow_the_rules_in_force(
    api: Api, sqlite_rt: Runtime, tmp_path: Path
) -> None:
    doc = api.ok("GET", "/openapi.json")
    workflow = api.ok("GET", "/workflow")
    trigger = doc["components"]["schemas"]["TransitionIn"]["properties"]["trigger"]
    assert trigger["enum"] == list(dict.fromkeys(t["trigger"] for t in workflow["transitions"]))
    cycles = doc["paths"]["/api/v1/cycles"]["post"]["description"]
    assert cycles.endswith(
        "Roles that may call this (policy in force, `actions: manage_cycles`): coordinator, admin."
    )
    consult = doc["paths"]["/api/v1/cases/{case_id}/consultations"]["post"]["description"]
    assert "`evidence: consultations`): coordinator, mentor, admin." in consult
    assert consult.endswith("mentor: only on cases assigned to them.")
    fire = doc["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]["description"]
    assert "`withdraw`: coordinator, admin" in fire

    # The policy and the workflow change (as a file edit would): the next document follows.
    assert isinstance(sqlite_rt.rules_source, FixedRules)
    sqlite_rt.rules_source.rules = _rules_with(
        tmp_path,
        policy={
            "record_outcome, withdraw]": "record_outcome, leave]",
            "actions: [enrol, manage_organisations, manage_cycles, manage_funding_sources, "
            "read_audit, assign_mentor, read_reports, upload_documents, import_register, "
            "read_register, record_for_others, read_budget, invite_representatives]": "actions: "
            "[enrol, manage_organisations, manage_funding_sources, read_audit, assign_mentor, "
            "read_reports, record_for_others, read_budget, invite_representatives]",
        },
        states={"trigger: withdraw": "trigger: leave"},
    )
    changed = api.ok("GET", "/openapi.json")
    cycles = changed["paths"]["/api/v1/cycles"]["post"]["description"]
    assert cycles.endswith("`actions: manage_cycles`): admin.")
    enum = changed["components"]["schemas"]["TransitionIn"]["properties"]["trigger"]["enum"]
    assert "leave" in enum
    assert "withdraw" not in enum
    assert sqlite_rt.rules.states_hash in changed["info"]["description"]
