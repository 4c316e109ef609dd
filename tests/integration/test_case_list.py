"""The case list a coordinator works with: sorted by any column (names in Latvian order),
filtered by mentor and by due day, paged, and exported to CSV and xlsx with typed cells.
On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.conftest import ADMIN, COORDINATOR, Clock
from workflow import caseexport, caselist, enrolment, mentors, recording
from workflow.accounts import acting_user, add_user
from workflow.actors import Actor
from workflow.caselist import CaseQuery
from workflow.errors import InvalidInput
from workflow.evidence.sources import SelectionIn
from workflow.runtime import Runtime
from workflow.schemas import UserIn


@pytest.fixture
def listed(
    rt: Runtime,
    clock: Clock,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
    make_source: Callable[..., int],
) -> dict[str, int]:
    """Five cases in one cycle, enrolled on different days; two with mentors, one waiting
    on a call that closes soon. Today is 2023-03-15."""
    add_user(rt, UserIn(name="anna", role="mentor"))
    add_user(rt, UserIn(name="janis", role="mentor"))
    cycle = make_cycle(starts_on=date(2023, 2, 1))
    ids: dict[str, int] = {}
    for name, day in [
        ("kultūrBĀKA", "2023-03-01"),  # due 2023-03-22 (21 days enrolled)
        ("Keep The Change", "2023-03-10"),  # due 2023-03-31, but its call closes 03-20
        ("Ābeles biedrība", "2023-02-20"),  # due 2023-03-13: overdue
        ("Avots", "2023-03-12"),  # due 2023-04-02
        ("=SUM(A1)", "2023-03-14"),  # a name a spreadsheet would run
    ]:
        clock.set(day)
        ids[name] = enrolment.enrol(rt, COORDINATOR, make_org(name=name), cycle)
    clock.set("2023-03-15")
    mentors.assign_mentor(rt, ADMIN, ids["kultūrBĀKA"], "anna")
    mentors.assign_mentor(rt, ADMIN, ids["Avots"], "janis")
    source = make_source(call_opens=date(2023, 3, 1), call_closes=date(2023, 3, 20))
    recording.record(rt, ADMIN, ids["Keep The Change"], SelectionIn(funding_source_id=source))
    return ids


def names(rt: Runtime, q: CaseQuery, actor: Actor = COORDINATOR) -> list[str]:
    rows, capped = caselist.all_rows(rt, actor, q)
    assert not capped
    return [r.organisation for r in rows]


def test_sorted_by_organisation_in_latvian_order(rt: Runtime, listed: dict[str, int]) -> None:
    # punctuation does not count: "=SUM(A1)" sorts as SUMA1, among the S's
    ordered = ["Avots", "Ābeles biedrība", "Keep The Change", "kultūrBĀKA", "=SUM(A1)"]
    assert names(rt, CaseQuery()) == ordered
    assert names(rt, CaseQuery(descending=True)) == ordered[::-1]


def test_sorted_by_next_due_day_and_by_mentor(rt: Runtime, listed: dict[str, int]) -> None:
    rows, _ = caselist.all_rows(rt, COORDINATOR, CaseQuery(sort="due"))
    assert [(r.organisation, r.due_on, r.due_kind) for r in rows] == [
        ("Ābeles biedrība", date(2023, 3, 13), "step"),
        ("Keep The Change", date(2023, 3, 20), "call"),  # the call closes before its step
        ("kultūrBĀKA", date(2023, 3, 22), "step"),
        ("Avots", date(2023, 4, 2), "step"),
        ("=SUM(A1)", date(2023, 4, 4), "step"),
    ]
    # mentors by name; cases without one after them, in a stable order (by case id)
    assert names(rt, CaseQuery(sort="mentor")) == [
        "kultūrBĀKA",
        "Avots",
        "Keep The Change",
        "Ābeles biedrība",
        "=SUM(A1)",
    ]
    assert names(rt, CaseQuery(sort="since")) == [
        "Ābeles biedrība",
        "kultūrBĀKA",
        "Keep The Change",
        "Avots",
        "=SUM(A1)",
    ]


def test_filtered_by_mentor_and_due_day(rt: Runtime, listed: dict[str, int]) -> None:
    assert names(rt, CaseQuery(mentor="anna")) == ["kultūrBĀKA"]
    assert names(rt, CaseQuery(mentor=caselist.NO_MENTOR)) == [
        "Ābeles biedrība",
        "Keep The Change",
        "=SUM(A1)",
    ]
    # due within 7 days of 2023-03-15: the overdue one, the call, kultūrBĀKA's step
    assert names(rt, CaseQuery(due_within=7, sort="due")) == [
        "Ābeles biedrība",
        "Keep The Change",
        "kultūrBĀKA",
    ]
    assert names(rt, CaseQuery(due_within=0)) == ["Ābeles biedrība"]
    assert names(rt, CaseQuery(due_before=date(2023, 3, 20))) == ["Ābeles biedrība"]
    # the engine's own filters still apply beneath
    rows, _ = caselist.all_rows(rt, COORDINATOR, CaseQuery(), overdue=True)
    assert [r.organisation for r in rows] == ["Ābeles biedrība"]


def test_a_mentor_lists_only_their_cases(rt: Runtime, listed: dict[str, int]) -> None:
    assert names(rt, CaseQuery(), acting_user(rt, "janis")) == ["Avots"]


def test_pages_are_bounded_and_cover_the_list(rt: Runtime, listed: dict[str, int]) -> None:
    first = caselist.page(rt, COORDINATOR, CaseQuery(), 1, 2)
    second = caselist.page(rt, COORDINATOR, CaseQuery(), 2, 2)
    third = caselist.page(rt, COORDINATOR, CaseQuery(), 3, 2)
    assert (first.total, first.pages) == (5, 3)
    assert [len(p.rows) for p in (first, second, third)] == [2, 2, 1]
    assert [r.organisation for p in (first, second, third) for r in p.rows] == names(
        rt, CaseQuery()
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [(CaseQuery(sort="colour"), "sort"), (CaseQuery(due_within=-1), "due_within")],
)
def test_bad_parameters_are_named(
    rt: Runtime, listed: dict[str, int], query: CaseQuery, field: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        caselist.all_rows(rt, COORDINATOR, query)
    assert list(exc.value.errors) == [field]


def test_csv_export_holds_the_list_and_neutralises_formulas(
    rt: Runtime, listed: dict[str, int]
) -> None:
    rows, _ = caselist.all_rows(rt, COORDINATOR, CaseQuery(sort="due"))
    got = list(csv.reader(io.StringIO(caseexport.csv_text(rows, "lv"))))
    assert got[0] == ["Lieta", "Organizācija", "Reģ. nr.", "Cikls", "Stāvoklis", "Kopš",
                      "Mentors", "Dienas pāri termiņam", "Nākamais termiņš"]  # fmt: skip
    assert [r[1] for r in got[1:]] == [
        "Ābeles biedrība",
        "Keep The Change",
        "kultūrBĀKA",
        "Avots",
        "'=SUM(A1)",  # shown as text, never run
    ]
    first = got[1]
    assert first[5] == "2023-02-20"
    assert first[7] == "2"
    assert first[8] == "2023-03-13"
    assert got[3][6] == "anna"
    assert got[2][6] == ""
    english = list(csv.reader(io.StringIO(caseexport.csv_text(rows, "en"))))
    assert english[0][1] == "Organisation"
    assert english[1][4] == "Enrolled"


def test_xlsx_export_has_real_numbers_and_dates(rt: Runtime, listed: dict[str, int]) -> None:
    rows, _ = caselist.all_rows(rt, COORDINATOR, CaseQuery(sort="due"))
    book = load_workbook(io.BytesIO(caseexport.xlsx_bytes(rows, "en")))
    sheet = book.active
    assert sheet is not None
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:2] == ["Case", "Organisation"]
    assert len(values) == 6
    first = values[1]
    assert isinstance(first[0], int)
    assert first[0] == listed["Ābeles biedrība"]
    assert first[5] == datetime(2023, 2, 20)  # a date cell, not text
    assert sheet.cell(row=2, column=6).is_date
    assert first[7] == 2
    assert isinstance(first[7], int)
    assert first[8] == datetime(2023, 3, 13)
    formula = sheet.cell(row=6, column=2)
    assert formula.value == "=SUM(A1)"
    assert formula.data_type == "s"
    assert Decimal(str(values[5][7])) == 0


def test_a_page_shows_the_same_due_days_as_the_whole_list(
    rt: Runtime, listed: dict[str, int]
) -> None:
    """A page sorted by name finds due days for its own rows only: the same days."""
    whole, _ = caselist.all_rows(rt, COORDINATOR, CaseQuery())
    assert any(r.due_on is not None for r in whole)
    for size in (1, 2, 50):
        got = caselist.page(rt, COORDINATOR, CaseQuery(), 1, size)
        assert [(r.id, r.due_on, r.due_kind) for r in got.rows] == [
            (r.id, r.due_on, r.due_kind) for r in whole[:size]
        ]
