"""``inkubators user`` and ``inkubators token``: create, list and change users, set their
passwords, issue, list and revoke API tokens and read the account log: the administrator's
way in before anyone can log in to the web UI, and the way back in when nobody can."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from pydantic import ValidationError

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call, so replacing
# ``inkubators.cli.runtime`` (as the tests do) reaches every command
from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import ID, reports_errors
from workflow import accountlog, tokens
from workflow.accounts import (
    add_user,
    change_user,
    list_users,
    set_password,
)
from workflow.policies import ROLES
from workflow.schemas import UserChange, UserIn


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--locale", default="lv", type=click.Choice(["lv", "en"]))
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.option(
    "--organisation",
    default=None,
    metavar="REGCODE",
    help="the register number of the organisation a representative acts for (role "
    "representative only)",
)
@reports_errors
def user_add(
    name: str, role: str, locale: str, password_stdin: bool, organisation: str | None
) -> None:
    """Create a user (with a password to log in to the web UI)."""
    rt = cli.runtime()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        data = UserIn(name=name, role=role, locale=locale, organisation=organisation)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise click.UsageError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc
    u = add_user(rt, data, password)
    bound = f" for organisation {organisation}" if u.organisation_id is not None else ""
    click.echo(f"user {u.name} ({u.role}){bound} created")


@user.command("password")
@click.argument("name")
@reports_errors
def user_password(name: str) -> None:
    """Set a user's password from standard input; their browser sessions and API tokens end."""
    rt = cli.runtime()
    set_password(rt, name, sys.stdin.readline().rstrip("\n"))
    click.echo(f"password of {name} changed; their sessions and API tokens have ended")


@user.command("list")
@reports_errors
def user_list() -> None:
    """Every user with role, language and whether the account is active."""
    rt = cli.runtime()
    for u in list_users(rt):
        click.echo(f"{u.name}\t{u.role}\t{u.locale}\t{'active' if u.active else 'inactive'}")


@user.command("set")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None, help="the new role")
@click.option(
    "--active/--inactive",
    default=None,
    help="reactivate, or deactivate (ends sessions, stops tokens)",
)
@reports_errors
def user_set(name: str, role: str | None, active: bool | None) -> None:
    """Change a user's role or standing; the last active admin keeps both."""
    if role is None and active is None:
        raise click.UsageError("give --role, --active or --inactive")
    rt = cli.runtime()
    result = change_user(rt, name, UserChange(role=role, active=active))  # type: ignore[arg-type]
    if not result.changed:
        click.echo(f"user {name}: nothing to change")
        return
    after = result.user
    standing = "active" if after.active else "inactive; their sessions have ended"
    click.echo(f"user {name}: {after.role}, {standing}")


@user.command("log")
@click.option("--user", "subject", default=None, help="only the events about this user")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@reports_errors
def user_log(subject: str | None, limit: int) -> None:
    """The account log, newest first: who changed which account, when and how."""
    rt = cli.runtime()
    for e in accountlog.recent(rt, limit, subject):
        details = " ".join(f"{k}={v}" for k, v in sorted(e.details.items()))
        at = e.at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"#{e.seq}\t{at}\t{e.actor} ({e.role})\t{e.action}\t{e.subject}\t{details}")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("name")
@reports_errors
def token_create(name: str) -> None:
    """Issue a bearer token for a user; it is printed once and only its hash is kept."""
    rt = cli.runtime()
    click.echo(tokens.create_token(rt, name))


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at is not None else "-"


@token.command("list")
@click.argument("name", required=False)
@reports_errors
def token_list(name: str | None) -> None:
    """Every token (or NAME's), newest first: id, user, status, issued, expires, last used."""
    rt = cli.runtime()
    for t in tokens.list_tokens(rt, None, name):
        when = (_when(t.created_at), _when(t.expires_at), _when(t.last_used_at))
        click.echo(f"{t.id}\t{t.user}\t{t.status}\t" + "\t".join(when))


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=ID)
@reports_errors
def token_revoke(token_id: int) -> None:
    """Revoke a token (ids: ``token list``); it stops working at once."""
    rt = cli.runtime()
    t = tokens.revoke_token(rt, token_id)
    click.echo(f"token {t.id} of {t.user} revoked")
