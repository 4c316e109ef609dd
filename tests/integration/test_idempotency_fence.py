"""An idempotency key is marked written in the write's own transaction, on SQLite and
PostgreSQL: the write and "this key wrote" commit together or not at all, so a crash
between the write and its stored answer never lets a retry write twice; a holder that died
before writing is taken over, and should it wake up, its write is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import COORDINATOR, Clock
from workflow import accounts, chain, idempotency, recording
from workflow.errors import Conflict
from workflow.evidence.analysis import AnalysisIn
from workflow.orm import AuditEvent, IdempotencyKey
from workflow.runtime import Runtime
from workflow.schemas import UserIn

ANALYSIS = AnalysisIn(findings="Vāja plānošana", need_areas=["planning"])


@pytest.fixture
def user_id(rt: Runtime) -> int:
    return accounts.add_user(rt, UserIn(name="ilze", role="coordinator")).id


def _events(rt: Runtime, case_id: int) -> int:
    with rt.engine.connect() as conn:
        found = conn.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id)
        )
    return int(found or 0)


def _key(rt: Runtime, key: str) -> Any:
    with rt.engine.connect() as conn:
        return conn.execute(select(IdempotencyKey).where(IdempotencyKey.key == key)).one()


def _claim(rt: Runtime, user_id: int, key: str) -> idempotency.Held:
    held = idempotency.claim(rt, user_id, key, "fingerprint")
    assert isinstance(held, idempotency.Held)
    return held


def test_a_crash_between_the_write_and_its_answer_never_writes_twice(
    rt: Runtime, user_id: int, make_case: Callable[..., int], clock: Clock
) -> None:
    case = make_case()
    held = _claim(rt, user_id, "k-crash")
    with idempotency.running(held):
        recording.record(rt, COORDINATOR, case, ANALYSIS)
    # the process dies here: no complete(); the key already says the write committed
    row = _key(rt, "k-crash")
    assert row.written_at is not None
    assert row.status is None
    assert idempotency.release(rt, held) is False  # a committed write keeps its key
    assert _events(rt, case) == 2
    clock.now += timedelta(seconds=idempotency.ANSWER_LOST_SECONDS + 1)
    with pytest.raises(Conflict) as lost:
        idempotency.claim(rt, user_id, "k-crash", "fingerprint")
    assert lost.value.code == "idempotency_answer_lost"
    assert "nothing was written again" in str(lost.value)
    assert _events(rt, case) == 2


def test_a_write_that_fails_after_marking_the_key_rolls_both_back(
    rt: Runtime,
    user_id: int,
    make_case: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = make_case()
    held = _claim(rt, user_id, "k-fail")

    class Broken:
        def run(self, *args: Any) -> Any:
            raise RuntimeError("the disk filled up after the key was marked")

    monkeypatch.setattr(chain, "HOT_INSERT_EVENT", Broken())  # the event's INSERT fails
    with idempotency.running(held), pytest.raises(RuntimeError):
        recording.record(rt, COORDINATOR, case, ANALYSIS)
    monkeypatch.undo()
    assert _key(rt, "k-fail").written_at is None  # rolled back with the write
    assert _events(rt, case) == 1
    assert idempotency.release(rt, held) is True  # nothing written: the retry runs again
    again = _claim(rt, user_id, "k-fail")
    with idempotency.running(again):
        recording.record(rt, COORDINATOR, case, ANALYSIS)
    assert _events(rt, case) == 2


def test_a_holder_silent_without_writing_is_taken_over_and_then_fenced_off(
    rt: Runtime, user_id: int, make_case: Callable[..., int], clock: Clock
) -> None:
    case = make_case()
    first = _claim(rt, user_id, "k-stale")  # its process hangs before writing
    clock.now += timedelta(seconds=idempotency.TAKEOVER_SECONDS + 1)
    retry = _claim(rt, user_id, "k-stale")
    assert retry.fence.key_id == first.fence.key_id
    assert retry.fence.holder != first.fence.holder
    with idempotency.running(retry):
        recording.record(rt, COORDINATOR, case, ANALYSIS)
    # the first one wakes up and writes: refused in its own transaction, nothing written
    with idempotency.running(first), pytest.raises(Conflict) as fenced:
        recording.record(rt, COORDINATOR, case, ANALYSIS)
    assert "taken over" in str(fenced.value)
    assert _events(rt, case) == 2
    idempotency.complete(rt, first, idempotency.Answer(409, "{}"))  # not its key any more
    idempotency.complete(rt, retry, idempotency.Answer(201, '{"ok": true}'))
    replayed = idempotency.claim(rt, user_id, "k-stale", "fingerprint")
    assert replayed == idempotency.Answer(201, '{"ok": true}')


def test_a_holder_that_wrote_is_never_taken_over(
    rt: Runtime, user_id: int, make_case: Callable[..., int], clock: Clock
) -> None:
    case = make_case()
    held = _claim(rt, user_id, "k-slow")
    with idempotency.running(held):
        recording.record(rt, COORDINATOR, case, ANALYSIS)
    clock.now += timedelta(seconds=idempotency.TAKEOVER_SECONDS + 1)
    with pytest.raises(Conflict) as lost:
        idempotency.claim(rt, user_id, "k-slow", "fingerprint")
    assert lost.value.code == "idempotency_answer_lost"
    assert _events(rt, case) == 2
