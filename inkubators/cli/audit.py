"""``inkubators audit``: check the audit log's hash chains (and the account log's), hold
the database against a signed checkpoint, make checkpoints and signing keys, and export
the log, for an auditor who trusts the command's exit code rather than the web UI."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

# ``cli.runtime()``, not an imported ``runtime``: looked up on each call, so replacing
# ``inkubators.cli.runtime`` (as the tests do) reaches every command
from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import ID, reports_errors
from workflow import (
    accountlog,
    auditlog,
    checkpoint,
    checkpointing,
    docviews,
    fullexport,
    redaction,
    signing,
)
from workflow.docstore import directory_store
from workflow.runtime import Runtime
from workflow.settings import Settings

FILE = click.Path(dir_okay=False, path_type=Path)
#: differences from a checkpoint listed one by one; past this, a count (the summary follows)
SHOWN = 50


@main.group()
def audit() -> None:
    """Verify and export the audit log; make signed checkpoints of it."""


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=FILE,
    help="also check everything this checkpoint covers is still there, unchanged",
)
@click.option(
    "--public-key",
    "public_key",
    type=FILE,
    help="the auditors' copy of signing.pub: the checkpoint's signature must be its",
)
@click.option(
    "--since-checkpoint",
    "since_file",
    type=FILE,
    help="verify only events newer than this checkpoint's heads (which must still hold)",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="processes walking the chains (default: one per CPU)",
)
@click.option(
    "--documents",
    "documents",
    is_flag=True,
    help="also hash every stored document file again; name each changed or vanished one",
)
@reports_errors
def audit_verify(
    checkpoint_file: Path | None,
    public_key: Path | None,
    since_file: Path | None,
    workers: int | None,
    documents: bool,
) -> None:
    """Recompute every case's hash chain and the account log's; exit 1 naming the first
    event of each that does not match, and every difference from the checkpoint (and,
    with --documents, every stored file that changed or vanished)."""
    if public_key is not None and checkpoint_file is None and since_file is None:
        raise click.UsageError(
            "--public-key checks a checkpoint: give --checkpoint or --since-checkpoint FILE too"
        )
    pinned = _load_checkpoint(checkpoint_file, public_key) if checkpoint_file else None
    since = _load_checkpoint(since_file, public_key) if since_file else None
    rt = cli.runtime()
    with _progress_bar() as progress:
        result = auditlog.verify(rt, workers=workers, since=since, progress=progress)
    accounts = accountlog.verify(rt)
    if result.ok:
        skipped = (
            f" ({result.skipped} older events skipped: the checkpoint vouches for them)"
            if since is not None
            else ""
        )
        click.echo(f"audit log OK: {result.checked} events verified{skipped}")
    else:
        bad = result.first_bad or {}
        where = (
            ""
            if "table" in bad
            else f" at event {bad.get('event_id')} (case {bad.get('case_id')}, #{bad.get('seq')})"
        )
        click.echo(f"audit log BROKEN{where}: {bad.get('problem')}", err=True)
    for note in result.notes:
        click.echo(f"audit log note: {note}")
    if accounts.ok:
        click.echo(f"account log OK: {accounts.checked} events verified")
    else:
        problem = accounts.problem.en if accounts.problem else "?"
        at = "" if accounts.first_bad_seq is None else f" at #{accounts.first_bad_seq}"
        click.echo(f"account log BROKEN{at}: {problem}", err=True)
    if accounts.unbound_tokens:
        click.echo(
            f"account log note: {accounts.unbound_tokens} tokens unbound (issued before "
            "token events named them)"
        )
    held = True
    if pinned is not None:
        with checkpointing.snapshot(rt.engine) as conn:
            held = report_checkpoint(pinned, checkpointing.compare(conn, pinned))
    files_ok = _verify_documents(rt) if documents else True
    if not (result.ok and accounts.ok and held and files_ok):
        sys.exit(1)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on standard error when it is a terminal (nothing in pipes and logs)."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = None
    shown = 0

    def progress(done: int, total: int) -> None:
        nonlocal bar, shown
        if bar is None:
            bar = click.progressbar(length=total, label="verifying", file=sys.stderr)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _verify_documents(rt: Runtime) -> bool:
    """Hash every stored document file again; print each that changed or vanished."""
    settings = Settings()
    store = directory_store(settings.documents_dir, settings.instance_dir)
    checked, findings = docviews.verify_files(rt, store)
    for f in findings:
        click.echo(f"documents BROKEN: {f.text}", err=True)
    if not findings:
        click.echo(f"documents OK: {checked} stored files hash to what their documents recorded")
    return not findings


def _load_checkpoint(path: Path, public_key: Path | None) -> checkpoint.Checkpoint:
    cp = checkpoint.read(path)
    if public_key is not None:
        key = checkpoint.check_signature(cp, signing.load_public(public_key), str(path))
        click.echo(f"checkpoint {path} of {cp.created_at}: signature valid (key {key[:16]}…)")
    elif cp.signature is None:
        click.echo(f"checkpoint {path} of {cp.created_at}: UNSIGNED (shows no origin)")
    else:
        click.echo(
            f"checkpoint {path} of {cp.created_at}: signature NOT checked "
            "(give --public-key to check it)"
        )
    return cp


def report_checkpoint(cp: checkpoint.Checkpoint, found: checkpointing.Comparison) -> bool:
    """Print how the database holds against ``cp``; whether it holds (shared with restore)."""
    newer = (
        f"{checkpointing.events_text(found.newer_case_events)} in cases and "
        f"{checkpointing.events_text(found.newer_account_events)} in the account log "
        "are newer than the checkpoint"
    )
    if found.ok:
        click.echo(
            f"checkpoint OK: all {found.cases_covered} cases it covers and the account log "
            f"at #{cp.account_log.seq} are intact; {newer}"
        )
        return True
    for f in found.findings[:SHOWN]:
        click.echo(f"checkpoint MISMATCH: {f.problem}", err=True)
    if len(found.findings) > SHOWN:
        click.echo(f"checkpoint MISMATCH: … and {len(found.findings) - SHOWN} more", err=True)
    click.echo(
        f"checkpoint MISMATCH: {len(found.findings)} of {found.cases_covered + 1} heads differ; "
        f"the database lacks {found.lacking} of the "
        f"{checkpointing.events_text(cp.case_events + cp.account_log.seq)} the checkpoint "
        f"covers; {newer}",
        err=True,
    )
    return False


@audit.command("checkpoint")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="where to write it (- for standard output)",
)
@click.option(
    "--unsigned", is_flag=True, help="without INKUBATORS_SIGNING_KEY_FILE: write it unsigned"
)
@reports_errors
def audit_checkpoint(output: Path, unsigned: bool) -> None:
    """Verify both logs, then write every case's head and the account log's, their Merkle
    root, the time and the rules in force, signed with INKUBATORS_SIGNING_KEY_FILE."""
    key_file = Settings().signing_key_file
    if key_file is None and not unsigned:
        raise click.UsageError(
            "no signing key: set INKUBATORS_SIGNING_KEY_FILE (make one with "
            "'inkubators audit keygen --out DIR'), or pass --unsigned"
        )
    signer = signing.configured_signer(key_file)
    rt = cli.runtime()
    with checkpointing.snapshot(rt.engine) as conn:
        cp = checkpointing.take(conn, rt.rules, rt.now(), signer)
    if str(output) == "-":
        sys.stdout.write(checkpoint.dumps(cp))
    else:
        checkpoint.write(cp, output)
    signed = f"signed with key {signer.key_id[:16]}…" if signer else "UNSIGNED"
    click.echo(
        f"checkpoint {output}: {len(cp.cases)} cases ({cp.case_events} events), account log "
        f"at #{cp.account_log.seq}, merkle root {cp.merkle_root[:16]}…, {signed}",
        err=str(output) == "-",
    )


@audit.command("keygen")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def audit_keygen(out_dir: Path) -> None:
    """Write a new Ed25519 key pair: DIR/signing.key (mode 0600) and DIR/signing.pub."""
    pair = signing.generate(out_dir)
    click.echo(f"private key: {pair.private} (mode 0600; point INKUBATORS_SIGNING_KEY_FILE here)")
    click.echo(f"public key:  {pair.public} (give this one to the auditors)")
    click.echo(f"key id:      {pair.key_id}")


@audit.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl")
@click.option("--case", "case_id", type=ID)
@click.option(
    "--complete",
    is_flag=True,
    help="JSONL with the cases' heads and the account log too, for tools/verify_export.py",
)
@click.option(
    "--redact",
    is_flag=True,
    help="for an outside reviewer: names as stable pseudonyms, free text withheld",
)
@reports_errors
def audit_export(fmt: str, case_id: int | None, complete: bool, redact: bool) -> None:
    """Stream the audit log to standard output."""
    if complete and (fmt != "jsonl" or case_id is not None or redact):
        raise click.UsageError(
            "--complete is the whole log as JSONL: no --case, no csv, no --redact"
        )
    rt = cli.runtime()
    if complete:
        chunks = fullexport.export(rt)
    elif redact:
        chunks = auditlog.export(
            rt, fmt, case_id=case_id, redact=redaction.redactor(_redaction_key())
        )
    else:
        chunks = auditlog.export(rt, fmt, case_id=case_id)
    for chunk in chunks:
        sys.stdout.write(chunk)


def _redaction_key() -> bytes | None:
    """The server's secret makes pseudonyms stable across exports; without one configured
    they hold within this export only (said on standard error)."""
    from web import InsecureConfiguration, secret_key

    try:
        return redaction.key_from_secret(secret_key(Settings()))
    except InsecureConfiguration:
        click.echo(
            "note: no INKUBATORS_SECRET_KEY: pseudonyms hold within this export only", err=True
        )
        return None
