"""The council report's read model on SQLite and PostgreSQL: its headline figures are the
JSON report's, its lists add up to them, and ``inkubators report cycle`` writes the files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from inkubators.cli import main
from inkubators.demo.loader import load_demo
from inkubators.demo.programme import NEXT, PILOT
from workflow import budget, registry
from workflow.actors import Actor
from workflow.councilreport import council_report
from workflow.db import read, read_session
from workflow.orm import User
from workflow.reports import cycle_report
from workflow.runtime import Runtime


def _cycle(rt: Runtime, name: str) -> int:
    return next(c.id for c in registry.list_cycles(rt) if c.name == name)


@pytest.fixture
def demo_rt(rt: Runtime) -> Runtime:
    load_demo(rt)
    return rt


@pytest.mark.parametrize("day", [date(2023, 10, 19), date(2023, 5, 1), date(2024, 6, 30)])
def test_figures_are_the_json_reports_and_the_lists_add_up_to_them(
    demo_rt: Runtime, day: date
) -> None:
    pilot = _cycle(demo_rt, PILOT)
    report = council_report(demo_rt, None, pilot, day)
    figures = cycle_report(demo_rt, pilot, day)
    assert report.figures == figures
    assert report.as_of == day
    # the funnel's "now" is the JSON report's cases per state, in the states file's order
    assert {f.state: f.now for f in report.funnel} == figures.cases_by_state
    assert [f.state for f in report.funnel] == list(figures.cases_by_state)
    assert report.funnel[0].reached == figures.organisations
    for lists in (report.by_source, report.by_domain):
        assert sum(r.awarded_eur for r in lists) == figures.awarded_eur
        assert sum(r.total_budget_eur for r in lists) == figures.total_budget_eur
    assert len(report.organisations) == figures.organisations
    assert sum(o.awarded_eur for o in report.organisations) == figures.awarded_eur
    winners = {o.organisation for o in report.organisations if o.awarded}
    assert len(winners) == figures.awarded_organisations
    assert sum(o.days_over_deadline > 0 for o in report.organisations) == figures.overdue_cases
    assert report.budget.hours == sum(o.hours for o in report.organisations)
    assert report.budget.hours == sum(m.hours for m in report.budget.mentors)
    assert report.budget.budget_eur == Decimal("10000.00")
    # money as the budget page counts it as of the day: hours x the policy's 50.00 plus
    # its other cost lines (150.00 per case enrolled by then, 1,000.00 per cycle)
    cases_by_then = figures.organisations
    assert report.budget.mentor_hour_eur == Decimal("50.00")
    assert report.budget.other_costs_eur == 150 * cases_by_then + 1000
    assert report.budget.spent_eur == report.budget.hours * 50 + report.budget.other_costs_eur
    assert report.budget.remaining_eur == Decimal("10000.00") - report.budget.spent_eur
    with read(demo_rt.engine) as conn:
        page = budget.figures(conn, demo_rt.rules.policy, pilot, day)
    assert (page.spent_eur, page.mentor_hours) == (report.budget.spent_eur, report.budget.hours)
    assert [d.key for d in report.by_domain[:5]] == [
        "social",
        "culture",
        "urban_environment",
        "ngo_strengthening",
        "networking",
    ]


def test_pilot_as_of_the_council_sitting(demo_rt: Runtime) -> None:
    report = council_report(demo_rt, None, _cycle(demo_rt, PILOT), date(2023, 10, 19))
    funnel = {f.state: f for f in report.funnel}
    assert funnel["enrolled"].reached == 11
    assert funnel["enrolled"].finished_stays == 11  # every pilot case moved on
    assert funnel["enrolled"].median_days is not None
    assert funnel["outcome"].now == 3
    assert funnel["outcome"].median_days is None  # nobody leaves a final state
    assert funnel["withdrawn"].reached == 0
    assert Decimal("100000") < report.figures.awarded_eur < Decimal("110000")
    assert {s.funder for s in report.by_source if s.awarded} == {
        "Sabiedrības integrācijas fonds",
        "Latvijas Investīciju un attīstības aģentūra",
        "Valsts kultūrkapitāla fonds",
    }
    assert {o.organisation for o in report.organisations} >= {"kultūrBĀKA", "Patvērums ģimenei"}


def test_before_the_first_enrolment_everything_is_zero(demo_rt: Runtime) -> None:
    report = council_report(demo_rt, None, _cycle(demo_rt, PILOT), date(2023, 1, 1))
    assert report.organisations == []
    assert all(f.reached == 0 and f.median_days is None for f in report.funnel)
    assert report.figures.organisations == 0
    assert report.budget.hours == 0
    new = council_report(demo_rt, None, _cycle(demo_rt, NEXT), date(2023, 10, 19))
    assert new.organisations == []


def test_a_mentor_sees_the_lines_of_their_own_cases(demo_rt: Runtime) -> None:
    with read_session(demo_rt.engine) as s:
        janis = s.scalar(select(User.id).where(User.name == "janis"))
    pilot = _cycle(demo_rt, PILOT)
    everyone = council_report(demo_rt, None, pilot, date(2023, 10, 19))
    mine = council_report(demo_rt, Actor("janis", "mentor", janis), pilot, date(2023, 10, 19))
    assert {o.mentor for o in mine.organisations} == {"janis"}
    assert [o for o in everyone.organisations if o.mentor == "janis"] == mine.organisations
    assert mine.figures == everyone.figures  # the figures are the cycle's, as in the JSON


def test_cli_writes_every_format(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), env={"DATABASE_URL": url})
        return result.exit_code, result.output

    assert run("demo")[0] == 0
    for fmt in ("pdf", "xlsx", "html", "csv"):
        out = tmp_path / f"report.{fmt}"
        code, said = run(
            "report", "cycle", "1", "--as-of", "2023-10-19", "--format", fmt, "-o", str(out)
        )
        assert code == 0, said
        assert out.stat().st_size > 0
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "report.pdf").pages)
    assert "Pārskats domei" in text
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames[0] == "Rādītāji"
    assert "<h1>Pārskats domei</h1>" in (tmp_path / "report.html").read_text("utf-8")
    code, said = run(
        "report",
        "cycle",
        "1",
        "--as-of",
        "2023-10-19",
        "--format",
        "xlsx",
        "--lang",
        "en",
        "-o",
        str(tmp_path / "en.xlsx"),
    )
    assert code == 0, said
    assert load_workbook(io.BytesIO((tmp_path / "en.xlsx").read_bytes())).sheetnames[0] == "Figures"
    code, said = run(
        "report",
        "cycle",
        "1",
        "--as-of",
        "2023-10-19",
        "--format",
        "csv",
        "--list",
        "domains",
        "-o",
        "-",
    )
    assert code == 0
    assert (
        said.splitlines()[0]
        == "Joma,Projektu pieteikumi,Iesniegts,Piešķirts,Piesaistītais finansējums,Projektu kopējais budžets"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "cycle", "4242"], "error: cycle 4242 not found"),
        (["report", "cycle", "1", "--as-of", "1999-12-31"], "as_of: must be between"),
        (["report", "cycle", "1", "--as-of", "19.10.2023"], "Invalid value for '--as-of'"),
        (["report", "cycle", "1", "--format", "docx"], "Invalid value for '--format'"),
        (["report", "cycle", "1", "--lang", "de"], "Invalid value for '--lang'"),
    ],
)
def test_cli_refuses_bad_input_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    out = tmp_path / "report.pdf"
    result = CliRunner().invoke(main, [*args, "-o", str(out)], env={"DATABASE_URL": url})
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
