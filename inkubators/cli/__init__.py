"""The ``inkubators`` command: maintenance and casework from a terminal.

Every command builds its settings and runtime inside the command (never at import) and
calls the same service functions as the API and the web UI.

This module holds the group ``main``, the runtime every command uses and the set-up
commands (``init``, ``demo``, ``serve``); each command group has its own module, which adds
its commands to ``main`` when imported at the end of this one: :mod:`inkubators.cli.cases`
(``case``, ``advance``), :mod:`inkubators.cli.accounts` (``user``, ``token``),
:mod:`inkubators.cli.audit` (``audit``: verify, checkpoints, keys, export),
:mod:`inkubators.cli.backup` (``backup``, ``restore``), :mod:`inkubators.cli.registry`
(``registry``: import, stats) and :mod:`inkubators.cli.policy`. What they share besides ``main``
and ``runtime`` is in :mod:`inkubators.cli.common`.
"""

from __future__ import annotations

import sys
from datetime import date

import click

from inkubators.cli.common import reports_errors
from inkubators.demo import loader, programme
from workflow.bootstrap import build_runtime
from workflow.runtime import Runtime
from workflow.settings import Settings

__all__ = ["main", "runtime"]


def runtime(migrate: bool = True) -> Runtime:
    """The runtime for this command, with the schema brought up to date.

    Its connections are closed when the command ends, so a command invoked in-process
    (tests, the web app's maintenance hooks) leaves no connection to the garbage collector.
    The command modules call it as ``cli.runtime()``, so replacing this one attribute
    replaces the runtime of every command.
    """
    rt = build_runtime(Settings(), migrate=migrate)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(rt.engine.dispose)
    return rt


@click.group()
def main() -> None:
    """Inkubators: case management for Liepāja's NGO growth incubator."""


@main.command()
@reports_errors
def init() -> None:
    """Create or upgrade the database schema."""
    settings = Settings()
    build_runtime(settings, migrate=True).engine.dispose()
    click.echo(f"database ready: {_safe_url(settings.resolved_database_url())}")


@main.command("demo")
@reports_errors
def demo_cmd() -> None:
    """Load the 2023 pilot cycle and the new cycle (once)."""
    rt = runtime()
    if not loader.load_demo(rt):
        click.echo("the demo programme is already loaded; nothing changed")
    else:
        click.echo("demo programme loaded")
        _print_demo_summary(rt)
    click.echo(
        f"demo users (password '{programme.DEMO_PASSWORD}'): "
        + ", ".join(f"{n} ({r})" for n, r in programme.USERS)
    )


def _print_demo_summary(rt: Runtime) -> None:
    from workflow.registry import list_cycles
    from workflow.reports import cycle_report

    for cycle in list_cycles(rt):
        if cycle.name == programme.PILOT:
            r = cycle_report(rt, cycle.id, date(2023, 10, 19))
            click.echo(f"{cycle.name} as of 2023-10-19 (the council sitting):")
            click.echo(f"  organisations: {r.organisations}")
            click.echo(
                f"  awarded: EUR {r.awarded_eur:,.2f} to {r.awarded_organisations} organisations"
            )
            click.echo(f"  submitted, awaiting decisions: {r.submitted_awaiting}")
            click.echo(f"  prepared, waiting for calls to open: {r.prepared_waiting_for_call}")
            click.echo(f"  total budget of applications: EUR {r.total_budget_eur:,.2f}")
            click.echo(f"  largest project: EUR {r.largest_project_eur:,.2f}")
    from workflow.registerstats import sector_stats

    s = sector_stats(rt, "Liepāja", 2022)
    click.echo(
        "register of NGOs (a generated sample, not real data), Liepāja at the end of 2022: "
        f"{s.associations:,} associations, {s.real_estate_management:,} real-estate management "
        f"({round(100 * s.real_estate_share)} %), {s.other:,} other "
        "(inkubators registry stats --city Liepāja --year 2022)"
    )


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="processes"
)
@reports_errors
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app under gunicorn with WORKERS processes sharing the database."""
    from web.server import REFUSED, StartRefused, preflight, run

    try:
        preflight()  # no secret in production: one line and exit 2, before any worker
    except StartRefused as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(REFUSED)
    runtime().engine.dispose()  # the schema up to date once, before any worker starts
    run(host, port, workers)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# The command groups add themselves to ``main`` when imported (after ``main`` exists).
from inkubators.cli import (  # noqa: E402, F401
    accounts,
    audit,
    backup,
    cases,
    lists,
    policy,
    registry,
    remind,
    reports,
    work,
)
