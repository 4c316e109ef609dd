"""Documents on cases: upload one (``multipart/form-data``), list a case's, download one.

The engine decides everything (:mod:`workflow.documents`, :mod:`workflow.docviews`): who
may upload (the policy's ``upload_documents`` and the case's scope), the kind, the type by
content, the size limit while the file streams in, the virus scan, the audit event. The
same service serves the case page's upload form.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from web.api.models import AuditEvent, Model
from web.api.routing import api_route
from web.context import actor, runtime
from web.documentfiles import send_document, storage, upload_form
from workflow import auditquery, documents, docviews, filetypes
from workflow.docviews import DocumentView
from workflow.schemas import Id


class DocumentUpload(BaseModel):
    """The upload form: the file and what it is."""

    model_config = ConfigDict(title="DocumentUpload")
    file: bytes = Field(
        description="the file: PDF, DOCX, XLSX, ODT, ODS, PNG or JPEG (decided by its "
        "content), at most the policy's documents.max_mb (default 20 MB)"
    )
    kind: str = Field(
        min_length=1,
        max_length=40,
        description="one of the policy's documents.kinds (analysis, budget, "
        "application_draft, decision_letter, other)",
    )
    application_id: Id | None = Field(
        default=None, description="the case's application the document belongs to"
    )
    supersedes: Id | None = Field(
        default=None, description="an older document of the case this one replaces"
    )


class DocumentOut(Model):
    """A document on a case: what it is, its stored file's hash, and whether a newer one
    superseded it."""

    id: int
    case_id: int
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    application_id: int | None
    supersedes: int | None
    superseded_by: int | None
    uploaded_at: datetime
    uploaded_by: str


class DocumentStored(DocumentOut):
    """An upload kept: the document, the case's new version and the audit event."""

    version: int
    event: AuditEvent


class DocumentList(Model):
    """A case's documents, oldest first."""

    items: list[DocumentOut]


def _out(doc: DocumentView) -> DocumentOut:
    return DocumentOut.model_validate(doc)


@api_route(
    "/cases/<int:case_id>/documents",
    "POST",
    tag="documents",
    form=DocumentUpload,
    response=DocumentStored,
    status=201,
    errors=(403, 404, 409, 413, 503),
    permission=("actions", documents.ACTION),
)
def upload_document(case_id: int) -> DocumentStored:
    """Upload a document onto the case
    The type is decided by the file's content, never its name (an executable named
    `.pdf` is refused); an empty file is refused; a file over the policy's
    `documents.max_mb` is refused while it arrives (413) and nothing is kept. With a virus
    scanner configured, an infected file is refused (422) and an unreachable scanner is a
    503. The file is kept once by its SHA-256; the upload is a `record_document` audit
    event carrying the hash, size, type and kind. Uploads take no `Idempotency-Key`: a
    repeated upload stores the file once but records a second document."""
    meta, file = upload_form()
    rec = documents.upload(runtime(), actor(), case_id, meta, file.stream, storage())
    doc = docviews.get_document(runtime(), actor(), rec.id)
    event = auditquery.stored_event(runtime(), rec.case_id, rec.version)
    return DocumentStored(
        **_out(doc).model_dump(),
        version=rec.version,
        event=AuditEvent.model_validate(event.model_dump()),
    )


@api_route(
    "/cases/<int:case_id>/documents",
    tag="documents",
    response=DocumentList,
    errors=(403, 404),
)
def list_documents(case_id: int) -> DocumentList:
    """The case's documents
    Whoever may see the case sees its documents (a mentor: only on assigned cases)."""
    docs = docviews.list_documents(runtime(), actor(), case_id)
    return DocumentList(items=[_out(d) for d in docs])


@api_route(
    "/documents/<int:document_id>",
    tag="documents",
    errors=(403, 404),
    stream={
        t.media_type: f"the stored file, when it is a {t.name} (the original name in "
        "Content-Disposition, its SHA-256 as the ETag)"
        for t in filetypes.ACCEPTED
    },
)
def download_document(document_id: int) -> Response:
    """Download a document's file
    Only with access to its case. The original name is in `Content-Disposition`
    (`filename*` encoded per RFC 5987 when it is not plain ASCII)."""
    return send_document(docviews.get_document(runtime(), actor(), document_id))
