"""The benchmarks' scale fixture (``benchmarks/scale.py``) writes in bulk, behind the
services' back: what it builds must still be what the engine would have written (chains
that verify, an evidence row behind every evidence event, heads that match), or every
figure measured on it is measured on a database the engine could never produce. It must
also never fill a database that holds anything else."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from benchmarks import scale
from workflow import accountlog, advance, auditlog, views
from workflow.actors import Actor
from workflow.bootstrap import build_runtime
from workflow.orm import (
    Application,
    AuditEvent,
    Case,
    Consultation,
    NeedsAnalysis,
    SourceSelection,
)
from workflow.runtime import Runtime

COORDINATOR = Actor(scale.COORDINATOR, "coordinator", None)
EVIDENCE = {
    "record_consultation": Consultation,
    "record_analysis": NeedsAnalysis,
    "record_source_selection": SourceSelection,
    "record_application": Application,
}


@pytest.fixture
def built(db_url: str) -> Iterator[Runtime]:
    """A small fixture: 100 cases, 3,000 events."""
    scale.prepare(db_url, 100, 3000, reuse=False)
    rt = build_runtime(scale.settings_for(db_url))
    yield rt
    rt.engine.dispose()


def test_the_fixture_is_what_the_engine_would_have_written(built: Runtime) -> None:
    rt = built
    result = auditlog.verify(rt)
    assert result.ok, result.first_bad
    assert result.checked == 3000
    assert accountlog.verify(rt).ok
    with rt.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Case)) == 100
        for trigger, model in EVIDENCE.items():
            events = conn.scalar(select(func.count()).where(AuditEvent.trigger == trigger))
            rows = conn.scalar(select(func.count()).select_from(model))
            assert (trigger, rows) == (trigger, events)
        # each head's state is where its last event left it
        mismatched = conn.scalar(
            select(func.count())
            .select_from(Case)
            .join(AuditEvent, (AuditEvent.case_id == Case.id) & (AuditEvent.seq == Case.version))
            .where(AuditEvent.to_state != Case.state)
        )
        assert mismatched == 0
        states = set(conn.scalars(select(Case.state).distinct()))
        sample = conn.execute(select(Case.state, func.min(Case.id)).group_by(Case.state)).all()
    assert len(states) >= 4  # a realistic spread, not every case in one state
    # the engine reads every kind of case the fixture made, evidence and guards included
    for state, case_id in sample:
        detail = views.case_detail(rt, COORDINATOR, case_id)
        assert detail.state == state
        assert len(detail.history) == detail.version


def test_a_second_run_reuses_only_the_same_fixture(built: Runtime) -> None:
    url = built.engine.url.render_as_string(hide_password=False)
    again = scale.prepare(url, 100, 3000, reuse=True)
    assert (again.cases, again.events) == (100, 3000)
    with pytest.raises(SystemExit, match="pass --reuse to use it"):
        scale.prepare(url, 100, 3000, reuse=False)
    with pytest.raises(SystemExit, match="not the one asked for"):
        scale.prepare(url, 200, 3000, reuse=True)
    with built.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEvent)) == 3000


def test_a_database_with_other_data_is_refused(rt: Runtime, make_case: Callable[..., int]) -> None:
    make_case()
    url = rt.engine.url.render_as_string(hide_password=False)
    with pytest.raises(SystemExit, match="not empty .*cases 1"):
        scale.prepare(url, 100, 3000, reuse=True)
    with rt.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Case)) == 1


def test_too_few_events_are_refused_before_anything_is_written(db_url: str) -> None:
    with pytest.raises(SystemExit, match="at least"):
        scale.prepare(db_url, 100, 50, reuse=False)
    # nothing was created, so a correct second attempt is not refused
    scale.prepare(db_url, 20, 1000, reuse=False)


def test_supply_cases_take_analyse_then_consult(built: Runtime) -> None:
    url = built.engine.url.render_as_string(hide_password=False)
    scale.add_supply(url, 3)
    ready = scale.ready_supply(url)
    assert len(ready) == 3
    for trigger in ("analyse", "consult"):
        advance.fire(built, COORDINATOR, ready[0], trigger)
    assert views.case_detail(built, COORDINATOR, ready[0]).state == "consulted"
    assert scale.ready_supply(url) == ready[1:]
    assert auditlog.verify(built).ok
    assert scale.read_marker(built.engine).supply_cases == 3
