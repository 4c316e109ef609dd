"""Reading a case's notes (``GET /api/v1/cases/{id}/notes``) and finding cases by them.

Notes are written as evidence (:mod:`workflow.evidence.notes`, through
:mod:`workflow.recording`); this is their read model: a case's notes newest first, a page
at a time by keyset on the note id, so a page costs the same however old the case is, and
the condition that lets the case list's search find a case by the text of its notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, select

from workflow import cursors
from workflow.actors import Actor
from workflow.db import read
from workflow.errors import NotFound
from workflow.orm import Case, Note
from workflow.permissions import require_case_access
from workflow.runtime import Runtime

#: A page of notes when the caller names no ``limit``.
NOTES_PAGE = 50


@dataclass(frozen=True, slots=True)
class NoteView:
    """One stored note."""

    id: int
    case_id: int
    note_type: str
    noted_on: date
    text: str
    recorded_by: str


def list_notes(
    rt: Runtime,
    actor: Actor | None,
    case_id: int,
    *,
    limit: int = NOTES_PAGE,
    cursor: str | None = None,
) -> tuple[list[NoteView], str | None]:
    """The case's notes, the newest entered first, and the next page's
    cursor; whoever may see the case may read them (``actor=None``: the command line)."""
    cursors.check_limit(limit)
    q = select(Note).where(Note.case_id == case_id).order_by(Note.id.desc()).limit(limit + 1)
    if cursor:
        q = q.where(Note.id < cursors.decode("n", cursor))
    with read(rt.engine) as conn:
        mentor = conn.execute(select(Case.mentor_id).where(Case.id == case_id)).first()
        if mentor is None:
            raise NotFound("case", case_id)
        if actor is not None:
            require_case_access(rt.rules, actor, mentor[0])
        rows = conn.execute(q).all()
    page = [
        NoteView(r.id, r.case_id, r.note_type, r.noted_on, r.text, r.recorded_by)
        for r in rows[:limit]
    ]
    nxt = cursors.encode("n", page[-1].id) if len(rows) > limit and page else None
    return page, nxt


def notes_match(search: str) -> ColumnElement[bool]:
    """SQL condition on ``Case``: one of the case's notes contains ``search`` (any case;
    ``%`` and ``_`` are the user's characters, not wildcards)."""
    return exists().where(Note.case_id == Case.id, Note.text.icontains(search, autoescape=True))
