"""``inkubators case export``: the demo's case list sorted and filtered as on the page, to
CSV and xlsx, through the same read model."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.integration.test_cli import Cli


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    path = tmp_path_factory.mktemp("cli-lists") / "demo.sqlite3"
    run = Cli(f"sqlite:///{path}")
    assert run("init").exit_code == 0
    assert run("demo").exit_code == 0
    return run


def test_export_csv_in_latvian_order_to_standard_output(cli: Cli) -> None:
    result = cli("case", "export", "--cycle", "1", "-o", "-")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    names = [r[1] for r in rows[1:]]
    assert len(names) == 11
    assert names.index("kultūrBĀKA") == names.index("Keep The Change") + 1
    backwards = cli("case", "export", "--cycle", "1", "--desc", "-o", "-")
    assert [r[1] for r in list(csv.reader(io.StringIO(backwards.stdout)))[1:]] == names[::-1]


def test_export_xlsx_filtered_by_mentor(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "cases.xlsx"
    result = cli(
        "case", "export", "--mentor", "janis", "--sort", "since", "--format", "xlsx",
        "--lang", "en", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][6] == "Mentor"
    assert len(values) > 1
    assert {r[6] for r in values[1:]} == {"janis"}
    assert all(isinstance(r[5], datetime) for r in values[1:])


def test_a_bad_sort_is_a_usage_error(cli: Cli) -> None:
    result = cli("case", "export", "--sort", "colour", "-o", "-")
    assert result.exit_code == 2
    assert "--sort" in result.output
