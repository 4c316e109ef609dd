"""The dashboard's overdue list is computed as of the chosen day, like its figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from workflow import registry, reports, views
from workflow.actors import Actor
from workflow.db import read_session
from workflow.orm import Case, User
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]

DAYS = ("2023-04-15", "2023-06-01", "2023-10-19", "2024-02-20")


def _pilot(rt: Runtime) -> int:
    return next(
        c.id for c in registry.list_cycles(rt) if reports.cycle_report(rt, c.id).organisations
    )


def _overdue_rows(page: str) -> list[str]:
    if 'id="overdue-none"' in page:
        return []
    body = page.split('id="overdue"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r.split("</a>", 1)[0].rsplit(">", 1)[1] for r in body.split("<tr>")[1:]]


def test_the_list_and_the_figure_agree_on_every_day(client_as: Client, app_rt: Runtime) -> None:
    cycle = _pilot(app_rt)
    c = client_as("coordinator")
    lists = {}
    for day in DAYS:
        page = c.get(f"/?cycle={cycle}&as_of={day}").get_data(as_text=True)
        figure = int(page.split('id="fig-overdue">', 1)[1].split("<", 1)[0])
        rows = _overdue_rows(page)
        assert len(rows) == figure, day
        assert reports.cycle_report(app_rt, cycle, date.fromisoformat(day)).overdue_cases == figure
        lists[day] = rows
    assert len({tuple(v) for v in lists.values()}) > 1  # the day changes the list
    assert any(lists.values())


def test_overdue_cases_match_the_report_and_say_by_how_much(app_rt: Runtime) -> None:
    cycle = _pilot(app_rt)
    for day in map(date.fromisoformat, DAYS):
        found = reports.overdue_cases(app_rt, None, cycle, day)
        assert len(found) == reports.cycle_report(app_rt, cycle, day).overdue_cases
        for case in found:
            assert (day - case.since).days - case.deadline_days == case.days_over > 0
        assert [c.days_over for c in found] == sorted((c.days_over for c in found), reverse=True)


def test_a_mentor_sees_only_assigned_overdue_cases(client_as: Client, app_rt: Runtime) -> None:
    cycle = _pilot(app_rt)
    everyone = set()
    for day in DAYS:
        everyone |= set(
            _overdue_rows(
                client_as("coordinator").get(f"/?cycle={cycle}&as_of={day}").get_data(as_text=True)
            )
        )
    mine = set()
    for day in DAYS:
        mine |= set(
            _overdue_rows(
                client_as("other_mentor").get(f"/?cycle={cycle}&as_of={day}").get_data(as_text=True)
            )
        )
    assert mine < everyone
    assert "Keep The Change" not in mine  # janis's case, not anna's


def test_overdue_cases_scope_like_the_case_list_and_the_overview_agrees(
    app_rt: Runtime,
) -> None:
    cycle = _pilot(app_rt)
    with read_session(app_rt.engine) as s:
        anna = s.scalars(select(User).where(User.name == "anna")).one()
        annas = set(
            s.scalars(select(Case.id).where(Case.cycle_id == cycle, Case.mentor_id == anna.id))
        )
    mentor = Actor(anna.name, anna.role, anna.id)
    assert mentor.role == "mentor"
    assert annas
    listed = {c.id for c in views.list_cases(app_rt, mentor, cycle_id=cycle, limit=500)[0]}
    assert listed == annas  # the one scoping rule: the mentor's own cases
    seen_by_mentor = False
    for day in map(date.fromisoformat, DAYS):
        everyone = reports.overdue_cases(app_rt, None, cycle, day)
        mine = reports.overdue_cases(app_rt, mentor, cycle, day)
        assert mine == [c for c in everyone if c.case_id in annas]
        seen_by_mentor |= bool(mine) and len(mine) < len(everyone)
        report = reports.cycle_report(app_rt, cycle, day)
        assert reports.cycle_overview(app_rt, mentor, cycle, day) == (report, mine)
        assert reports.cycle_overview(app_rt, None, cycle, day) == (report, everyone)
    assert seen_by_mentor


def test_a_bad_day_is_explained_in_latvian(client_as: Client) -> None:
    r = client_as("coordinator").get("/?as_of=vakar")
    assert r.status_code == 400
    assert "Uz datumu: datums GGGG-MM-DD" in r.get_data(as_text=True)
