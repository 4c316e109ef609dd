"""The demo programme on both databases: the 2023 pilot as the council saw it on
2023-10-19, the new cycle's defaults, and loading twice changing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from inkubators.demo.loader import load_demo
from inkubators.demo.programme import NEXT, PILOT
from tests.conftest import COORDINATOR
from tests.integration.conftest import stored
from workflow import auditlog, registry, views
from workflow.reports import cycle_report
from workflow.runtime import Runtime


def test_demo_pilot_matches_the_article_and_loads_once(rt: Runtime) -> None:
    assert load_demo(rt) is True
    cycles = {c.name: c for c in registry.list_cycles(rt)}
    assert set(cycles) == {PILOT, NEXT}

    report = cycle_report(rt, cycles[PILOT].id, date(2023, 10, 19))
    assert report.organisations == 11
    assert report.awarded_organisations == 3
    assert Decimal("100000") < report.awarded_eur < Decimal("110000")
    assert report.submitted_awaiting == 3
    assert report.prepared_waiting_for_call == 7
    assert report.total_budget_eur > Decimal("500000")
    assert report.largest_project_eur > Decimal("1000000")
    assert sum(report.cases_by_state.values()) == 11

    new = cycles[NEXT]
    assert new.budget_eur == Decimal("10000")
    assert new.capacity == 15

    assert auditlog.verify(rt).ok
    cases, _ = views.list_cases(rt, COORDINATOR, limit=100)
    heads = {c.id: stored(rt, c.id) for c in cases}
    organisations = len(registry.list_organisations(rt))
    sources = len(registry.list_funding_sources(rt))
    assert organisations == 11

    assert load_demo(rt) is False
    assert {c.name for c in registry.list_cycles(rt)} == {PILOT, NEXT}
    assert len(registry.list_organisations(rt)) == organisations
    assert len(registry.list_funding_sources(rt)) == sources
    assert {c: stored(rt, c) for c in heads} == heads
    assert cycle_report(rt, cycles[PILOT].id, date(2023, 10, 19)) == report


def test_demo_figures_move_on_after_the_council_sitting(rt: Runtime) -> None:
    """The report is replayed from dated evidence: before the pilot nothing was awarded."""
    load_demo(rt)
    pilot = next(c for c in registry.list_cycles(rt) if c.name == PILOT)
    before = cycle_report(rt, pilot.id, date(2023, 2, 28))
    assert before.organisations == 0
    assert before.awarded_eur == 0
    in_june = cycle_report(rt, pilot.id, date(2023, 6, 1))
    assert in_june.organisations == 11
    assert in_june.awarded_eur <= cycle_report(rt, pilot.id, date(2023, 10, 19)).awarded_eur
    # only the decisions taken by June count, not the later ones already stored
    assert in_june.awarded_eur == Decimal("38460.00")
    assert in_june.awarded_organisations == 1
    assert in_june.submitted_awaiting == 2
    # in February 2024 (nothing recorded since the sitting) one prepared application still
    # waits for its call to open, and five cases have sat past their state's deadline
    next_winter = cycle_report(rt, pilot.id, date(2024, 2, 20))
    assert next_winter.prepared_waiting_for_call == 1
    assert next_winter.overdue_cases == 5
