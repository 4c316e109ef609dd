"""``inkubators policy``: check a states or policy file before it goes live, see which rules
are in force and why a file was refused, activate this host's files, read the stored versions and their differences,
and preview which open cases a candidate file would treat differently."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call, so replacing
# ``inkubators.cli.runtime`` (as the tests do) reaches every command
from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import reports_errors
from workflow.settings import Settings


@main.group()
def policy() -> None:
    """Check, inspect and preview the policy and states files and their history."""


@policy.command("check")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@reports_errors
def policy_check(file: Path | None) -> None:
    """Validate the states and policy files (or one candidate FILE against the others)."""
    from workflow.checking import check_files

    settings = Settings()
    summary = check_files(settings.states_dir, settings.policy_dir, file)
    click.echo(summary)


@policy.command("status")
@reports_errors
def policy_status() -> None:
    """The rules in force and any problem with the files; exit 1 while a file is broken."""
    from workflow import rulestatus

    # their problems are this command's own output
    with _quiet("workflow.rulestore"), _quiet("workflow.rulestatus"):
        st = rulestatus.status(cli.runtime())
    # Times from the database and the files, never this process's clock: a one-shot
    # command would otherwise report the moment it ran.
    click.echo(f"states in force: {st.states_hash} ({_activated(st.states_activated_at)})")
    click.echo(f"policy in force: {st.policy_hash} ({_activated(st.policy_activated_at)})")
    if not st.errors:
        click.echo("files: OK")
        return
    changed = ", ".join(f"{f.name} modified {_when(f.modified_at)}" for f in st.refused)
    click.echo(f"files: NOT APPLIED ({changed or 'unknown file'}); the rules above stay in force:")
    for e in st.errors:
        click.echo(f"  {e}")
    sys.exit(1)


@policy.command("activate")
@reports_errors
def policy_activate() -> None:
    """Activate this host's files now: every process on every host follows within seconds.

    With ``INKUBATORS_RULES_FOLLOW=database`` a host starts with the newest activation,
    not its own files; this is how files edited while the service was down (or copied
    by a deployment) go live. Refused files change nothing and exit 1.
    """
    from workflow.rulestore import WatchedRules

    source = cli.runtime().rules_source
    if not isinstance(source, WatchedRules):
        raise click.ClickException("the rules in this process do not come from files")
    with _quiet("workflow.rulestore"):
        rules = source.activate_files("cli: policy activate")
    click.echo(f"states in force: {rules.states_hash}")
    click.echo(f"policy in force: {rules.policy_hash}")


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Drop the named logger's records for a moment (the command reports the same itself)."""
    drop = logging.Filter("\0never")  # a name no logger has: every record is dropped
    log = logging.getLogger(name)
    log.addFilter(drop)
    try:
        yield
    finally:
        log.removeFilter(drop)


def _when(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _activated(at: datetime | None) -> str:
    return f"activated {_when(at)}" if at is not None else "not stored as a version"


@policy.command("history")
@click.option("--kind", type=click.Choice(["states", "policy"]), default=None)
@reports_errors
def policy_history(kind: str | None) -> None:
    """Every activated version of the states and policy files, newest first."""
    from workflow import ruleversions

    for v in ruleversions.history(cli.runtime(), kind):
        click.echo(
            f"{v.id:>5}  {v.kind:<6}  {v.sha256[:12]}  "
            f"{v.activated_at.isoformat(timespec='seconds')}  {v.activated_by}"
        )


@policy.command("show")
@click.argument("sha")
@reports_errors
def policy_show(sha: str) -> None:
    """Print the exact files of a stored version (a hash or a prefix of one)."""
    from workflow import ruleversions

    v = ruleversions.show(cli.runtime(), sha)
    click.echo(f"# {v.kind} {v.sha256}")
    click.echo(f"# activated {v.activated_at.isoformat(timespec='seconds')} by {v.activated_by}")
    for name, text in v.files:
        click.echo(f"# --- {name}")
        click.echo(text, nl=not text.endswith("\n"))


@policy.command("diff")
@click.argument("a")
@click.argument("b")
@reports_errors
def policy_diff(a: str, b: str) -> None:
    """Unified diff between two stored versions of the same kind."""
    from workflow import ruleversions

    click.echo(ruleversions.diff(cli.runtime(), a, b) or "no difference", nl=False)


@policy.command("preview")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def policy_preview(file: Path) -> None:
    """List the open cases a candidate FILE would treat differently; activates nothing."""
    from workflow import rulepreview

    changes = rulepreview.preview(cli.runtime(), file)
    if not changes:
        click.echo("no open case would change")
        return
    for c in changes:
        moved = f" -> {c.new_state}" if c.new_state != c.state else ""
        click.echo(f"case {c.case_id} {c.organisation} ({c.state}{moved}):")
        before = {o.trigger: o for o in c.before}
        after = {o.trigger: o for o in c.after}
        for t in c.changed:
            click.echo(f"  {t}: {_verdict(before.get(t))} -> {_verdict(after.get(t))}")
    click.echo(f"{len(changes)} open case(s) would change; nothing was activated")


def _verdict(o: Any) -> str:
    if o is None:
        return "not available"
    if o.allowed:
        return "allowed"
    return "BLOCKED (" + "; ".join(o.reasons) + ")"
