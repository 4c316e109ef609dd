"""Documents on cases through the engine (SQLite and PostgreSQL): the type by content,
empty and oversize uploads refused while streaming with nothing kept, names made safe,
one stored file per content, audited and bound events, supersession, who may upload,
guards the policy declares, ``verify --documents`` and the clamd hook."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.conftest import AUDITOR, COORDINATOR, ROOT, Clock, make_runtime
from tests.documents import files
from tests.documents.fakeclamd import SIGNATURE, fake_clamd, refusing_socket
from workflow import accounts, advance, bindings, recording
from workflow.actors import Actor
from workflow.docfacts import load as load_documents
from workflow.docstore import CHUNK, DirectoryStore
from workflow.documents import Storage, Upload, upload
from workflow.docviews import get_document, list_documents, verify_files
from workflow.errors import (
    Conflict,
    Forbidden,
    GuardRejected,
    InvalidInput,
    PolicyError,
    ScannerUnavailable,
    UploadTooLarge,
)
from workflow.evidence.applications import ApplicationIn, ApplicationUpdate
from workflow.facts import Facts
from workflow.guards.documents import for_trigger
from workflow.mentors import assign_mentor
from workflow.orm import AuditEvent, Document
from workflow.policies import load_policy, parse_policy
from workflow.rules import Rules, compile_rules
from workflow.runtime import Runtime
from workflow.scanning import ClamdScanner, NoScanner
from workflow.schemas import UserIn


@pytest.fixture
def store(tmp_path: Path) -> DirectoryStore:
    return DirectoryStore(tmp_path / "documents")


@pytest.fixture
def storage(store: DirectoryStore) -> Storage:
    return Storage(store, NoScanner())


def put(
    rt: Runtime,
    storage: Storage,
    case_id: int,
    data: bytes,
    name: str = "a.pdf",
    kind: str = "other",
    who: Actor = COORDINATOR,
    **extra: Any,
) -> int:
    return upload(rt, who, case_id, Upload(kind, name, **extra), io.BytesIO(data), storage).id


def stored_files(store: DirectoryStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()]


def count_documents(rt: Runtime) -> int:
    with rt.engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(Document)) or 0)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (files.PDF, "application/pdf"),
        (files.PNG, "image/png"),
        (files.JPEG, "image/jpeg"),
        (files.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (files.ODT, "application/vnd.oasis.opendocument.text"),
        (files.ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_each_accepted_type_is_told_by_its_content(
    rt: Runtime, storage: Storage, make_case: Callable[..., int], data: bytes, media_type: str
) -> None:
    case_id = make_case()
    doc_id = put(rt, storage, case_id, data, name="scan.bin")
    doc = get_document(rt, COORDINATOR, doc_id)
    assert (doc.media_type, doc.size, doc.filename) == (media_type, len(data), "scan.bin")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.EXE, "budžets.pdf"),
        (files.XLSM, "macros.xlsx"),
        (files.PLAIN_ZIP, "archive.docx"),
        (b"just text", "notes.odt"),
    ],
)
def test_a_file_not_of_an_accepted_type_is_refused_whatever_its_name(
    rt: Runtime,
    storage: Storage,
    store: DirectoryStore,
    make_case: Callable[..., int],
    data: bytes,
    name: str,
) -> None:
    case_id = make_case()
    with pytest.raises(InvalidInput) as exc:
        put(rt, storage, case_id, data, name=name)
    assert exc.value.errors["file"].startswith("by its content not a PDF, DOCX, XLSX")
    assert exc.value.errors_lv["file"].startswith("pēc satura nav PDF")
    assert count_documents(rt) == 0
    assert stored_files(store) == []


def test_an_empty_file_is_refused(
    rt: Runtime, storage: Storage, store: DirectoryStore, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    with pytest.raises(InvalidInput) as exc:
        put(rt, storage, case_id, b"")
    assert exc.value.errors == {"file": "the file is empty"}
    assert count_documents(rt) == 0
    assert stored_files(store) == []


class Endless(io.RawIOBase):
    """A PDF that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = len(b)
        b[:n] = (b"%PDF-" + b"0" * (n - 5)) if self.given == 0 else b"0" * n
        self.given += n
        return n


def test_an_oversize_upload_is_refused_while_it_streams_and_nothing_is_kept(
    rt: Runtime, storage: Storage, store: DirectoryStore, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    endless = Endless()
    with pytest.raises(UploadTooLarge) as exc:
        upload(rt, COORDINATOR, case_id, Upload("other", "big.pdf"), endless, storage)  # type: ignore[arg-type]
    limit = rt.rules.policy.spec.documents.max_bytes
    assert limit == 20_000_000
    assert limit < endless.given <= limit + CHUNK  # stopped reading at the limit
    assert exc.value.errors == {"file": "larger than the limit of 20 MB; nothing was kept"}
    assert count_documents(rt) == 0
    assert stored_files(store) == []  # not even the partial temporary file


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.pdf", "win.pdf"),
        ('say "hi"; x=1.pdf', 'say "hi"; x=1.pdf'),
        (
            "Lēmums par piešķīrumu — Ķīpsalas biedrība.pdf",
            "Lēmums par piešķīrumu — Ķīpsalas biedrība.pdf",
        ),
        ("evil\r\nSet-Cookie: a=b.pdf", "evil Set-Cookie: a=b.pdf"),
        ("\u202efdp.exe", "fdp.exe"),
        ("..", "document"),
    ],
)
def test_the_original_name_is_kept_safe(
    rt: Runtime, storage: Storage, make_case: Callable[..., int], given: str, kept: str
) -> None:
    case_id = make_case()
    doc_id = put(rt, storage, case_id, files.PDF, name=given)
    assert get_document(rt, COORDINATOR, doc_id).filename == kept


def test_an_upload_is_stored_once_by_its_hash_and_audited_with_it(
    rt: Runtime, storage: Storage, store: DirectoryStore, make_case: Callable[..., int]
) -> None:
    a, b = make_case(), make_case()
    first = put(rt, storage, a, files.PDF, name="pieteikums.pdf", kind="application_draft")
    second = put(rt, storage, b, files.PDF, name="copy.pdf")
    sha = hashlib.sha256(files.PDF).hexdigest()
    assert [p.name for p in stored_files(store)] == [sha]
    assert (store.root / sha[:2] / sha[2:4] / sha).read_bytes() == files.PDF
    with rt.engine.connect() as c:
        ev = c.execute(
            select(AuditEvent.trigger, AuditEvent.kind, AuditEvent.payload)
            .where(AuditEvent.case_id == a)
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert ev is not None
    trigger, kind, payload = ev
    assert (trigger, kind) == ("record_document", "evidence")
    assert payload["document_id"] == first
    assert payload["sha256"] == sha
    assert payload["size"] == len(files.PDF)
    assert payload["media_type"] == "application/pdf"
    assert payload["kind"] == "application_draft"
    assert payload["filename"] == "pieteikums.pdf"
    assert len(payload["content_sha256"]) == 64
    assert [d.id for d in list_documents(rt, COORDINATOR, b)] == [second]
    with rt.engine.connect() as c:
        assert bindings.check(c).breach is None


def test_a_document_row_edited_behind_the_engines_back_is_a_breach(
    rt: Runtime, storage: Storage, make_case: Callable[..., int]
) -> None:
    doc_id = put(rt, storage, make_case(), files.PDF)
    with rt.engine.begin() as c:
        c.execute(
            text("UPDATE documents SET sha256 = :s WHERE id = :i"), {"s": "0" * 64, "i": doc_id}
        )
    with rt.engine.connect() as c:
        breach = bindings.check(c).breach
    assert breach is not None
    assert (breach.table, breach.id) == ("documents", doc_id)
    assert "edited" in breach.en


def test_a_document_row_inserted_or_deleted_behind_the_engines_back_is_a_breach(
    rt: Runtime, storage: Storage, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    doc_id = put(rt, storage, case_id, files.PDF)
    with rt.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO documents (case_id, kind, filename, media_type, size, sha256, "
                "uploaded_at, uploaded_by) SELECT case_id, kind, 'forged.pdf', media_type, "
                "size, sha256, uploaded_at, uploaded_by FROM documents WHERE id = :i"
            ),
            {"i": doc_id},
        )
    with rt.engine.connect() as c:
        breach = bindings.check(c).breach
    assert breach is not None
    assert breach.table == "documents"
    assert breach.id != doc_id
    assert "inserted behind the engine's back" in breach.en
    with rt.engine.begin() as c:
        c.execute(text("DELETE FROM documents"))
    with rt.engine.connect() as c:
        breach = bindings.check(c).breach
    assert breach is not None
    assert (breach.table, breach.id) == ("documents", doc_id)
    assert "the row is gone" in breach.en


def test_a_closed_case_takes_no_document_and_nothing_is_received(
    rt: Runtime,
    storage: Storage,
    store: DirectoryStore,
    make_case: Callable[..., int],
) -> None:
    case_id = make_case()
    advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="Organisation closed")
    untouched = Endless()
    with pytest.raises(Conflict, match="closed"):
        upload(rt, COORDINATOR, case_id, Upload("other", "a.pdf"), untouched, storage)  # type: ignore[arg-type]
    assert untouched.given == 0
    assert stored_files(store) == []


def test_a_newer_document_supersedes_an_older_one_of_the_same_case_once(
    rt: Runtime, storage: Storage, make_case: Callable[..., int]
) -> None:
    case_id, other = make_case(), make_case()
    old = put(rt, storage, case_id, files.PDF, kind="budget")
    new = put(rt, storage, case_id, files.PNG, kind="budget", supersedes=old)
    docs = {d.id: d for d in list_documents(rt, COORDINATOR, case_id)}
    assert (docs[old].superseded_by, docs[new].supersedes) == (new, old)
    with pytest.raises(InvalidInput) as exc:
        put(rt, storage, case_id, files.JPEG, supersedes=old)
    assert exc.value.errors == {"supersedes": f"document {old} is already superseded by {new}"}
    with pytest.raises(InvalidInput) as exc:
        put(rt, storage, other, files.JPEG, supersedes=new)
    assert exc.value.errors == {"supersedes": f"case {other} has no document {new}"}
    with rt.engine.connect() as c:
        assert bindings.check(c).breach is None


def test_who_may_upload_and_see_documents_follows_the_policy(
    rt: Runtime, storage: Storage, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    anna = accounts.add_user(rt, UserIn(name="anna", role="mentor"), None)
    janis = accounts.add_user(rt, UserIn(name="janis", role="mentor"), None)
    assign_mentor(rt, COORDINATOR, case_id, "anna")
    assigned = Actor("anna", "mentor", anna.id)
    other = Actor("janis", "mentor", janis.id)
    doc_id = put(rt, storage, case_id, files.PDF, who=assigned)
    assert get_document(rt, assigned, doc_id).uploaded_by == "anna"
    with pytest.raises(Forbidden):
        put(rt, storage, case_id, files.PDF, who=other)
    with pytest.raises(Forbidden):
        get_document(rt, other, doc_id)
    with pytest.raises(Forbidden):
        list_documents(rt, other, case_id)
    with pytest.raises(Forbidden):
        put(rt, storage, case_id, files.PDF, who=AUDITOR)
    assert [d.id for d in list_documents(rt, AUDITOR, case_id)] == [doc_id]


def test_an_unknown_kind_is_refused_naming_the_field(
    rt: Runtime, storage: Storage, make_case: Callable[..., int]
) -> None:
    with pytest.raises(InvalidInput) as exc:
        put(rt, storage, make_case(), files.PDF, kind="passport")
    assert set(exc.value.errors) == {"kind"}
    assert "'passport' is not a document kind" in exc.value.errors["kind"]


def requiring(rules: Rules) -> Rules:
    """The repository's rules with documents required as the policy file's comment shows."""
    policy_text = (ROOT / "policies" / "programme.yaml").read_text(encoding="utf-8")
    policy_text = policy_text.replace(
        "  required: {}\n  required_per_decided_application: {}\n",
        "  required:\n    draft_application: [application_draft]\n"
        "  required_per_decided_application:\n    record_outcome: [decision_letter]\n",
    )
    return compile_rules(rules.states, parse_policy([("policies/programme.yaml", policy_text)]))


@pytest.fixture
def strict(db_url: str, rules: Rules, clock: Clock) -> Iterator[Runtime]:
    runtime = make_runtime(db_url, requiring(rules), clock)
    yield runtime
    runtime.engine.dispose()


def test_steps_the_policy_requires_documents_for_are_blocked_naming_them(
    rt: Runtime,
    strict: Runtime,
    storage: Storage,
    make_case: Callable[..., int],
    walk: Callable[..., int | None],
) -> None:
    case_id = make_case()
    walk(case_id, "sources_selected")
    with rt.engine.connect() as c:
        source = c.scalar(text("SELECT max(id) FROM funding_sources"))
    app_id = recording.record(
        strict,
        COORDINATOR,
        case_id,
        ApplicationIn(
            funding_source_id=source,
            title="Projekts",
            domain="social",
            total_budget_eur=Decimal("10000"),
            requested_eur=Decimal("9000"),
        ),
    ).id
    with pytest.raises(GuardRejected) as exc:
        advance.fire(strict, COORDINATOR, case_id, "draft_application")
    (failure,) = exc.value.failures
    assert failure.guard == "documents_attached"
    assert failure.message_en == "no Application draft document (application_draft) uploaded"
    assert failure.message_lv == "nav augšupielādēts dokuments «Pieteikuma projekts»"
    draft = put(strict, storage, case_id, files.DOCX, kind="application_draft")
    put(strict, storage, case_id, files.PDF, kind="budget", supersedes=None)
    advance.fire(strict, COORDINATOR, case_id, "draft_application")
    recording.update(strict, COORDINATOR, app_id, ApplicationUpdate(submitted_on=date(2023, 3, 1)))
    advance.fire(strict, COORDINATOR, case_id, "submit")
    recording.update(
        strict,
        COORDINATOR,
        app_id,
        ApplicationUpdate(decision="rejected", decided_on=date(2023, 3, 1)),
    )
    with pytest.raises(GuardRejected) as exc:
        advance.fire(strict, COORDINATOR, case_id, "record_outcome")
    (failure,) = exc.value.failures
    assert failure.message_en == (
        "no Decision letter document (decision_letter) for the decided application 'Projekts'"
    )
    assert failure.message_lv == "izlemtajam pieteikumam 'Projekts' nav dokumenta «Lēmuma vēstule»"
    # a letter not tied to the application does not count; one tied to it does
    put(strict, storage, case_id, files.PDF, kind="decision_letter")
    with pytest.raises(GuardRejected):
        advance.fire(strict, COORDINATOR, case_id, "record_outcome")
    put(strict, storage, case_id, files.PDF, kind="decision_letter", application_id=app_id)
    advance.fire(strict, COORDINATOR, case_id, "record_outcome")
    assert draft > 0
    with strict.engine.connect() as c:
        assert bindings.check(c).breach is None


def test_a_superseded_document_no_longer_satisfies_a_requirement(
    strict: Runtime, storage: Storage, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    old = put(strict, storage, case_id, files.DOCX, kind="application_draft")
    found = for_trigger(strict.rules.policy, "draft_application")
    assert found is not None
    spec, params = found

    def verdict() -> bool:
        with strict.engine.connect() as c:
            facts = Facts(today=strict.today(), loaded={"documents": load_documents(c, case_id)})
        return spec.fn(facts, params).passed

    assert verdict()
    put(strict, storage, case_id, files.PDF, kind="other", supersedes=old)
    assert not verdict()


def test_a_policy_requiring_an_unlisted_kind_or_unknown_trigger_is_refused(rules: Rules) -> None:
    policy_text = (ROOT / "policies" / "programme.yaml").read_text(encoding="utf-8")
    bad = policy_text.replace(
        "  required: {}\n",
        "  required:\n    draft_aplication: [application_draft]\n    submit: [passport]\n",
    )
    with pytest.raises(PolicyError) as exc:
        compile_rules(rules.states, parse_policy([("policies/programme.yaml", bad)]))
    problems = exc.value.problems
    assert any(
        "documents.required.draft_aplication: 'draft_aplication' is not a declared trigger" in p
        for p in problems
    )
    assert any(
        "documents.required.submit[0]: 'passport' is not a document kind" in p for p in problems
    ), problems
    assert load_policy(ROOT / "policies").spec.documents.required == {}


def test_verify_documents_finds_changed_and_vanished_files(
    rt: Runtime, storage: Storage, store: DirectoryStore, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    a = put(rt, storage, case_id, files.PDF)
    b = put(rt, storage, case_id, files.PNG)
    c = put(rt, storage, case_id, files.PDF)
    assert verify_files(rt, store) == (2, [])
    pdf, png = hashlib.sha256(files.PDF).hexdigest(), hashlib.sha256(files.PNG).hexdigest()
    changed = store.path(pdf)
    os.chmod(changed, 0o640)
    changed.write_bytes(files.PDF + b"tampered")
    store.path(png).unlink()
    checked, findings = verify_files(rt, store)
    assert checked == 2
    by_sha = {f.sha256: f for f in findings}
    assert by_sha[pdf].problem == "changed"
    assert by_sha[pdf].document_ids == (a, c)
    assert by_sha[pdf].found == hashlib.sha256(files.PDF + b"tampered").hexdigest()
    assert by_sha[png].problem == "vanished"
    assert by_sha[png].document_ids == (b,)
    assert by_sha[png].text == f"documents {b}: the file {png} is gone"


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short folder for a unix socket (their paths are limited to about 100 bytes)."""
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="clamd-") as d:
        yield Path(d)


def test_with_clamd_an_infected_file_is_refused_and_a_clean_one_kept(
    rt: Runtime, store: DirectoryStore, make_case: Callable[..., int], short_dir: Path
) -> None:
    case_id = make_case()
    sock = short_dir / "clamd.sock"
    infected = files.PDF + files.EICAR
    with fake_clamd(sock) as server:
        scanned = Storage(store, ClamdScanner(sock))
        with pytest.raises(InvalidInput) as exc:
            put(rt, scanned, case_id, infected)
        assert exc.value.errors == {
            "file": f"the virus scanner found {SIGNATURE}; the file was refused"
        }
        assert count_documents(rt) == 0
        assert stored_files(store) == []
        put(rt, scanned, case_id, files.PDF)
        assert server.scanned == [len(infected), len(files.PDF)]
    assert count_documents(rt) == 1


def test_an_unreachable_scanner_refuses_the_upload(
    rt: Runtime, store: DirectoryStore, make_case: Callable[..., int], short_dir: Path
) -> None:
    case_id = make_case()
    sock = short_dir / "dead.sock"
    with refusing_socket(sock):
        with pytest.raises(ScannerUnavailable, match="could not check the file"):
            put(rt, Storage(store, ClamdScanner(sock)), case_id, files.PDF)
    assert count_documents(rt) == 0
    assert stored_files(store) == []


def test_audit_verify_documents_passes_then_names_an_altered_file(
    rt: Runtime, db_url: str, storage: Storage, store: DirectoryStore, make_case: Callable[..., int]
) -> None:
    from click.testing import CliRunner

    from inkubators.cli import main

    case_id = make_case()
    doc = put(rt, storage, case_id, files.PDF, name="lēmums.pdf", kind="decision_letter")
    put(rt, storage, case_id, files.PNG)
    env = {"DATABASE_URL": db_url, "INKUBATORS_DOCUMENTS_DIR": str(store.root)}
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify", "--documents"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "documents OK: 2 stored files hash to what their documents recorded" in ok.stdout
    assert "audit log OK" in ok.stdout
    path = store.path(hashlib.sha256(files.PDF).hexdigest())
    os.chmod(path, 0o640)
    path.write_bytes(files.PDF.replace(b"1 0 obj", b"2 0 obj"))
    broken = runner.invoke(main, ["audit", "verify", "--documents"], env=env)
    assert broken.exit_code == 1
    assert f"documents BROKEN: documents {doc}: the file {path.name} changed" in broken.stderr
    plain = runner.invoke(main, ["audit", "verify"], env=env)  # without the flag: the log only
    assert plain.exit_code == 0, plain.output
