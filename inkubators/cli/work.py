"""``inkubators case work``, ``inkubators case assign-mentor`` and ``inkubators budget``:
the workbench from the command line, through the same read models and service as the API
and the web UI."""

from __future__ import annotations

import click

from inkubators import cli
from inkubators.cli import main
from inkubators.cli.cases import case
from inkubators.cli.common import ID, reports_errors
from workflow import budget, mentors, mywork
from workflow.accounts import acting_user


@case.command("work")
@click.option("--as", "as_user", required=True, help="whose work (a coordinator: every case)")
@click.option("--limit", type=click.IntRange(1, 500), default=100)
@click.option("--lang", type=click.Choice(["en", "lv"]), default="en")
@reports_errors
def case_work(as_user: str, limit: int, lang: str) -> None:
    """The user's open cases, most urgent first: next step, due day and why not yet."""
    rt = cli.runtime()
    for i in mywork.my_work(rt, acting_user(rt, as_user), limit=limit):
        due = f"{i.due_on} {i.due_kind}" if i.due_on else "no due day"
        late = f"  OVERDUE {-(i.days_left or 0)}d" if i.overdue else ""
        click.echo(f"{i.case_id:>5}  {due:<30} {i.state:<20} {i.organisation}{late}")
        reason = i.reason if lang == "en" else i.reason_lv
        step = i.next_trigger or "-"
        click.echo(f"       next: {step}: " + ("possible" if i.possible else (reason or "-")))


@case.command("assign-mentor")
@click.argument("mentor")
@click.argument("case_ids", nargs=-1, required=True, type=ID)
@click.option("--as", "as_user", required=True, help="the user assigning")
@reports_errors
def case_assign_mentor(mentor: str, case_ids: tuple[int, ...], as_user: str) -> None:
    """Assign MENTOR to each case (each its own audited change); exit 1 if any is refused."""
    rt = cli.runtime()
    results = mentors.assign_mentor_bulk(rt, acting_user(rt, as_user), case_ids, mentor)
    for r in results:
        said = r.outcome + (f": {r.reason_en}" if r.reason_en else "")
        click.echo(f"{r.case_id:>5}  {said}  {r.organisation or ''}".rstrip())
    if any(r.outcome == "refused" for r in results):
        raise SystemExit(1)


@main.command("budget")
@click.argument("cycle_id", type=ID)
@reports_errors
def budget_cmd(cycle_id: int) -> None:
    """A cycle's budget: spent, committed, remaining, each mentor's hours, the warnings."""
    b = budget.cycle_budget(cli.runtime(), cycle_id)
    click.echo(f"cycle {b.cycle_id}: {b.cycle}")
    click.echo(f"budget     EUR {b.budget_eur:.2f}")
    click.echo(f"spent      EUR {b.spent_eur:.2f} ({b.used_percent}%)")
    click.echo(f"remaining  EUR {b.remaining_eur:.2f}")
    click.echo(f"committed  EUR {b.committed_eur:.2f}")
    click.echo(f"mentor hours {b.mentor_hours} x EUR {b.mentor_hour_eur:.2f}")
    for m in b.mentors:
        click.echo(f"  {m.mentor:<20} {m.hours:>8} h  EUR {m.spent_eur:.2f}")
    for c in b.other_costs:
        click.echo(f"  {c.label_en:<40} EUR {c.eur:.2f}")
    for w in b.warnings:
        click.echo(f"warning: {w.message_en}")
