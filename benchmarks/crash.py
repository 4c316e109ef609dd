"""Crash harness: writer processes killed with SIGKILL at random moments, then checked.

    .venv/bin/python benchmarks/crash.py [--kills 200] [--writers 4] [--seed 1]
        [--url DATABASE_URL]   (default: a fresh SQLite file; give a PostgreSQL URL of an
                                empty database to run there; --sqlite-and TEST_PG_URL: both)

``--writers`` processes write through the service layer as fast as they can, each on cases
of its own: register an organisation and enrol it (the case's creation event), record a
needs analysis, fire ``analyse``, record two consultations, fire ``consult``, fire
``withdraw`` with a reason, then the next case. Before each write a writer appends an
intent line to its log, and after the service returns (the commit acknowledged) an ack line
with the event's case, sequence number and hash (and the record's id). The harness kills a
random writer with SIGKILL after a random time (0 to ``--max-alive`` seconds, default 1, once it is
ready), starts a new writer in its place, which carries on from what the database holds,
until ``--kills`` kills. Then, with every writer gone:

- no acknowledged write is lost: every acked event is there with the acked hash, every
  acked evidence row is there;
- no case is half-written: ``audit verify`` (both hash chains, each case's state, version
  and head equal its last event, evidence rows and accounts bound to the logs) passes, and
  on SQLite ``PRAGMA integrity_check`` says ok;
- each write in flight at a kill either committed whole (its event is there) or not at all.

Prints the figures; exits 1 on any loss or finding. The fast sample is
``tests/integration/test_crash.py`` (SQLite and PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.evidence.analysis import AnalysisIn  # noqa: E402
from workflow.evidence.consultations import ConsultationIn  # noqa: E402
from workflow.orm import AuditEvent, Case, Consultation, NeedsAnalysis, Organisation  # noqa: E402
from workflow.rules import load_rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402
from workflow.schemas import CycleIn, OrganisationIn  # noqa: E402

COORDINATOR = Actor("ilze", "coordinator", None)
SCRIPT = Path(__file__).resolve()
#: The evidence tables an ack can name, by the key the writer logs.
RECORD_TABLES: dict[str, type[NeedsAnalysis] | type[Consultation]] = {
    "analysis": NeedsAnalysis,
    "consultation": Consultation,
}


# --- the writer (a child process) -------------------------------------------------------


def _runtime(url: str) -> Runtime:
    rules = load_rules(ROOT / "states", ROOT / "policies")
    return Runtime(engine=make_engine(url), rules_source=FixedRules(rules))


class _Log:
    """Intent and ack lines, appended with one ``write`` each (a SIGKILL cannot tear a
    line the kernel already holds)."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def line(self, mark: str, **data: Any) -> None:
        os.write(self.fd, f"{mark} {json.dumps(data, sort_keys=True)}\n".encode())


def _resume(rt: Runtime, prefix: str) -> tuple[int | None, str, int]:
    """The slot's newest case that is not closed: (id, state, version), or None."""
    with rt.engine.connect() as conn:
        row = conn.execute(
            select(Case.id, Case.state, Case.version)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .where(Organisation.name.like(f"{prefix}%"))
            .order_by(Case.id.desc())
            .limit(1)
        ).first()
    if row is None or rt.rules.is_final(row.state):
        return None, "", 0
    return row.id, row.state, row.version


def _evidence(rt: Runtime, case_id: int) -> tuple[int, Decimal]:
    """How many analyses a case has and its consultation hours."""
    with rt.engine.connect() as conn:
        analyses = conn.scalar(
            select(func.count()).select_from(NeedsAnalysis).where(NeedsAnalysis.case_id == case_id)
        )
        hours = conn.scalar(
            select(func.coalesce(func.sum(Consultation.hours), 0)).where(
                Consultation.case_id == case_id
            )
        )
    return int(analyses or 0), Decimal(hours or 0)


def writer(url: str, slot: int, log_path: Path, ready: Path) -> None:
    """Write forever (until killed), logging each intent and each acknowledged result."""
    rt = _runtime(url)
    log = _Log(log_path)
    prefix = f"Crash w{slot} "
    today = rt.today()
    cycle = registry.create_cycle(
        rt,
        COORDINATOR,
        CycleIn(
            name=f"Crash w{slot} {uuid.uuid4().hex[:8]}",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            capacity=1000,
            budget_eur=Decimal("90000000"),  # the budget check never refuses the writers
        ),
    ).id
    case_id, state, version = _resume(rt, prefix)
    ready.touch()
    rnd = random.Random()
    while True:
        if case_id is None:
            log.line("I", op="enrol")
            org = registry.create_organisation(
                rt,
                COORDINATOR,
                OrganisationIn(
                    name=f"{prefix}{uuid.uuid4().hex[:12]}",
                    reg_no=f"5{rnd.randrange(10**10):010d}",
                    legal_form="association",
                ),
            ).id
            case_id, state, version = enrolment.enrol(rt, COORDINATOR, org, cycle), "enrolled", 1
            log.line("A", op="enrol", case=case_id, seq=1)
            continue
        analyses, hours = _evidence(rt, case_id)
        data: AnalysisIn | ConsultationIn | None = None
        if state == "enrolled" and not analyses:
            op, data = "analysis", AnalysisIn(findings="Vāja plānošana", need_areas=["planning"])
        elif state == "analysed" and hours < 2:
            op, data = (
                "consultation",
                ConsultationIn(mentor="anna", held_on=today, hours=Decimal("1"), topic="Budžets"),
            )
        else:
            op = {"enrolled": "analyse", "analysed": "consult", "consulted": "withdraw"}[state]
        log.line("I", op=op, case=case_id, version=version)
        if data is not None:
            rec = recording.record(rt, COORDINATOR, case_id, data, expected_version=version)
            event, record = rec.event, rec.id
        else:
            comment = "Izstājas (crash harness)" if op == "withdraw" else ""
            res = advance.fire(
                rt, COORDINATOR, case_id, op, expected_version=version, comment=comment
            )
            event, record, state = res.event, None, res.to_state
        version = int(event["seq"])
        log.line("A", op=op, case=case_id, seq=version, hash=event["hash"], record=record)
        if rt.rules.is_final(state):
            case_id = None


# --- the harness ------------------------------------------------------------------------


@dataclass
class Result:
    """What a run measured."""

    kills: int = 0
    spawned: int = 0
    acked: int = 0
    acked_by_op: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    in_flight_committed: int = 0
    in_flight_enrolments: int = 0
    lost: list[str] = field(default_factory=list)
    torn: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    cases: int = 0
    events: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No acknowledged write lost, nothing half-written, verify passes."""
        return not (self.lost or self.torn or self.findings)


@dataclass
class _Slot:
    index: int
    proc: subprocess.Popen[bytes] | None = None
    ready: Path | None = None
    kill_at: float | None = None
    generation: int = 0


def _spawn(url: str, slot: _Slot, tmp: Path) -> None:
    slot.generation += 1
    slot.ready = tmp / f"ready-{slot.index}-{slot.generation}"
    slot.kill_at = None
    err = open(tmp / f"err-{slot.index}-{slot.generation}.txt", "wb")  # noqa: SIM115
    slot.proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--writer", str(slot.index), "--url", url, "--log"]
        + [str(tmp / f"log-{slot.index}.txt"), "--ready", str(slot.ready)],
        stdout=subprocess.DEVNULL,
        stderr=err,
    )
    err.close()


def _died(slot: _Slot, tmp: Path) -> str:
    stderr = (tmp / f"err-{slot.index}-{slot.generation}.txt").read_text(errors="replace")
    return f"writer {slot.index} exited by itself ({slot.proc and slot.proc.returncode}):\n{stderr}"


def run(
    url: str,
    kills: int,
    *,
    writers: int = 4,
    max_alive: float = 0.5,
    seed: int = 1,
    out: Callable[[str], None] = print,
) -> Result:
    """Prepare the database at ``url`` (migrated, empty of cases), kill ``kills`` writers,
    then check; raises RuntimeError when a writer fails on its own."""
    rnd = random.Random(seed)
    upgrade(url)
    result = Result()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crash-") as name:
        tmp = Path(name)
        slots = [_Slot(i) for i in range(writers)]
        try:
            for slot in slots:
                _spawn(url, slot, tmp)
                result.spawned += 1
            while result.kills < kills:
                now = time.monotonic()
                for slot in slots:
                    assert slot.proc is not None
                    assert slot.ready is not None
                    if slot.proc.poll() is not None:
                        raise RuntimeError(_died(slot, tmp))
                    if slot.kill_at is None and slot.ready.exists():
                        slot.kill_at = now + rnd.uniform(0, max_alive)
                    if slot.kill_at is not None and now >= slot.kill_at:
                        slot.proc.send_signal(signal.SIGKILL)
                        slot.proc.wait()
                        result.kills += 1
                        if result.kills % 50 == 0:
                            out(f"  {result.kills} kills")
                        if result.kills >= kills:
                            break
                        _spawn(url, slot, tmp)
                        result.spawned += 1
                time.sleep(0.002)
        finally:  # the writers still running die the same way (and count)
            for slot in slots:
                if slot.proc is not None and slot.proc.poll() is None:
                    slot.proc.send_signal(signal.SIGKILL)
                    slot.proc.wait()
                    result.kills += 1
        logs = [tmp / f"log-{s.index}.txt" for s in slots]
        _check(url, logs, result)
    result.seconds = time.perf_counter() - started
    return result


def _lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if not path.exists():
        return
    for raw in path.read_text().splitlines():
        mark, _, data = raw.partition(" ")
        yield mark, json.loads(data)


@contextmanager
def _checker(url: str) -> Iterator[Runtime]:
    rt = _runtime(url)
    try:
        yield rt
    finally:
        rt.engine.dispose()


def _check(url: str, logs: list[Path], result: Result) -> None:
    with _checker(url) as rt, rt.engine.connect() as conn:
        events = {
            (case_id, seq): (digest, trigger if kind == "transition" else kind)
            for case_id, seq, digest, trigger, kind in conn.execute(
                select(
                    AuditEvent.case_id,
                    AuditEvent.seq,
                    AuditEvent.hash,
                    AuditEvent.trigger,
                    AuditEvent.kind,
                )
            )
        }
        records = {op: set(conn.scalars(select(table.id))) for op, table in RECORD_TABLES.items()}
        for log in logs:
            pending: dict[str, Any] | None = None
            for mark, data in _lines(log):
                if mark == "I":
                    if pending is not None:  # the writer before this one died mid-write
                        _in_flight(pending, events, result)
                    pending = data
                    continue
                pending = None
                result.acked += 1
                op = data["op"]
                result.acked_by_op[op] = result.acked_by_op.get(op, 0) + 1
                stored = events.get((data["case"], data["seq"]))
                if stored is None or ("hash" in data and stored[0] != data["hash"]):
                    result.lost.append(f"{op} on case {data['case']} #{data['seq']}: {stored}")
                elif data.get("record") is not None and data["record"] not in records[op]:
                    result.lost.append(f"{op} {data['record']} on case {data['case']}: row gone")
            if pending is not None:
                _in_flight(pending, events, result)
        result.cases = int(conn.scalar(select(func.count()).select_from(Case)) or 0)
        result.events = len(events)
    with _checker(url) as rt:
        chains, accounts = auditlog.verify(rt), accountlog.verify(rt)
    if not chains.ok:
        result.findings.append(f"audit verify: {chains.first_bad}")
    if not accounts.ok:
        result.findings.append(f"account log: {accounts.problem}")
    if url.startswith("sqlite"):
        path = make_url(url).database
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
            found = raw.execute("PRAGMA integrity_check").fetchone()
        if found != ("ok",):
            result.findings.append(f"integrity_check: {found}")


def _in_flight(
    intent: dict[str, Any], events: dict[tuple[int, int], tuple[str, str]], result: Result
) -> None:
    """A write the kill interrupted: it committed whole (its event is there) or not at all."""
    result.in_flight += 1
    if intent["op"] == "enrol":
        result.in_flight_enrolments += 1  # no case id known yet; verify covers the case
        return
    stored = events.get((intent["case"], intent["version"] + 1))
    if stored is None:
        return
    expected = "evidence" if intent["op"] in RECORD_TABLES else intent["op"]
    if stored[1] != expected:
        result.torn.append(f"{intent}: event #{intent['version'] + 1} is {stored[1]!r}")
    result.in_flight_committed += 1


def report(name: str, r: Result, out: Callable[[str], None] = print) -> None:
    """The figures of one run."""
    ops = ", ".join(f"{op} {n:,}" for op, n in sorted(r.acked_by_op.items()))
    out(f"{name}: {r.kills} SIGKILLs of {r.spawned} writer processes in {r.seconds:.0f} s")
    out(f"  acknowledged writes {r.acked:,} ({ops}); lost {len(r.lost)}")
    settled = r.in_flight - r.in_flight_enrolments
    out(
        f"  kills during a write {r.in_flight} (the rest between writes): of {settled} "
        f"transitions and evidence writes, committed whole {r.in_flight_committed}, rolled "
        f"back {settled - r.in_flight_committed}, torn {len(r.torn)}; "
        f"{r.in_flight_enrolments} enrolments (checked by verify)"
    )
    out(
        f"  {r.cases:,} cases, {r.events:,} events; audit verify + integrity: "
        + ("OK" if not r.findings else "; ".join(r.findings))
    )
    for line in r.lost[:10] + r.torn[:10]:
        out(f"  ! {line}")


def _fresh_pg(server: str) -> tuple[str, Callable[[], None]]:
    """A new empty database on the PostgreSQL server at ``server``, and how to drop it."""
    name = f"ink_crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--max-alive", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--pg-server", help="also run on a fresh database on this PostgreSQL")
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ready", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer is not None:
        writer(args.url, args.writer, args.log, args.ready)
        return
    runs: list[tuple[str, Result]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'crash.sqlite3'}"
        name = make_url(url).get_backend_name()
        kw = {"writers": args.writers, "max_alive": args.max_alive, "seed": args.seed}
        runs.append((name, run(url, args.kills, **kw)))
        if args.pg_server:
            pg, drop = _fresh_pg(args.pg_server)
            try:
                runs.append(("postgresql", run(pg, args.kills, **kw)))
            finally:
                drop()
    for name, r in runs:
        report(name, r)
    if not all(r.ok for _, r in runs):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
