"""Importing a register extract the size of the real one (about 450,000 rows).

    .venv/bin/python benchmarks/registry_import.py [--rows 450000] [--no-postgres] [--no-sqlite]

Generates a ``;``-separated UTF-8 file (BOM, CRLF) with the register's columns, then on a
fresh SQLite file and a fresh PostgreSQL database (``TEST_POSTGRES_URL``) times
``workflow.registerimport.import_register``: the first import (every row new), the same
file again (every row unchanged) and a file with 1 % of the rows changed; then the
sector statistics for one city. Prints rows per second and the process's peak memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package: keep this folder off
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.registerimport import import_register  # noqa: E402
from workflow.registerstats import sector_stats  # noqa: E402
from workflow.rules import load_rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HEADER = [
    "regcode",
    "sepa",
    "name",
    "regtype",
    "regtype_text",
    "type",
    "type_text",
    "registered",
    "terminated",
    "closed",
    "address",
    "index",
]
CITIES = ["Rīga"] * 12 + ["Liepāja"] * 2 + ["Daugavpils", "Jelgava", "Ventspils", "Liepājas novads"]
FORMS = [("SIA", "Sabiedrība ar ierobežotu atbildību")] * 7 + [
    ("IK", "Individuālais komersants"),
    ("BDR", "Biedrība"),
    ("NOD", "Nodibinājums"),
]


def write_extract(path: Path, rows: int, seed: int, changed_share: float = 0.0) -> None:
    """``rows`` synthetic organisations; ``changed_share`` of them renamed."""
    rng = random.Random(seed)
    change = random.Random(seed + 1)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        for n in range(rows):
            code, form = rng.choice(FORMS)
            city = rng.choice(CITIES)
            estate = code == "BDR" and rng.random() < 0.4
            name = f'{"DzĪB" if estate else form} "Paraugs; {n}"'
            if changed_share and change.random() < changed_share:
                name += " (jauns)"
            year = rng.randrange(1991, 2025)
            ended = rng.random() < 0.15
            w.writerow(
                [
                    f"{40000000000 + n:011d}",
                    "",
                    name,
                    "K",
                    "Komercreģistrs",
                    code,
                    form,
                    f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                    f"{min(year + 3, 2025)}-06-30" if ended else "",
                    "L" if ended else "",
                    f"{city}, Graudu iela {rng.randrange(1, 200)}, LV-{rng.randrange(1000, 5999)}",
                    "",
                ]
            )


def run(url: str, files: dict[str, Path], label: str) -> None:
    rules = load_rules(ROOT / "states", ROOT / "policies")
    rt = Runtime(make_engine(url), FixedRules(rules))
    try:
        for what, path in files.items():
            size = path.stat().st_size
            started = time.perf_counter()
            with path.open("rb") as f:
                r = import_register(rt, None, f, path.name)
            took = time.perf_counter() - started
            print(
                f"{label:10} {what:18} {r.rows:>8,} rows in {took:6.1f} s "
                f"({r.rows / took:>8,.0f} rows/s, {size / took / 1e6:5.1f} MB/s): "
                f"{r.new:,} new, {r.changed:,} changed, {r.unchanged:,} unchanged"
            )
        started = time.perf_counter()
        s = sector_stats(rt, "Liepāja", 2022)
        took = (time.perf_counter() - started) * 1000
        print(f"{label:10} {'stats Liepāja':18} {s.associations:>8,} associations in {took:.0f} ms")
    finally:
        rt.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Generate the files, time the imports, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=450_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "first import": folder / "register.csv",
            "same file again": folder / "register.csv",
        }
        started = time.perf_counter()
        write_extract(files["first import"], args.rows, args.seed)
        write_extract(folder / "changed.csv", args.rows, args.seed, changed_share=0.01)
        files["1 % changed"] = folder / "changed.csv"
        size = files["first import"].stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size:.1f} MB) twice in "
            f"{time.perf_counter() - started:.1f} s"
        )
        if not args.no_sqlite:
            db = folder / "bench.sqlite3"
            upgrade(f"sqlite:///{db}")
            run(f"sqlite:///{db}", files, "SQLite")
        if not args.no_postgres:
            server = os.environ.get("TEST_POSTGRES_URL", PG_DEFAULT)
            name = f"ink_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            try:
                upgrade(url)
                run(url, files, "PostgreSQL")
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
