"""Object-level access, proven over every UI route: for each role (coordinator, the case's
mentor and another mentor, auditor, admin, the organisation's representative and another
organisation's) every route of the app's URL map answers as the matrix says (200, or a
redirect, or 403), with the objects of one case (the case, its notes, its application,
its consultations) and with guessed ids of another organisation's case. A route the
matrix does not name fails the test, so a new page must say who may open it.

Then no page a representative may open shows another organisation or an internal note.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inkubators.demo.programme import DEMO_PASSWORD
from tests.conftest import COORDINATOR
from tests.documents import files
from tests.web.conftest import login
from workflow import accounts, docviews, recording, ruleversions, views
from workflow.evidence.notes import NoteIn
from workflow.runtime import Runtime
from workflow.schemas import UserIn

STAFF = ("coordinator", "mentor", "other_mentor", "auditor", "admin")
ROLES = (*STAFF, "rep", "other_rep")
EVERYONE = ROLES
WRITERS = ("coordinator", "admin")
AUDIT = ("coordinator", "auditor", "admin")
SEE_CASE = ("coordinator", "mentor", "auditor", "admin")
#: what a role with the right may get from a POST: the form judged on its own
POST_OK = {200, 302, 303, 400, 409, 422}

INTERNAL = "INTERNAL-KC-7731"
SHARED = "SHARED-KC-7731"
OTHER_ORG = "Fotast"

# (method, endpoint, path) -> roles allowed; everyone else 403. A GET allowed is 200.
MATRIX: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("GET", "ui_dashboard.index", "/"): STAFF,  # a representative is sent to their cases
    ("GET", "ui_cases.index", "/cases/"): EVERYONE,
    ("GET", "ui_cases.show", "/cases/{kc}"): (*SEE_CASE, "rep"),
    # Fotast's case: another organisation, assigned to the other mentor
    ("GET", "ui_cases.show", "/cases/{other}"): (*AUDIT, "other_mentor", "other_rep"),
    ("POST", "ui_cases.fire", "/cases/{kc}/advance"): WRITERS,
    ("GET", "ui_evidence.record", "/cases/{kc}/analysis"): WRITERS,
    ("POST", "ui_evidence.record", "/cases/{kc}/analysis"): WRITERS,
    ("GET", "ui_evidence.record", "/cases/{kc}/consultations"): (*WRITERS, "mentor"),
    ("POST", "ui_evidence.record", "/cases/{kc}/consultations"): (*WRITERS, "mentor"),
    ("GET", "ui_evidence.record", "/cases/{kc}/sources"): WRITERS,
    ("GET", "ui_evidence.record", "/cases/{kc}/applications"): WRITERS,
    ("POST", "ui_evidence.record", "/cases/{kc}/applications"): WRITERS,
    ("GET", "ui_evidence.record", "/cases/{kc}/notes"): (*WRITERS, "mentor"),
    ("POST", "ui_evidence.record", "/cases/{kc}/notes"): (*WRITERS, "mentor"),
    ("POST", "ui_representatives.message", "/cases/{kc}/messages"): (*WRITERS, "mentor", "rep"),
    ("POST", "ui_representatives.message", "/cases/{other}/messages"): (
        *WRITERS,
        "other_mentor",
        "other_rep",
    ),
    ("GET", "ui_evidence.change", "/applications/{app}"): WRITERS,
    ("POST", "ui_evidence.change", "/applications/{app}"): WRITERS,
    ("GET", "ui_evidence.enrol", "/enrol"): WRITERS,
    ("POST", "ui_evidence.enrol", "/enrol"): WRITERS,
    ("GET", "ui_registry.organisation", "/organisations/new"): WRITERS,
    ("POST", "ui_registry.organisation", "/organisations/new"): WRITERS,
    ("GET", "ui_registry.cycle", "/cycles/new"): WRITERS,
    ("POST", "ui_registry.cycle", "/cycles/new"): WRITERS,
    ("GET", "ui_registry.funding_source", "/funding-sources/new"): WRITERS,
    ("POST", "ui_registry.funding_source", "/funding-sources/new"): WRITERS,
    ("GET", "ui_representatives.invite", "/organisations/{kc_org}/representatives"): WRITERS,
    ("POST", "ui_representatives.invite", "/organisations/{kc_org}/representatives"): WRITERS,
    ("GET", "ui_audit.index", "/audit/"): AUDIT,
    ("GET", "ui_audit.verify", "/audit/verify"): AUDIT,
    ("GET", "ui_audit.export", "/audit/export.csv"): AUDIT,
    ("GET", "ui_audit.accounts", "/audit/accounts"): AUDIT,
    ("GET", "ui_rules.show", "/rules/{policy}"): AUDIT,
    ("GET", "ui_reports.council", "/reports/cycles/{cycle}"): AUDIT,
    ("GET", "ui_reports.council_file", "/reports/cycles/{cycle}/council.csv"): AUDIT,
    ("GET", "ui_admin.users", "/admin/users"): ("admin",),
    ("POST", "ui_admin.users", "/admin/users"): ("admin",),
    ("POST", "ui_admin.change_user", "/admin/users/anna"): ("admin",),
    ("POST", "ui_admin.set_password", "/admin/users/anna/password"): ("admin",),
    ("GET", "ui_admin.rules", "/admin/rules"): ("admin",),
    ("GET", "ui_admin.show_version", "/admin/rules/{policy}"): ("admin",),
    ("GET", "ui_admin.diff", "/admin/rules/diff?a={policy}&b={policy}"): ("admin",),
    ("POST", "ui_documents.upload", "/cases/{kc}/documents"): (*WRITERS, "mentor", "rep"),
    ("POST", "ui_documents.upload", "/cases/{other}/documents"): (
        *WRITERS,
        "other_mentor",
        "other_rep",
    ),
    ("GET", "ui_documents.download", "/documents/{kc_doc}"): (*SEE_CASE, "rep"),
    ("GET", "ui_documents.download", "/documents/{other_doc}"): (
        *AUDIT,
        "other_mentor",
        "other_rep",
    ),
    ("GET", "ui_register.index", "/registry"): AUDIT,
    ("POST", "ui_register.upload", "/registry/import"): WRITERS,
    # the lists and "my work" are scoped to the cases each role may see
    ("GET", "ui_cases.export", "/cases/export.csv"): EVERYONE,
    ("GET", "ui_work.index", "/work"): EVERYONE,
    ("GET", "ui_work.budget_page", "/budget"): AUDIT,
    ("POST", "ui_work.assign", "/cases/{kc}/mentor"): WRITERS,
    ("POST", "ui_work.assign_many", "/cases/mentor"): WRITERS,
    ("GET", "ui_reference.organisations", "/organisations/"): AUDIT,
    ("GET", "ui_reference.cycles", "/cycles/"): AUDIT,
    ("GET", "ui_reference.sources", "/funding-sources/"): AUDIT,
    ("GET", "ui_reference.edit_organisation", "/organisations/{kc_org}/edit"): WRITERS,
    ("POST", "ui_reference.edit_organisation", "/organisations/{kc_org}/edit"): WRITERS,
    ("GET", "ui_reference.edit_cycle", "/cycles/{cycle}/edit"): WRITERS,
    ("GET", "ui_reference.edit_source", "/funding-sources/{source}/edit"): WRITERS,
    ("GET", "ui_me.me", "/me"): EVERYONE,
    ("POST", "ui_me.set_email", "/me/email"): EVERYONE,
    ("POST", "ui_me.revoke", "/me/calendar/revoke"): EVERYONE,
}
#: Routes anyone may reach without logging in, each with what it answers a stranger.
PUBLIC: dict[str, tuple[str, str, int]] = {
    "ui_auth.login": ("GET", "/login", 200),
    "ui_auth.logout": ("POST", "/logout", 302),
    "ui_auth.language": ("POST", "/language", 302),
    "ui_me.feed": ("GET", "/calendar/1-guessed.ics", 404),
    "ui_representatives.accept": ("GET", "/invitations/guessed-token", 410),
    "ops.healthz": ("GET", "/healthz", 200),
    "ops.readyz": ("GET", "/readyz", 200),
    "ops_metrics.metrics": ("GET", "/metrics", 200),
    "static": ("GET", "/static/no-such-file.css", 404),
}


@pytest.fixture
def world(
    app_rt: Runtime, ids: dict[str, int], client_as: Callable[[str | None], FlaskClient]
) -> dict[str, Any]:
    """Keep The Change's case with an internal and a shared note; a representative of its
    organisation and one of Fotast's, whose case is ``other``."""
    kc = views.case_detail(app_rt, None, ids["kc"])
    other = views.list_cases(app_rt, COORDINATOR, search=OTHER_ORG)[0][0]
    recording.record(app_rt, COORDINATOR, kc.id, NoteIn(note_type="phone", text=INTERNAL))
    shared = NoteIn(note_type="email", text=SHARED, visibility="organisation")
    recording.record(app_rt, COORDINATOR, kc.id, shared)
    for name, reg_no in (("rep", kc.reg_no), ("other_rep", other.reg_no)):
        user = UserIn(name=f"{name}.x", role="representative", organisation=reg_no)
        accounts.add_user(app_rt, user, DEMO_PASSWORD)
    coordinator = client_as("coordinator")
    docs = {}
    for case_id in (kc.id, other.id):
        sent = coordinator.post(f"/cases/{case_id}/documents", data=_upload())
        assert sent.status_code == 303
        docs[case_id] = docviews.list_documents(app_rt, None, case_id)[-1].id
    kc = views.case_detail(app_rt, None, ids["kc"])
    with app_rt.engine.begin() as conn:  # the rules in force, stored as an activation would
        ruleversions.record(conn, app_rt.rules, "test", app_rt.now())
    return {
        "kc": kc.id,
        "kc_version": kc.version,
        "kc_org": kc.organisation_id,
        "other": other.id,
        "app": ids["erasmus_app"],
        "cycle": kc.cycle_id,
        "policy": app_rt.rules.policy_hash,
        "kc_doc": docs[kc.id],
        "source": kc.sources[0].funding_source_id,
        "other_doc": docs[other.id],
    }


@pytest.fixture
def as_role(
    app: Flask, client_as: Callable[[str | None], FlaskClient]
) -> Callable[[str], FlaskClient]:
    """A client logged in as the role's user (the representatives log in afresh)."""

    def make(role: str) -> FlaskClient:
        if role in STAFF:
            return client_as(role)
        client = app.test_client()
        login(client, f"{role}.x")
        return client

    return make


def _upload() -> dict[str, Any]:
    return {"file": (io.BytesIO(files.PDF), "analīze.pdf"), "kind": "analysis"}


def _form(path: str) -> dict[str, Any]:
    if path.endswith("/documents"):  # a real file, so the role's right decides
        return _upload()
    # a stale version: a role with the right is stopped by it (409) and changes nothing
    return {"trigger": "withdraw", "expected_version": "1", "comment": "x", "text": "x"}


def test_every_ui_route_is_in_the_matrix(app: Flask) -> None:
    named = {endpoint for _, endpoint, _ in MATRIX} | set(PUBLIC)
    routes = {r.endpoint for r in app.url_map.iter_rules() if not r.endpoint.startswith("api.")}
    assert routes - named == set(), "a new UI route: say in MATRIX who may open it"
    assert named - routes == set()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_allows(
    as_role: Callable[[str], FlaskClient], world: dict[str, Any], role: str
) -> None:
    client = as_role(role)
    wrong = []
    for (method, _, template), allowed in MATRIX.items():
        path = template.format(**world)
        if method == "GET":
            resp = client.get(path)
            ok = resp.status_code == 200
        else:
            resp = client.post(path, data=_form(path))
            ok = resp.status_code in POST_OK and "/login" not in resp.headers.get("Location", "")
        resp.close()  # a download streams its file until closed
        expected = "allow" if role in allowed else "deny"
        if role in ("rep", "other_rep") and template == "/":
            expected, ok = "to their cases", resp.headers.get("Location") == "/cases/"
        elif expected == "deny":
            ok = resp.status_code == 403
        if not ok:
            wrong.append(f"{method} {path}: expected {expected}, got {resp.status_code}")
    assert wrong == []


def test_guessed_ids_tell_a_representative_nothing(
    as_role: Callable[[str], FlaskClient], world: dict[str, Any]
) -> None:
    rep = as_role("rep")
    assert rep.get("/cases/2147483647").status_code == 404
    for n in range(1, world["other"] + 3):
        page = rep.get(f"/cases/{n}")
        assert page.status_code in (200, 403, 404)
        if page.status_code == 200:
            assert n == world["kc"]


def test_a_representatives_pages_show_no_other_organisation_nor_internal_note(
    as_role: Callable[[str], FlaskClient], world: dict[str, Any]
) -> None:
    rep = as_role("rep")
    pages = ["/cases/", f"/cases/{world['kc']}", "/me", "/work", "/cases/export.csv"]
    for path in pages:
        body = rep.get(path, follow_redirects=True).get_data(as_text=True)
        assert INTERNAL not in body
        assert OTHER_ORG not in body
    # a search by an internal note's words finds nothing
    searched = rep.get(f"/cases/?q={INTERNAL}").get_data(as_text=True)
    assert f'href="/cases/{world["kc"]}"' not in searched
    case_page = rep.get(f"/cases/{world['kc']}").get_data(as_text=True)
    assert SHARED in case_page
    assert "Keep The Change" in case_page
    listed = rep.get("/cases/").get_data(as_text=True)
    assert f'href="/cases/{world["kc"]}"' in listed
    assert f'href="/cases/{world["other"]}"' not in listed
    staff_page = as_role("coordinator").get(f"/cases/{world['kc']}").get_data(as_text=True)
    assert INTERNAL in staff_page  # the same note the representative never saw


def test_a_representative_writes_the_coordinator_a_message(
    as_role: Callable[[str], FlaskClient], world: dict[str, Any]
) -> None:
    rep = as_role("rep")
    sent = rep.post(
        f"/cases/{world['kc']}/messages",
        data={"expected_version": str(world["kc_version"]), "text": "Kad ir nākamā tikšanās?"},
    )
    assert sent.status_code == 302
    assert "Kad ir nākamā tikšanās?" in rep.get(f"/cases/{world['kc']}").get_data(as_text=True)
    staff = as_role("coordinator").get(f"/cases/{world['kc']}").get_data(as_text=True)
    assert "Kad ir nākamā tikšanās?" in staff
    empty = rep.post(f"/cases/{world['kc']}/messages", data={"text": ""})
    assert empty.status_code == 400
