"""Notes on a case, on both databases: each one a chained audit event written with its
row, bound by ``audit verify``, read newest first a page at a time, found by the case
list's search, and refused with the field named when it is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from tests.conftest import AUDITOR, COORDINATOR, Clock
from workflow import auditlog, mentors, notelist, recording, views
from workflow.accounts import add_user
from workflow.actors import Actor
from workflow.contentbind import CONTENT_KEY
from workflow.errors import Forbidden, InvalidInput
from workflow.evidence.notes import NoteIn
from workflow.runtime import Runtime
from workflow.schemas import UserIn


def note(rt: Runtime, case: int, text_: str, **kw: object) -> int:
    data = NoteIn.model_validate({"note_type": "phone", "text": text_, **kw})
    return recording.record(rt, COORDINATOR, case, data).id


def test_a_note_is_a_chained_event_with_its_row_and_reads_back(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case = make_case()
    done = recording.record(
        rt,
        COORDINATOR,
        case,
        NoteIn(note_type="meeting", noted_on=date(2023, 3, 1), text="Tikāmies ar valdi"),
    )
    event = done.event
    assert event["trigger"] == "record_notes"
    assert event["payload"]["note_id"] == done.id
    assert event["payload"]["text"] == "Tikāmies ar valdi"
    assert event["payload"]["noted_on"] == "2023-03-01"
    assert len(event["payload"][CONTENT_KEY]) == 64
    assert done.version == 2  # enrolment, then the note
    items, nxt = notelist.list_notes(rt, COORDINATOR, case)
    assert nxt is None
    assert [(n.id, n.note_type, n.noted_on, n.text, n.recorded_by) for n in items] == [
        (done.id, "meeting", date(2023, 3, 1), "Tikāmies ar valdi", "ilze")
    ]
    assert auditlog.verify(rt).ok


def test_a_note_defaults_to_today_and_refuses_the_future_and_before_enrolment(
    rt: Runtime, make_case: Callable[..., int], clock: Clock
) -> None:
    case = make_case()
    nid = note(rt, case, "Zvans")
    assert notelist.list_notes(rt, COORDINATOR, case)[0][0].noted_on == date(2023, 3, 1)
    assert nid
    with pytest.raises(InvalidInput) as future:
        note(rt, case, "Rīt", noted_on="2023-03-02")
    assert "noted_on" in future.value.errors
    with pytest.raises(InvalidInput) as before:
        note(rt, case, "Vakar", noted_on="2023-02-28")
    assert "noted_on" in before.value.errors
    assert len(notelist.list_notes(rt, COORDINATOR, case)[0]) == 1  # nothing half-written


def test_bad_note_input_names_the_field() -> None:
    with pytest.raises(ValidationError) as kind:
        NoteIn.model_validate({"note_type": "fax", "text": "x"})
    assert kind.value.errors()[0]["loc"] == ("note_type",)
    with pytest.raises(ValidationError) as empty:
        NoteIn.model_validate({"note_type": "email", "text": "   "})
    assert empty.value.errors()[0]["loc"] == ("text",)


def test_notes_page_newest_first_with_a_cursor(rt: Runtime, make_case: Callable[..., int]) -> None:
    case = make_case()
    ids = [note(rt, case, f"Piezīme {i}") for i in range(5)]
    first, cursor = notelist.list_notes(rt, COORDINATOR, case, limit=2)
    assert [n.id for n in first] == ids[:-3:-1]
    assert cursor is not None
    second, cursor = notelist.list_notes(rt, COORDINATOR, case, limit=2, cursor=cursor)
    third, end = notelist.list_notes(rt, COORDINATOR, case, limit=2, cursor=cursor)
    assert [n.id for n in second + third] == ids[2::-1]
    assert end is None


def test_a_note_edited_or_inserted_behind_the_engine_is_named_by_verify(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case = make_case()
    nid = note(rt, case, "Sākotnējais teksts")
    with rt.engine.begin() as c:
        c.execute(text("UPDATE notes SET text = 'Pārrakstīts' WHERE id = :i"), {"i": nid})
    found = auditlog.verify(rt)
    assert not found.ok
    assert str((found.first_bad or {})["problem"]).startswith(f"notes {nid}: its content differs")
    with rt.engine.begin() as c:
        c.execute(text("UPDATE notes SET text = 'Sākotnējais teksts' WHERE id = :i"), {"i": nid})
        c.execute(
            text(
                "INSERT INTO notes (case_id, note_type, noted_on, text, recorded_by)"
                " VALUES (:c, 'other', '2023-03-01', 'viltots', 'ilze')"
            ),
            {"c": case},
        )
    problem = str((auditlog.verify(rt).first_bad or {})["problem"])
    assert problem.startswith("notes ")
    assert "no audit event recorded it" in problem


def test_the_case_list_search_finds_a_case_by_its_notes(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    called, other = make_case(), make_case()
    note(rt, called, "Zvanīja valdes priekšsēdētāja par 100% līdzfinansējumu")
    note(rt, other, "Nosūtīts e-pasts")
    found, _ = views.list_cases(rt, COORDINATOR, search="priekšsēdētāja")
    assert [c.id for c in found] == [called]
    assert [c.id for c in views.list_cases(rt, COORDINATOR, search="100%")[0]] == [called]
    assert views.list_cases(rt, COORDINATOR, search="nekas tāds")[0] == []


def test_roles_from_the_policy_decide_who_adds_and_reads_notes(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    mine, theirs = make_case(), make_case()
    user = add_user(rt, UserIn(name="anna", role="mentor"))
    mentors.assign_mentor(rt, COORDINATOR, mine, "anna")
    anna = Actor("anna", "mentor", user.id)
    recording.record(rt, anna, mine, NoteIn(note_type="email", text="Nosūtīju paraugu"))
    with pytest.raises(Forbidden):
        recording.record(rt, anna, theirs, NoteIn(note_type="email", text="Svešā lieta"))
    with pytest.raises(Forbidden):
        notelist.list_notes(rt, anna, theirs)
    with pytest.raises(Forbidden):
        recording.record(rt, AUDITOR, mine, NoteIn(note_type="other", text="Revidents"))
    assert [n.text for n in notelist.list_notes(rt, AUDITOR, mine)[0]] == ["Nosūtīju paraugu"]
