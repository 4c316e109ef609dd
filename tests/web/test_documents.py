"""Documents on the case page (the demo programme): the upload form for roles that may
upload, the list with each file's hash, the download link, refusals shown on the page in
the user's language, an oversize upload refused before the form is parsed, and the admin
page saying whether uploads are scanned."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import parse_options_header

from tests.conftest import ADMIN, Clock
from tests.documents import files
from tests.web.conftest import ROLES, make_app
from workflow import views
from workflow.rules import Rules
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def case_of_mentor(rt: Runtime, mentor: str) -> int:
    cases, _ = views.list_cases(rt, ADMIN, limit=100)
    for c in cases:
        if views.case_detail(rt, None, c.id).mentor == mentor and c.state != "outcome":
            return c.id
    raise AssertionError(f"no open case of {mentor}")


def upload(client: FlaskClient, case_id: int, data: bytes, name: str, kind: str = "budget") -> str:
    r = client.post(
        f"/cases/{case_id}/documents",
        data={"file": (io.BytesIO(data), name), "kind": kind},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return r.get_data(as_text=True)


def test_a_coordinator_uploads_sees_and_downloads_a_document(
    client_as: Client, ids: dict[str, int]
) -> None:
    client = client_as("coordinator")
    page = client.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert 'id="upload-document"' in page
    assert 'enctype="multipart/form-data"' in page
    r = client.post(
        f"/cases/{ids['kc']}/documents",
        data={"file": (io.BytesIO(files.XLSX), "Budžets 2024.xlsx"), "kind": "budget"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    page = client.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "Budžets 2024.xlsx" in page
    assert hashlib.sha256(files.XLSX).hexdigest()[:16] in page
    assert "Dokuments augšupielādēts" in page  # the history says what the event was
    href = page.split('href="/documents/', 1)[1].split('"', 1)[0]
    got = client.get(f"/documents/{href}")
    assert got.data == files.XLSX
    got.close()
    assert parse_options_header(got.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "Budžets 2024.xlsx"},
    )


def test_a_program_named_pdf_is_refused_on_the_page_in_latvian(
    client_as: Client, ids: dict[str, int]
) -> None:
    client = client_as("coordinator")
    r = client.post(
        f"/cases/{ids['kc']}/documents",
        data={"file": (io.BytesIO(files.EXE), "lēmums.pdf"), "kind": "decision_letter"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Dokuments nav augšupielādēts: file: pēc satura nav PDF, DOCX" in page
    assert "lēmums.pdf" not in page


def test_an_empty_file_is_refused_on_the_page(client_as: Client, ids: dict[str, int]) -> None:
    page = upload(client_as("coordinator"), ids["kc"], b"", "tukšs.pdf")
    assert "file: fails ir tukšs" in page


def test_roles_that_may_not_upload_see_the_list_but_no_form(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    upload(client_as("coordinator"), ids["kc"], files.PDF, "analīze.pdf", "analysis")
    page = client_as("auditor").get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "analīze.pdf" in page
    assert 'id="upload-document"' not in page
    r = client_as("auditor").post(
        f"/cases/{ids['kc']}/documents",
        data={"file": (io.BytesIO(files.PDF), "x.pdf"), "kind": "other"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403


def test_a_mentor_uploads_on_an_assigned_case_only(client_as: Client, app_rt: Runtime) -> None:
    mine = case_of_mentor(app_rt, ROLES["mentor"])
    theirs = case_of_mentor(app_rt, ROLES["other_mentor"])
    mentor = client_as("mentor")
    assert "konsultācija.png" in upload(mentor, mine, files.PNG, "konsultācija.png", "other")
    r = mentor.post(
        f"/cases/{theirs}/documents",
        data={"file": (io.BytesIO(files.PDF), "x.pdf"), "kind": "other"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    upload(client_as("other_mentor"), theirs, files.PDF, "cits.pdf", "other")
    page = client_as("other_mentor").get(f"/cases/{theirs}").get_data(as_text=True)
    doc_id = page.split('href="/documents/', 1)[1].split('"', 1)[0]
    assert mentor.get(f"/documents/{doc_id}").status_code == 403


def test_an_oversize_upload_is_refused_before_the_form_is_read(
    demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path, client_as: Client
) -> None:
    """With CSRF on, as in production: the limit applies before the token is looked for."""
    app: Flask = make_app(demo_url, rules, web_clock, tmp_path / "strict")
    app.config["WTF_CSRF_ENABLED"] = True
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
        ).encode()
        + b"%PDF-"
        + b"0" * 20_100_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    with app.test_client() as client:
        r = client.post(
            "/cases/1/documents",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    assert r.status_code == 413
    assert "Fails ir lielāks par pieļaujamajiem 20 MB; nekas netika saglabāts." in r.get_data(
        as_text=True
    )
    assert not [p for p in (tmp_path / "strict").rglob("documents/**/*") if p.is_file()]
    app.extensions["inkubators"].engine.dispose()


def test_the_admin_page_says_scanning_is_off(client_as: Client) -> None:
    page = client_as("admin").get("/admin/rules").get_data(as_text=True)
    assert "izslēgta: INKUBATORS_CLAMD_SOCKET nav iestatīts" in page


def test_the_auditor_sees_the_files_hash_in_the_log(client_as: Client, ids: dict[str, int]) -> None:
    upload(client_as("coordinator"), ids["kc"], files.ODS, "tāme.ods", "budget")
    page = client_as("auditor").get("/audit/?trigger=record_document").get_data(as_text=True)
    assert 'Dokuments augšupielādēts: <span class="text">tāme.ods</span>' in page
    assert hashlib.sha256(files.ODS).hexdigest() in page
