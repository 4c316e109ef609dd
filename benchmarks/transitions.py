"""Transitions per second: the engine's service layer beside the minimal raw transaction.

Run: ``.venv/bin/python benchmarks/transitions.py [--n N]``.

Why: a transition is the engine's hot path, and the database sets a floor under it. This
script measures how close ``workflow.advance.fire`` comes to the smallest transaction
that could do the same job with the bare driver (``sqlite3``, ``psycopg``): one SELECT of
the case and the evidence its guard needs, one ``UPDATE … WHERE id=? AND version=?``,
one INSERT of the hash-chained audit event, COMMIT. Both variants work on identically
prepared cases (a needs analysis and two consultations recorded) and fire the same two
triggers on each (``analyse`` then ``consult``), alternating in rounds so that neither
profits from a warmer cache or a shorter WAL. Both variants' chains are verified after.

Measured: SQLite (WAL, ``synchronous=FULL``, as ``workflow/db.py`` sets it) with one
client; PostgreSQL with 1 client and with 8 client processes (each works its own cases);
the Python memory per loaded case (tracemalloc); and that no ``transitions`` Machine is
built per case. PostgreSQL is skipped, with a note, when unreachable. The last line is
``ratios engine/raw: sqlite=R pg1=R pg8=R`` (``-`` for a skipped database).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import multiprocessing as mp
import os
import sqlite3
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is called transitions.py: keep its folder off the path, or it would shadow
# the ``transitions`` package the engine imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workflow import advance, chain  # noqa: E402
from workflow.actors import Actor  # noqa: E402
from workflow.auditlog import verify  # noqa: E402
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.factloader import load_facts  # noqa: E402
from workflow.orm import Consultation, Cycle, NeedsAnalysis, Organisation  # noqa: E402
from workflow.rules import Rules, load_rules  # noqa: E402
from workflow.rulestore import WatchedRules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402

logger = logging.getLogger(__name__)

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACTOR = Actor("bench", "coordinator", None)
TRIGGERS = ("analyse", "consult")
ROUNDS = 8
PG_CLIENTS = 8
T0 = datetime(2023, 3, 1, 10, tzinfo=UTC)


# --- preparing cases ---------------------------------------------------------------------


def prepare(engine: Engine, rules: Rules, n_cases: int, tag: str) -> list[int]:
    """Enrol ``n_cases`` cases with a needs analysis and two consultations, chains valid.

    Written in bulk (not through the services, which would take minutes at large N),
    but event by event with the engine's own hashing, so ``audit verify`` passes.
    """
    ph, sh = rules.policy_hash, rules.states_hash
    cases = chain.cases
    with engine.begin() as conn:
        cycle_id = conn.execute(
            insert(Cycle).returning(Cycle.id),
            {
                "name": f"Benchmark {tag}",
                "starts_on": date(2023, 3, 1),
                "ends_on": date(2023, 12, 31),
                "budget_eur": Decimal("10000"),
                "capacity": n_cases,
                "created_at": T0,
            },
        ).scalar_one()
        org_ids = list(
            conn.scalars(
                insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
                [
                    {
                        "name": f"Biedrība {tag} {i}",
                        "reg_no": f"{tag[:4]}{i:07d}",
                        "legal_form": "association",
                        "fields": ["social"],
                        "created_at": T0,
                    }
                    for i in range(n_cases)
                ],
            )
        )
        case_ids = list(
            conn.scalars(
                insert(cases).returning(cases.c.id, sort_by_parameter_order=True),
                [
                    {
                        "organisation_id": oid,
                        "cycle_id": cycle_id,
                        "state": "enrolled",
                        "version": 0,
                        "head_hash": "",
                        "state_since": T0,
                        "enrolled_at": T0,
                    }
                    for oid in org_ids
                ],
            )
        )
        analyses, consultations, evs, heads = [], [], [], []
        for cid in case_ids:
            analyses.append(
                {
                    "case_id": cid,
                    "findings": "Valde strādā brīvprātīgi; trūkst finanšu plānošanas.",
                    "need_areas": ["finance", "fundraising"],
                    "recorded_on": date(2023, 3, 2),
                    "recorded_by": ACTOR.name,
                }
            )
            for day in (6, 13):
                consultations.append(
                    {
                        "case_id": cid,
                        "mentor": "Jānis",
                        "held_on": date(2023, 3, day),
                        "hours": Decimal("1.5"),
                        "topic": "Finanšu plānošana",
                        "recorded_by": ACTOR.name,
                    }
                )
            prev: str | None = None
            steps = [("enrol", "enrol"), ("evidence", "record_analysis")]
            steps += [("evidence", "record_consultations")] * 2
            for seq, (kind, trig) in enumerate(steps, start=1):
                ev = {
                    "case_id": cid,
                    "seq": seq,
                    "kind": kind,
                    "trigger": trig,
                    "from_state": None if seq == 1 else "enrolled",
                    "to_state": "enrolled",
                    "actor": ACTOR.name,
                    "role": ACTOR.role,
                    "at": T0 + timedelta(minutes=seq),
                    "comment": "",
                    "guards": [],
                    "payload": {},
                    "policy_hash": ph,
                    "states_hash": sh,
                    "prev_hash": prev,
                }
                ev["hash"] = prev = chain.event_hash(ev)
                evs.append(ev)
            heads.append({"b_id": cid, "b_version": 0, "b_seq": len(steps), "b_hash": prev})
        conn.execute(insert(NeedsAnalysis), analyses)
        conn.execute(insert(Consultation), consultations)
        conn.execute(chain.INSERT_EVENT, evs)
        conn.execute(chain.EXTEND_HEAD, heads)
    return case_ids


# --- the raw transaction -----------------------------------------------------------------

RAW_SELECT = {
    "analyse": (
        "SELECT c.state, c.version, c.head_hash, na.findings, na.need_areas FROM cases c "
        "LEFT JOIN needs_analyses na ON na.id = "
        "(SELECT max(id) FROM needs_analyses WHERE case_id = c.id) WHERE c.id = {p}"
    ),
    "consult": (
        "SELECT c.state, c.version, c.head_hash, count(co.id), coalesce(sum(co.hours), 0) "
        "FROM cases c LEFT JOIN consultations co ON co.case_id = c.id WHERE c.id = {p} "
        "GROUP BY c.state, c.version, c.head_hash"
    ),
}
RAW_UPDATE = (
    "UPDATE cases SET state = {p}, version = {p}, head_hash = {p}, state_since = {p} "
    "WHERE id = {p} AND version = {p}"
)
RAW_INSERT = (
    "INSERT INTO audit_events (case_id, seq, kind, trigger, from_state, to_state, actor, "
    "role, at, comment, guards, payload, policy_hash, states_hash, prev_hash, hash) "
    "VALUES ({ps})"
).replace("{ps}", ", ".join(["{p}"] * 16))
RAW_SOURCE = {"analyse": "enrolled", "consult": "analysed"}
RAW_DEST = {"analyse": "analysed", "consult": "consulted"}


def raw_guard(trigger: str, a: Any, b: Any) -> tuple[str, bool, str]:
    """The same decision the engine's guard takes, written out by hand."""
    if trigger == "analyse":
        areas = json.loads(b) if isinstance(b, str) else (b or [])
        ok = bool(a and a.strip() and areas)
        return "needs_analysis_recorded", ok, f"needs analysis recorded ({', '.join(areas)})"
    ok = int(a) >= 1 and Decimal(b) >= 2
    message = f"needs at least 1 consultations and 2 mentor hours; has {a} and {b}"
    return "enough_consultations", ok, message


@dataclass
class RawFirer:
    """One driver connection and the statements in its paramstyle."""

    conn: Any
    begin: str | None
    select: dict[str, str]
    update: str
    insert: str
    sqlite: bool
    policy_hash: str
    states_hash: str

    def fire(self, case_id: int, trigger: str) -> None:
        """One transition: SELECT, guard, hash, conditional UPDATE, INSERT, COMMIT."""
        conn = self.conn
        cur = conn.cursor()
        if self.begin:
            cur.execute(self.begin)
        try:
            cur.execute(self.select[trigger], (case_id,))
            state, version, prev, a, b = cur.fetchone()
            if state != RAW_SOURCE[trigger]:
                raise RuntimeError(f"case {case_id} is {state}, cannot {trigger}")
            guard, ok, message = raw_guard(trigger, a, b)
            if not ok:
                raise RuntimeError(f"guard failed on case {case_id}")
            at = datetime.now(UTC)
            at_text = at.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
            guards = [{"guard": guard, "passed": True, "message": message}]
            seq, dest = version + 1, RAW_DEST[trigger]
            body = {
                "case_id": case_id,
                "seq": seq,
                "kind": "transition",
                "trigger": trigger,
                "from_state": state,
                "to_state": dest,
                "actor": ACTOR.name,
                "role": ACTOR.role,
                "at": at_text,
                "comment": "",
                "guards": guards,
                "payload": {},
                "policy_hash": self.policy_hash,
                "states_hash": self.states_hash,
                "prev_hash": prev,
            }
            canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256(canon.encode()).hexdigest()
            at_db: Any = at.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else at
            cur.execute(self.update, (dest, seq, digest, at_db, case_id, version))
            if cur.rowcount != 1:
                raise RuntimeError(f"case {case_id} changed under us")
            cur.execute(
                self.insert,
                (case_id, seq, "transition", trigger, state, dest, ACTOR.name, ACTOR.role, at_db)
                + ("", json.dumps(guards), "{}", self.policy_hash, self.states_hash, prev, digest),
            )
            conn.commit() if not self.sqlite else cur.execute("COMMIT")
        except BaseException:
            conn.rollback() if not self.sqlite else cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()


def raw_sqlite(path: str, rules: Rules) -> RawFirer:
    """sqlite3 with the pragmas of ``workflow/db.py``; we issue BEGIN IMMEDIATE ourselves."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    return RawFirer(
        conn,
        "BEGIN IMMEDIATE",
        {k: v.format(p="?") for k, v in RAW_SELECT.items()},
        RAW_UPDATE.format(p="?"),
        RAW_INSERT.format(p="?"),
        True,
        rules.policy_hash,
        rules.states_hash,
    )


def raw_pg(url: str, rules: Rules) -> RawFirer:
    """psycopg on its own connection (a transaction opens implicitly; commit ends it)."""
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(conninfo)
    return RawFirer(
        conn,
        None,
        {k: v.format(p="%s") for k, v in RAW_SELECT.items()},
        RAW_UPDATE.format(p="%s"),
        RAW_INSERT.format(p="%s"),
        False,
        rules.policy_hash,
        rules.states_hash,
    )


# --- running both variants ------------------------------------------------------------


def service_runtime(engine: Engine) -> Runtime:
    """The runtime as the app and the CLI build it: rules from the watched files, so each
    call pays the production price of checking them (a few ``os.stat``).
    """
    return Runtime(engine, WatchedRules(ROOT / "states", ROOT / "policies", engine))


def engine_firer(rt: Runtime) -> Callable[[int, str], Any]:
    """The service layer, exactly as the CLI and the web app call it."""

    def fire(case_id: int, trigger: str) -> Any:
        return advance.fire(rt, ACTOR, case_id, trigger)

    return fire


def drive(fire: Callable[[int, str], Any], case_ids: Sequence[int]) -> float:
    """Fire every trigger on every case (one case at a time); return seconds taken."""
    start = time.perf_counter()
    for cid in case_ids:
        for trig in TRIGGERS:
            fire(cid, trig)
    return time.perf_counter() - start


def chunks(ids: Sequence[int], n: int) -> list[Sequence[int]]:
    """``ids`` cut into ``n`` nearly equal consecutive parts."""
    size, extra = divmod(len(ids), n)
    out, i = [], 0
    for k in range(n):
        j = i + size + (1 if k < extra else 0)
        out.append(ids[i:j])
        i = j
    return out


def alternate(
    engine_fire: Callable[[int, str], Any],
    raw_fire: Callable[[int, str], Any],
    engine_ids: Sequence[int],
    raw_ids: Sequence[int],
) -> tuple[float, float]:
    """Alternate the two variants over ROUNDS rounds; total seconds of each."""
    t_engine = t_raw = 0.0
    for e_part, r_part in zip(chunks(engine_ids, ROUNDS), chunks(raw_ids, ROUNDS), strict=True):
        t_raw += drive(raw_fire, r_part)
        t_engine += drive(engine_fire, e_part)
    return t_engine, t_raw


@dataclass
class Result:
    """Transitions per second of both variants on one setup."""

    label: str
    engine_tps: float
    raw_tps: float

    @property
    def ratio(self) -> float:
        """Engine throughput as a share of the raw transaction's."""
        return self.engine_tps / self.raw_tps

    def line(self) -> str:
        """One printed row."""
        return (
            f"{self.label:<22} engine {self.engine_tps:>8,.0f}/s   raw {self.raw_tps:>8,.0f}/s"
            f"   engine/raw {self.ratio:.2f}"
        )


def load_bench_rules() -> Rules:
    """The repository's declared states and policy, compiled once."""
    return load_rules(ROOT / "states", ROOT / "policies")


def check_chains(url: str, rules: Rules) -> None:
    """Both variants must have produced chains the auditor accepts."""
    engine = make_engine(url)
    try:
        result = verify(Runtime(engine, FixedRules(rules)))
    finally:
        engine.dispose()
    if not result.ok:
        raise SystemExit(f"audit verify failed after the benchmark: {result.first_bad}")


def warm(fire: Callable[[int, str], Any], ids: Sequence[int]) -> None:
    """Run a few transitions first, so caches and prepared statements are in place."""
    drive(fire, ids)


def bench_sqlite(n: int, rules: Rules) -> Result:
    """One client on a temp SQLite file."""
    with tempfile.TemporaryDirectory(prefix="ink-bench-") as tmp:
        path = os.path.join(tmp, "bench.sqlite3")
        url = f"sqlite:///{path}"
        upgrade(url)
        rt = service_runtime(make_engine(url))
        n_cases = max(n // len(TRIGGERS), ROUNDS)
        warm_n = min(20, n_cases)
        ids = prepare(rt.engine, rules, 2 * n_cases + 2 * warm_n, "sqlt")
        engine_ids, raw_ids = ids[:n_cases], ids[n_cases : 2 * n_cases]
        raw = raw_sqlite(path, rules)
        warm(engine_firer(rt), ids[2 * n_cases : 2 * n_cases + warm_n])
        warm(raw.fire, ids[2 * n_cases + warm_n :])
        t_engine, t_raw = alternate(engine_firer(rt), raw.fire, engine_ids, raw_ids)
        raw.conn.close()
        rt.engine.dispose()
        check_chains(url, rules)
    done = n_cases * len(TRIGGERS)
    return Result("SQLite, 1 client", done / t_engine, done / t_raw)


# --- PostgreSQL ------------------------------------------------------------------------


def pg_server_url() -> str | None:
    """The server URL, or None (with the reason printed) when it is unreachable."""
    url = os.environ.get("TEST_POSTGRES_URL", PG_DEFAULT)
    try:
        eng = create_engine(url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        print(f"PostgreSQL unreachable at {url}: skipped ({type(exc).__name__})")
        return None
    return url


@contextmanager
def pg_database(server_url: str) -> Iterator[str]:
    """A database of our own, created for this run and dropped after it."""
    name = f"ink_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_client(
    url: str,
    rounds: list[tuple[list[int], list[int]]],
    warm_ids: tuple[list[int], list[int]],
    barrier: Any,
    out: Any,
) -> None:
    """One client process: both variants on its own cases, in rounds synchronised with the
    other clients (all raw, then all engine, then all raw again, …).
    """
    rules = load_bench_rules()
    rt = service_runtime(make_engine(url))
    raw = raw_pg(url, rules)
    firers = {"raw": raw.fire, "engine": engine_firer(rt)}
    warm(firers["engine"], warm_ids[0])
    warm(firers["raw"], warm_ids[1])
    for r, (engine_ids, raw_ids) in enumerate(rounds):
        for variant, ids in (("raw", raw_ids), ("engine", engine_ids)):
            barrier.wait()
            start = time.perf_counter()
            drive(firers[variant], ids)
            out.put((r, variant, start, time.perf_counter()))
    raw.conn.close()
    rt.engine.dispose()


def run_clients(
    url: str,
    engine_ids: Sequence[int],
    raw_ids: Sequence[int],
    warm_ids: Sequence[int],
    clients: int,
) -> tuple[float, float]:
    """Seconds each variant took with ``clients`` processes, summed over ROUNDS rounds.

    A round of a variant lasts from its first client's start to its last client's end;
    ``perf_counter`` is the system-wide monotonic clock on Linux, so readings compare.
    """
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(clients), ctx.Queue()
    e_parts, r_parts = chunks(engine_ids, clients), chunks(raw_ids, clients)
    w_parts = chunks(warm_ids, 2 * clients)
    procs = []
    for k in range(clients):
        rounds = list(
            zip(
                [list(p) for p in chunks(e_parts[k], ROUNDS)],
                [list(p) for p in chunks(r_parts[k], ROUNDS)],
                strict=True,
            )
        )
        warm_k = (list(w_parts[2 * k]), list(w_parts[2 * k + 1]))
        procs.append(ctx.Process(target=pg_client, args=(url, rounds, warm_k, barrier, out)))
    for p in procs:
        p.start()
    spans: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for _ in range(clients * ROUNDS * 2):
        r, variant, start, end = out.get(timeout=600)
        spans.setdefault((r, variant), []).append((start, end))
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a benchmark client failed (exit code {p.exitcode})")
    totals = {"engine": 0.0, "raw": 0.0}
    for (_, variant), got in spans.items():
        totals[variant] += max(e for _, e in got) - min(s for s, _ in got)
    return totals["engine"], totals["raw"]


def bench_pg(server_url: str, n: int, clients: int, rules: Rules) -> Result:
    """``clients`` processes on a fresh PostgreSQL database, each on its own cases."""
    with pg_database(server_url) as url:
        n_cases = max(n // len(TRIGGERS), ROUNDS * clients)
        warm_n = 10
        engine = make_engine(url)
        ids = prepare(engine, rules, 2 * n_cases + 2 * warm_n * clients, f"pg{clients}")
        engine_ids, raw_ids = ids[:n_cases], ids[n_cases : 2 * n_cases]
        warm_ids = ids[2 * n_cases :]
        if clients == 1:
            rt = service_runtime(engine)
            raw = raw_pg(url, rules)
            warm(engine_firer(rt), warm_ids[:warm_n])
            warm(raw.fire, warm_ids[warm_n:])
            t_engine, t_raw = alternate(engine_firer(rt), raw.fire, engine_ids, raw_ids)
            raw.conn.close()
        else:
            t_engine, t_raw = run_clients(url, engine_ids, raw_ids, warm_ids, clients)
        engine.dispose()
        check_chains(url, rules)
    done = n_cases * len(TRIGGERS)
    return Result(
        f"PostgreSQL, {clients} client{'s' if clients > 1 else ''}", done / t_engine, done / t_raw
    )


# --- memory per loaded case ----------------------------------------------------------


def memory_per_case(rules: Rules, n_cases: int) -> tuple[float, float, int]:
    """Bytes of Python memory per case the engine holds during a fire (head + facts).

    Loads ``n_cases`` heads and the facts of the ``consult`` transition and keeps them
    alive, so tracemalloc sees what a case costs. Also returns how many ``transitions``
    Machines were built while firing: it must be 0 (one Machine per definition version),
    and any other count ends the run with SystemExit.
    """
    import transitions.core

    with tempfile.TemporaryDirectory(prefix="ink-mem-") as tmp:
        url = f"sqlite:///{os.path.join(tmp, 'mem.sqlite3')}"
        upgrade(url)
        rt = Runtime(make_engine(url), FixedRules(rules))
        ids = prepare(rt.engine, rules, n_cases + 50, "memo")
        ct = rules.lookup("consult", "analysed")
        assert ct is not None
        today = T0.date()
        with rt.engine.connect() as conn:
            for cid in ids[:50]:  # warm: statement caches, interned strings
                load_facts(conn, cid, ct.needs, today)
                chain.load_head(conn, cid)
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            heads = [chain.load_head(conn, cid) for cid in ids[50:]]
            after_heads = tracemalloc.get_traced_memory()[0]
            facts = [load_facts(conn, cid, ct.needs, today) for cid in ids[50:]]
            after_facts = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
        per_head = (after_heads - base) / len(heads)
        per_case = (after_facts - base) / len(heads)
        del heads, facts

        built = 0
        original = transitions.core.Machine.__init__

        def counting(self: Any, *args: Any, **kwargs: Any) -> None:
            nonlocal built
            built += 1
            original(self, *args, **kwargs)

        transitions.core.Machine.__init__ = counting  # type: ignore[method-assign]
        try:
            drive(engine_firer(rt), ids[:50])
        finally:
            transitions.core.Machine.__init__ = original  # type: ignore[method-assign]
        if built:
            raise SystemExit(
                f"{built} transitions Machine(s) built while firing on {len(ids[:50])} cases: "
                "must be 0 (one shared Machine per rules version)"
            )
        if len(rules.machine.models) != 1:
            raise SystemExit(f"the shared machine holds {len(rules.machine.models)} models")
        rt.engine.dispose()
    return per_head, per_case, built


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run every measurement, print the table and the ratios line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=2000, help="transitions per variant (default 2000)"
    )
    parser.add_argument("--mem-cases", type=int, default=5000, help="cases for the memory figure")
    parser.add_argument("--skip-pg", action="store_true", help="SQLite and memory only")
    args = parser.parse_args(argv)
    if args.n < 2 * ROUNDS * PG_CLIENTS:
        parser.error(f"--n must be at least {2 * ROUNDS * PG_CLIENTS}")
    logging.basicConfig(level=logging.WARNING)
    rules = load_bench_rules()
    print(f"{args.n} transitions per variant ({' + '.join(TRIGGERS)} on each case)")

    ratios: dict[str, str] = {"sqlite": "-", "pg1": "-", "pg8": "-"}
    res = bench_sqlite(args.n, rules)
    print(res.line(), flush=True)
    ratios["sqlite"] = f"{res.ratio:.2f}"
    server = None if args.skip_pg else pg_server_url()
    if server is not None:
        for clients, key in ((1, "pg1"), (PG_CLIENTS, "pg8")):
            res = bench_pg(server, args.n, clients, rules)
            print(res.line(), flush=True)
            ratios[key] = f"{res.ratio:.2f}"

    per_head, per_case, built = memory_per_case(rules, args.mem_cases)
    print(
        f"memory per loaded case: {per_case:,.0f} B (head {per_head:,.0f} B + facts for "
        f"'consult'), over {args.mem_cases} cases (tracemalloc)"
    )
    print(f"transitions Machines built while firing: {built} (one shared machine per rules)")
    print(f"ratios engine/raw: sqlite={ratios['sqlite']} pg1={ratios['pg1']} pg8={ratios['pg8']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
