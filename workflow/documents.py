"""Uploading a document onto a case: the one service the API and the UI call.

In order, and nothing is kept unless every step passes: the caller may upload on this
case (the policy's ``upload_documents`` action, and access to the case), the kind is one
the policy lists, the file arrives chunk by chunk into a temporary file (refused the
moment it passes the policy's size limit), it is not empty, its content is one of the
accepted types (:mod:`workflow.filetypes`), the virus scanner passes it
(:mod:`workflow.scanning`); then the file is kept under its SHA-256
(:mod:`workflow.docstore`) and the ``documents`` row and its audit event
(``record_document``: SHA-256, size, type, kind, name) are written in one transaction
(:func:`workflow.casewrite.write_on_case`). A document may supersede an older one of the
same case: the new row and its event say so, the old row stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, cast

from sqlalchemy import Connection, Table, insert, select

from workflow import chain, filetypes, scanning
from workflow.actors import Actor
from workflow.casewrite import Recorded, write_on_case
from workflow.db import read
from workflow.docnames import clean_filename
from workflow.docstore import DocumentStore, TooLarge
from workflow.errors import Conflict, InvalidInput, ScannerUnavailable, UploadTooLarge
from workflow.evidence.registry import WriteContext, Written
from workflow.orm import Application, Document
from workflow.permissions import require_action, require_case_access
from workflow.runtime import Runtime

ACTION = "upload_documents"
TRIGGER = "record_document"
documents = cast(Table, Document.__table__)
applications = cast(Table, Application.__table__)


@dataclass(frozen=True, slots=True)
class Upload:
    """What the uploader says about the file."""

    kind: str
    filename: str
    application_id: int | None = None
    supersedes: int | None = None


@dataclass(frozen=True, slots=True)
class Storage:
    """Where files go and what scans them (configured by the entry point)."""

    store: DocumentStore
    scanner: scanning.Scanner


def upload(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    meta: Upload,
    stream: IO[bytes],
    storage: Storage,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Check, receive, scan, keep and record one file; the event's payload describes it."""
    rules = rt.rules
    with read(rt.engine) as conn:  # refuse before a byte is read (checked again on writing)
        head = chain.load_head(conn, case_id)
        require_case_access(rules, actor, head.mentor_id)
        require_action(rules, actor, ACTION)
        if rules.is_final(head.state):
            raise Conflict(
                f"case {case_id} is closed ({head.state}); it takes no more documents",
                "case_closed",
                f"Lieta {case_id} ir slēgta; tai vairs nevar pievienot dokumentus.",
            )
        _check_links(conn, case_id, meta)
    spec = rules.policy.spec.documents
    if meta.kind not in spec.kinds:
        raise InvalidInput(
            {"kind": f"{meta.kind!r} is not a document kind (kinds: {', '.join(spec.kinds)})"},
            {"kind": f"{meta.kind!r} nav dokumenta veids (veidi: {', '.join(spec.kinds)})"},
        )
    filename = clean_filename(meta.filename)
    try:
        received = storage.store.receive(stream, spec.max_bytes)
    except TooLarge:
        raise UploadTooLarge(
            {"file": f"larger than the limit of {spec.max_mb} MB; nothing was kept"},
            {"file": f"lielāks par pieļaujamajiem {spec.max_mb} MB; nekas netika saglabāts"},
        ) from None
    try:
        media = _accept(received.path, received.size, storage.scanner)
        storage.store.put(received)
    finally:
        storage.store.discard(received)  # refused, or already moved into place
    values: dict[str, Any] = {
        "kind": meta.kind,
        "filename": filename,
        "media_type": media.media_type,
        "size": received.size,
        "sha256": received.sha256,
        "application_id": meta.application_id,
        "supersedes": meta.supersedes,
    }
    at_ = at or rt.now()

    def write(ctx: WriteContext) -> Written:
        _check_links(ctx.conn, case_id, meta)
        row = {**values, "case_id": case_id, "uploaded_at": at_, "uploaded_by": actor.name}
        new_id = ctx.conn.execute(insert(documents).values(**row).returning(documents.c.id))
        document_id = int(new_id.scalar_one())
        # the application as ``for_application``: ``application_id`` in a payload names
        # the record an event wrote (workflow.contentbind), and this one wrote a document
        payload = {"document_id": document_id, **values}
        payload["for_application"] = payload.pop("application_id")
        return document_id, {k: v for k, v in payload.items() if v is not None}

    return write_on_case(
        rt,
        actor,
        case_id,
        permit=lambda r: require_action(r, actor, ACTION),
        kind="evidence",
        trigger=TRIGGER,
        write=write,
        expected_version=expected_version,
        at=at_,
    )


def _accept(path: Any, size: int, scanner: scanning.Scanner) -> filetypes.FileType:
    """The file's type, if it is a non-empty accepted one that the scanner passes."""
    if size == 0:
        raise InvalidInput({"file": "the file is empty"}, {"file": "fails ir tukšs"})
    media = filetypes.detect(path)
    if media is None:
        raise InvalidInput(
            {"file": f"by its content not a {filetypes.NAMES} file; nothing was kept"},
            {"file": f"pēc satura nav {filetypes.NAMES} fails; nekas netika saglabāts"},
        )
    try:
        verdict = scanner.scan(path)
    except scanning.ScanFailed as exc:
        raise ScannerUnavailable(f"the virus scanner could not check the file ({exc})") from exc
    if not verdict.clean:
        raise InvalidInput(
            {"file": f"the virus scanner found {verdict.signature}; the file was refused"},
            {"file": f"pretvīrusu pārbaude atrada {verdict.signature}; fails netika pieņemts"},
        )
    return media


def _check_links(conn: Connection, case_id: int, meta: Upload) -> None:
    """The application and the superseded document must be this case's, and that document
    not superseded yet (checked before the file is received, and again under the case's
    lock, so two uploads cannot supersede the same document)."""
    if meta.application_id is not None:
        owner = conn.scalar(
            select(applications.c.case_id).where(applications.c.id == meta.application_id)
        )
        if owner != case_id:
            raise InvalidInput(
                {"application_id": f"case {case_id} has no application {meta.application_id}"},
                {"application_id": f"lietai {case_id} nav pieteikuma {meta.application_id}"},
            )
    if meta.supersedes is not None:
        owner = conn.scalar(select(documents.c.case_id).where(documents.c.id == meta.supersedes))
        if owner != case_id:
            raise InvalidInput(
                {"supersedes": f"case {case_id} has no document {meta.supersedes}"},
                {"supersedes": f"lietai {case_id} nav dokumenta {meta.supersedes}"},
            )
        newer = conn.scalar(select(documents.c.id).where(documents.c.supersedes == meta.supersedes))
        if newer is not None:
            raise InvalidInput(
                {"supersedes": f"document {meta.supersedes} is already superseded by {newer}"},
                {"supersedes": f"dokuments {meta.supersedes} jau aizstāts ar {newer}"},
            )
