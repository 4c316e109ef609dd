"""Tampering with the audit log behind the engine's back, on both databases.

The database itself refuses UPDATE and DELETE on audit rows; an attacker with database
rights drops those triggers first, as these tests do. Whatever they then change —
editing, deleting (in the middle, at the tail, at the start), inserting or reordering
rows — ``auditlog.verify`` names the first event that no longer fits and why, and
``inkubators audit verify`` exits non-zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest
from click.testing import CliRunner
from sqlalchemy import Table, select, text
from sqlalchemy.exc import DBAPIError

from inkubators.cli import main
from tests.conftest import COORDINATOR
from workflow import advance, auditlog, recording, verifyrun
from workflow.chain import HASHED_FIELDS, event_hash
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.orm import AuditEvent
from workflow.runtime import Runtime

events = cast(Table, AuditEvent.__table__)  # declared by the ORM as a plain Table

EDITED = "its content does not match its hash: the event was edited"
UNLINKED = "does not name the previous event's hash: events were inserted, removed or reordered"


@pytest.fixture(autouse=True, params=["one walk", "ranges"])
def walk_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every tampering is found alike by one walk and by a walk cut into case ranges
    (merged in order, as the worker processes' walks are; one process, to stay quick)."""
    if request.param == "ranges":
        monkeypatch.setattr(verifyrun, "PARALLEL_FROM", 0)
        monkeypatch.setattr(verifyrun, "DEFAULT_WORKERS", 1)
    return str(request.param)


@dataclass
class Log:
    """Two cases with chains of 5 and 2 events; ``ids[case][seq]`` is the event id."""

    a: int
    b: int
    ids: dict[int, dict[int, int]]


@pytest.fixture
def log(rt: Runtime, make_case: Callable[..., int]) -> Log:
    a, b = make_case(), make_case()
    for case_id in (a, b):
        recording.record(
            rt, COORDINATOR, case_id, AnalysisIn(findings="Vāja vadība", need_areas=["governance"])
        )
    advance.fire(rt, COORDINATOR, a, "analyse", comment="apstiprināts")
    recording.record(
        rt,
        COORDINATOR,
        a,
        ConsultationIn(mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("2"), topic="PR"),
    )
    advance.fire(rt, COORDINATOR, a, "consult")
    ids: dict[int, dict[int, int]] = {a: {}, b: {}}
    with rt.engine.connect() as c:
        for case_id, seq, event_id in c.execute(
            select(events.c.case_id, events.c.seq, events.c.id)
        ):
            ids[case_id][seq] = event_id
    assert sorted(ids[a]) == [1, 2, 3, 4, 5]
    assert sorted(ids[b]) == [1, 2]
    assert auditlog.verify(rt).ok
    return Log(a, b, ids)


def drop_protection(rt: Runtime) -> None:
    """What an attacker with database rights does first."""
    with rt.engine.begin() as c:
        if rt.engine.dialect.name == "sqlite":
            c.execute(text("DROP TRIGGER audit_events_no_update"))
            c.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            c.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))


def sql(rt: Runtime, statement: str, **params: Any) -> None:
    with rt.engine.begin() as c:
        c.execute(text(statement), params)


def first_bad(rt: Runtime) -> dict[str, Any]:
    result = auditlog.verify(rt)
    assert not result.ok
    assert result.first_bad is not None
    return result.first_bad


def test_untouched_log_verifies(rt: Runtime, log: Log) -> None:
    result = auditlog.verify(rt)
    assert result.ok
    assert result.checked == 7
    assert result.first_bad is None


@pytest.mark.parametrize(
    ("statement", "verb"),
    [
        ("UPDATE audit_events SET comment = 'labots' WHERE id = :id", "UPDATE"),
        ("DELETE FROM audit_events WHERE id = :id", "DELETE"),
    ],
)
def test_database_refuses_update_and_delete_while_protected(
    rt: Runtime, log: Log, statement: str, verb: str
) -> None:
    with pytest.raises(DBAPIError, match="audit events are append-only"):
        sql(rt, statement, id=log.ids[log.a][3])
    if rt.engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        with pytest.raises(DBAPIError, match="audit events are append-only"):
            sql(rt, "TRUNCATE audit_events")
    assert auditlog.verify(rt).ok


def test_edited_event_is_named(rt: Runtime, log: Log) -> None:
    drop_protection(rt)
    sql(rt, "UPDATE audit_events SET actor = 'mallory' WHERE id = :id", id=log.ids[log.a][3])
    assert first_bad(rt) == {
        "event_id": log.ids[log.a][3],
        "case_id": log.a,
        "seq": 3,
        "problem": EDITED,
    }


def test_edited_guard_outcome_is_named(rt: Runtime, log: Log) -> None:
    """Even the JSON columns are covered: flipping a recorded guard outcome shows."""
    drop_protection(rt)
    with rt.engine.begin() as c:
        guards = c.scalar(select(events.c.guards).where(events.c.id == log.ids[log.a][5]))
        assert guards
        guards[0]["passed"] = False
        c.execute(events.update().where(events.c.id == log.ids[log.a][5]).values(guards=guards))
    assert first_bad(rt)["event_id"] == log.ids[log.a][5]
    assert first_bad(rt)["problem"] == EDITED


def test_edit_with_a_recomputed_hash_breaks_the_next_link(rt: Runtime, log: Log) -> None:
    """An attacker who re-hashes the edited event is caught by the event after it."""
    drop_protection(rt)
    with rt.engine.begin() as c:
        row = c.execute(select(events).where(events.c.id == log.ids[log.a][2])).one()
        fields = {k: getattr(row, k) for k in HASHED_FIELDS}
        fields["comment"] = "ieraksts labots"
        c.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(comment="ieraksts labots", hash=event_hash(fields))
        )
    assert first_bad(rt) == {
        "event_id": log.ids[log.a][3],
        "case_id": log.a,
        "seq": 3,
        "problem": UNLINKED,
    }


def test_deleted_middle_event_is_named(rt: Runtime, log: Log) -> None:
    drop_protection(rt)
    sql(rt, "DELETE FROM audit_events WHERE id = :id", id=log.ids[log.a][3])
    assert first_bad(rt) == {
        "event_id": log.ids[log.a][4],
        "case_id": log.a,
        "seq": 4,
        "problem": "#4 follows #2: an event is missing",
    }


def test_deleted_tail_event_is_named(rt: Runtime, log: Log) -> None:
    drop_protection(rt)
    sql(rt, "DELETE FROM audit_events WHERE id = :id", id=log.ids[log.a][5])
    assert first_bad(rt) == {
        "event_id": log.ids[log.a][4],
        "case_id": log.a,
        "seq": 4,
        "problem": f"case {log.a}'s chain ends at #4 but the case's head is #5: "
        "events were deleted or appended behind the engine's back",
    }


def test_deleted_first_event_is_named(rt: Runtime, log: Log) -> None:
    drop_protection(rt)
    sql(rt, "DELETE FROM audit_events WHERE id = :id", id=log.ids[log.b][1])
    assert first_bad(rt) == {
        "event_id": log.ids[log.b][2],
        "case_id": log.b,
        "seq": 2,
        "problem": f"case {log.b} starts at #2, not #1: earlier events are missing",
    }


def test_every_event_of_a_case_deleted(rt: Runtime, log: Log) -> None:
    drop_protection(rt)
    sql(rt, "DELETE FROM audit_events WHERE case_id = :c", c=log.b)
    assert first_bad(rt) == {
        "event_id": None,
        "case_id": log.b,
        "seq": None,
        "problem": f"case {log.b} has version 2 but no events: its events were deleted",
    }


def test_inserted_event_is_named(rt: Runtime, log: Log) -> None:
    """A well-formed event appended by hand (correct link and hash) still does not fit the
    case's head, which the engine moved with every real event."""
    drop_protection(rt)  # inserting needs no dropped trigger, but the attacker has done it
    with rt.engine.begin() as c:
        last = c.execute(select(events).where(events.c.id == log.ids[log.b][2])).one()
        forged = {k: getattr(last, k) for k in HASHED_FIELDS}
        forged.update(seq=3, trigger="withdraw", kind="transition", to_state="withdrawn")
        forged.update(comment="viltots", prev_hash=last.hash)
        forged["hash"] = event_hash(forged)
        new_id = c.execute(events.insert().returning(events.c.id), forged).scalar_one()
    assert first_bad(rt) == {
        "event_id": new_id,
        "case_id": log.b,
        "seq": 3,
        "problem": f"case {log.b}'s chain ends at #3 but the case's head is #2: "
        "events were deleted or appended behind the engine's back",
    }


def test_inserted_event_with_a_made_up_hash_is_named(rt: Runtime, log: Log) -> None:
    with rt.engine.begin() as c:
        last = c.execute(select(events).where(events.c.id == log.ids[log.b][2])).one()
        forged = {k: getattr(last, k) for k in HASHED_FIELDS}
        forged.update(seq=3, comment="viltots", prev_hash=last.hash, hash="0" * 64)
        new_id = c.execute(events.insert().returning(events.c.id), forged).scalar_one()
    assert first_bad(rt) == {"event_id": new_id, "case_id": log.b, "seq": 3, "problem": EDITED}


def test_swapped_events_are_named(rt: Runtime, log: Log) -> None:
    """Swap the sequence numbers of events #2 and #3 (through a spare number, as the
    unique (case, seq) constraint requires)."""
    drop_protection(rt)
    with rt.engine.begin() as c:
        two, three = log.ids[log.a][2], log.ids[log.a][3]
        c.execute(text("UPDATE audit_events SET seq = -1 WHERE id = :id"), {"id": two})
        c.execute(text("UPDATE audit_events SET seq = 2 WHERE id = :id"), {"id": three})
        c.execute(text("UPDATE audit_events SET seq = 3 WHERE id = :id"), {"id": two})
    assert first_bad(rt) == {
        "event_id": log.ids[log.a][3],
        "case_id": log.a,
        "seq": 2,
        "problem": UNLINKED,
    }


def test_swapped_cases_of_two_events_are_named(rt: Runtime, log: Log) -> None:
    """Moving an event to another case (swapping the case ids of two #2 events)."""
    drop_protection(rt)
    with rt.engine.begin() as c:
        ea, eb = log.ids[log.a][2], log.ids[log.b][2]
        c.execute(text("UPDATE audit_events SET seq = -1 WHERE id = :id"), {"id": ea})
        c.execute(
            text("UPDATE audit_events SET case_id = :c WHERE id = :id"), {"c": log.b, "id": ea}
        )
        c.execute(
            text("UPDATE audit_events SET case_id = :c, seq = 2 WHERE id = :id"),
            {"c": log.a, "id": eb},
        )
        c.execute(text("UPDATE audit_events SET seq = 2 WHERE id = :id"), {"id": ea})
    bad = first_bad(rt)
    assert (bad["event_id"], bad["case_id"], bad["seq"]) == (log.ids[log.b][2], log.a, 2)
    assert bad["problem"] == UNLINKED


def test_cli_audit_verify_exits_non_zero_naming_the_event(
    rt: Runtime, log: Log, db_url: str
) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": db_url}
    ok = runner.invoke(main, ["audit", "verify"], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == "audit log OK: 7 events verified\naccount log OK: 0 events verified\n"
    drop_protection(rt)
    sql(rt, "DELETE FROM audit_events WHERE id = :id", id=log.ids[log.a][3])
    broken = runner.invoke(main, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert broken.stderr == (
        f"audit log BROKEN at event {log.ids[log.a][4]} (case {log.a}, #4): "
        "#4 follows #2: an event is missing\n"
    )
