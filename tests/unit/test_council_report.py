"""The council report's parts that need no database: medians of stays, the budget with an
hourly rate, the policy's rate, and files that cannot run a formula or break a sheet name."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from web.councilreport.sheets import csv_text, xlsx
from web.councilreport.tables import Column, Table
from workflow.budget import CycleBudget, MentorSpending
from workflow.councilreport import _budget
from workflow.stays import Stay, funnel


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=UTC)


def test_median_days_count_the_finished_stays_only() -> None:
    stays = [
        Stay(1, "enrolled", _at("2023-03-01"), _at("2023-03-11")),  # 10 days
        Stay(1, "analysed", _at("2023-03-11")),  # still there
        Stay(2, "enrolled", _at("2023-03-01"), _at("2023-03-21")),  # 20 days
        Stay(2, "analysed", _at("2023-03-21"), _at("2023-03-22")),  # 1 day
        Stay(2, "withdrawn", _at("2023-03-22")),
        Stay(3, "enrolled", _at("2023-03-05"), _at("2023-04-04")),  # 30 days
        Stay(3, "old_state", _at("2023-04-04")),  # a state the rules no longer declare
    ]
    rows = {r.state: r for r in funnel(["enrolled", "analysed", "withdrawn", "outcome"], stays)}
    assert list(rows) == ["enrolled", "analysed", "withdrawn", "outcome", "old_state"]
    assert rows["enrolled"].median_days == 20.0
    assert (rows["enrolled"].reached, rows["enrolled"].now) == (3, 0)
    assert rows["analysed"].median_days == 1.0
    assert (rows["analysed"].reached, rows["analysed"].now, rows["analysed"].finished_stays) == (
        2,
        1,
        1,
    )
    assert rows["withdrawn"].median_days is None
    assert rows["outcome"].reached == 0
    two = funnel(["enrolled"], stays[:3])
    assert two[0].median_days == 15.0  # the mean of the middle two


def test_days_are_the_programmes_calendar_days() -> None:
    # 21:30 UTC on 31 March is 00:30 on 1 April in Riga: one day to 2 April, not two
    stay = Stay(1, "enrolled", datetime(2023, 3, 31, 21, 30, tzinfo=UTC), _at("2023-04-02"))
    assert stay.days() == 1


def _counted(rate: Decimal, mentors: dict[str, Decimal], other: Decimal) -> CycleBudget:
    """The budget's own figures for a cycle, as :func:`workflow.budget.figures` gives them."""
    hours = sum(mentors.values(), Decimal(0))
    spent = hours * rate + other
    return CycleBudget(
        cycle_id=1,
        cycle="Cikls",
        budget_eur=Decimal("10000.00"),
        mentor_hour_eur=rate,
        cases=2,
        planned_hours_per_case=Decimal(12),
        mentor_hours=hours,
        mentor_spent_eur=hours * rate,
        other_costs_eur=other,
        committed_eur=Decimal(0),
        spent_eur=spent,
        remaining_eur=Decimal("10000.00") - spent,
        used_percent=None,
        allow_overrun=False,
        mentors=tuple(MentorSpending(m, h, h * rate) for m, h in mentors.items()),
        other_costs=(),
        warnings=(),
    )


def test_budget_money_comes_from_the_budgets_own_figures() -> None:
    hours = [
        (1, "janis", Decimal("2.50")),
        (2, "anna", Decimal("4.00")),
        (1, "janis", Decimal("1")),
    ]
    counted = _counted(
        Decimal("40.00"), {"janis": Decimal("3.50"), "anna": Decimal("4.00")}, Decimal("150.00")
    )
    b = _budget(Decimal("10000.00"), hours, counted)
    assert b.hours == Decimal("7.50")
    assert b.mentor_hour_eur == Decimal("40.00")
    assert b.spent_eur == Decimal("450.00")  # 7.5 h at EUR 40 and the other cost lines
    assert b.remaining_eur == Decimal("9550.00")
    assert b.other_costs_eur == Decimal("150.00")
    assert [(m.mentor, m.hours, m.spent_eur) for m in b.mentors] == [
        ("anna", Decimal("4.00"), Decimal("160.00")),
        ("janis", Decimal("3.50"), Decimal("140.00")),
    ]
    without = _budget(Decimal("10000.00"), hours, None)  # a policy without budget:
    assert (without.spent_eur, without.remaining_eur, without.mentors[0].spent_eur) == (
        None,
        None,
        None,
    )
    assert without.hours == Decimal("7.50")


def _table() -> Table:
    return Table(
        "organisations",
        "Organizācijas: [visas]/*?",
        [Column("Nosaukums"), Column("Kopš", "date"), Column("Summa", "eur")],
        [
            ['=HYPERLINK("http://x","y")', date(2023, 10, 19), Decimal("12.50")],
            ["-1+1", None, Decimal("0")],
        ],
    )


def test_csv_cells_cannot_start_a_formula() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(_table()))))
    assert rows[0] == ["Nosaukums", "Kopš", "Summa"]
    assert rows[1] == ['\'=HYPERLINK("http://x","y")', "2023-10-19", "12.50"]
    assert rows[2] == ["'-1+1", "", "0"]


def test_xlsx_sheet_names_are_made_valid_and_cells_keep_their_types() -> None:
    book = load_workbook(io.BytesIO(xlsx([_table()])))
    assert book.sheetnames == ["Organizācijas visas"]
    sheet = book.worksheets[0]
    assert sheet["B2"].value == datetime(2023, 10, 19)
    assert sheet["C2"].value == 12.5
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["A2"].data_type == "s"  # a name beginning with "=" is no formula
    assert sheet["A2"].value == '=HYPERLINK("http://x","y")'
    assert sheet["A2"].quotePrefix
