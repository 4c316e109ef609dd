"""Object-level access, proven over every route of the JSON API on SQLite and PostgreSQL:
for each role (coordinator, the case's mentor and another mentor, auditor, admin, the
organisation's representative and another organisation's, each with their own bearer
token) every route answers as the matrix says, on the objects of two organisations' cases
(the case, its notes, its application, its consultations), including ids guessed across
organisations. A route of the URL map the matrix does not name fails the test.

Writes carry a stale ``expected_version``: a role with the right gets as far as the
version check (409) and changes nothing; a role without it is refused first (403). No
answer a representative or the other mentor gets carries the other case's data.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import COORDINATOR
from tests.documents import files
from web import create_app
from workflow import accounts, mentors, recording, views
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn
from workflow.evidence.consultations import ConsultationIn
from workflow.evidence.notes import NoteIn
from workflow.evidence.sources import SelectionIn
from workflow.runtime import Runtime
from workflow.schemas import UserIn
from workflow.settings import Settings
from workflow.tokens import create_token, list_tokens

USERS = {
    "coordinator": ("ilze", "coordinator", None),
    "mentor": ("janis", "mentor", None),
    "other_mentor": ("anna", "mentor", None),
    "auditor": ("revidents", "auditor", None),
    "admin": ("admins", "admin", None),
    "rep": ("rep.alfa", "representative", "40008000011"),
    "other_rep": ("rep.beta", "representative", "40008000022"),
}
ROLES = tuple(USERS)
EVERYONE = ROLES
WRITERS = ("coordinator", "admin")
AUDIT = ("coordinator", "auditor", "admin")
SEE_A = ("coordinator", "mentor", "auditor", "admin")
SEE_B = ("coordinator", "auditor", "admin")
#: the programme's figures: every staff role (each file lists only the cases they may see)
STAFF = ("coordinator", "mentor", "other_mentor", "auditor", "admin")
STALE = "?expected_version=999"
#: what each role must never read: the other organisation's case and internal notes
SECRETS = {
    "rep": ("Biedrība Beta", "40008000022", "A-INTERNAL", "B-INTERNAL", "B-SHARED"),
    "other_rep": ("Biedrība Alfa", "40008000011", "A-INTERNAL", "A-SHARED", "B-INTERNAL"),
    "other_mentor": ("A-INTERNAL", "A-SHARED", "B-INTERNAL", "B-SHARED"),
}

NOTE = {"note_type": "message", "text": "x"}
ANALYSIS = {"findings": "x", "need_areas": ["strategy"]}
CONSULT = {"mentor": "anna", "held_on": "2023-03-01", "hours": "1", "topic": "t"}
APPLICATION = {
    "funding_source_id": 1,
    "title": "t",
    "domain": "social",
    "total_budget_eur": "100.00",
    "requested_eur": "50.00",
}


def B(body: dict[str, Any]) -> str:  # noqa: N802 - reads as a body in the table below
    """A request body as JSON text (so the table's rows can be keys)."""
    return json.dumps(body)


#: a multipart upload of a real PDF (so the role's right, not the body, decides)
FILE = "<file>"

# (method, endpoint, path, body) -> roles allowed; everyone else 403.
Row = tuple[str, str, str, Any]
MATRIX: dict[Row, tuple[str, ...]] = {
    ("GET", "api.list_cases", "/cases", None): EVERYONE,
    ("POST", "api.enrol", "/cases", B({})): WRITERS,
    ("GET", "api.get_case", "/cases/{a}", None): SEE_A,
    ("GET", "api.get_case", "/cases/{b}", None): SEE_B,
    ("GET", "api.overview", "/cases/{a}/overview", None): (*SEE_A, "rep"),
    ("GET", "api.overview", "/cases/{b}/overview", None): (*SEE_B, "other_rep"),
    ("GET", "api.list_notes", "/cases/{a}/notes", None): (*SEE_A, "rep"),
    ("GET", "api.list_notes", "/cases/{b}/notes", None): (*SEE_B, "other_rep"),
    ("GET", "api.case_audit", "/cases/{a}/audit", None): SEE_A,
    ("GET", "api.case_audit", "/cases/{b}/audit", None): SEE_B,
    ("POST", "api.record_evidence", "/cases/{a}/notes" + STALE, B(NOTE)): (
        *WRITERS,
        "mentor",
        "rep",
    ),
    ("POST", "api.record_evidence", "/cases/{b}/notes" + STALE, B(NOTE)): (*WRITERS, "other_rep"),
    ("POST", "api.record_evidence", "/cases/{a}/analysis" + STALE, B(ANALYSIS)): WRITERS,
    ("POST", "api.record_evidence", "/cases/{a}/consultations" + STALE, B(CONSULT)): (
        *WRITERS,
        "mentor",
    ),
    ("POST", "api.record_evidence", "/cases/{a}/sources" + STALE, B({"funding_source_id": 1})): (
        WRITERS
    ),
    ("POST", "api.record_evidence", "/cases/{a}/applications" + STALE, B(APPLICATION)): WRITERS,
    ("PATCH", "api.update_evidence", "/applications/{app_a}" + STALE, B({"decision": None})): (
        WRITERS
    ),
    ("PATCH", "api.update_evidence", "/applications/{app_b}" + STALE, B({"decision": None})): (
        WRITERS
    ),
    (
        "POST",
        "api.fire",
        "/cases/{a}/transitions",
        B({"trigger": "analyse", "expected_version": 999}),
    ): WRITERS,
    (
        "POST",
        "api.assign_mentor",
        "/cases/{a}/mentor",
        B({"mentor": "janis", "expected_version": 999}),
    ): WRITERS,
    ("POST", "api.upload_document", "/cases/{a}/documents", FILE): (*WRITERS, "mentor", "rep"),
    ("POST", "api.upload_document", "/cases/{b}/documents", FILE): (*WRITERS, "other_rep"),
    ("GET", "api.list_documents", "/cases/{a}/documents", None): (*SEE_A, "rep"),
    ("GET", "api.list_documents", "/cases/{b}/documents", None): (*SEE_B, "other_rep"),
    ("GET", "api.download_document", "/documents/{doc_a}", None): (*SEE_A, "rep"),
    ("GET", "api.download_document", "/documents/{doc_b}", None): (*SEE_B, "other_rep"),
    ("GET", "api.registry_stats", "/registry/stats?city=Liepāja&year=2022", None): AUDIT,
    ("GET", "api.registry_imports", "/registry/imports", None): AUDIT,
    ("POST", "api.create_registry_import", "/registry/imports", B({})): WRITERS,
    ("GET", "api.export_cases_csv", "/cases/export.csv", None): EVERYONE,
    ("GET", "api.export_cases_xlsx", "/cases/export.xlsx", None): EVERYONE,
    ("GET", "api.my_work", "/me/work", None): EVERYONE,
    ("GET", "api.sorted_cases", "/cases/sorted", None): EVERYONE,
    ("GET", "api.cycle_budget", "/cycles/{cycle}/budget", None): AUDIT,
    ("POST", "api.assign_in_bulk", "/mentor-assignments", B({})): WRITERS,
    ("PATCH", "api.edit_organisation", "/organisations/{org_a}", B({"name": "x" * 999})): WRITERS,
    ("PATCH", "api.edit_cycle", "/cycles/{cycle}", B({"ends_on": "x"})): WRITERS,
    ("PATCH", "api.edit_funding_source", "/funding-sources/1", B({"call_closes": "x"})): WRITERS,
    ("GET", "api.list_organisations", "/organisations", None): EVERYONE,
    ("POST", "api.create_organisation", "/organisations", B({})): WRITERS,
    ("POST", "api.invite", "/organisations/{org_a}/representatives", B({})): WRITERS,
    ("GET", "api.list_cycles", "/cycles", None): EVERYONE,
    ("GET", "api.get_cycle", "/cycles/{cycle}", None): EVERYONE,
    ("POST", "api.create_cycle", "/cycles", B({})): WRITERS,
    ("GET", "api.list_funding_sources", "/funding-sources", None): EVERYONE,
    ("POST", "api.create_funding_source", "/funding-sources", B({})): WRITERS,
    ("GET", "api.list_audit", "/audit", None): AUDIT,
    ("GET", "api.export_audit", "/audit/export", None): AUDIT,
    ("GET", "api.verify_audit", "/audit/verify", None): AUDIT,
    ("GET", "api.report", "/reports/cycles/{cycle}", None): STAFF,
    ("GET", "api.report_csv", "/reports/cycles/{cycle}.csv", None): STAFF,
    ("GET", "api.report_html", "/reports/cycles/{cycle}.html", None): STAFF,
    ("GET", "api.report_pdf", "/reports/cycles/{cycle}.pdf", None): STAFF,
    ("GET", "api.report_xlsx", "/reports/cycles/{cycle}.xlsx", None): STAFF,
    ("GET", "api.workflow", "/workflow", None): EVERYONE,
    ("GET", "api.policy", "/policy", None): EVERYONE,
    ("GET", "api.list_tokens", "/tokens", None): EVERYONE,
    ("GET", "api.my_calendar", "/me/calendar", None): EVERYONE,
    ("DELETE", "api.revoke_my_calendar", "/me/calendar", None): EVERYONE,
    # another user's token: only an admin revokes it; to anyone else it does not exist (404)
    ("DELETE", "api.revoke_token", "/tokens/{spare_token}", None): ("admin",),
}
PUBLIC = {"api.openapi"}


@pytest.fixture
def world(
    app: Flask,
    rt: Runtime,
    make_cycle: Callable[..., int],
    make_case: Callable[..., int],
    make_source: Callable[..., int],
) -> dict[str, Any]:
    """Two organisations' cases; A's assigned to janis with every kind of evidence, both
    with an internal and a shared note; a user and a token per role, and a spare token."""
    for name, role, org in USERS.values():
        if org is None:
            accounts.add_user(rt, UserIn(name=name, role=role))  # type: ignore[arg-type]
    cycle = make_cycle()
    a = make_case(cycle, name="Biedrība Alfa", reg_no="40008000011")
    b = make_case(cycle, name="Biedrība Beta", reg_no="40008000022")
    source = make_source()
    tokens = {}
    for role, (name, _, org) in USERS.items():
        if org is not None:
            accounts.add_user(rt, UserIn(name=name, role="representative", organisation=org))
        tokens[role] = create_token(rt, name)
    accounts.add_user(rt, UserIn(name="ilze2", role="coordinator"))
    create_token(rt, "ilze2")
    mentors.assign_mentor(rt, COORDINATOR, a, "janis")
    apps = {}
    for case, tag in ((a, "A"), (b, "B")):
        recording.record(
            rt, COORDINATOR, case, AnalysisIn(findings=f"{tag}-ANALYSIS", need_areas=["x"])
        )
        consult = ConsultationIn(
            mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("2"), topic=f"{tag}-TOPIC"
        )
        recording.record(rt, COORDINATOR, case, consult)
        recording.record(rt, COORDINATOR, case, SelectionIn(funding_source_id=source))
        application = ApplicationIn(
            funding_source_id=source,
            title=f"{tag}-APPLICATION",
            domain="social",
            total_budget_eur=Decimal("1000"),
            requested_eur=Decimal("900"),
        )
        apps[tag] = recording.record(rt, COORDINATOR, case, application).id
        recording.record(rt, COORDINATOR, case, NoteIn(note_type="phone", text=f"{tag}-INTERNAL"))
        shared = NoteIn(note_type="email", text=f"{tag}-SHARED", visibility="organisation")
        recording.record(rt, COORDINATOR, case, shared)
    detail = views.case_detail(rt, None, a)
    docs = {}
    for case, tag in ((a, "doc_a"), (b, "doc_b")):
        sent = _call(app, tokens["coordinator"], "POST", f"/cases/{case}/documents", FILE)
        assert sent.status_code == 201, sent.get_data(as_text=True)
        docs[tag] = sent.get_json()["id"]
    spare = max(t.id for t in list_tokens(rt, None, "ilze2"))
    return {
        "tokens": tokens,
        "ids": {
            "a": a,
            "b": b,
            "org_a": detail.organisation_id,
            "app_a": apps["A"],
            "app_b": apps["B"],
            "cycle": cycle,
            "spare_token": spare,
            **docs,
        },
    }


@pytest.fixture
def app(rt: Runtime, db_url: str, tmp_path: Path) -> Flask:
    """The whole app on this test's database (SQLite or PostgreSQL), files in ``tmp_path``."""
    settings = Settings(
        mode="test", database_url=db_url, secret_key="m" * 40, instance_dir=tmp_path
    )
    return create_app(settings, runtime=rt)


def _call(app: Flask, token: str | None, method: str, path: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with app.test_client() as client:
        if body == FILE:
            upload = {"file": (io.BytesIO(files.PDF), "analīze.pdf"), "kind": "analysis"}
            return client.open(f"/api/v1{path}", method=method, headers=headers, data=upload)
        if isinstance(body, str):
            body = json.loads(body)
        return client.open(f"/api/v1{path}", method=method, headers=headers, json=body)


def test_every_api_route_is_in_the_matrix(app: Flask) -> None:
    named = {endpoint for _, endpoint, _, _ in MATRIX} | PUBLIC
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert routes - named == set(), "a new API route: say in MATRIX who may call it"
    assert named - routes == set()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_allows(
    app: Flask, world: dict[str, Any], role: str
) -> None:
    token = world["tokens"][role]
    wrong, leaks = [], []
    for (method, _, template, body), allowed in MATRIX.items():
        path = template.format(**world["ids"])
        resp = _call(app, token, method, path, body)
        status = resp.status_code
        if role not in allowed:
            expected: set[int] = {404} if "spare_token" in template else {403}
        elif method == "GET" or template.startswith("/tokens") or path == "/me/calendar":
            expected = {200}
        elif body == FILE:
            expected = {201}
        else:
            # the right to call, then the body or the stale version stops the write
            expected = {409, 422}
        if status not in expected:
            wrong.append(f"{role}: {method} {path}: expected {sorted(expected)}, got {status}")
        if status >= 400:
            assert resp.mimetype == "application/problem+json", path
        elif resp.mimetype == "application/json" or resp.mimetype.startswith("text/"):
            text = resp.get_data(as_text=True)
            text = json.dumps(json.loads(text), ensure_ascii=False) if resp.is_json else text
            leaks += [f"{path}: {s}" for s in SECRETS.get(role, ()) if s in text]
        resp.close()  # a download streams its file until closed
    assert wrong == []
    assert leaks == []


def test_a_representatives_lists_hold_only_their_organisation(
    app: Flask, world: dict[str, Any]
) -> None:
    token, ids = world["tokens"]["rep"], world["ids"]
    cases = _call(app, token, "GET", "/cases", None).get_json()["items"]
    assert [c["id"] for c in cases] == [ids["a"]]
    orgs = _call(app, token, "GET", "/organisations", None).get_json()["items"]
    assert [o["name"] for o in orgs] == ["Biedrība Alfa"]
    notes = _call(app, token, "GET", f"/cases/{ids['a']}/notes", None).get_json()["items"]
    assert [(n["text"], n["internal"]) for n in notes] == [("A-SHARED", False)]
    view = _call(app, token, "GET", f"/cases/{ids['a']}/overview", None).get_json()
    assert [c["topic"] for c in view["consultations"]] == ["A-TOPIC"]
    assert [a["title"] for a in view["applications"]] == ["A-APPLICATION"]
    assert "A-ANALYSIS" not in json.dumps(view, ensure_ascii=False)
    assert view["next_step"]["checklist"][0]["text_en"]
    mine = _call(app, token, "GET", "/tokens", None).get_json()["items"]
    assert {t["user"] for t in mine} == {"rep.alfa"}
    sent = _call(app, token, "POST", f"/cases/{ids['a']}/notes", NOTE)
    assert sent.status_code == 201
    phone = _call(app, token, "POST", f"/cases/{ids['a']}/notes", {**NOTE, "note_type": "phone"})
    assert phone.status_code == 422
    assert "note_type" in phone.get_data(as_text=True)
    guessed = _call(app, token, "GET", "/cases/2147483647/overview", None)
    assert guessed.status_code == 404
