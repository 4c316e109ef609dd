"""Each hash-chain finding is worded by the engine in English and in Latvian."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from workflow.chain import HASHED_FIELDS, event_hash
from workflow.chainfindings import Finding, event_problem
from workflow.chainfindings import head_problem as _head_problem


def _event_problem(row: Any, prev: Any) -> Finding | None:
    """The walk's check with the decoding content check (the one every splice falls back to)."""
    return event_problem(row, prev, lambda r: bool(event_hash(vars(r)) == r.hash))


def event(
    case_id: int = 7, seq: int = 1, prev_hash: str | None = None, **kw: object
) -> SimpleNamespace:
    fields: dict[str, Any] = {k: None for k in HASHED_FIELDS} | {"case_id": case_id, "seq": seq}
    fields |= {
        "prev_hash": prev_hash,
        "at": "2023-03-01T10:00:00.000000Z",
        "guards": [],
        "payload": {},
    }
    fields |= kw
    return SimpleNamespace(id=seq, hash=event_hash(fields), **fields)


@pytest.mark.parametrize(
    ("row", "prev", "finding"),
    [
        (
            event(seq=3),
            None,
            Finding(
                "case 7 starts at #3, not #1: earlier events are missing",
                "lieta 7 sākas ar #3, nevis #1: trūkst agrāku notikumu",
            ),
        ),
        (
            event(prev_hash="ab"),
            None,
            Finding(
                "the first event names a predecessor", "pirmais notikums norāda uz priekšgājēju"
            ),
        ),
        (
            event(seq=4),
            event(seq=4),
            Finding(
                "a second event #4: an event was inserted",
                "otrs notikums #4: ir ievietots notikums",
            ),
        ),
        (
            event(seq=5),
            event(seq=3),
            Finding("#5 follows #3: an event is missing", "#5 seko #3: trūkst notikuma"),
        ),
        (
            event(seq=2, prev_hash="not-the-previous"),
            event(seq=1),
            Finding(
                "does not name the previous event's hash: events were inserted, removed or reordered",
                "tas nenorāda iepriekšējā notikuma jaucējvērtību: notikumi ir ievietoti, dzēsti "
                "vai pārkārtoti",
            ),
        ),
    ],
)
def test_chain_breaks_are_named_in_both_languages(
    row: SimpleNamespace, prev: SimpleNamespace | None, finding: Finding
) -> None:
    assert _event_problem(row, prev) == finding


def test_an_edited_event_and_a_moved_head_are_named_in_both_languages() -> None:
    edited = event()
    edited.comment = "labots"
    assert _event_problem(edited, None) == Finding(
        "its content does not match its hash: the event was edited",
        "tā saturs neatbilst tā jaucējvērtībai: notikums ir labots",
    )
    assert _event_problem(event(), None) is None
    last = event(seq=4)
    assert _head_problem(last, {7: (5, "x")}) == Finding(
        "case 7's chain ends at #4 but the case's head is #5: "
        "events were deleted or appended behind the engine's back",
        "lietas 7 ķēde beidzas ar #4, bet lietas galva ir #5: notikumi ir dzēsti vai "
        "pievienoti, apejot sistēmu",
    )
    assert _head_problem(last, {}) == Finding(
        "events of case 7, which does not exist", "neesošas lietas 7 notikumi"
    )
