"""The ``inkubators`` command: maintenance and casework from a terminal.

Every command builds its settings and runtime inside the command (never at import) and
calls the same service functions as the API and the web UI.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from workflow import advance, auditlog, demo, views
from workflow.accounts import add_user, create_token, get_user_by_name, set_password
from workflow.bootstrap import build_runtime
from workflow.errors import DefinitionError, GuardRejected, WorkflowError
from workflow.policies import ROLES
from workflow.runtime import Runtime
from workflow.schemas import MAX_ID, UserIn
from workflow.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

# Ids are 32-bit integers in every database we run on: anything outside is refused as a
# usage error here rather than overflowing in the driver.
ID = click.IntRange(1, MAX_ID)
VERSION = click.IntRange(0, MAX_ID)


def runtime(migrate: bool = True) -> Runtime:
    """The runtime for this command, with the schema brought up to date.

    Its connections are closed when the command ends, so a command invoked in-process
    (tests, the web app's maintenance hooks) leaves no connection to the garbage collector.
    """
    rt = build_runtime(Settings(), migrate=migrate)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(rt.engine.dispose)
    return rt


def reports_errors(fn: F) -> F:
    """Turn engine errors into a message on stderr and exit code 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GuardRejected as exc:
            click.echo(f"blocked: {exc.trigger}", err=True)
            for f in exc.failures:
                click.echo(f"  - {f.guard}: {f.message_en}", err=True)
            sys.exit(1)
        except DefinitionError as exc:
            for p in exc.problems:
                click.echo(p, err=True)
            sys.exit(1)
        except WorkflowError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


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
    if not demo.load_demo(rt):
        click.echo("the demo programme is already loaded; nothing changed")
        return
    click.echo("demo programme loaded")
    _print_demo_summary(rt)


def _print_demo_summary(rt: Runtime) -> None:
    from workflow.registry import list_cycles
    from workflow.reports import cycle_report

    for cycle in list_cycles(rt):
        if cycle.name == demo.PILOT:
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
    click.echo(
        f"demo users (password '{demo.DEMO_PASSWORD}'): "
        + ", ".join(f"{n} ({r})" for n, r in demo.USERS)
    )


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
    rt = runtime()
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
    rt = runtime()
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
    rt = runtime()
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
    click.echo(f"  consultations: {len(d.consultations)}, {d.consultation_hours} hours")
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
    rt = runtime()
    actor = get_user_by_name(rt, as_user).actor()
    r = advance.fire(
        rt, actor, case_id, trigger, expected_version=expected_version, comment=comment
    )
    click.echo(
        f"case {r.case_id}: {r.from_state} -> {r.to_state} (version {r.version}, event {r.event['hash'][:12]})"
    )


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--locale", default="lv", type=click.Choice(["lv", "en"]))
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@reports_errors
def user_add(name: str, role: str, locale: str, password_stdin: bool) -> None:
    """Create a user (with a password to log in to the web UI)."""
    rt = runtime()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    u = add_user(rt, UserIn(name=name, role=role, locale=locale), password)  # type: ignore[arg-type]
    click.echo(f"user {u.name} ({u.role}) created")


@user.command("password")
@click.argument("name")
@reports_errors
def user_password(name: str) -> None:
    """Set a user's password from standard input; their browser sessions end."""
    rt = runtime()
    set_password(rt, name, sys.stdin.readline().rstrip("\n"))
    click.echo(f"password of {name} changed; their sessions have ended")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("name")
@reports_errors
def token_create(name: str) -> None:
    """Issue a bearer token for a user; it is printed once and only its hash is kept."""
    rt = runtime()
    click.echo(create_token(rt, name))


@main.group()
def audit() -> None:
    """Verify and export the audit log."""


@audit.command("verify")
@reports_errors
def audit_verify() -> None:
    """Recompute every case's hash chain; exit 1 naming the first event that does not match."""
    rt = runtime()
    result = auditlog.verify(rt)
    if result.ok:
        click.echo(f"audit log OK: {result.checked} events verified")
        return
    bad = result.first_bad or {}
    click.echo(
        f"audit log BROKEN at event {bad.get('event_id')} (case {bad.get('case_id')}, #{bad.get('seq')}): "
        f"{bad.get('problem')}",
        err=True,
    )
    sys.exit(1)


@audit.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl")
@click.option("--case", "case_id", type=ID)
@reports_errors
def audit_export(fmt: str, case_id: int | None) -> None:
    """Stream the audit log to standard output."""
    rt = runtime()
    for chunk in auditlog.export(rt, fmt, case_id=case_id):
        sys.stdout.write(chunk)


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
    from workflow import rulestore

    with _quiet("workflow.rulestore"):  # its problems are this command's own output
        st = rulestore.status(runtime())
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
    from workflow import rulestore

    for v in rulestore.history(runtime(), kind):
        click.echo(
            f"{v.id:>5}  {v.kind:<6}  {v.sha256[:12]}  "
            f"{v.activated_at.isoformat(timespec='seconds')}  {v.activated_by}"
        )


@policy.command("show")
@click.argument("sha")
@reports_errors
def policy_show(sha: str) -> None:
    """Print the exact files of a stored version (a hash or a prefix of one)."""
    from workflow import rulestore

    v = rulestore.show(runtime(), sha)
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
    from workflow import rulestore

    click.echo(rulestore.diff(runtime(), a, b) or "no difference", nl=False)


@policy.command("preview")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def policy_preview(file: Path) -> None:
    """List the open cases a candidate FILE would treat differently; activates nothing."""
    from workflow import rulestore

    changes = rulestore.preview(runtime(), file)
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


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=click.IntRange(1, 65535))
@reports_errors
def serve(host: str, port: int) -> None:
    """Run the web app (development server; use gunicorn in production)."""
    from web import create_app

    app = create_app()
    app.run(host=host, port=port)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
