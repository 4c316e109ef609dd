"""``inkubators backup`` and ``inkubators restore``: a consistent copy while the service
runs, with the checkpoint it matches beside it, and its restoration into an empty
database, checked against that checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from inkubators import cli
from inkubators.cli import main
from inkubators.cli.audit import report_checkpoint
from inkubators.cli.common import reports_errors
from workflow import backup as backups
from workflow import signing
from workflow.settings import Settings


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def backup_cmd(file: Path) -> None:
    """Copy the database to FILE while the service runs, and write the checkpoint the copy
    matches to FILE.checkpoint.json (signed if INKUBATORS_SIGNING_KEY_FILE is set)."""
    signer = signing.configured_signer(Settings().signing_key_file)
    result = backups.backup(cli.runtime(), file, signer)
    size = result.path.stat().st_size
    click.echo(f"backup written: {result.path} ({result.method}, {size:,} bytes)")
    cp = result.checkpoint
    if cp is None or result.checkpoint_path is None:
        click.echo(f"NO checkpoint for this backup: {result.problem}", err=True)
        sys.exit(1)
    how = (
        f"signed with key {cp.signature.key_id[:16]}…"
        if cp.signature
        else "UNSIGNED: no INKUBATORS_SIGNING_KEY_FILE is configured, so it shows which "
        "state the backup holds but not who vouched for it"
    )
    click.echo(
        f"checkpoint: {result.checkpoint_path} ({how}); {len(cp.cases)} cases, "
        f"{cp.case_events} case events, account log at #{cp.account_log.seq}"
    )


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def restore_cmd(file: Path) -> None:
    """Restore the backup FILE into the empty database named by DATABASE_URL, then verify
    it against the checkpoint beside it (FILE.checkpoint.json)."""
    url = Settings().resolved_database_url()
    result = backups.restore(url, file)
    safe = make_url(url).render_as_string(hide_password=True)
    click.echo(f"restored {file} into {safe} ({result.method})")
    ok = result.chains.ok and result.accounts.ok
    if result.chains.ok:
        click.echo(f"audit log OK: {result.chains.checked} events verified")
    else:
        click.echo(f"audit log BROKEN: {result.chains.first_bad}", err=True)
    if result.accounts.ok:
        click.echo(f"account log OK: {result.accounts.checked} events verified")
    else:
        bad = result.accounts
        at = "" if bad.first_bad_seq is None else f" at #{bad.first_bad_seq}"
        click.echo(f"account log BROKEN{at}: {bad.problem.en if bad.problem else '?'}", err=True)
    if result.checkpoint is None or result.comparison is None:
        click.echo(f"no checkpoint beside the backup ({backups.checkpoint_path(file)})")
    else:
        click.echo(f"checkpoint {result.checkpoint_path} of {result.checkpoint.created_at}:")
        ok = report_checkpoint(result.checkpoint, result.comparison) and ok
    click.echo(
        "what the backup lacks against a newer checkpoint: inkubators audit verify "
        "--checkpoint NEWER.checkpoint.json --public-key signing.pub"
    )
    if not ok:
        sys.exit(1)
