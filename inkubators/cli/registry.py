"""``inkubators registry``: import the Register of Enterprises' extract and read the city's
NGO statistics from it (the same services as the upload form and the API)."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

import click

from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import reports_errors
from workflow.errors import RegisterFileInvalid
from workflow.registerimport import import_register
from workflow.registerstats import FIRST_YEAR, LAST_YEAR, SectorStats, recent_imports, sector_stats


@main.group()
def registry() -> None:
    """The register of organisations: import an extract, sector statistics."""


@registry.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def registry_import(file: Path) -> None:
    """Import FILE (the register's ``register.csv``, as the policy's ``registry:`` section
    describes it): all rows or, if any row is bad, none; each problem on its own line."""
    rt = cli.runtime()
    # the bar only on a terminal: in a log or a pipe it would be a stray line
    shown = sys.stderr.isatty()
    bar = click.progressbar(length=file.stat().st_size, label="importing", file=sys.stderr)
    with file.open("rb") as stream, bar if shown else nullcontext(bar):
        try:
            result = import_register(
                rt, None, stream, file.name, progress=bar.update if shown else None
            )
        except RegisterFileInvalid as exc:
            if shown:
                bar.render_finish()
            click.echo(f"{file.name}: not imported, nothing was written", err=True)
            for e in exc.errors:
                click.echo(f"line {e.row}, column {e.column}: {e.message}", err=True)
            if exc.total > len(exc.errors):
                click.echo(f"… and {exc.total - len(exc.errors)} more problems", err=True)
            sys.exit(1)
    click.echo(
        f"imported {result.rows} rows from {file.name}: {result.new} new, "
        f"{result.changed} changed, {result.unchanged} unchanged (import {result.import_id})"
    )


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


def stats_lines(s: SectorStats) -> list[str]:
    """The figures as the command prints them."""
    where = s.city or "all cities"
    return [
        f"{where}, standing at the end of {s.year}:",
        f"  associations: {s.associations:,}",
        f"    real-estate management: {s.real_estate_management:,}"
        f" ({_percent(s.real_estate_management, s.associations)})",
        f"    other: {s.other:,} ({_percent(s.other, s.associations)})",
        f"  foundations: {s.foundations:,}",
        f"  eligible for the programme (policy in force): {s.eligible:,}",
    ]


@registry.command("stats")
@click.option("--city", default=None, help="the address's first part, exactly (e.g. Liepāja)")
@click.option("--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), default=None)
@click.option("--json", "as_json", is_flag=True, help="print the figures as JSON")
@reports_errors
def registry_stats(city: str | None, year: int | None, as_json: bool) -> None:
    """The associations (real-estate management and other) and foundations of a city
    standing at the end of YEAR (default: this year), and how many are eligible."""
    rt = cli.runtime()
    s = sector_stats(rt, city, year or rt.today().year)
    if as_json:
        click.echo(json.dumps(asdict(s), ensure_ascii=False))
        return
    for line in stats_lines(s):
        click.echo(line)


@registry.command("imports")
@reports_errors
def registry_imports() -> None:
    """The imports so far, newest first: when, who, file, its SHA-256 and the counts."""
    rt = cli.runtime()
    for i in recent_imports(rt, limit=100):
        click.echo(
            f"{i.id}\t{i.at:%Y-%m-%d %H:%M}Z\t{i.actor} ({i.role})\t{i.file_name}\t"
            f"{i.rows} rows: {i.new} new, {i.changed} changed, {i.unchanged} unchanged\t"
            f"sha256 {i.sha256}"
        )
