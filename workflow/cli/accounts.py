"""``inkubators user`` and ``inkubators token``: create users, set their passwords and
issue API tokens, the administrator's way in before anyone can log in to the web UI."""

from __future__ import annotations

import sys

import click

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call, so replacing
# ``workflow.cli.runtime`` (as the tests do) reaches every command
from workflow import cli
from workflow.accounts import add_user, create_token, set_password
from workflow.cli import main
from workflow.cli.common import reports_errors
from workflow.policies import ROLES
from workflow.schemas import UserIn


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
    rt = cli.runtime()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    u = add_user(rt, UserIn(name=name, role=role, locale=locale), password)  # type: ignore[arg-type]
    click.echo(f"user {u.name} ({u.role}) created")


@user.command("password")
@click.argument("name")
@reports_errors
def user_password(name: str) -> None:
    """Set a user's password from standard input; their browser sessions end."""
    rt = cli.runtime()
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
    rt = cli.runtime()
    click.echo(create_token(rt, name))
