"""Verifying by hashing the stored text, in worker processes, and from a checkpoint.

The fast walk must reach the verdicts the decoding check reaches: the spliced bytes of
every event the engine wrote are its canonical bytes, text moved across a field
boundary is never vouched for, worker processes name the same first bad event as one
walk, and ``audit verify --since-checkpoint`` reads only what is newer than the
checkpoint yet still notices a rewritten pinned event.
"""

from __future__ import annotations

import hashlib
import json
import threading
from json.encoder import encode_basestring
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, select, text

from tests.conftest import COORDINATOR
from tests.integration.test_checkpoints import World, drop_protection, world  # noqa: F401
from workflow import advance, auditlog, recording, verifyrun
from workflow.chain import HASHED_FIELDS, canonical_bytes, utc_text
from workflow.chainbytes import _FORMAT, COLUMNS, select_sql, spliced
from workflow.db import read
from workflow.evidence.analysis import AnalysisIn
from workflow.orm import AuditEvent
from workflow.runtime import Runtime

events = cast(Table, AuditEvent.__table__)
EDITED = "its content does not match its hash: the event was edited"


def test_every_event_the_engine_writes_is_verified_by_its_stored_text(
    world: World,  # noqa: F811
) -> None:
    with world.rt.engine.connect() as conn:
        raw = conn.exec_driver_sql(select_sql(conn.dialect.name)).all()
        typed = {r.id: r for r in conn.execute(select(events))}
    assert len(raw) == 10
    for row in raw:
        stored = typed[row[0]]
        fields = {k: getattr(stored, k) for k in HASHED_FIELDS} | {"at": utc_text(stored.at)}
        assert spliced(tuple(row)) == canonical_bytes(fields)
        assert row[COLUMNS.index("guards")] == canonical_bytes(stored.guards).decode()


def test_text_moved_across_a_field_boundary_is_not_vouched_for() -> None:
    """An attacker moves the tail of ``guards`` and the head of ``payload`` into ``kind``:
    the naive concatenation hashes exactly as before, the splice refuses it."""
    body = {k: "x" for k in HASHED_FIELDS} | {
        "case_id": 7,
        "seq": 2,
        "kind": "evidence",
        "guards": [],
        "payload": {"a": 1, "kind": "transition", "payload": {}},
        "at": "2023-03-01T10:00:00.000000Z",
    }
    original = canonical_bytes(body)
    honest = {
        "id": 1,
        **{k: body[k] for k in HASHED_FIELDS},
        "hash": hashlib.sha256(original).hexdigest(),
        "guards": "[]",
        "payload": canonical_bytes(body["payload"]).decode(),
    }
    # such a payload repeats a top-level key, so even the honest row is left to the
    # decoding check (slower, same verdict)
    assert spliced(tuple(honest[c] for c in COLUMNS)) is None
    plain_payload = honest | {"payload": '{"a":1}'}
    assert spliced(tuple(plain_payload[c] for c in COLUMNS)) == original.replace(
        b'{"a":1,"kind":"transition","payload":{}}', b'{"a":1}'
    )
    forged = honest | {
        "guards": '[],"kind":"evidence","payload":{"a":1',
        "kind": "transition",
        "payload": "{}}",
    }
    plain = {k: encode_basestring(v) for k, v in forged.items() if isinstance(v, str)}
    naive = _FORMAT % (
        *(plain[k] for k in ("actor", "at")),
        forged["case_id"],
        *(plain[k] for k in ("comment", "from_state")),
        forged["guards"],
        plain["kind"],
        forged["payload"],
        *(plain[k] for k in ("policy_hash", "prev_hash", "role")),
        forged["seq"],
        *(plain[k] for k in ("states_hash", "to_state", "trigger")),
    )
    assert naive.encode() == original  # the same bytes: without the check the forgery passes
    assert spliced(tuple(forged[c] for c in COLUMNS)) is None


@pytest.mark.parametrize("target", ["comment", "payload"])
def test_worker_processes_name_the_first_bad_event_like_one_walk(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    rt = world.rt
    with rt.engine.begin() as conn:
        drop_protection(conn)
        change = "comment = 'labots'" if target == "comment" else "payload = '{\"x\": 1}'"
        conn.execute(
            text(f"UPDATE audit_events SET {change} WHERE case_id = :c AND seq = 2"),
            {"c": world.c},
        )
    one = auditlog.verify(rt, workers=1)
    monkeypatch.setattr(verifyrun, "PARALLEL_FROM", 0)
    two = auditlog.verify(rt, workers=2)
    assert one == two
    assert two.first_bad is not None
    assert (two.first_bad["case_id"], two.first_bad["seq"], two.first_bad["problem"]) == (
        world.c,
        2,
        EDITED,
    )
    assert two.checked == 10


def test_workers_check_each_cases_state_and_continuity_in_the_order_one_walk_does(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Case a (the first) gets a transition from a forged state, case c (the last) a
    forged state: the state finding is reported first, as before the walk checked them,
    though another worker's range met the continuity finding earlier."""
    rt = world.rt
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'analysed' WHERE id = :a"), {"a": world.a})
    advance.fire(rt, COORDINATOR, world.a, "consult")  # from the forged state
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'outcome' WHERE id = :c"), {"c": world.c})

    def found() -> set[str]:
        monkeypatch.setattr(verifyrun, "PARALLEL_FROM", 10**9)
        with read(rt.engine) as conn:
            results = [auditlog.verify(rt, workers=1), auditlog.verify_on(conn)]
        monkeypatch.setattr(verifyrun, "PARALLEL_FROM", 0)
        results.append(auditlog.verify(rt, workers=2))
        assert all(not r.ok and r.checked == 11 for r in results)
        return {str((r.first_bad or {})["problem"]) for r in results}

    assert found() == {
        f"cases {world.c}: state 'outcome' but its last event (v2) ends in 'enrolled'"
    }
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'enrolled' WHERE id = :c"), {"c": world.c})
        sixth = conn.scalar(
            text("SELECT id FROM audit_events WHERE case_id = :a AND seq = 6"), {"a": world.a}
        )
    assert found() == {
        f"audit_events {sixth}: case {world.a}'s #6 starts from 'analysed' but #5 ended in "
        "'consulted': the case's state was changed behind the engine's back"
    }


def test_worker_processes_walk_while_the_evidence_is_bound_beside_them(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The evidence check runs in this process while the workers walk; its finding is
    the one a single walk followed by the check gives, and a broken chain still wins."""
    rt = world.rt
    with rt.engine.begin() as conn:
        conn.execute(
            text("UPDATE needs_analyses SET findings = 'Cits' WHERE case_id = :c"), {"c": world.c}
        )
        analysis = conn.scalar(
            text("SELECT id FROM needs_analyses WHERE case_id = :c"), {"c": world.c}
        )
    one = auditlog.verify(rt, workers=1)
    monkeypatch.setattr(verifyrun, "PARALLEL_FROM", 0)
    two = auditlog.verify(rt, workers=2)
    assert one == two
    assert str((two.first_bad or {})["problem"]).startswith(
        f"needs_analyses {analysis}: its content differs from what event"
    )
    with rt.engine.begin() as conn:
        drop_protection(conn)
        conn.execute(
            text("UPDATE audit_events SET comment = 'labots' WHERE case_id = :b AND seq = 2"),
            {"b": world.b},
        )
    broken = auditlog.verify(rt, workers=2)
    assert ((broken.first_bad or {})["case_id"], (broken.first_bad or {})["problem"]) == (
        world.b,
        EDITED,
    )


def test_a_threaded_caller_gets_spawned_workers_and_the_same_verdict(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A web worker has other threads, so its verify workers are spawned, not forked
    (a fork could inherit a lock another thread holds); the verdict is the same."""
    monkeypatch.setattr(verifyrun, "PARALLEL_FROM", 0)
    if threading.active_count() == 1:  # as in the command line
        assert verifyrun._start_method().get_start_method() == "fork"
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        conn.execute(
            text("UPDATE audit_events SET comment = 'labots' WHERE case_id = :c AND seq = 2"),
            {"c": world.c},
        )
    forked = auditlog.verify(world.rt, workers=2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert verifyrun._start_method().get_start_method() == "spawn"
        spawned = auditlog.verify(world.rt, workers=2)
    finally:
        stop.set()
        other.join()
    assert forked == spawned
    assert (spawned.first_bad or {})["problem"] == EDITED


@pytest.fixture
def cp_file(world: World) -> Path:  # noqa: F811
    path = world.tmp / "cp.json"
    made = world.cli("audit", "checkpoint", "-o", str(path))
    assert made.exit_code == 0, made.output
    return path


def _newer(rt: Runtime, case_id: int) -> None:
    recording.record(rt, COORDINATOR, case_id, AnalysisIn(findings="Otrā", need_areas=["planning"]))


def test_since_checkpoint_reads_only_newer_events(
    world: World,  # noqa: F811
    cp_file: Path,
) -> None:
    _newer(world.rt, world.c)
    _newer(world.rt, world.a)
    done = world.cli(
        "audit", "verify", "--since-checkpoint", str(cp_file), "--public-key", str(world.pub)
    )
    assert done.exit_code == 0, done.output
    # each case re-reads its pinned event and the new ones: 3 pinned + 2 new
    assert "audit log OK: 5 events verified (7 older events skipped: the checkpoint vouches " in (
        done.stdout
    )
    assert "signature valid" in done.stdout


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("comment = 'labots'", EDITED),
        ("hash = 'ab'", "no longer has the checkpoint's hash: the chain was rewritten"),
    ],
)
def test_since_checkpoint_still_names_an_edit(
    world: World,  # noqa: F811
    cp_file: Path,
    change: str,
    problem: str,
) -> None:
    _newer(world.rt, world.c)
    seq = 3 if change.startswith("comment") else 2  # the new event; the pinned one
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        conn.execute(
            text(f"UPDATE audit_events SET {change} WHERE case_id = :c AND seq = :s"),
            {"c": world.c, "s": seq},
        )
    result = world.cli("audit", "verify", "--since-checkpoint", str(cp_file))
    assert result.exit_code == 1
    assert f"(case {world.c}, #{seq}): " in result.stderr
    assert problem in result.stderr


def test_json_stored_before_canonical_text_still_verifies(world: World) -> None:  # noqa: F811
    """Rows written before the engine stored canonical JSON (spaces, unsorted keys) are
    decoded and re-encoded: they verify, and an edit among them is still named."""
    rt = world.rt
    with rt.engine.begin() as conn:
        drop_protection(conn)
        for event_id, payload in conn.execute(select(events.c.id, events.c.payload)):
            legacy = json.dumps(dict(reversed(list(payload.items()))))  # ", " and ": "
            conn.execute(
                text("UPDATE audit_events SET payload = :p WHERE id = :i"),
                {"p": legacy, "i": event_id},
            )
        raw = conn.exec_driver_sql(select_sql(conn.dialect.name)).all()
    assert any(" " in r[COLUMNS.index("payload")] for r in raw)  # the splice cannot be used
    assert auditlog.verify(rt).as_dict() == {"ok": True, "checked": 10, "first_bad": None}
    with rt.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET payload = '{\"x\": 2}' WHERE case_id = :c AND seq = 2"),
            {"c": world.b},
        )
    bad = auditlog.verify(rt).first_bad
    assert bad is not None
    assert (bad["case_id"], bad["seq"], bad["problem"]) == (world.b, 2, EDITED)
