"""``inkubators case export``: the case list sorted and filtered as on the list page, to
CSV or xlsx, through the same read model (:mod:`workflow.caselist`) and writers
(:mod:`workflow.caseexport`) as the UI."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from inkubators import cli
from inkubators.cli.cases import case
from inkubators.cli.common import ID, reports_errors
from inkubators.cli.reports import _write_whole
from workflow import caseexport, caselist
from workflow.actors import SYSTEM


@case.command("export")
@click.option("--cycle", "cycle_id", type=ID)
@click.option("--state")
@click.option("--overdue/--not-overdue", default=None)
@click.option("--sort", type=click.Choice(list(caselist.SORTS)), default="organisation")
@click.option("--desc", is_flag=True, help="sort the other way round")
@click.option("--mentor", help=f"a mentor's user name, or {caselist.NO_MENTOR} for none")
@click.option("--due-within", type=click.IntRange(0, caselist.MAX_DUE_DAYS), help="days")
@click.option("--due-before", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--lang", type=click.Choice(["lv", "en"]), default="lv", show_default=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="the file to write (- for standard output)",
)
@reports_errors
def case_export(
    cycle_id: int | None,
    state: str | None,
    overdue: bool | None,
    sort: str,
    desc: bool,
    mentor: str | None,
    due_within: int | None,
    due_before: datetime | None,
    fmt: str,
    lang: str,
    output: Path,
) -> None:
    """Write the case list (sorted, filtered; names in Latvian order) as CSV or xlsx."""
    query = caselist.CaseQuery(
        sort=sort,
        descending=desc,
        mentor=mentor,
        due_within=due_within,
        due_before=due_before.date() if due_before else None,
    )
    filters: dict[str, object] = {"cycle_id": cycle_id, "state": state, "overdue": overdue}
    rows, capped = caselist.all_rows(
        cli.runtime(), SYSTEM, query, **{k: v for k, v in filters.items() if v is not None}
    )
    if fmt == "csv":
        content = caseexport.csv_text(rows, lang).encode()
    else:
        content = caseexport.xlsx_bytes(rows, lang)
    if str(output) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        _write_whole(output, content)
        click.echo(f"{output}: {len(rows)} cases, {len(content):,} bytes", err=True)
    if capped:
        click.echo(f"note: the list is cut at {caselist.LIST_CAP} cases", err=True)
