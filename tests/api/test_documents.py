"""The documents API on SQLite and PostgreSQL: upload (multipart), list and download, who
may do which, and the attacks: a program named .pdf, an empty file, an oversize body,
names with ``../``, quotes, Latvian letters and CRLF."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.http import parse_options_header
from werkzeug.test import TestResponse

from tests.api.conftest import SECRET, USER_OF, Api
from tests.conftest import ADMIN
from tests.documents import files
from tests.documents.fakeclamd import SIGNATURE, fake_clamd
from web import create_app
from workflow import enrolment, mentors, registry
from workflow.accounts import add_user
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, OrganisationIn, UserIn
from workflow.settings import Settings
from workflow.tokens import create_token


@pytest.fixture
def doc_app(rt: Runtime, db_url: str, tmp_path: Path) -> Flask:
    settings = Settings(
        mode="test", database_url=db_url, secret_key=SECRET, instance_dir=tmp_path / "instance"
    )
    return create_app(settings, runtime=rt)


@pytest.fixture
def docs(doc_app: Flask, rt: Runtime) -> Iterator[Api]:
    tokens = {}
    for role in ("coordinator", "mentor", "auditor", "admin"):
        add_user(rt, UserIn(name=USER_OF[role], role=role))
        tokens[role] = create_token(rt, USER_OF[role])
    add_user(rt, UserIn(name="janis", role="mentor"))
    tokens["other_mentor"] = create_token(rt, "janis")
    with doc_app.test_client() as client:
        yield Api(client, tokens)


@pytest.fixture
def case(rt: Runtime, docs: Api) -> int:
    """A case assigned to the mentor ``anna`` (role ``mentor``), not to ``janis``."""
    from datetime import date

    cycle = registry.create_cycle(
        rt, ADMIN, CycleIn(name="C", starts_on=date(2023, 3, 1), ends_on=date(2023, 12, 31))
    )
    org = registry.create_organisation(
        rt, ADMIN, OrganisationIn(name="Biedrība", reg_no="40008000009", legal_form="association")
    )
    case_id = enrolment.enrol(rt, ADMIN, org.id, cycle.id)
    mentors.assign_mentor(rt, ADMIN, case_id, "anna")
    return case_id


def send(
    api: Api,
    case_id: int,
    data: bytes,
    name: str = "a.pdf",
    kind: str = "other",
    role: str = "coordinator",
    **fields: Any,
) -> TestResponse:
    form: dict[str, Any] = {"file": (io.BytesIO(data), name), "kind": kind, **fields}
    return api.call(
        "POST", f"/cases/{case_id}/documents", role, data=form, content_type="multipart/form-data"
    )


def fetch(api: Api, document_id: int, role: str | None = "coordinator") -> TestResponse:
    """Download, reading the body and closing the stored file behind it."""
    resp = api.get(f"/documents/{document_id}", role=role)
    resp.get_data()
    resp.close()
    return resp


def test_upload_list_and_download_a_document(docs: Api, case: int) -> None:
    name = "Lēmums “Ķīpsala” 2023.pdf"
    resp = send(docs, case, files.PDF, name=name, kind="decision_letter")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    sha = hashlib.sha256(files.PDF).hexdigest()
    assert {k: body[k] for k in ("kind", "filename", "media_type", "size", "sha256")} == {
        "kind": "decision_letter",
        "filename": name,
        "media_type": "application/pdf",
        "size": len(files.PDF),
        "sha256": sha,
    }
    assert body["event"]["trigger"] == "record_document"
    assert body["event"]["payload"]["sha256"] == sha
    listed = docs.ok("GET", f"/cases/{case}/documents")["items"]
    assert [d["id"] for d in listed] == [body["id"]]
    got = fetch(docs, body["id"], role="auditor")
    assert got.status_code == 200
    assert got.data == files.PDF
    assert got.mimetype == "application/pdf"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=UTF-8''L%C4%93mums%20%E2%80%9C%C4%B6%C4%ABpsala%E2%80%9D%202023.pdf"
        in disposition
    )
    assert got.headers["ETag"].strip('"') == sha
    assert got.headers["X-Content-Type-Options"] == "nosniff"


def raw_upload(api: Api, case_id: int, disposition: str, data: bytes) -> TestResponse:
    """A multipart body written by hand, with the file part's Content-Disposition exactly as
    a hostile client may write it (the test client would not escape a quote)."""
    boundary = "----inkubators-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; {disposition}\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return api.call(
        "POST",
        f"/cases/{case_id}/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    ("disposition", "stored"),
    [
        ('filename="../../../etc/passwd.pdf"', "passwd.pdf"),
        ('filename="..\\..\\boot.ini.pdf"', "boot.ini.pdf"),
        ('filename="a \\"quoted\\"; filename=evil.pdf"', 'a "quoted"; filename=evil.pdf'),
        ("filename*=UTF-8''line%0D%0ASet-Cookie%3A%20a%3Db.pdf", "line Set-Cookie: a=b.pdf"),
        ("filename*=UTF-8''Bied%C5%BEu%20p%C4%81rskats.pdf", "Biedžu pārskats.pdf"),
    ],
)
def test_hostile_names_are_stored_safe_and_sent_back_in_one_header(
    docs: Api, case: int, disposition: str, stored: str
) -> None:
    resp = raw_upload(docs, case, disposition, files.PDF)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["filename"] == stored
    got = fetch(docs, resp.get_json()["id"])
    header = got.headers["Content-Disposition"]
    assert "\r" not in header
    assert "\n" not in header
    kind, options = parse_options_header(header)
    assert (kind, options["filename"]) == ("attachment", stored)  # it reads back exactly
    assert got.mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("data", "name", "field", "message"),
    [
        (files.EXE, "invoice.pdf", "file", "by its content not a PDF, DOCX"),
        (b"", "empty.pdf", "file", "the file is empty"),
        (files.XLSM, "book.xlsx", "file", "by its content not a PDF"),
    ],
)
def test_files_that_are_not_documents_are_refused_and_nothing_is_kept(
    docs: Api, case: int, doc_app: Flask, data: bytes, name: str, field: str, message: str
) -> None:
    resp = send(docs, case, data, name=name)
    assert resp.status_code == 422
    (error,) = resp.get_json()["errors"]
    assert error["field"] == field
    assert error["message"].startswith(message)
    assert docs.ok("GET", f"/cases/{case}/documents")["items"] == []
    assert not [p for p in Path(doc_app.instance_path, "documents").rglob("*") if p.is_file()]


def test_missing_fields_are_named(docs: Api, case: int) -> None:
    resp = docs.call(
        "POST",
        f"/cases/{case}/documents",
        data={"note": "x"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert {e["field"] for e in resp.get_json()["errors"]} == {"file", "kind"}
    resp = docs.call("POST", f"/cases/{case}/documents", json={"kind": "other"})
    assert resp.status_code == 422
    assert resp.get_json()["errors"][0]["field"] == "(body)"
    resp = send(docs, case, files.PDF, kind="passport")
    assert resp.status_code == 422
    assert resp.get_json()["errors"][0]["field"] == "kind"
    resp = send(docs, case, files.PDF, application_id="abc")
    assert resp.status_code == 422
    assert resp.get_json()["errors"][0]["field"] == "application_id"


def test_an_oversize_body_is_refused_before_it_is_read(
    docs: Api, case: int, doc_app: Flask
) -> None:
    big = b"%PDF-" + b"0" * 20_100_000
    resp = raw_upload(docs, case, 'filename="big.pdf"', big)
    assert resp.status_code == 413
    assert "larger than the limit of 20 MB" in resp.get_json()["detail"]
    assert docs.ok("GET", f"/cases/{case}/documents")["items"] == []
    assert not [p for p in Path(doc_app.instance_path, "documents").rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("role", "upload", "read"),
    [
        ("coordinator", 201, 200),
        ("admin", 201, 200),
        ("mentor", 201, 200),  # assigned to the case
        ("other_mentor", 403, 403),  # not assigned
        ("auditor", 403, 200),
    ],
)
def test_who_may_upload_and_read(docs: Api, case: int, role: str, upload: int, read: int) -> None:
    existing = send(docs, case, files.PNG, name="logo.png").get_json()["id"]
    assert send(docs, case, files.PDF, role=role).status_code == upload
    assert docs.get(f"/cases/{case}/documents", role=role).status_code == read
    assert fetch(docs, existing, role=role).status_code == read
    assert fetch(docs, existing + 1000, role=role).status_code == 404
    assert fetch(docs, existing, role=None).status_code == 401


def test_supersede_and_link_to_an_application_through_the_form(docs: Api, case: int) -> None:
    old = send(docs, case, files.DOCX, name="v1.docx", kind="application_draft").get_json()
    new = send(
        docs, case, files.ODT, name="v2.odt", kind="application_draft", supersedes=str(old["id"])
    ).get_json()
    items = {d["id"]: d for d in docs.ok("GET", f"/cases/{case}/documents")["items"]}
    assert items[old["id"]]["superseded_by"] == new["id"]
    assert items[new["id"]]["supersedes"] == old["id"]
    again = send(docs, case, files.PDF, supersedes=str(old["id"]))
    assert again.status_code == 422
    assert again.get_json()["errors"][0]["field"] == "supersedes"


def test_with_clamd_configured_an_infected_upload_is_refused(
    rt: Runtime, db_url: str, tmp_path: Path, case: int
) -> None:
    """INKUBATORS_CLAMD_SOCKET set: every upload goes through the (fake) clamd."""
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="clamd-") as d:
        sock = Path(d) / "clamd.sock"
        settings = Settings(
            mode="test",
            database_url=db_url,
            secret_key=SECRET,
            instance_dir=tmp_path / "scanned",
            clamd_socket=sock,
        )
        app = create_app(settings, runtime=rt)
        with fake_clamd(sock) as server, app.test_client() as client:
            api = Api(client, {"coordinator": create_token(rt, "ilze")})
            bad = send(api, case, files.PDF + files.EICAR, name="infected.pdf")
            assert bad.status_code == 422
            assert bad.get_json()["errors"] == [
                {
                    "field": "file",
                    "message": f"the virus scanner found {SIGNATURE}; the file was refused",
                }
            ]
            assert send(api, case, files.PDF).status_code == 201
            assert len(server.scanned) == 2
        down = send(api, case, files.PNG)  # the scanner has gone away: nothing unscanned
        assert down.status_code == 503
        assert down.get_json()["type"].endswith("scanner-unavailable")
        assert [d["filename"] for d in api.ok("GET", f"/cases/{case}/documents")["items"]] == [
            "a.pdf"
        ]
