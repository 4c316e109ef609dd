"""The engine end to end on both databases: enrol, record evidence, fire every trigger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import COORDINATOR, Clock
from workflow import advance, auditlog, recording, views
from workflow.errors import GuardRejected
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn, ApplicationUpdate
from workflow.evidence.consultations import ConsultationIn
from workflow.evidence.sources import SelectionIn
from workflow.runtime import Runtime


def test_case_walks_to_outcome_and_chain_verifies(
    rt: Runtime, make_case: Callable[..., int], make_source: Callable[..., int], clock: Clock
) -> None:
    case_id = make_case()
    src = make_source()
    with pytest.raises(GuardRejected) as blocked:
        advance.fire(rt, COORDINATOR, case_id, "analyse")
    assert blocked.value.failures[0].message_en == "no needs analysis recorded yet"
    recording.record(
        rt,
        COORDINATOR,
        case_id,
        AnalysisIn(findings="Vāja finanšu plānošana", need_areas=["fundraising"]),
    )
    advance.fire(rt, COORDINATOR, case_id, "analyse")
    recording.record(
        rt,
        COORDINATOR,
        case_id,
        ConsultationIn(
            mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("2"), topic="Budžets"
        ),
    )
    advance.fire(rt, COORDINATOR, case_id, "consult")
    recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    advance.fire(rt, COORDINATOR, case_id, "select_sources")
    app = recording.record(
        rt,
        COORDINATOR,
        case_id,
        ApplicationIn(
            funding_source_id=src,
            title="Projekts",
            domain="social",
            total_budget_eur=Decimal("10000"),
            requested_eur=Decimal("9000"),
        ),
    )
    advance.fire(rt, COORDINATOR, case_id, "draft_application")
    recording.update(rt, COORDINATOR, app.id, ApplicationUpdate(submitted_on=date(2023, 3, 1)))
    advance.fire(rt, COORDINATOR, case_id, "submit")
    clock.set("2023-05-01")
    recording.update(
        rt,
        COORDINATOR,
        app.id,
        ApplicationUpdate(
            decision="awarded", decided_on=date(2023, 4, 30), awarded_eur=Decimal("9000")
        ),
    )
    result = advance.fire(rt, COORDINATOR, case_id, "record_outcome")
    assert result.to_state == "outcome"
    detail = views.case_detail(rt, None, case_id)
    assert detail.state == "outcome"
    assert not any(t.allowed or t.applicable for t in detail.triggers)
    assert detail.triggers[0].blocked_by[0].message == "the case is closed (Outcome recorded)"
    transitions = [e for e in detail.history if e.kind == "transition"]
    assert [e.trigger for e in transitions] == [
        "analyse",
        "consult",
        "select_sources",
        "draft_application",
        "submit",
        "record_outcome",
    ]
    assert detail.version == len(detail.history)
    assert auditlog.verify(rt).ok
