"""How fast ``inkubators audit verify`` walks the chains, beside hand-written loops.

Run on a fixture built by ``benchmarks/scale.py`` (10,000 cases, 1,000,000 events):

    .venv/bin/python benchmarks/verify.py --url sqlite:////tmp/scale.db \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/inkubators_scale [--workers N]

Why: issue 10 asks for ≥ 200,000 events/s. For each database it prints events/s of
``workflow.auditlog.verify`` with 1 worker and with N (default: one per CPU), and of two
hand-written single-process loops over the raw driver with ``hashlib``, no project code:

* ``raw decode``: what a minimal correct verifier must do when the hashed bytes are not
  stored: read the columns, decode the JSON, re-encode it canonically, hash, compare;
* ``raw hash``: only read the same columns and hash their text (no checks at all): the
  floor one process cannot beat.

The ratios are verify's rate over each loop's. A result that is not OK is reported.
Beside wall time it prints the client's CPU seconds (this process and the workers; not
the database server's): on a busy machine the wall rate says little about what the
code costs, events per CPU-second do.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# this folder holds transitions.py, which must not shadow the transitions package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from workflow import auditlog, bindings, verifyrun  # noqa: E402
from workflow.bootstrap import build_runtime  # noqa: E402
from workflow.chainbytes import select_sql  # noqa: E402
from workflow.db import read  # noqa: E402
from workflow.settings import Settings  # noqa: E402

KEYS = (
    "case_id seq prev_hash hash actor at comment from_state guards kind payload "
    "policy_hash role states_hash to_state trigger"
).split()


def _raw_rows(engine: Engine) -> Iterator[tuple[Any, ...]]:
    """The event columns through the bare driver (server-side cursor on PostgreSQL)."""
    dialect = engine.dialect.name
    sql = select_sql(dialect)
    raw: Any = engine.raw_connection()
    try:
        cur = raw.cursor(name="bench") if dialect == "postgresql" else raw.cursor()
        if dialect == "postgresql":
            cur.itersize = 5000
        cur.execute(sql)
        while batch := cur.fetchmany(5000):
            yield from batch
        cur.close()
    finally:
        raw.close()


def raw_decode(engine: Engine) -> int:
    """A minimal verifier: decode, re-encode canonically, hash, compare, check links."""
    n = bad = 0
    prev: tuple[Any, ...] | None = None
    for r in _raw_rows(engine):
        n += 1
        body = dict(zip(KEYS, r[1:], strict=True))
        body["guards"] = json.loads(body["guards"])
        body["payload"] = json.loads(body["payload"])
        del body["hash"]
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if hashlib.sha256(text.encode()).hexdigest() != r[4]:
            bad += 1
        if prev is not None and prev[1] == r[1] and r[3] != prev[4]:
            bad += 1
        prev = r
    if bad:
        print(f"  raw decode: {bad} events did not match", file=sys.stderr)
    return n


def raw_hash(engine: Engine) -> int:
    """Read and hash every event's columns; check nothing (the floor)."""
    n = 0
    for r in _raw_rows(engine):
        n += 1
        hashlib.sha256("|".join(map(str, r)).encode()).hexdigest()
    return n


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (not the database server's)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], int]) -> tuple[int, float, float]:
    """(events, wall seconds, client CPU seconds) of one run."""
    t0, c0 = time.perf_counter(), _cpu()
    n = fn()
    return n, time.perf_counter() - t0, _cpu() - c0


def bindings_only(engine: Engine) -> int:
    """The checks verify runs once the chains hold (mentors, evidence), alone; counted
    as the events they stand for, so their rate compares with the walk's."""
    with read(engine) as conn:
        found = bindings.check(conn)
        events = int(conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar() or 0)
    if found.breach is not None:
        print(f"  bindings: {found.breach.text}", file=sys.stderr)
    return events


def verify_with(rt: Any, workers: int) -> Callable[[], int]:
    """``audit verify`` with ``workers`` processes, returning the events it checked."""

    def run() -> int:
        result = auditlog.verify(rt, workers=workers)
        if not result.ok:
            print(f"  verify: BROKEN {result.first_bad}", file=sys.stderr)
        return result.checked

    return run


def bench(url: str, workers: int) -> dict[str, float]:
    """events/s of each contender on one database."""
    rt = build_runtime(Settings(DATABASE_URL=url))  # type: ignore[call-arg]
    engine = rt.engine
    rates: dict[str, float] = {}
    for name, fn in (
        ("raw decode (1 process)", lambda: raw_decode(engine)),
        ("raw hash only (1 process)", lambda: raw_hash(engine)),
        ("chain walk only, 1 worker", lambda: verifyrun.run(engine, workers=1).checked),
        ("bindings after the walk", lambda: bindings_only(engine)),
        ("verify, 1 worker", verify_with(rt, 1)),
        (f"verify, {workers} workers", verify_with(rt, workers)),
    ):
        n, secs, cpu = timed(fn)
        rates[name] = n / secs
        print(
            f"  {name:<28} {n:>10,} events {secs:>7.2f} s {n / secs:>10,.0f} events/s"
            f"  client CPU {cpu:>6.2f} s = {n / cpu:>8,.0f} events per CPU-second"
        )
    engine.dispose()
    return rates


def main() -> None:
    """Run every contender on every database given and print the rates and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", help="database URL (repeatable)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    urls = args.url or [os.environ["DATABASE_URL"]]
    summary = []
    for url in urls:
        dialect = url.split(":", 1)[0].split("+", 1)[0]
        print(f"{dialect}: {url.rsplit('/', 1)[-1]} ({os.cpu_count()} CPUs)")
        r = bench(url, args.workers)
        one, many = r["verify, 1 worker"], r[f"verify, {args.workers} workers"]
        print(
            f"  ratios: verify 1 worker / raw decode = {one / r['raw decode (1 process)']:.2f}, "
            f"/ raw hash = {one / r['raw hash only (1 process)']:.2f}; "
            f"{args.workers} workers / raw decode = {many / r['raw decode (1 process)']:.2f}"
        )
        summary.append(f"{dialect}={many:,.0f}/s")
    print(f"verify events/s with {args.workers} workers: " + " ".join(summary))


if __name__ == "__main__":
    main()
