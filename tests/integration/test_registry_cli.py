"""``inkubators registry`` through click's CliRunner on PostgreSQL and SQLite (``DATABASE_URL``):
the demo's sample reproduces the article, a bad file exits 1 with one line per problem and
writes nothing, a re-import says what changed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from inkubators.cli import main

HEADER = "regcode;name;type;type_text;registered;terminated;closed;address"


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)


def test_demo_stats_import_and_refusal_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    demo = _run(db_url, "demo")
    assert demo.exit_code == 0, demo.output
    assert (
        "Liepāja at the end of 2022: 1,174 associations, 478 real-estate management (41 %), "
        "696 other" in demo.stdout
    )
    stats = _run(db_url, "registry", "stats", "--city", "Liepāja", "--year", "2022")
    assert stats.exit_code == 0, stats.output
    assert stats.stdout.splitlines()[:4] == [
        "Liepāja, standing at the end of 2022:",
        "  associations: 1,174",
        "    real-estate management: 478 (41 %)",
        "    other: 696 (59 %)",
    ]
    as_json = _run(db_url, "registry", "stats", "--city", "Liepāja", "--year", "2022", "--json")
    figures = json.loads(as_json.stdout)
    assert (figures["associations"], figures["real_estate_management"], figures["other"]) == (
        1174,
        478,
        696,
    )
    assert set(figures) == {
        "city",
        "year",
        "associations",
        "real_estate_management",
        "other",
        "real_estate_share",
        "foundations",
        "eligible",
    }

    bad = tmp_path / "register.csv"
    bad.write_text(
        f"{HEADER}\n4000800000;A;BDR;;2020-01-01;;;Liepāja\n40008000002;B;BDR;;2020-31-01;;;Liepāja\n",
        encoding="utf-8",
    )
    refused = _run(db_url, "registry", "import", str(bad))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "register.csv: not imported, nothing was written",
        "line 2, column regcode: must be 11 digits, got '4000800000' (10 characters)",
        "line 3, column registered: not a date: '2020-31-01' (expected YYYY-MM-DD)",
    ]
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\r\n40008000001;A;BDR;;2020-01-01;;;Liepāja\r\n", encoding="utf-8")
    first = _run(db_url, "registry", "import", str(good))
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("imported 1 rows from good.csv: 1 new, 0 changed, 0 unchanged")
    again = _run(db_url, "registry", "import", str(good))
    assert "0 new, 0 changed, 1 unchanged" in again.stdout
    listed = _run(db_url, "registry", "imports").stdout.splitlines()
    assert len(listed) == 3  # the demo's sample and the two imports; the refusal left none
    assert "command line (operator)\tgood.csv" in listed[0]
