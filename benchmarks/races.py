"""Races: processes firing the same triggers on the same cases at the same moment.

    .venv/bin/python benchmarks/races.py [--processes 8] [--cases 134] [--url DATABASE_URL]
        [--pg-server TEST_PG_URL]   (also run on a fresh database on that PostgreSQL)

Prepares ``--cases`` cases, each with the evidence its steps need, so that from each of
its states (enrolled, analysed, consulted) one trigger may fire (``analyse``, ``consult``,
``withdraw``): three (case, state) pairs per case. Then ``--processes`` processes, started
together, walk the cases in the same order, each reading the case's head and firing the
next trigger with the version it read (``expected_version``), as API clients do. For every
(case, state) pair exactly one process must win; every other attempt must be refused as a
clear conflict (``StaleCase`` or ``TransitionNotAllowed``), never an error of another kind;
afterwards ``audit verify`` passes and every case has exactly its expected events.
Prints the figures; exits 1 otherwise. The fast sample is ``tests/integration/test_races.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package: keep this folder off
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workflow import accountlog, advance, auditlog, enrolment, recording, registry  # noqa: E402
from workflow.actors import Actor  # noqa: E402
from workflow.chain import load_head  # noqa: E402
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.errors import StaleCase, TransitionNotAllowed  # noqa: E402
from workflow.evidence.analysis import AnalysisIn  # noqa: E402
from workflow.evidence.consultations import ConsultationIn  # noqa: E402
from workflow.orm import AuditEvent, Case  # noqa: E402
from workflow.rules import load_rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402
from workflow.schemas import CycleIn, OrganisationIn  # noqa: E402

COORDINATOR = Actor("ilze", "coordinator", None)
SCRIPT = Path(__file__).resolve()
NEXT = {"enrolled": "analyse", "analysed": "consult", "consulted": "withdraw"}
#: events per case at the end: creation, analysis, two consultations, three transitions
EVENTS_PER_CASE = 7


def _runtime(url: str) -> Runtime:
    rules = load_rules(ROOT / "states", ROOT / "policies")
    return Runtime(engine=make_engine(url), rules_source=FixedRules(rules))


def prepare(url: str, cases: int) -> list[int]:
    """Migrate and make ``cases`` cases with the evidence every step needs."""
    upgrade(url)
    rt = _runtime(url)
    today = rt.today()
    cycle = registry.create_cycle(
        rt,
        COORDINATOR,
        CycleIn(
            name=f"Races {uuid.uuid4().hex[:8]}",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            capacity=1000,
            budget_eur=Decimal("90000000"),  # the budget check never refuses the writers
        ),
    ).id
    ids = []
    for n in range(cases):
        org = registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(name=f"Sacensības {n}", reg_no=f"6{n:010d}", legal_form="association"),
        ).id
        case = enrolment.enrol(rt, COORDINATOR, org, cycle)
        recording.record(rt, COORDINATOR, case, AnalysisIn(findings="F", need_areas=["planning"]))
        for _ in range(2):
            consultation = ConsultationIn(
                mentor="anna", held_on=today, hours=Decimal("1"), topic="Budžets"
            )
            recording.record(rt, COORDINATOR, case, consultation)
        ids.append(case)
    rt.engine.dispose()
    return ids


def racer(url: str, cases: list[int], log: Path, ready: Path, go: Path) -> None:
    """Walk every case to its end, firing the next trigger with the version just read."""
    rt = _runtime(url)
    lines: list[str] = []
    ready.touch()
    while not go.exists():
        time.sleep(0.001)
    for case_id in cases:
        while True:
            with rt.engine.connect() as conn:
                head = load_head(conn, case_id)
            trigger = NEXT.get(head.state)
            if trigger is None:
                break
            outcome = "won"
            try:
                advance.fire(
                    rt,
                    COORDINATOR,
                    case_id,
                    trigger,
                    expected_version=head.version,
                    comment="Izstājas" if trigger == "withdraw" else "",
                )
            except (StaleCase, TransitionNotAllowed) as exc:
                outcome = type(exc).__name__
            except Exception as exc:  # noqa: BLE001 - any other failure is what we count
                outcome = f"error {type(exc).__name__}: {exc}"
            lines.append(json.dumps([case_id, head.state, outcome]))
    log.write_text("\n".join(lines) + "\n")
    rt.engine.dispose()


@dataclass
class Result:
    """What a run measured."""

    processes: int = 0
    pairs: int = 0
    one_winner: int = 0
    attempts: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Exactly one winner for every pair, no error, verify passes."""
        return self.one_winner == self.pairs and not self.errors and not self.findings


def run(url: str, processes: int, cases: int) -> Result:
    """Prepare ``cases`` cases at ``url`` (an empty or migrated database) and race."""
    ids = prepare(url, cases)
    result = Result(processes=processes, pairs=len(ids) * len(NEXT))
    with tempfile.TemporaryDirectory(prefix="races-") as name:
        tmp = Path(name)
        go = tmp / "go"
        arg = json.dumps(ids)
        procs = []
        for i in range(processes):
            cmd = [sys.executable, str(SCRIPT), "--racer", arg, "--url", url]
            cmd += ["--log", str(tmp / f"log-{i}"), "--ready", str(tmp / f"ready-{i}")]
            procs.append(subprocess.Popen(cmd + ["--go", str(go)]))
        while not all((tmp / f"ready-{i}").exists() for i in range(processes)):
            if any(p.poll() is not None for p in procs):
                break
            time.sleep(0.01)
        started = time.perf_counter()
        go.touch()
        for p in procs:
            p.wait()
        result.seconds = time.perf_counter() - started
        if any(p.returncode for p in procs):
            raise RuntimeError("a racing process failed (its traceback is above)")
        winners: Counter[tuple[int, str]] = Counter()
        for i in range(processes):
            for raw in (tmp / f"log-{i}").read_text().splitlines():
                case_id, state, outcome = json.loads(raw)
                result.attempts += 1
                if outcome == "won":
                    winners[(case_id, state)] += 1
                elif outcome.startswith("error"):
                    result.errors.append(f"case {case_id} from {state}: {outcome}")
                else:
                    result.refused[outcome] += 1
    result.one_winner = sum(1 for n in winners.values() if n == 1)
    _check(url, ids, result)
    return result


def _check(url: str, ids: list[int], result: Result) -> None:
    rt = _runtime(url)
    try:
        chains, accounts = auditlog.verify(rt), accountlog.verify(rt)
        with rt.engine.connect() as conn:
            counts = dict(
                conn.execute(
                    select(AuditEvent.case_id, func.count())
                    .where(AuditEvent.case_id.in_(ids))
                    .group_by(AuditEvent.case_id)
                ).all()
            )
            states = set(conn.scalars(select(Case.state).where(Case.id.in_(ids))))
    finally:
        rt.engine.dispose()
    if not chains.ok:
        result.findings.append(f"audit verify: {chains.first_bad}")
    if not accounts.ok:
        result.findings.append(f"account log: {accounts.problem}")
    wrong = [c for c in ids if counts.get(c) != EVENTS_PER_CASE]
    if wrong:
        result.findings.append(f"cases without exactly {EVENTS_PER_CASE} events: {wrong[:5]}")
    if states != {"withdrawn"}:
        result.findings.append(f"cases left in {sorted(states)}")


def report(name: str, r: Result, out: Callable[[str], None] = print) -> None:
    """The figures of one run."""
    refused = ", ".join(f"{k} {v:,}" for k, v in sorted(r.refused.items()))
    out(
        f"{name}: {r.processes} processes, {r.pairs} (case, state) pairs in {r.seconds:.1f} s: "
        f"{r.one_winner} with exactly one winner"
    )
    out(f"  {r.attempts:,} attempts; refused as conflicts: {refused or 'none'}")
    out(f"  other errors {len(r.errors)}; audit verify: " + ("; ".join(r.findings) or "OK"))
    for line in r.errors[:10]:
        out(f"  ! {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--cases", type=int, default=134)
    parser.add_argument("--url", help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--pg-server", help="also run on a fresh database on this PostgreSQL")
    for hidden in ("--racer", "--log", "--ready", "--go"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.racer is not None:
        racer(args.url, json.loads(args.racer), Path(args.log), Path(args.ready), Path(args.go))
        return
    runs: list[tuple[str, Result]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'races.sqlite3'}"
        runs.append((make_url(url).get_backend_name(), run(url, args.processes, args.cases)))
    if args.pg_server:
        name = f"ink_races_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.pg_server, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            pg = make_url(args.pg_server).set(database=name).render_as_string(hide_password=False)
            runs.append(("postgresql", run(pg, args.processes, args.cases)))
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    for name, r in runs:
        report(name, r)
    if not all(r.ok for _, r in runs):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
