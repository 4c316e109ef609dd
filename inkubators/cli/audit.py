"""``inkubators audit``: check the audit log's hash chains (and the account log's) and
export the log, for an auditor who trusts the command's exit code rather than the web UI."""

from __future__ import annotations

import sys

import click

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call, so replacing
# ``inkubators.cli.runtime`` (as the tests do) reaches every command
from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import ID, reports_errors
from workflow import accountlog, auditlog


@main.group()
def audit() -> None:
    """Verify and export the audit log."""


@audit.command("verify")
@reports_errors
def audit_verify() -> None:
    """Recompute every case's hash chain and the account log's; exit 1 naming the first
    event of each that does not match."""
    rt = cli.runtime()
    result = auditlog.verify(rt)
    accounts = accountlog.verify(rt)
    if result.ok:
        click.echo(f"audit log OK: {result.checked} events verified")
    else:
        bad = result.first_bad or {}
        click.echo(
            f"audit log BROKEN at event {bad.get('event_id')} (case {bad.get('case_id')}, "
            f"#{bad.get('seq')}): {bad.get('problem')}",
            err=True,
        )
    if accounts.ok:
        click.echo(f"account log OK: {accounts.checked} events verified")
    else:
        problem = accounts.problem.en if accounts.problem else "?"
        click.echo(f"account log BROKEN at #{accounts.first_bad_seq}: {problem}", err=True)
    if not (result.ok and accounts.ok):
        sys.exit(1)


@audit.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl")
@click.option("--case", "case_id", type=ID)
@reports_errors
def audit_export(fmt: str, case_id: int | None) -> None:
    """Stream the audit log to standard output."""
    rt = cli.runtime()
    for chunk in auditlog.export(rt, fmt, case_id=case_id):
        sys.stdout.write(chunk)
