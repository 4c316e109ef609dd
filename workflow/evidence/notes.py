"""Free notes on a case: a phone call, a meeting, an e-mail or anything else worth keeping,
with its day and text. A note is a record of its own, written like every piece of evidence
(in the transaction that appends its audit event, bound by ``audit verify``), so the case's
timeline shows it between the state changes and the evidence; no guard reads it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import insert

from workflow.evidence.common import not_before_enrolment, not_in_future, payload
from workflow.evidence.registry import Create, EvidenceKind, FieldSpec, WriteContext, Written
from workflow.orm import Note
from workflow.schemas import Day, Input, LongText
from workflow.vocabulary import Words

NoteType = Literal["phone", "meeting", "email", "other"]

#: The words of each note type (lv, en): the form's select, the timeline, the API document.
NOTE_TYPES: dict[str, Words] = {
    "phone": Words("Telefona saruna", "Phone call"),
    "meeting": Words("Tikšanās", "Meeting"),
    "email": Words("E-pasts", "E-mail"),
    "other": Words("Cits", "Other"),
}


class NoteIn(Input):
    """A note on a case: what kind of contact, on which day, and what was said."""

    note_type: NoteType = Field(description="phone, meeting, email or other")
    noted_on: Day | None = Field(
        default=None,
        description="the day of the call or meeting (default: today); not in the future, "
        "not before the case's enrolment",
    )
    text: LongText


def _write(ctx: WriteContext, data: NoteIn) -> Written:
    values = data.model_dump()
    values["noted_on"] = data.noted_on or ctx.today
    not_in_future("noted_on", values["noted_on"], ctx.today)
    not_before_enrolment(ctx, "noted_on", values["noted_on"])
    new_id = ctx.conn.execute(
        insert(Note).returning(Note.id),
        {**values, "case_id": ctx.head.id, "recorded_by": ctx.actor.name},
    ).scalar_one()
    return new_id, {"note_id": new_id, **payload(values)}


KIND: EvidenceKind[None] = EvidenceKind(
    name="notes",
    create=Create(
        schema=NoteIn,
        write=_write,
        summary="Add a note to the case (a phone call, a meeting, an e-mail, other).",
        title=Words("Pievienot piezīmi", "Add a note"),
        done=Words("Pievienota piezīme", "Note added"),
        may=Words("pievienot piezīmes", "add notes"),
        fields={
            "note_type": FieldSpec(Words("Veids", "Type"), options=NOTE_TYPES),
            "noted_on": FieldSpec(Words("Datums", "Date")),
            "text": FieldSpec(Words("Teksts", "Text")),
        },
    ),
)
