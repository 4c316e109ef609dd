"""The case list sorted, filtered and exported on a scale fixture: what sorting in Python
(workflow.caselist, names by the Latvian key) costs as the programme grows.

Run: ``.venv/bin/python -m benchmarks.lists [--cases 5000] [--events 150000]``

Builds the scale fixture (:mod:`benchmarks.scale`) in a temporary SQLite file, then times
(each the best of 5 runs) a coordinator's first page of the case list as before (by id,
keyset, 50 rows), the same page sorted by organisation in Latvian order and by next due
day (every matching case read, up to the 5,000 cap), filtered by one mentor, and the CSV
and xlsx exports of every case; and the Latvian key alone over every name. Prints one
line per figure; nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from benchmarks.scale import build, settings_for
from workflow import caseexport, caselist, views
from workflow.actors import Actor
from workflow.bootstrap import build_runtime
from workflow.caselist import CaseQuery
from workflow.collation import latvian_key
from workflow.orm import Organisation, User


def best(fn: Callable[[], object], runs: int = 5) -> float:
    """The fastest of ``runs`` calls, in milliseconds."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return min(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--events", type=int, default=150_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        build(url, args.cases, args.events)
        rt = build_runtime(settings_for(url))
        with rt.engine.connect() as conn:
            users = conn.execute(select(User.id, User.name, User.role)).all()
            names = list(conn.scalars(select(Organisation.name)))
        coordinator = next(Actor(n, r, i) for i, n, r in users if r == "coordinator")
        mentor = next(n for _i, n, r in users if r == "mentor")
        rows, capped = caselist.all_rows(rt, coordinator, CaseQuery())
        print(f"{args.cases:,} cases; the list reads {len(rows):,} (cut: {capped})")
        ms = best(lambda: views.list_cases(rt, coordinator, limit=50))
        print(f"first page by id (keyset, 50 rows): {ms:,.1f} ms")
        for sort in ("organisation", "due"):
            ms = best(lambda s=sort: caselist.page(rt, coordinator, CaseQuery(sort=s), 1, 50))  # type: ignore[misc]
            print(f"first page sorted by {sort} (every case read and sorted): {ms:,.0f} ms")
        ms = best(lambda: caselist.page(rt, coordinator, CaseQuery(mentor=mentor), 1, 50))
        print(f"first page of one mentor's cases: {ms:,.0f} ms")
        ms = best(lambda: caseexport.csv_text(rows, "lv"), runs=3)
        print(f"CSV of {len(rows):,} rows (writing only): {ms:,.0f} ms")
        ms = best(lambda: caseexport.xlsx_bytes(rows, "lv"), runs=3)
        print(f"xlsx of {len(rows):,} rows (writing only): {ms:,.0f} ms")
        ms = best(lambda: sorted(names, key=latvian_key))
        print(f"Latvian sort of {len(names):,} organisation names: {ms:,.1f} ms")
        rt.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
