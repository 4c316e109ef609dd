"""Verifying the case chains in parallel worker processes, one range of case ids each.

Chains are independent per case, so the case ids are cut into ranges of about equal
event counts (a case's version is its chain's length) and each range is walked by
:func:`workflow.chainwalk.walk` in a worker process with its own connection. The ranges
are merged in order, so the result is the one a single walk would give: the first bad
event by case and sequence, and ``checked`` counting the events up to it. Small logs
are walked in this process: starting workers costs more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from itertools import accumulate

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import NullPool

from workflow.chainwalk import Floors, Walk, walk
from workflow.db import make_engine, read

logger = logging.getLogger(__name__)

#: Below this many events (by the cases' versions) one process walks everything.
PARALLEL_FROM = 100_000
#: Ranges per worker: more ranges even out uneven chains and make progress finer.
RANGES_PER_WORKER = 8
FLOOR_TABLE = "inkubators_verify_floor"
#: Workers when the caller names none (None: one per CPU).
DEFAULT_WORKERS: int | None = None

#: Called with (events done, events in all) as ranges finish.
Progress = Callable[[int, int], None]
Range = tuple[int | None, int | None]


def plan(versions: list[tuple[int, int]], parts: int) -> list[tuple[Range, int]]:
    """Cut ascending (case id, version) pairs into up to ``parts`` ranges of about equal
    events; the first and last ranges are open so events of missing cases are walked too."""
    total = sum(v for _, v in versions)
    if parts <= 1 or not versions:
        return [((None, None), total)]
    cuts: list[tuple[Range, int]] = []
    lo: int | None = None
    start_events = 0
    ids = [c for c, _ in versions]
    sums = list(accumulate(v for _, v in versions))
    step = max(total // parts, 1)
    target = step
    for i, done in enumerate(sums[:-1]):
        if done >= target:
            cuts.append(((lo, ids[i + 1]), done - start_events))
            lo, start_events = ids[i + 1], done
            target = done + step
    cuts.append(((lo, None), total - start_events))
    return cuts


def _load_floors(conn: Connection, floors: Floors, rng: Range) -> None:
    lo, hi = rng
    rows = [
        {"c": c, "s": v}
        for c, (v, _) in floors.items()
        if v > 0 and (lo is None or c >= lo) and (hi is None or c < hi)
    ]
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {FLOOR_TABLE} "
        "(case_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)"
    )
    conn.exec_driver_sql(f"DELETE FROM {FLOOR_TABLE}")
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO {FLOOR_TABLE} (case_id, seq) VALUES (%(c)s, %(s)s)"
            if conn.dialect.name == "postgresql"
            else f"INSERT INTO {FLOOR_TABLE} (case_id, seq) VALUES (:c, :s)",
            rows,
        )


def walk_range(engine: Engine, rng: Range, floors: Floors | None) -> Walk:
    """Walk one range in its own read transaction (repeatable read on PostgreSQL, so the
    heads and the events are read from one snapshot)."""
    with read(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if floors is None:
            return walk(conn, *rng)
        _load_floors(conn, floors, rng)
        return walk(conn, *rng, floors=floors, floor_table=FLOOR_TABLE)


def _worker(url: str, rng: Range, floors: Floors | None) -> Walk:
    engine = make_engine(url, poolclass=NullPool)
    try:
        return walk_range(engine, rng, floors)
    finally:
        engine.dispose()


def merge(walks: list[Walk]) -> Walk:
    """The single walk's result from the ranges' walks, in range order."""
    out = Walk()
    for w in walks:
        out.checked += w.checked
        out.skipped += w.skipped
        if w.bad is not None:
            out.bad, out.problem_lv = w.bad, w.problem_lv
            return out
        out.empty.extend(w.empty)
        out.state_breach = out.state_breach or w.state_breach
        out.creation_breach = out.creation_breach or w.creation_breach
        out.continuity_breach = out.continuity_breach or w.continuity_breach
    return out


def run(
    engine: Engine,
    *,
    workers: int | None = None,
    floors: Floors | None = None,
    progress: Progress | None = None,
    alongside: Callable[[], object] | None = None,
) -> Walk:
    """Walk every chain, in ``workers`` processes (default: one per CPU). ``alongside``
    is called in a thread of this process while worker processes walk (the checks that
    do not need the walk's result, so they take no time of their own); when the walk
    runs in this process it is not called, and the caller runs it after."""
    with read(engine) as conn:
        versions = [
            (int(r[0]), int(r[1] or 0))
            for r in conn.exec_driver_sql("SELECT id, version FROM cases ORDER BY id")
        ]
    if floors:  # only the events after each checkpointed head are read
        versions = [(c, max(v - floors.get(c, (1, ""))[0] + 1, 1)) for c, v in versions]
    workers = workers or DEFAULT_WORKERS or os.cpu_count() or 1
    total = sum(v for _, v in versions)
    if total < PARALLEL_FROM:
        result = walk_range(engine, (None, None), floors)
        if progress:
            progress(total, total)
        return result
    ranges = plan(versions, workers * RANGES_PER_WORKER)
    if workers == 1:  # in this process, range by range, so progress can be shown
        walks = [partial(walk_range, engine, r, floors) for r, _ in ranges]
        return _in_order(walks, ranges, total, progress)
    url = engine.url.render_as_string(hide_password=False)
    logger.info("verifying %d events in %d ranges, %d workers", total, len(ranges), workers)
    context = _start_method()
    with ProcessPoolExecutor(workers, mp_context=context) as pool, ThreadPoolExecutor(1) as side:
        futures: list[Future[Walk]] = [pool.submit(_worker, url, r, floors) for r, _ in ranges]
        beside = side.submit(alongside) if alongside is not None else None
        try:
            walked = _in_order([f.result for f in futures], ranges, total, progress)
        finally:
            for f in futures:  # after a bad event, later ranges cannot change the verdict
                f.cancel()
        if beside is not None:
            beside.result()  # its errors are the caller's
        return walked


def _start_method() -> multiprocessing.context.BaseContext:
    """``fork`` where it is safe, in a process with no other thread (the command line):
    a worker then starts without importing anything, which at 200,000 events saved
    about a third of verify's client CPU. ``spawn`` elsewhere (a threaded web worker,
    where a fork could inherit a lock another thread holds). The pool forks its workers
    before the thread that runs ``alongside`` starts."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _in_order(
    results: Sequence[Callable[[], Walk]],
    ranges: list[tuple[Range, int]],
    total: int,
    progress: Progress | None,
) -> Walk:
    """Take the ranges' walks in range order, stopping at the first with a bad event."""
    walks: list[Walk] = []
    done = 0
    for result, (_, size) in zip(results, ranges, strict=True):
        walks.append(result())
        done += size
        if progress:
            progress(min(done, total), total)
        if walks[-1].bad is not None:
            break
    return merge(walks)
