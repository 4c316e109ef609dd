"""Fixtures for the engine's integration tests: reading a case's stored head and audit
trail straight from the database, and walking a case to a given state with evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import COORDINATOR
from workflow import advance, recording
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn, ApplicationUpdate
from workflow.evidence.consultations import ConsultationIn
from workflow.evidence.sources import SelectionIn
from workflow.orm import AuditEvent, Case
from workflow.runtime import Runtime

PATH = ["enrolled", "analysed", "consulted", "sources_selected", "application_drafted", "submitted"]


@dataclass(frozen=True)
class Stored:
    """What the database holds for a case: its head and how many audit events it has."""

    state: str
    version: int
    events: int
    all_events: int


def stored(rt: Runtime, case_id: int) -> Stored:
    """Read the case row and count its audit events (and the whole log's)."""
    with rt.engine.connect() as c:
        state, version = c.execute(select(Case.state, Case.version).where(Case.id == case_id)).one()
        n = c.scalar(select(func.count()).where(AuditEvent.case_id == case_id))
        total = c.scalar(select(func.count()).select_from(AuditEvent))
    return Stored(state, version, int(n or 0), int(total or 0))


@pytest.fixture
def read_case(rt: Runtime) -> Callable[[int], Stored]:
    """``read_case(case_id)`` → the stored head and event counts."""
    return lambda case_id: stored(rt, case_id)


@pytest.fixture
def walk(rt: Runtime, make_source: Callable[..., int]) -> Callable[..., int | None]:
    """``walk(case_id, to_state)``: record the evidence each step needs and fire it.

    Returns the id of the application it drafted (when the walk got that far). Dates are
    inside the default source's 2023 call and not after the test clock's 2023-03-01.
    """

    def go(case_id: int, to_state: str) -> int | None:
        target = PATH.index(to_state)
        app_id: int | None = None
        who = COORDINATOR
        if target >= 1:
            recording.record(
                rt, who, case_id, AnalysisIn(findings="Vāja plānošana", need_areas=["planning"])
            )
            advance.fire(rt, who, case_id, "analyse")
        if target >= 2:
            recording.record(
                rt,
                who,
                case_id,
                ConsultationIn(
                    mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("2"), topic="Budžets"
                ),
            )
            advance.fire(rt, who, case_id, "consult")
        if target >= 3:
            src = make_source()
            recording.record(rt, who, case_id, SelectionIn(funding_source_id=src))
            advance.fire(rt, who, case_id, "select_sources")
        if target >= 4:
            app_id = recording.record(
                rt,
                who,
                case_id,
                ApplicationIn(
                    funding_source_id=src,
                    title="Projekts",
                    domain="social",
                    total_budget_eur=Decimal("10000"),
                    requested_eur=Decimal("9000"),
                ),
            ).id
            advance.fire(rt, who, case_id, "draft_application")
        if target >= 5:
            assert app_id is not None
            recording.update(rt, who, app_id, ApplicationUpdate(submitted_on=date(2023, 3, 1)))
            advance.fire(rt, who, case_id, "submit")
        return app_id

    return go
