"""A case's notes: ``GET /cases/{id}/notes`` reads them, newest first, a page at a time.

Adding one is the evidence kind's own route (``POST /cases/{id}/notes``, body ``NoteIn``:
:mod:`web.api.evidence`), so it is written, permitted and audited like any evidence.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from web.api.cases import Cursor, Query
from web.api.models import Model
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import notelist
from workflow.cursors import MAX_PAGE


class NoteQuery(Query):
    """Paging of a case's notes."""

    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = notelist.NOTES_PAGE
    cursor: Cursor | None = None


class NoteOut(Model):
    """One note on a case."""

    id: int
    case_id: int
    note_type: Literal["phone", "meeting", "email", "other"]
    noted_on: dt.date
    text: str
    recorded_by: str = Field(description="the user who added it")


class NotePage(Model):
    """A page of notes, newest first; ``next_cursor`` null when there are no more."""

    items: list[NoteOut]
    next_cursor: str | None


@api_route(
    "/cases/<int:case_id>/notes",
    tag="evidence",
    query=NoteQuery,
    response=NotePage,
    errors=(403, 404),
)
def list_notes(case_id: int, query: NoteQuery) -> NotePage:
    """The case's notes (phone calls, meetings, e-mails, other), the newest first."""
    items, nxt = notelist.list_notes(
        runtime(), actor(), case_id, limit=query.limit, cursor=query.cursor
    )
    return NotePage(items=[NoteOut.model_validate(n) for n in items], next_cursor=nxt)
