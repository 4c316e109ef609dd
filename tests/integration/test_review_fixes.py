"""Review fixes in the engine: cursors, NUL, date ranges, search, overdue, access."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from tests.conftest import AUDITOR, COORDINATOR, Clock
from workflow import auditquery, chain, deadlines, reports, schemas, views
from workflow.actors import Actor
from workflow.errors import InvalidInput
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.runtime import Runtime
from workflow.schemas import MAX_ID


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("decode", "kind"),
    [(views.decode_cursor, "c"), (auditquery.decode_cursor, "e")],
)
@pytest.mark.parametrize("number", ["9" * 30, str(MAX_ID + 1), "0", "-5", " 7", "1_000"])
def test_cursor_outside_the_id_range_names_cursor(
    decode: Callable[[str], int], kind: str, number: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        decode(_cursor(kind + number))
    assert set(exc.value.errors) == {"cursor"}


def test_cursor_round_trips_at_the_range_ends() -> None:
    for n in (1, MAX_ID):
        assert views.decode_cursor(views.encode_cursor(n)) == n
        assert auditquery.decode_cursor(auditquery.encode_cursor(n)) == n


def test_huge_cursor_is_refused_by_both_lists(rt: Runtime, make_case: Callable[..., int]) -> None:
    make_case()
    with pytest.raises(InvalidInput, match="cursor"):
        views.list_cases(rt, COORDINATOR, cursor=_cursor("c" + "9" * 30))
    with pytest.raises(InvalidInput, match="cursor"):
        auditquery.list_events(rt, AUDITOR, cursor=_cursor("e" + "9" * 30))


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (
            schemas.CycleIn,
            {"name": "A\x00", "starts_on": "2023-03-01", "ends_on": "2023-12-31"},
            "name",
        ),
        (
            ConsultationIn,
            {"mentor": "An\x00na", "held_on": "2023-03-02", "hours": "1", "topic": "x"},
            "mentor",
        ),
        (
            schemas.OrganisationIn,
            {"name": "B\x00", "reg_no": "40000000001", "legal_form": "a"},
            "name",
        ),
        (AnalysisIn, {"findings": "x\x00", "need_areas": ["a"]}, "findings"),
    ],
)
def test_nul_in_shared_text_types_is_refused_naming_the_field(
    model: type[schemas.Input], data: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    assert [e["loc"][0] for e in exc.value.errors()] == [field]
    assert "NUL" in str(exc.value)


def test_search_with_nul_or_too_long_names_search(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    make_case()
    for bad in ("a\x00b", "x" * (schemas.SEARCH_MAX + 1)):
        with pytest.raises(InvalidInput) as exc:
            views.list_cases(rt, COORDINATOR, search=bad)
        assert set(exc.value.errors) == {"search"}
        assert set(exc.value.errors_lv) == {"search"}
    views.list_cases(rt, COORDINATOR, search="x" * schemas.SEARCH_MAX)


def test_search_wildcards_are_literal(rt: Runtime, make_case: Callable[..., int]) -> None:
    make_case(name="Biedrība Alfa")
    pct = make_case(name="Fonds 100% labs")
    under = make_case(name="Snake_case biedrība")

    def ids(q: str) -> list[int]:
        return [c.id for c in views.list_cases(rt, COORDINATOR, search=q)[0]]

    assert ids("%") == [pct]
    assert ids("_") == [under]
    assert ids("alfa") != []


@pytest.mark.parametrize(
    "call",
    [
        lambda rt, cid: reports.cycle_report(rt, cid, date(9999, 12, 31)),
        lambda rt, cid: reports.overdue_cases(rt, None, cid, date(9999, 12, 31)),
        lambda rt, cid: reports.cycle_report(rt, cid, date(1999, 12, 31)),
    ],
)
def test_report_day_outside_the_range_names_as_of(
    rt: Runtime, make_cycle: Callable[..., int], call: Callable[[Runtime, int], object]
) -> None:
    with pytest.raises(InvalidInput) as exc:
        call(rt, make_cycle())
    assert set(exc.value.errors) == {"as_of"}
    assert set(exc.value.errors_lv) == {"as_of"}


@pytest.mark.parametrize("field", ["since", "until"])
def test_audit_day_outside_the_range_names_the_field(rt: Runtime, field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        auditquery.list_events(rt, AUDITOR, **{field: date(9999, 12, 31)})  # type: ignore[arg-type]
    assert set(exc.value.errors) == {field}
    with pytest.raises(InvalidInput) as exc:
        list(auditquery.export(rt, AUDITOR, "csv", **{field: date(9999, 12, 31)}))  # type: ignore[arg-type]
    assert set(exc.value.errors) == {field}


def test_until_a_day_means_through_that_day_until_an_instant_is_exclusive(
    rt: Runtime, make_case: Callable[..., int], clock: Clock
) -> None:
    make_case()  # enrolled at the clock's time on its day
    day = clock.now.date()
    assert len(auditquery.list_events(rt, AUDITOR, until=day)[0]) == 1
    assert len(auditquery.list_events(rt, AUDITOR, until=clock.now)[0]) == 0
    assert len(auditquery.list_events(rt, AUDITOR, since=day, until=day)[0]) == 1
    assert auditquery.list_events(rt, AUDITOR, until=day - timedelta(days=1))[0] == []


def test_migrate_event_keeps_the_report_deadline_clock(
    rt: Runtime, make_cycle: Callable[..., int], make_case: Callable[..., int], clock: Clock
) -> None:
    cycle_id = make_cycle()
    case_id = make_case(cycle_id)
    enrolled_on = clock.now.date()
    clock.now += timedelta(days=10)
    with rt.engine.begin() as conn:
        chain.append(
            conn,
            chain.load_head(conn, case_id),
            kind="migrate",
            trigger="migrate",
            to_state="analysed",  # as if the states file had merged enrolled into analysed
            actor=Actor("system", "admin", None),
            at=clock.now,
            policy_hash=rt.rules.policy_hash,
            states_hash=rt.rules.states_hash,
        )
    # analysed allows 30 days from the original entry, not from the migration
    as_of = enrolled_on + timedelta(days=31)
    over = reports.overdue_cases(rt, None, cycle_id, as_of)
    assert [(c.case_id, c.state, c.since, c.days_over) for c in over] == [
        (case_id, "analysed", enrolled_on, 1)
    ]
    assert reports.cycle_report(rt, cycle_id, as_of).overdue_cases == 1


@pytest.mark.parametrize(("extra", "over"), [(0, 0), (1, 1), (-1, 0)])
def test_days_over_and_the_sql_clause_agree_on_the_boundary(
    rt: Runtime, make_case: Callable[..., int], clock: Clock, extra: int, over: int
) -> None:
    case_id = make_case()
    since = clock.now
    deadline = rt.rules.policy.spec.deadlines["enrolled"]
    today = since.date() + timedelta(days=deadline + extra)
    assert deadlines.days_over(deadline, since, today) == over
    assert deadlines.days_over(None, since, today) == 0
    clock.now = datetime.combine(today, since.timetz())
    [summary], _ = views.list_cases(rt, COORDINATOR)
    assert (summary.id, summary.days_over, summary.overdue) == (case_id, over, over > 0)
    listed = [c.id for c in views.list_cases(rt, COORDINATOR, overdue=True)[0]]
    assert listed == ([case_id] if over else [])
    assert [c.days_over for c in reports.overdue_cases(rt, None, summary.cycle_id, today)] == (
        [over] if over else []
    )
