"""What users feel: the API and the pages under load, each beside the bare driver's query.

Run: ``.venv/bin/python benchmarks/http.py [--cases N] [--events M] [--seconds S] [--clients 8]``
(needs the ``bench`` extra: ``bash scripts/setup-venv.sh test,bench``).

Why: the engine's own transaction is close to the database's floor (``transitions.py``),
but users call the API and open pages, through authentication, the web framework, the
read models and the templates. This script measures that whole path on a database of the
size a long-running programme reaches, and beside it the same queries (or the same
transaction) run directly with psycopg, so the ratio says how much the layers cost.

How: it builds or reuses the fixture of ``scale.py`` in a PostgreSQL database of its own
(``DATABASE_URL``, default ``inkubators_bench`` on the local server), issues API tokens
through the engine, starts ``inkubators serve`` (gunicorn, ``--workers`` processes) on a
free loopback port, and for each path runs locust headless (FastHttpUser, no wait, in a
child process) with ``--clients`` users for ``--seconds`` after a warm-up; then the raw
variant with as many processes, each on its own psycopg connection, for as long. The
server is stopped at the end, whatever happens. Only loopback traffic.

Paths: the API's case list (plain and filtered by state), case document and a case's
audit page; the UI's case list, case page, audit page and dashboard (logged in through
the form, with the session cookie); and last the transition endpoint, on fresh cases
ready for ``analyse`` then ``consult`` (the states file has no reversible step), added
to the database as needed (``scale.add_supply``). Reads are measured first, so the
fresh cases never change what they read.

The last line is ``ratios http/raw: transition=R cases=R case=R audit=R ui_case=R``
(throughput through HTTP over the raw throughput at the same concurrency).
"""

# ruff: noqa: E402  (the path is fixed before the first import of the standard library's http)
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is called http.py: keep its folder off the path before anything imports the
# standard library's ``http`` (urllib does), or this file would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/inkubators_bench"
FILTER_STATE = "submitted"
SAMPLE = 2000  # cases the per-case paths pick from (the same ones for http and raw)
TRIGGERS = ("analyse", "consult")
API_PATHS = ("cases", "cases_state", "case", "audit")
UI_PATHS = ("ui_cases", "ui_case", "ui_audit", "ui_dashboard")
PATHS = (*API_PATHS, *UI_PATHS, "transition")
LABELS = {
    "cases": "GET /api/v1/cases",
    "cases_state": f"GET /api/v1/cases?state={FILTER_STATE}",
    "case": "GET /api/v1/cases/{id}",
    "audit": "GET /api/v1/cases/{id}/audit",
    "ui_cases": "UI /cases/",
    "ui_case": "UI /cases/{id}",
    "ui_audit": "UI /audit/",
    "ui_dashboard": "UI / (dashboard)",
    "transition": "POST /api/v1/cases/{id}/transitions",
}


@dataclass
class Spec:
    """Everything a load child or a raw process needs to know about one path's run."""

    path: str
    clients: int
    seconds: float
    warmup: float
    host: str = ""
    conninfo: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    password: str = ""
    user: str = ""
    case_ids: list[int] = field(default_factory=list)
    supply: list[int] = field(default_factory=list)


@dataclass
class Figures:
    """Throughput and latency of one variant of one path (one round, or rounds merged)."""

    rate: float
    p50_ms: float
    p95_ms: float
    count: int
    failures: int = 0
    note: str = ""
    window: float = 0.0
    #: latency (ms, rounded as locust rounds it) -> requests
    histogram: dict[str, int] = field(default_factory=dict)


def merged(rounds: list[Figures]) -> Figures:
    """Rounds of one variant as one run: requests over the summed windows, percentiles of
    the merged latency histograms."""
    hist: dict[float, int] = {}
    for f in rounds:
        for k, v in f.histogram.items():
            hist[float(k)] = hist.get(float(k), 0) + v
    count = sum(f.count for f in rounds)
    window = sum(f.window for f in rounds)
    notes = sorted({f.note for f in rounds if f.note})
    return Figures(
        count / window if window else 0.0,
        hist_percentile(hist, 0.5),
        hist_percentile(hist, 0.95),
        count,
        sum(f.failures for f in rounds),
        "; ".join(notes),
        window,
    )


def hist_percentile(hist: dict[float, int], q: float) -> float:
    """The ``q`` quantile of a latency histogram (nearest rank)."""
    total = sum(hist.values())
    if not total:
        return 0.0
    rank, seen = q * total, 0
    for value in sorted(hist):
        seen += hist[value]
        if seen > rank:
            return value
    return max(hist)


def rounded_ms(seconds: float) -> str:
    """A latency rounded as locust rounds its own (2 significant digits from 100 ms on)."""
    ms = seconds * 1000
    if ms < 100:
        return f"{ms:.1f}"
    digits = len(str(int(ms))) - 2
    return str(int(round(ms, -digits)))


# --- the load generator (a child process: locust patches the standard library) ----------


def locust_child() -> None:
    """Run one path with locust for the spec read from standard input; print the figures.

    Runs in its own interpreter because importing locust monkey-patches sockets and
    threads for gevent, which the parent's psycopg processes must not inherit.
    """
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    spec = Spec(**json.loads(sys.stdin.read()))
    supply = iter(spec.supply)
    clock = {"start": 0.0, "exhausted": 0.0}
    n_users = iter(range(1_000_000))
    ready: list[int] = []  # users done logging in (argon2 takes a while under load)

    class Bench(FastHttpUser):
        host = spec.host
        wait_time = constant(0)
        network_timeout = 60.0
        connection_timeout = 60.0

        def on_start(self) -> None:
            self.k = next(n_users)
            self.i = self.k * 101
            role = "auditor" if spec.path == "audit" else "coordinator"
            self.headers = {"Authorization": f"Bearer {spec.tokens.get(role, '')}"}
            if spec.path in UI_PATHS:
                self.log_in()
            ready.append(self.k)

        def log_in(self) -> None:
            page = self.client.get("/login", name="login")
            found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text or "")
            if not found:
                raise RuntimeError("no CSRF token on the login page")
            with self.client.post(
                "/login",
                data={
                    "csrf_token": found.group(1),
                    "name": spec.user,
                    "password": spec.password,
                    "next": "",
                },
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.status_code != 302:
                    r.failure(f"login answered {r.status_code}")

        def next_case(self) -> int:
            self.i += 1
            return spec.case_ids[self.i % len(spec.case_ids)]

        def get(self, url: str, headers: dict[str, str] | None = None) -> None:
            with self.client.get(
                url, name=spec.path, headers=headers, allow_redirects=False, catch_response=True
            ) as r:
                if r.status_code != 200:
                    r.failure(f"{r.status_code} from {url}")

        @task
        def one(self) -> None:
            p = spec.path
            if p == "cases":
                self.get("/api/v1/cases", self.headers)
            elif p == "cases_state":
                self.get(f"/api/v1/cases?state={FILTER_STATE}", self.headers)
            elif p == "case":
                self.get(f"/api/v1/cases/{self.next_case()}", self.headers)
            elif p == "audit":
                self.get(f"/api/v1/cases/{self.next_case()}/audit", self.headers)
            elif p == "ui_cases":
                self.get("/cases/")
            elif p == "ui_case":
                self.get(f"/cases/{self.next_case()}")
            elif p == "ui_audit":
                self.get("/audit/")
            elif p == "ui_dashboard":
                self.get("/")
            else:
                self.fire_two()

        def fire_two(self) -> None:
            case_id = next(supply, None)
            if case_id is None:
                if not clock["exhausted"]:
                    clock["exhausted"] = time.perf_counter()
                gevent.sleep(0.5)
                return
            for version, trigger in enumerate(TRIGGERS, start=4):
                with self.client.post(
                    f"/api/v1/cases/{case_id}/transitions",
                    json={"trigger": trigger, "expected_version": version},
                    headers=self.headers,
                    name=spec.path,
                    catch_response=True,
                ) as r:
                    if r.status_code != 200:
                        r.failure(f"{r.status_code}: {(r.text or '')[:200]}")
                        return

    env = Environment(user_classes=[Bench])
    runner = env.create_local_runner()
    runner.start(spec.clients, spawn_rate=max(spec.clients, 1) * 10)
    deadline = time.perf_counter() + 120
    while len(ready) < spec.clients and time.perf_counter() < deadline:
        gevent.sleep(0.1)
    gevent.sleep(spec.warmup)
    env.stats.reset_all()
    clock["start"] = time.perf_counter()
    gevent.sleep(spec.seconds)
    total = env.stats.total
    window = time.perf_counter() - clock["start"]
    note = ""
    if clock["exhausted"] and clock["exhausted"] > clock["start"]:
        window = clock["exhausted"] - clock["start"]
        note = f"fresh cases ran out after {window:.1f} s"
    elif clock["exhausted"]:
        note = "fresh cases ran out during the warm-up"
    result = {
        "rate": total.num_requests / window if window > 0 else 0.0,
        "p50_ms": float(total.get_response_time_percentile(0.5) or 0),
        "p95_ms": float(total.get_response_time_percentile(0.95) or 0),
        "count": total.num_requests,
        "window": window,
        "histogram": {str(k): v for k, v in total.response_times.items()},
        "failures": total.num_failures,
        "note": "; ".join(
            [note] * bool(note)
            + [f"{e.occurrences}x {e.error}" for e in list(env.stats.errors.values())[:3]]
        ),
    }
    runner.quit()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def run_http(spec: Spec) -> Figures:
    """One path through HTTP: locust in a child interpreter, its figures back as JSON."""
    code = (
        "import locust, sys\n"  # first: locust's gevent patching before anything else
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks import http\n"
        "http.locust_child()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(spec.__dict__),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=spec.warmup + spec.seconds + 120,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the load generator failed on {spec.path}:\n{proc.stderr[-3000:]}")
    return Figures(**json.loads(lines[-1]))


# --- the raw variant: the same queries with the bare driver ------------------------------

CASE_COLUMNS = (
    "c.id, c.organisation_id, c.cycle_id, c.state, c.version, c.head_hash, c.state_since, "
    "c.enrolled_at, c.mentor_id, o.name, o.reg_no, y.name, u.name"
)
CASE_FROM = (
    "FROM cases c JOIN organisations o ON o.id = c.organisation_id "
    "JOIN cycles y ON y.id = c.cycle_id LEFT JOIN users u ON u.id = c.mentor_id"
)
RAW_SQL = {
    "case_list": f"SELECT {CASE_COLUMNS} {CASE_FROM} ORDER BY c.id LIMIT 51",
    "case_list_state": f"SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.state = %s ORDER BY c.id LIMIT 51",
    "case_head": f"SELECT {CASE_COLUMNS}, o.legal_form, o.fields {CASE_FROM} WHERE c.id = %s",
    "analyses": "SELECT * FROM needs_analyses WHERE case_id = %s ORDER BY id",
    "consultations": "SELECT * FROM consultations WHERE case_id = %s ORDER BY held_on, id",
    "selections": (
        "SELECT s.*, f.funder, f.programme, f.call_opens, f.call_closes, f.max_grant_eur "
        "FROM source_selections s JOIN funding_sources f ON f.id = s.funding_source_id "
        "WHERE s.case_id = %s ORDER BY s.id"
    ),
    "applications": (
        "SELECT a.*, f.programme, f.call_opens, f.call_closes FROM applications a "
        "JOIN funding_sources f ON f.id = a.funding_source_id WHERE a.case_id = %s ORDER BY a.id"
    ),
    "history": "SELECT * FROM audit_events WHERE case_id = %s ORDER BY seq",
    "case_audit": "SELECT * FROM audit_events WHERE case_id = %s ORDER BY id LIMIT 101",
    "cycles": "SELECT * FROM cycles ORDER BY starts_on DESC, id DESC",
    "newest_events": "SELECT * FROM audit_events ORDER BY id DESC LIMIT 51",
    "names": (
        "SELECT c.id, o.name FROM cases c JOIN organisations o ON o.id = c.organisation_id "
        "WHERE c.id = ANY(%s)"
    ),
    "replay": (
        "SELECT e.case_id, e.kind, e.from_state, e.to_state, e.at FROM audit_events e "
        "JOIN cases c ON c.id = e.case_id WHERE c.cycle_id = %s AND e.at < %s "
        "ORDER BY e.case_id, e.seq"
    ),
    "case_orgs": "SELECT id, organisation_id FROM cases WHERE cycle_id = %s",
    "cycle_apps": (
        "SELECT a.*, f.call_opens FROM applications a "
        "JOIN funding_sources f ON f.id = a.funding_source_id "
        "JOIN cases c ON c.id = a.case_id WHERE c.cycle_id = %s AND a.prepared_on <= %s"
    ),
    "cycle_names": (
        "SELECT c.id, o.name FROM cases c JOIN organisations o ON o.id = c.organisation_id "
        "WHERE c.cycle_id = %s"
    ),
}


def raw_op(conn: Any, spec: Spec) -> Callable[[int], None]:
    """One request's queries (or the transition) for ``spec.path``, as one transaction."""
    cur = conn.cursor()

    def q(name: str, *params: Any) -> list[Any]:
        cur.execute(RAW_SQL[name], params or None)
        return list(cur.fetchall())

    def case_doc(case_id: int) -> None:
        q("case_head", case_id)
        for name in ("analyses", "consultations", "selections", "applications", "history"):
            q(name, case_id)

    def dashboard() -> None:
        cycles = q("cycles")
        # the newest cycle that has cases, as the dashboard picks it
        for cycle in cycles:
            end = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), dtime.min, UTC)
            replay = q("replay", cycle[0], end)
            if replay:
                q("case_orgs", cycle[0])
                q("cycle_apps", cycle[0], end.date())
                q("cycle_names", cycle[0])
                return

    ids = spec.case_ids
    path = spec.path
    if path == "transition":
        return transition_op(conn, spec)

    def op(i: int) -> None:
        if path == "cases":
            q("case_list")
        elif path == "cases_state":
            q("case_list_state", FILTER_STATE)
        elif path in ("case", "ui_case"):
            case_doc(ids[i % len(ids)])
        elif path == "audit":
            q("case_audit", ids[i % len(ids)])
        elif path == "ui_cases":
            q("case_list")
            q("cycles")
        elif path == "ui_audit":
            rows = q("newest_events")
            q("names", sorted({r[1] for r in rows}))
        elif path == "ui_dashboard":
            dashboard()
        conn.commit()

    return op


def transition_op(conn: Any, spec: Spec) -> Callable[[int], None]:
    """``analyse`` then ``consult`` on each fresh case: the raw transaction of
    ``transitions.py`` (SELECT case and evidence, guard, hash, UPDATE, INSERT, COMMIT)."""
    from benchmarks.transitions import (
        RAW_INSERT,
        RAW_SELECT,
        RAW_UPDATE,
        RawFirer,
        load_bench_rules,
    )

    rules = load_bench_rules()
    firer = RawFirer(
        conn,
        None,
        {k: v.format(p="%s") for k, v in RAW_SELECT.items()},
        RAW_UPDATE.format(p="%s"),
        RAW_INSERT.format(p="%s"),
        False,
        rules.policy_hash,
        rules.states_hash,
    )

    def op(i: int) -> None:
        if i // 2 >= len(spec.supply):
            raise Exhausted
        firer.fire(spec.supply[i // 2], TRIGGERS[i % 2])

    return op


class Exhausted(Exception):
    """No fresh case is left for this raw client."""


def raw_client(spec: Spec, k: int, barrier: Any, out: Any) -> None:
    """One raw client process: warm up, wait for the others, then run for the window."""
    import psycopg

    conn = psycopg.connect(spec.conninfo)
    op = raw_op(conn, spec)
    i = k * 101 if spec.path != "transition" else 0
    latencies: list[float] = []
    exhausted = 0.0
    try:
        until = time.perf_counter() + spec.warmup
        while time.perf_counter() < until:
            op(i)
            i += 1
    except Exhausted:
        pass
    barrier.wait()
    start = time.perf_counter()
    end = start + spec.seconds
    try:
        while (t := time.perf_counter()) < end:
            op(i)
            latencies.append(time.perf_counter() - t)
            i += 1
    except Exhausted:
        exhausted = time.perf_counter()
    out.put((k, start, exhausted or time.perf_counter(), latencies, bool(exhausted)))
    conn.close()


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values (nearest rank), 0 for none."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run_raw(spec: Spec) -> Figures:
    """``spec.clients`` processes run the raw variant together for ``spec.seconds``."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(spec.clients), ctx.Queue()
    parts = [spec.supply[k :: spec.clients] for k in range(spec.clients)]
    procs = []
    for k in range(spec.clients):
        mine = Spec(**{**spec.__dict__, "supply": parts[k]})
        procs.append(ctx.Process(target=raw_client, args=(mine, k, barrier, out), daemon=True))
    for p in procs:
        p.start()
    try:
        got = [out.get(timeout=spec.warmup + spec.seconds + 120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    for p in procs:
        if p.exitcode not in (0, None):
            raise SystemExit(f"a raw client of {spec.path} failed (exit code {p.exitcode})")
    start = min(g[1] for g in got)
    end = max(g[2] for g in got)
    lat = sorted(x for g in got for x in g[3])
    note = "fresh cases ran out (rate over the time they lasted)" if any(g[4] for g in got) else ""
    hist: dict[str, int] = {}
    for x in lat:
        key = rounded_ms(x)
        hist[key] = hist.get(key, 0) + 1
    return Figures(
        len(lat) / (end - start),
        percentile(lat, 0.5) * 1000,
        percentile(lat, 0.95) * 1000,
        len(lat),
        0,
        note,
        end - start,
        hist,
    )


# --- the database, the tokens and the server ---------------------------------------------


def ensure_database(url: str, fresh: bool) -> None:
    """Create the benchmark's database if missing (``fresh``: drop it first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            if fresh:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = c.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                c.execute(text(f'CREATE DATABASE "{name}"'))
                print(f"created database {name}")
    finally:
        admin.dispose()


def issue_tokens(url: str) -> dict[str, str]:
    """Fresh API tokens for the coordinator and the auditor, through the engine (only a
    token's hash is stored, so a fixture cannot hand back an old one)."""
    from benchmarks import scale
    from workflow import accounts
    from workflow.bootstrap import build_runtime

    rt = build_runtime(scale.settings_for(url))
    try:
        return {
            "coordinator": accounts.create_token(rt, scale.COORDINATOR),
            "auditor": accounts.create_token(rt, scale.AUDITOR),
        }
    finally:
        rt.engine.dispose()


def sample_cases(url: str, n: int) -> list[int]:
    """``n`` fixture cases (never supply ones), the same for every variant of a run."""
    from sqlalchemy import select

    from benchmarks import scale
    from workflow.bootstrap import build_runtime
    from workflow.orm import Case, Cycle

    rt = build_runtime(scale.settings_for(url))
    try:
        with rt.engine.connect() as conn:
            ids = list(
                conn.scalars(
                    select(Case.id)
                    .join(Cycle, Cycle.id == Case.cycle_id)
                    .where(Cycle.name != scale.SUPPLY_CYCLE)
                )
            )
    finally:
        rt.engine.dispose()
    return random.Random(11).sample(ids, min(n, len(ids)))


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(url: str, workers: int, log: Path) -> Iterator[str]:
    """``inkubators serve`` on a free loopback port until the block ends; yields its URL."""
    exe = Path(sys.executable).with_name("inkubators")
    if not exe.exists():
        raise SystemExit(f"{exe} not found: install the project into this interpreter's venv")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "INKUBATORS_MODE": "production",
        "INKUBATORS_SECRET_KEY": secrets.token_urlsafe(48),
        "INKUBATORS_INSTANCE_DIR": str(log.parent),
    }
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(workers)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its workers are stopped with it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc, log)
        yield base
    finally:
        stop(proc)


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until the login page answers (or the server died, or a minute passed)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"inkubators serve exited ({proc.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"inkubators serve did not answer within a minute:\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (gunicorn stops its workers), SIGKILL if stuck."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def tail(log: Path, n: int = 30) -> str:
    """The last lines of the server's log."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


# --- the run -----------------------------------------------------------------------------


def conninfo_of(url: str) -> str:
    """psycopg's connection string for a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def top_up(url: str, wanted_cases: int) -> list[int]:
    """At least ``wanted_cases`` fresh cases ready for ``analyse``; returns them all."""
    from benchmarks import scale

    ready = scale.ready_supply(url)
    if len(ready) < wanted_cases:
        t0 = time.perf_counter()
        missing = wanted_cases - len(ready)
        scale.add_supply(url, missing)
        print(f"  added {missing:,} fresh cases for transitions ({time.perf_counter() - t0:.1f} s)")
        ready = scale.ready_supply(url)
    return ready


def row(label: str, http: Figures, raw: Figures) -> str:
    """One line of the table."""
    ratio = http.rate / raw.rate if raw.rate else 0.0
    fails = f"  {http.failures} failed" if http.failures else ""
    notes = "; ".join(n for n in (http.note, raw.note) if n)
    return (
        f"{label:<40} {http.rate:>8,.0f}/s {http.p50_ms:>6.1f} {http.p95_ms:>6.1f}  |"
        f" {raw.rate:>8,.0f}/s {raw.p50_ms:>6.1f} {raw.p95_ms:>6.1f}  | {ratio:>5.2f}"
        f"{fails}{'  (' + notes + ')' if notes else ''}"
    )


HEADER = (
    f"{'path':<40} {'http':>10} {'p50':>6} {'p95':>6}  | {'raw':>10} {'p50':>6} {'p95':>6}"
    "  | http/raw\n" + f"{'':<40} {'':>10} {'ms':>6} {'ms':>6}  | {'':>10} {'ms':>6} {'ms':>6}"
)


def measure(base: str, spec: Spec, url: str, rounds: int) -> tuple[Figures, Figures]:
    """``rounds`` alternations of the raw variant and HTTP, each ``spec.seconds / rounds``
    long, merged: the machine's other load then weighs on both alike.

    Transitions take fresh cases, the HTTP side's sized from the raw rate (HTTP is not
    expected to be faster than the raw transaction; if it is, its rate is taken over the
    time its cases lasted)."""
    part = Spec(**{**spec.__dict__, "seconds": spec.seconds / rounds})
    window = part.seconds + part.warmup
    raws: list[Figures] = []
    https: list[Figures] = []
    for _ in range(rounds):
        if spec.path == "transition":
            # the raw side stops when its cases run out: enough for a stable figure
            part.supply = top_up(url, int(min(4000 * window, 24_000) / 2))
        raws.append(run_raw(part))
        http_spec = Spec(**{**part.__dict__, "host": base})
        if spec.path == "transition":
            wanted = math.ceil(raws[-1].rate * 0.7 * window / 2) + 100
            http_spec.supply = top_up(url, wanted)[:wanted]
        https.append(run_http(http_spec))
    return merged(https), merged(raws)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, prepare the database, serve it, measure every path, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="per path and variant")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--clients", type=int, default=8, help="locust users = raw processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternations of raw and HTTP per path"
    )
    parser.add_argument(
        "--paths", default=",".join(PATHS), help=f"comma-separated subset of {','.join(PATHS)}"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args(argv)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = sorted(set(paths) - set(PATHS))
    if unknown:
        parser.error(f"--paths: unknown {', '.join(unknown)} (known: {', '.join(PATHS)})")
    if min(args.seconds, args.clients, args.workers, args.rounds) <= 0 or args.warmup < 0:
        parser.error(
            "--seconds, --clients, --workers and --rounds must be positive, --warmup not negative"
        )
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        parser.error("DATABASE_URL must name a PostgreSQL database (the raw side is psycopg)")

    from benchmarks import scale

    ensure_database(url, args.fresh)
    scale.prepare(url, args.cases, args.events, reuse=True)
    tokens = issue_tokens(url)
    common = {
        "clients": args.clients,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "conninfo": conninfo_of(url),
        "tokens": tokens,
        "password": scale.PASSWORD,
        "user": scale.COORDINATOR,
        "case_ids": sample_cases(url, SAMPLE),
    }
    results: dict[str, tuple[Figures, Figures]] = {}
    print(
        f"\n{args.clients} clients, {args.seconds:g} s per path and variant in {args.rounds} "
        f"rounds, each after {args.warmup:g} s warm-up; inkubators serve with "
        f"{args.workers} workers"
    )
    with tempfile.TemporaryDirectory(prefix="ink-http-") as tmp:
        with serving(url, args.workers, Path(tmp) / "serve.log") as base:
            print(HEADER)
            for path in paths:
                spec = Spec(path=path, **common)
                results[path] = measure(base, spec, url, args.rounds)
                print(row(LABELS[path], *results[path]), flush=True)
    ratio = {p: (h.rate / r.rate if r.rate else 0.0) for p, (h, r) in results.items()}

    def r(p: str) -> str:
        return f"{ratio[p]:.2f}" if p in ratio else "-"

    print(
        f"ratios http/raw: transition={r('transition')} cases={r('cases')} case={r('case')} "
        f"audit={r('audit')} ui_case={r('ui_case')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
