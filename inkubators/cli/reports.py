"""``inkubators report cycle``: the council report of a cycle as a PDF, xlsx, HTML or CSV
file, from the same read model and renderer as the web page and the API."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import click

from inkubators import cli
from inkubators.cli import main
from inkubators.cli.common import ID, reports_errors
from web.councilreport import FORMATS, LANGS, LISTS, render
from workflow.councilreport import council_report


@main.group("report")
def report_group() -> None:
    """Reports for the council."""


@report_group.command("cycle")
@click.argument("cycle_id", type=ID)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="the day the figures stand at (YYYY-MM-DD; default today)",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("--lang", type=click.Choice(LANGS), default="lv", show_default=True)
@click.option(
    "--list",
    "csv_list",
    type=click.Choice(LISTS),
    default="organisations",
    show_default=True,
    help="which list a CSV file holds",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="the file to write (- for standard output)",
)
@reports_errors
def report_cycle(
    cycle_id: int, as_of: datetime | None, fmt: str, lang: str, csv_list: str, output: Path
) -> None:
    """Write the council report of cycle CYCLE_ID as of a day: the headline figures, the
    funnel through the states, funds by source and domain, mentor hours against the
    budget and a line per organisation."""
    rt = cli.runtime()
    day: date | None = as_of.date() if as_of else None
    report = council_report(rt, None, cycle_id, day)
    out = render(report, rt.rules, fmt, lang, csv_list)  # type: ignore[arg-type]  # click checked the choices
    if str(output) == "-":
        sys.stdout.buffer.write(out.content)
        sys.stdout.buffer.flush()
        return
    _write_whole(output, out.content)
    click.echo(f"{output}: {out.media}, {len(out.content):,} bytes", err=True)


def _write_whole(path: Path, content: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
