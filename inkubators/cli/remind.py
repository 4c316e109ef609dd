"""``inkubators remind`` and ``inkubators user email``: the reminder digests, and where
each user's go. Run ``remind`` daily from cron or the systemd timer in ``deploy/``."""

from __future__ import annotations

import smtplib
import sys
from datetime import datetime

import click

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call (the tests replace it)
from inkubators import cli
from inkubators.cli import main
from inkubators.cli.accounts import user
from inkubators.cli.common import reports_errors
from workflow import contacts, reminders
from workflow.mail import Mailer

STATUS = {
    "sent": "sent",
    "logged": "written to the log (no INKUBATORS_SMTP_HOST)",
    "would_send": "would send (dry run: nothing sent or recorded)",
    "no_address": "NOT sent: no e-mail address (inkubators user email NAME ADDRESS)",
    "sent_elsewhere": "skipped: another run sent these meanwhile",
}


@main.command("remind")
@click.option("--dry-run", is_flag=True, help="show the digests; send and record nothing")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="the day to remind as of (YYYY-MM-DD; default: today in Liepāja)",
)
@reports_errors
def remind_cmd(dry_run: bool, as_of: datetime | None) -> None:
    """Send each coordinator and mentor one digest of what falls due on their cases:
    calls closing soon, cases overdue in their state, decisions expected. A reminder
    already sent to a user is never sent to them again."""
    rt = cli.runtime()
    mailer = Mailer()
    try:
        digests = reminders.remind(
            rt, mailer, as_of=as_of.date() if as_of else None, dry_run=dry_run
        )
    except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, login failed
        where = f"{mailer.settings.smtp_host}:{mailer.settings.smtp_port}"
        click.echo(
            f"error: could not send mail through {where} ({exc}); nothing was recorded as "
            "sent, so the next run tries again (INKUBATORS_SMTP_HOST, INKUBATORS_SMTP_PORT)",
            err=True,
        )
        sys.exit(1)
    if not digests:
        click.echo("nothing new to remind anyone of")
    for d in digests:
        to = d.email or "no address"
        click.echo(f"== {d.user} ({d.role}, {to}): {len(d.items)} reminder(s), {STATUS[d.status]}")
        if d.items:
            click.echo(f"Subject: {d.subject}")
            click.echo(d.body)


@user.command("email")
@click.argument("name")
@click.argument("address", required=False)
@click.option("--clear", is_flag=True, help="remove the address: no more reminder e-mail")
@reports_errors
def user_email(name: str, address: str | None, clear: bool) -> None:
    """Set the e-mail address NAME's reminders go to (in the account log)."""
    if clear == (address is not None):
        raise click.UsageError("give an ADDRESS or --clear")
    contacts.set_email(cli.runtime(), name, None if clear else address)
    click.echo(f"{name}: reminders go to {address}" if address else f"{name}: no e-mail address")
