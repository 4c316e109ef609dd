"""Reading documents: a case's list, one document for download, and ``audit verify
--documents``, which hashes every stored file again.

Whoever may see the case may see and download its documents (the policy's
``case_scope``: a mentor only on assigned cases); the same test the services use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from workflow import chain
from workflow.actors import Actor
from workflow.db import read
from workflow.docstore import DocumentStore
from workflow.errors import NotFound
from workflow.orm import Document
from workflow.permissions import require_case_access
from workflow.runtime import Runtime, as_utc

documents = cast(Table, Document.__table__)
_newer = documents.alias("newer")


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One document as the API and the case page show it."""

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


_SELECT = select(
    documents.c.id,
    documents.c.case_id,
    documents.c.kind,
    documents.c.filename,
    documents.c.media_type,
    documents.c.size,
    documents.c.sha256,
    documents.c.application_id,
    documents.c.supersedes,
    _newer.c.id,
    documents.c.uploaded_at,
    documents.c.uploaded_by,
).select_from(documents.outerjoin(_newer, _newer.c.supersedes == documents.c.id))


def _view(row: Any) -> DocumentView:
    values = list(row)
    values[10] = as_utc(values[10])
    return DocumentView(*values)


def _allowed(rt: Runtime, conn: Connection, actor: Actor | None, case_id: int) -> None:
    head = chain.load_head(conn, case_id)  # NotFound for an unknown case
    if actor is not None:  # None: the operator on the command line
        require_case_access(rt.rules, actor, head.mentor_id)


def list_documents(rt: Runtime, actor: Actor | None, case_id: int) -> list[DocumentView]:
    """The case's documents, oldest first."""
    with read(rt.engine) as conn:
        _allowed(rt, conn, actor, case_id)
        rows = conn.execute(_SELECT.where(documents.c.case_id == case_id).order_by(documents.c.id))
        return [_view(r) for r in rows]


def get_document(rt: Runtime, actor: Actor | None, document_id: int) -> DocumentView:
    """One document, if the actor may see its case."""
    with read(rt.engine) as conn:
        row = conn.execute(_SELECT.where(documents.c.id == document_id)).first()
        if row is None:
            raise NotFound("document", document_id)
        doc = _view(row)
        _allowed(rt, conn, actor, doc.case_id)
    return doc


@dataclass(frozen=True, slots=True)
class FileFinding:
    """A stored file that is not what its documents recorded."""

    sha256: str
    problem: str  # "vanished" or "changed"
    document_ids: tuple[int, ...]
    found: str | None = None

    @property
    def text(self) -> str:
        """One line for ``audit verify --documents``."""
        ids = ", ".join(str(i) for i in self.document_ids)
        if self.problem == "vanished":
            return f"documents {ids}: the file {self.sha256} is gone"
        return f"documents {ids}: the file {self.sha256} changed (now hashes to {self.found})"


def verify_files(rt: Runtime, store: DocumentStore) -> tuple[int, list[FileFinding]]:
    """Hash every stored file again: how many files were checked, and each that vanished
    or no longer hashes to the SHA-256 its documents (and their events) recorded."""
    by_hash: dict[str, list[int]] = {}
    with read(rt.engine) as conn:
        for doc_id, sha in conn.execute(
            select(documents.c.id, documents.c.sha256).order_by(documents.c.sha256, documents.c.id)
        ):
            by_hash.setdefault(sha, []).append(doc_id)
    findings: list[FileFinding] = []
    for sha, ids in by_hash.items():
        now = store.sha256_of(sha)
        if now is None:
            findings.append(FileFinding(sha, "vanished", tuple(ids)))
        elif now != sha:
            findings.append(FileFinding(sha, "changed", tuple(ids), now))
    return len(by_hash), findings
