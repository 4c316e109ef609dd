"""Role matrix: each role × each write endpoint answers the policy's 2xx or 403, and a 403
writes nothing. Expectations are the shipped ``policies/`` file as a user reads it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import ROLES, Api
from tests.conftest import ADMIN
from workflow import accounts, enrolment, mentors, recording, registry, views
from workflow.accounts import add_user
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn
from workflow.evidence.sources import SelectionIn
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn, UserIn

SOURCE = {
    "funder": "Fonds",
    "programme": "Programma",
    "call_opens": "2023-03-01",
    "call_closes": "2023-12-31",
    "max_grant_eur": "40000",
    "domains": ["social"],
}

# endpoint → (method, path template, body, success status)
WRITES: dict[str, tuple[str, str, dict[str, Any], int]] = {
    "create_organisation": (
        "POST",
        "/organisations",
        {"name": "Jauna", "reg_no": "40008999999", "legal_form": "foundation"},
        201,
    ),
    "create_cycle": (
        "POST",
        "/cycles",
        {"name": "Jauns", "starts_on": "2024-01-01", "ends_on": "2024-06-30"},
        201,
    ),
    "create_funding_source": ("POST", "/funding-sources", SOURCE, 201),
    "enrol": ("POST", "/cases", {"organisation_id": "{spare_org}", "cycle_id": "{cycle}"}, 201),
    "record_analysis": (
        "POST",
        "/cases/{case}/analysis",
        {"findings": "F", "need_areas": ["x"]},
        201,
    ),
    "record_consultations": (
        "POST",
        "/cases/{case}/consultations",
        {"mentor": "anna", "held_on": "2023-03-01", "hours": "2", "topic": "T"},
        201,
    ),
    "record_sources": (
        "POST",
        "/cases/{case}/sources",
        {"funding_source_id": "{spare_source}"},
        201,
    ),
    "record_applications": (
        "POST",
        "/cases/{case}/applications",
        {
            "funding_source_id": "{source}",
            "title": "P",
            "domain": "social",
            "total_budget_eur": "100",
            "requested_eur": "90",
        },
        201,
    ),
    "update_applications": (
        "PATCH",
        "/applications/{application}",
        {"submitted_on": "2023-03-01"},
        200,
    ),
    "record_notes": ("POST", "/cases/{case}/notes", {"note_type": "phone", "text": "Zvans"}, 201),
    "fire": ("POST", "/cases/{case}/transitions", {"trigger": "analyse"}, 200),
    "assign_mentor": ("POST", "/cases/{case}/mentor", {"mentor": "anna"}, 200),
    "invite": (
        "POST",
        "/organisations/{spare_org}/representatives",
        {"name": "valde.o1", "email": "valde@o1.lv"},
        201,
    ),
    "assign_in_bulk": (
        "POST",
        "/mentor-assignments",
        {"case_ids": ["{case}"], "mentor": "janis"},
        200,
    ),
    "edit_organisation": ("PATCH", "/organisations/{spare_org}", {"name": "Pārdēvēta"}, 200),
    "edit_cycle": ("PATCH", "/cycles/{cycle}", {"ends_on": "2024-01-31"}, 200),
    "edit_funding_source": (
        "PATCH",
        "/funding-sources/{spare_source}",
        {"call_closes": "2024-01-31"},
        200,
    ),
}

ALLOWED = {
    "coordinator": set(WRITES),
    "admin": set(WRITES),
    "mentor": {"record_consultations", "record_notes"},
    "auditor": set(),
}


@pytest.fixture
def ids(sqlite_rt: Runtime, tokens: dict[str, str]) -> dict[str, int]:
    """A case with an analysis, a selected source and a drafted application, assigned to
    the mentor; plus an organisation and a source not yet used."""
    rt = sqlite_rt
    cycle = registry.create_cycle(
        rt, ADMIN, CycleIn(name="C", starts_on=date(2023, 3, 1), ends_on=date(2023, 12, 31))
    )
    orgs = [
        registry.create_organisation(
            rt,
            ADMIN,
            OrganisationIn(name=f"O{n}", reg_no=f"4000800000{n}", legal_form="association"),
        ).id
        for n in range(2)
    ]
    source, spare = (
        registry.create_funding_source(
            rt, ADMIN, FundingSourceIn.model_validate({**SOURCE, "max_grant_eur": Decimal(40000)})
        ).id
        for _ in range(2)
    )
    case = enrolment.enrol(rt, ADMIN, orgs[0], cycle.id)
    mentors.assign_mentor(rt, ADMIN, case, "anna")
    add_user(rt, UserIn(name="janis", role="mentor"))  # to take the case over in bulk
    recording.record(rt, ADMIN, case, AnalysisIn(findings="F", need_areas=["x"]))
    recording.record(rt, ADMIN, case, SelectionIn(funding_source_id=source))
    app = recording.record(
        rt,
        ADMIN,
        case,
        ApplicationIn(
            funding_source_id=source,
            title="P",
            domain="social",
            total_budget_eur=Decimal(100),
            requested_eur=Decimal(90),
        ),
    )
    return {
        "cycle": cycle.id,
        "case": case,
        "spare_org": orgs[1],
        "source": source,
        "spare_source": spare,
        "application": app.id,
    }


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _footprint(rt: Runtime) -> tuple[object, ...]:
    cases, _ = views.list_cases(rt, ADMIN, limit=500)
    return (
        len(registry.list_organisations(rt)),
        len(registry.list_cycles(rt)),
        len(registry.list_funding_sources(rt)),
        len(cases),
        sum(c.version for c in cases),
        len(accounts.list_users(rt)),
        # the edits change rows, not counts
        tuple(o.name for o in registry.list_organisations(rt)),
        tuple(c.ends_on for c in registry.list_cycles(rt)),
        tuple(f.call_closes for f in registry.list_funding_sources(rt)),
    )


@pytest.mark.parametrize("endpoint", sorted(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not_write(
    api: Api, sqlite_rt: Runtime, ids: dict[str, int], role: str, endpoint: str
) -> None:
    method, path, body, success = WRITES[endpoint]
    before = _footprint(sqlite_rt)
    resp = api.call(method, path.format(**ids), role, json=_fill(body, ids))
    if endpoint in ALLOWED[role]:
        assert resp.status_code == success, resp.get_data(as_text=True)
        assert _footprint(sqlite_rt) != before
    else:
        assert resp.status_code == 403, resp.get_data(as_text=True)
        assert _footprint(sqlite_rt) == before


def test_every_write_endpoint_of_the_document_is_in_the_matrix(api: Api) -> None:
    doc = api.ok("GET", "/openapi.json")
    writes = {
        op["operationId"]
        for item in doc["paths"].values()
        for method, op in item.items()
        if method in ("post", "patch", "put", "delete")
    }
    # every user revokes their own tokens and calendar address, whatever the role:
    # tests/api/test_tokens.py, tests/api/test_notes_calendar.py; uploads are multipart,
    # with their own role matrices in tests/api/test_documents.py and
    # tests/api/test_registry_api.py
    writes_too = {"revoke_token", "revoke_my_calendar", "upload_document", "create_registry_import"}
    assert writes == set(WRITES) | writes_too
