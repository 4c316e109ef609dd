"""``inkubators case`` and ``inkubators advance``: look at cases and fire a trigger on one,
through the same read models and service as the API and the web UI."""

from __future__ import annotations

import click

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call, so replacing
# ``inkubators.cli.runtime`` (as the tests do) reaches every command
from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import ID, VERSION, reports_errors
from workflow import advance, views
from workflow.accounts import acting_user


@main.group()
def case() -> None:
    """Look at cases."""


@case.command("list")
@click.option("--cycle", "cycle_id", type=ID)
@click.option("--state")
@click.option("--overdue/--not-overdue", default=None)
@reports_errors
def case_list(cycle_id: int | None, state: str | None, overdue: bool | None) -> None:
    """List cases with their state."""
    rt = cli.runtime()
    from workflow.actors import SYSTEM

    cursor = None
    while True:
        page, cursor = views.list_cases(
            rt, SYSTEM, cycle_id=cycle_id, state=state, overdue=overdue, limit=200, cursor=cursor
        )
        for c in page:
            late = f"  overdue {c.days_over}d" if c.overdue else ""
            click.echo(
                f"{c.id:>5}  {c.state:<20} v{c.version:<4} {c.organisation} [{c.cycle}]{late}"
            )
        if cursor is None:
            break


@case.command("overdue")
@reports_errors
def case_overdue() -> None:
    """List cases that stayed in their state longer than the policy allows."""
    rt = cli.runtime()
    from workflow.actors import SYSTEM

    cursor = None
    while True:
        page, cursor = views.list_cases(rt, SYSTEM, overdue=True, limit=200, cursor=cursor)
        for c in page:
            click.echo(
                f"{c.id:>5}  {c.state:<20} {c.days_in_state:>4} days (limit {c.deadline_days}), "
                f"{c.days_over} over  {c.organisation}"
            )
        if cursor is None:
            break


@case.command("show")
@click.argument("case_id", type=ID)
@click.option("--lang", type=click.Choice(["en", "lv"]), default="en")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@reports_errors
def case_show(case_id: int, lang: str, as_json: bool) -> None:
    """Show a case: state, evidence, and each trigger allowed or blocked with reasons."""
    rt = cli.runtime()
    d = views.case_detail(rt, None, case_id)
    if as_json:
        click.echo(d.model_dump_json(indent=2))
        return
    en = lang == "en"
    click.echo(f"case {d.id}: {d.organisation} ({d.reg_no}) in {d.cycle}")
    click.echo(
        f"state: {d.state} ({d.state_label_en if en else d.state_label_lv}), version {d.version}, "
        f"{d.days_in_state} days in state"
        + (f", OVERDUE by {d.days_over} days" if d.overdue else "")
    )
    click.echo(f"mentor: {d.mentor or '-'}")
    click.echo("evidence:")
    for a in d.analyses:
        click.echo(f"  analysis {a.recorded_on}: needs {', '.join(a.need_areas)}")
    click.echo(f"  consultations: {d.consultation_count}, {d.consultation_hours} hours")
    for c in d.consultations:
        click.echo(f"    {c.held_on} {c.mentor} {c.hours}h {c.topic}")
    for s in d.sources:
        click.echo(f"  source: {s.programme} ({s.funder}), call {s.call_opens}..{s.call_closes}")
    for ap in d.applications:
        click.echo(
            f"  application #{ap.id} '{ap.title}': {ap.status}, budget EUR {ap.total_budget_eur}, "
            f"requested EUR {ap.requested_eur}"
            + (f", submitted {ap.submitted_on}" if ap.submitted_on else "")
        )
    click.echo("triggers:")
    if d.final:
        click.echo("  none: the case is closed")
    for t in (t for t in d.triggers if t.applicable):
        label = t.label_en if en else t.label_lv
        status = "ALLOWED" if t.allowed else "BLOCKED"
        click.echo(f"  {t.trigger} -> {t.dest} ({label}): {status}")
        for b in t.blocked_by:
            click.echo(f"    - {b.guard}: {b.message if en else b.message_lv}")


@main.command("advance")
@click.argument("case_id", type=ID)
@click.argument("trigger")
@click.option("--as", "as_user", required=True, help="the user acting")
@click.option("--comment", default="")
@click.option("--expected-version", type=VERSION, default=None)
@reports_errors
def advance_cmd(
    case_id: int, trigger: str, as_user: str, comment: str, expected_version: int | None
) -> None:
    """Fire TRIGGER on a case as a user."""
    rt = cli.runtime()
    actor = acting_user(rt, as_user)
    r = advance.fire(
        rt, actor, case_id, trigger, expected_version=expected_version, comment=comment
    )
    click.echo(
        f"case {r.case_id}: {r.from_state} -> {r.to_state} (version {r.version}, event {r.event['hash'][:12]})"
    )
