"""Backups of a SQLite database while two writer processes work it: online backup vs. file copy.

    .venv/bin/python benchmarks/backup.py [--rounds 40] [--seconds-between 0.05]

Two processes record consultations (one event each) and, every tenth, add a user (one
account event) as fast as they can. Meanwhile the script takes ``--rounds`` backups with
``workflow.backup.backup`` (SQLite's online backup API, the checkpoint beside it) and as
many plain copies of the database file (``shutil.copy``, what ``cp`` in a cron job does).
Each copy is opened read-only and checked: ``PRAGMA integrity_check``, both hash chains,
and for the online backups the checkpoint written beside it; and whether it holds every
event the live database had committed just before the copy began (a copy of the main
file alone misses what is still in the WAL). Prints, per method, how many copies passed
and were complete, the median and worst time per copy, and the writers' rate.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package: keep this folder off
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workflow import (  # noqa: E402
    accountlog,
    accounts,
    auditlog,
    backup,
    checkpointing,
    enrolment,
    recording,
    registry,
)
from workflow.actors import Actor  # noqa: E402
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.evidence.consultations import ConsultationIn  # noqa: E402
from workflow.orm import AuditEvent  # noqa: E402
from workflow.rules import load_rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402
from workflow.schemas import CycleIn, OrganisationIn, UserIn  # noqa: E402

COORDINATOR = Actor("ilze", "coordinator", None)


def runtime(url: str) -> Runtime:
    rules = load_rules(ROOT / "states", ROOT / "policies")
    return Runtime(engine=make_engine(url), rules_source=FixedRules(rules))


def prepare(url: str) -> list[int]:
    upgrade(url)
    rt = runtime(url)
    cycle = registry.create_cycle(
        rt,
        COORDINATOR,
        CycleIn(name="Bench", starts_on=date(2023, 3, 1), ends_on=date(2023, 12, 31)),
    ).id
    cases = []
    for n in (1, 2):
        org = registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(name=f"Biedrība {n}", reg_no=f"4000900000{n}", legal_form="association"),
        ).id
        cases.append(enrolment.enrol(rt, COORDINATOR, org, cycle))
    rt.engine.dispose()
    return cases


def writer(url: str, slot: int, case_id: int, stop: Any, count: Any) -> None:
    rt = runtime(url)
    n = 0
    while not stop.is_set():
        recording.record(
            rt,
            COORDINATOR,
            case_id,
            ConsultationIn(mentor="anna", held_on=rt.today(), hours=Decimal("1"), topic=f"T{n}"),
        )
        if n % 10 == 0:
            accounts.add_user(rt, UserIn(name=f"w{slot}u{n}", role="mentor"))
        n += 1
        with count.get_lock():
            count.value += 1
    rt.engine.dispose()


def events_in(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    finally:
        engine.dispose()


def check(path: Path, result: backup.BackupResult | None, committed: int) -> tuple[bool, bool]:
    """(integrity_check, both chains and a backup's checkpoint pass on the copy; the copy
    holds at least the ``committed`` events the live database had before copying)."""
    uri = f"file:{path}?mode=ro&immutable=1"
    try:
        with sqlite3.connect(uri, uri=True) as raw:
            if raw.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                return False, False
        engine = create_engine(f"sqlite:///{uri}&uri=true", poolclass=NullPool)
        try:
            with checkpointing.snapshot(engine) as conn:
                ok = auditlog.verify_on(conn).ok and accountlog.verify_on(conn).ok
                if result is not None and result.checkpoint is not None:
                    ok = ok and checkpointing.compare(conn, result.checkpoint).ok
                held = conn.scalar(select(func.count()).select_from(AuditEvent)) or 0
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - a copy too broken to read fails the check
        return False, False
    return ok, held >= committed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seconds-between", type=float, default=0.05)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "live.sqlite3"
        url = f"sqlite:///{db}"
        cases = prepare(url)
        ctx = mp.get_context("spawn")
        stop, count = ctx.Event(), ctx.Value("i", 0)
        procs = [
            ctx.Process(target=writer, args=(url, i, c, stop, count)) for i, c in enumerate(cases)
        ]
        for p in procs:
            p.start()
        rt = runtime(url)
        results: dict[str, list[tuple[bool, bool, float]]] = {"backup command": [], "file copy": []}
        time.sleep(1.0)  # the writers are up
        started, written_before = time.perf_counter(), count.value
        for i in range(args.rounds):
            dest = Path(tmp) / f"b{i}.sqlite3"
            committed, t = events_in(url), time.perf_counter()
            made = backup.backup(rt, dest, None)
            took = time.perf_counter() - t
            results["backup command"].append((*check(dest, made, committed), took))
            time.sleep(args.seconds_between)
            copy = Path(tmp) / f"c{i}.sqlite3"
            committed, t = events_in(url), time.perf_counter()
            shutil.copy(db, copy)
            took = time.perf_counter() - t
            results["file copy"].append((*check(copy, None, committed), took))
            time.sleep(args.seconds_between)
        elapsed, written = time.perf_counter() - started, count.value - written_before
        stop.set()
        for p in procs:
            p.join()
        if any(p.exitcode for p in procs) or not written:
            raise SystemExit("a writer failed (its traceback is above): no figures")
        with rt.engine.connect() as conn:
            events = conn.scalar(select(func.count()).select_from(AuditEvent))
        rt.engine.dispose()
    print(
        f"SQLite, 2 writer processes: {written / elapsed:,.0f} writes/s during the run; {events:,} events at the end"
    )
    print("(backup command: online copy + integrity_check + both chains + checkpoint;")
    print(" complete: the copy holds every event committed before copying began)")
    print(
        f"{'method':<14} {'copies':>6} {'pass':>5} {'complete':>8} {'median ms':>10} {'worst ms':>9}"
    )
    for method, rows in results.items():
        times = [t * 1000 for _, _, t in rows]
        passed, complete = sum(r[0] for r in rows), sum(r[1] for r in rows)
        print(
            f"{method:<14} {len(rows):>6} {passed:>5} {complete:>8} "
            f"{statistics.median(times):>10.1f} {max(times):>9.1f}"
        )


if __name__ == "__main__":
    main()
