"""Binding evidence rows to their audit events: the canonical content hash.

The chain proves the events were not edited, but guards and reports read the evidence
rows (``consultations.hours``, ``applications.awarded_eur`` …), not the events. So every
evidence event carries ``content_sha256``: the hash of its row as stored, right after the
write, in the chain's canonical encoding. ``audit verify`` recomputes it from the row and
names any row that differs from what its last event recorded, that no event recorded, or
that an event recorded and is gone (:mod:`workflow.bindings`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, select

from workflow.chain import canonical_bytes, utc_text
from workflow.orm import Application, Consultation, Document, NeedsAnalysis, Note, SourceSelection

#: The payload key naming the record an evidence event wrote -> the record's table. The key
#: is how an event says which row it is about; old and new spellings of kinds share them.
RECORD_KEYS: Mapping[str, Table] = {
    "analysis_id": cast(Table, NeedsAnalysis.__table__),
    "consultation_id": cast(Table, Consultation.__table__),
    "selection_id": cast(Table, SourceSelection.__table__),
    "application_id": cast(Table, Application.__table__),
    "note_id": cast(Table, Note.__table__),
    # a document's event names its application as ``for_application``, never by this
    # table's key above, so the record it wrote is the document
    "document_id": cast(Table, Document.__table__),
}
#: The payload key holding the content hash.
CONTENT_KEY = "content_sha256"


def _canonical_value(value: Any) -> Any:
    """One spelling of a column value on every database: SQLite and PostgreSQL return the
    same amount as ``Decimal('1.5')`` or ``Decimal('1.50')``, so amounts are normalised."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_canonical_value(v) for v in value]
    return value


def row_hash(table: Table, row: Row[Any] | Mapping[str, Any]) -> str:
    """SHA-256 of ``{"table": name, "row": {column: value}}`` in the canonical encoding,
    over every column of the table (docs/audit-format.md, "Content hashes")."""
    body = {"table": table.name, "row": canonical_row(table, row)}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def canonical_row(table: Table, row: Row[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """Every column of ``row`` spelt as its content hash spells it (also what the complete
    export writes, so an outside verifier recomputes the hash from the line alone)."""
    values = row._mapping if isinstance(row, Row) else row
    return {c.name: _canonical_value(values[c.name]) for c in table.columns}


def record_of(payload: Mapping[str, Any]) -> tuple[Table, int] | None:
    """The table and id of the record an evidence event's payload names, if any."""
    for key, table in RECORD_KEYS.items():
        record_id = payload.get(key)
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            return table, record_id
    return None


def bind(conn: Connection, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the content hash of the row it names, read back in the writer's
    transaction (so the hash is of the row exactly as committed with its event)."""
    found = record_of(payload)
    if found is None:
        return payload
    table, record_id = found
    row = conn.execute(select(table).where(table.c.id == record_id)).one()
    return {**payload, CONTENT_KEY: row_hash(table, row)}
