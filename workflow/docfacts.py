"""The documents of a case as facts for guards: which kinds it holds, for which
application, and whether a newer document superseded one.

Documents are no evidence kind (they arrive as files, not as a form's fields, through
:mod:`workflow.documents`), so their facts are registered on their own under
:data:`DOCUMENTS`; a guard that needs them declares that name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, select

from workflow.evidence.registry import FactSource, register_facts
from workflow.orm import Document

DOCUMENTS = "documents"
documents = cast(Table, Document.__table__)


@dataclass(frozen=True, slots=True)
class DocumentFact:
    """One document of a case, as a guard sees it."""

    document_id: int
    kind: str
    filename: str
    application_id: int | None
    superseded_by: int | None

    @property
    def current(self) -> bool:
        """Not replaced by a newer document."""
        return self.superseded_by is None


_newer = documents.alias("newer")


def load(conn: Connection, case_id: int) -> tuple[DocumentFact, ...]:
    """The case's documents, oldest first, each with the newer one that superseded it."""
    q = (
        select(
            documents.c.id,
            documents.c.kind,
            documents.c.filename,
            documents.c.application_id,
            _newer.c.id,
        )
        .select_from(documents.outerjoin(_newer, _newer.c.supersedes == documents.c.id))
        .where(documents.c.case_id == case_id)
        .order_by(documents.c.id)
    )
    return tuple(DocumentFact(*row) for row in conn.execute(q))


SOURCE: FactSource[tuple[DocumentFact, ...]] = FactSource(load=load)
register_facts(DOCUMENTS, SOURCE)
