"""Two coordinators editing the same row at once, on SQLite and PostgreSQL: the edits
are serialised, each event's "from" is what the other left, the account log verifies,
and the row binds to the last event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest

from tests.conftest import COORDINATOR, Clock, make_runtime
from tests.integration.test_concurrency import race
from workflow import accountlog, referencedit, registry
from workflow.referencedit import CyclePatch
from workflow.rules import Rules
from workflow.runtime import Runtime

ROUNDS = 5


@pytest.fixture
def other_rt(db_url: str, rules: Rules, clock: Clock) -> Iterator[Runtime]:
    runtime = make_runtime(db_url, rules, clock)
    yield runtime
    runtime.engine.dispose()


def test_two_edits_of_one_cycle_at_once_are_serialised(
    rt: Runtime, other_rt: Runtime, make_cycle: Callable[..., int]
) -> None:
    cycle = make_cycle()
    for n in range(ROUNDS):
        results = race(
            partial(referencedit.edit_cycle, rt, COORDINATOR, cycle, CyclePatch(capacity=20 + n)),
            partial(
                referencedit.edit_cycle, other_rt, COORDINATOR, cycle, CyclePatch(capacity=40 + n)
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
    events = accountlog.recent(rt, limit=2 * ROUNDS)[::-1]
    assert len(events) == 2 * ROUNDS
    changes = [e.details["changes"]["capacity"] for e in events]
    # each edit started from what the one before it left: no lost update
    for before, after in zip(changes, changes[1:], strict=False):
        assert after["from"] == before["to"]
    assert registry.get_cycle(rt, cycle).capacity == changes[-1]["to"]
    assert accountlog.verify(rt).ok
