"""A scale fixture: a database of N cases and M audit events with valid hash chains.

Run: ``DATABASE_URL=… .venv/bin/python benchmarks/scale.py --cases 10000 --events 1000000``.

Why: the pages and the API have to be measured on a database the size a long-running
programme reaches, not on the demo's eleven cases. Going through the services would
take hours at a million events, so the rows are written in bulk (``COPY`` on PostgreSQL,
``executemany`` in large batches on SQLite), but every event is hashed with the engine's
own encoding (:func:`workflow.chain.event_hash`), so ``inkubators audit verify`` accepts
the result. The schema comes from the project's own migrations (``build_runtime(...,
migrate=True)``, as ``inkubators init`` does), the rules in force are activated and
recorded there as the app would, and the users are created through
:mod:`workflow.accounts`, so the account log's chain is the engine's own too.

What it builds: cycles of ``--cycle-size`` cases started a fortnight apart (the newest two
months ago), organisations taking part in up to two cycles, funding sources whose calls
open every three weeks, and for each case the path a real one takes: enrolment, a mentor,
a needs analysis, consultations, source selections, applications, their submission and
decision, or a withdrawal, each step's evidence recorded before its transition. Old
cycles are closed (outcome or withdrawn), recent ones spread over the open states, and
a few cases stall and become overdue. The events beyond each path's own are further
consultations, spread unevenly (a few cases have long histories), so that the total is
exactly ``--events``. Same arguments and seed, same database.

A small table ``bench_fixture`` records what was built; a non-empty database is refused
unless ``--reuse`` finds a fixture built with the same arguments there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py and benchmarks/http.py would shadow the packages of the same
# names (the engine imports ``transitions``): keep this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import JSON, Connection, Engine, Table, func, insert, select, text  # noqa: E402

from workflow import accountlog, accounts, auditlog  # noqa: E402
from workflow.bootstrap import build_runtime  # noqa: E402
from workflow.chain import event_hash  # noqa: E402
from workflow.chainbytes import json_text  # noqa: E402
from workflow.contentbind import CONTENT_KEY, RECORD_KEYS, row_hash  # noqa: E402
from workflow.localformat import day as fmt_day  # noqa: E402
from workflow.orm import (  # noqa: E402
    Application,
    AuditEvent,
    Case,
    Consultation,
    Cycle,
    FundingSource,
    NeedsAnalysis,
    Organisation,
    SourceSelection,
    User,
)
from workflow.runtime import Runtime, local_day  # noqa: E402
from workflow.schemas import UserIn  # noqa: E402
from workflow.settings import Settings  # noqa: E402

MARKER = "bench_fixture"
#: the evidence tables by name, whose rows each evidence event binds by content hash
EVIDENCE_TABLES = {t.name: t for t in RECORD_KEYS.values()}
#: the benchmark users' password (a throwaway benchmark database, never a real one)
PASSWORD = "bench-password-not-secret"
COORDINATOR = "koordinatore"
AUDITOR = "revidents"
ADMIN = "admins"
SUPPLY_CYCLE = "Benchmark supply"

PATH = ("analyse", "consult", "select_sources", "draft_application", "submit", "record_outcome")
DEST = {
    "analyse": "analysed",
    "consult": "consulted",
    "select_sources": "sources_selected",
    "draft_application": "application_drafted",
    "submit": "submitted",
    "record_outcome": "outcome",
    "withdraw": "withdrawn",
}
#: days a step takes after the previous one (submission follows the funder's call instead)
STEP_DAYS = {
    "analyse": (4, 25),
    "consult": (10, 45),
    "select_sources": (5, 30),
    "draft_application": (10, 60),
    "record_outcome": (30, 160),
}
NEED_AREAS = ("fundraising", "project_management", "finance", "governance", "volunteers")
FIELDS = ("social", "culture", "education", "environment", "youth", "sport", "health")
DOMAINS = ("social", "culture", "urban_environment", "ngo_capacity", "networking")
TOPICS = (
    "Finansējuma stratēģija",
    "Projekta budžets",
    "Valdes darba plānošana",
    "Brīvprātīgo piesaiste",
    "Komunikācija ar ziedotājiem",
    "Pieteikuma struktūra",
)
WORDS = ("Cerība", "Jūra", "Dzintars", "Liepa", "Vēji", "Saule", "Krasts", "Tilts", "Rīts")
FUNDERS = ("Liepājas valstspilsētas pašvaldība", "Sabiedrības integrācijas fonds", "EEZ fonds")
WITHDRAW_REASONS = (
    "Biedrība pārtrauc darbību",
    "Valde nolēma nepiedalīties",
    "Nav kapacitātes projekta sagatavošanai",
)
HOURS = (Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("3"))


# --- where to write ----------------------------------------------------------------------


class Sink:
    """Bulk writes in one transaction: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.pg = engine.dialect.name == "postgresql"
        self.conn: Connection = engine.connect()
        self.trans = self.conn.begin()
        self.rows = 0

    def put(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Write ``rows`` (dicts with the same keys; JSON columns as Python values)."""
        if not rows:
            return
        self.rows += len(rows)
        if not self.pg:
            for i in range(0, len(rows), 20_000):
                self.conn.execute(insert(table), rows[i : i + 20_000])
            return
        cols = list(rows[0])
        is_json = [isinstance(table.c[c].type, JSON) for c in cols]
        dbapi = cast(Any, self.conn.connection.dbapi_connection)
        with (
            dbapi.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp,
        ):
            for row in rows:
                cp.write_row(
                    [json_text(row[c]) if j else row[c] for c, j in zip(cols, is_json, strict=True)]
                )

    def fix_sequences(self, tables: Iterable[Table]) -> None:
        """Explicit ids were written: move PostgreSQL's id sequences past them."""
        if not self.pg:
            return
        for t in tables:
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {t.name}), 0) + 1, false)"
                )
            )

    def commit(self) -> None:
        """End the one transaction of the build."""
        self.trans.commit()
        self.conn.close()

    def rollback(self) -> None:
        """Leave nothing half-built."""
        self.trans.rollback()
        self.conn.close()


def table(model: Any) -> Table:
    """The Core table of an ORM class."""
    return cast(Table, model.__table__)


class Ids:
    """The next free id of each table (the database's own sequence is moved after)."""

    def __init__(self, conn: Connection) -> None:
        self.next: dict[str, int] = {}
        for model in (Organisation, Cycle, FundingSource, *ORDER):
            self._start(conn, model)

    def _start(self, conn: Connection, model: Any) -> None:
        t = table(model)
        self.next[t.name] = int(conn.scalar(select(func.coalesce(func.max(t.c.id), 0))) or 0) + 1

    def take(self, name: str) -> int:
        """A fresh id for a row of ``name``."""
        value = self.next[name]
        self.next[name] = value + 1
        return value


# --- the programme's calendar --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A funding source's call window (what a case's timeline must fit)."""

    id: int
    programme: str
    opens: date
    closes: date
    max_grant: Decimal


@dataclass(slots=True)
class World:
    """What every case refers to: cycles, organisations, sources, users, rule hashes."""

    now: datetime
    cycle_starts: list[datetime]
    cycle_ids: list[int]
    cycle_names: list[str]
    org_ids: list[int]
    org_names: list[str]
    org_regs: list[str]
    sources: list[Source]
    mentors: list[tuple[int, str]]
    policy_hash: str
    states_hash: str
    cycle_size: int
    source_opens: list[date] = field(default_factory=list)


def at_local(day: date, hour: int, rng: random.Random) -> datetime:
    """A working-hours instant on a programme day, as the UTC time the database stores."""
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=UTC)


def sources_for(world: World, when: datetime, rng: random.Random, n: int) -> list[Source]:
    """``n`` sources whose call is still open 90 days after ``when`` (or opens soon)."""
    import bisect

    day = when.date()
    hi = bisect.bisect_right(world.source_opens, day + timedelta(days=90))
    fit = [s for s in world.sources[max(0, hi - 12) : hi] if s.closes >= day + timedelta(days=90)]
    if not fit:  # past the last source: the newest ones
        fit = world.sources[-3:]
    return rng.sample(fit, min(n, len(fit)))


# --- one case ---------------------------------------------------------------------------


@dataclass(slots=True)
class Planned:
    """One event of a case's plan before hashing; ``table``/``row`` is its evidence row."""

    at: datetime
    kind: str
    trigger: str
    dest: str | None  # None: evidence, the case stays where it is
    actor: str
    role: str
    comment: str = ""
    guards: list[dict[str, Any]] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    table: str | None = None
    row: dict[str, Any] | None = None
    id_key: str | None = None  # payload key that names the evidence row's id
    ref: dict[str, Any] | None = None  # an application row this update changes
    updates: dict[str, Any] | None = None


def uniform_at(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A whole-second instant strictly between ``lo`` and ``hi`` (``lo`` + 1 s if too close)."""
    span = int((hi - lo).total_seconds())
    return lo + timedelta(seconds=rng.randrange(1, span) if span > 1 else 1)


@dataclass(slots=True)
class CasePlan:
    """A case's whole history as planned (filler consultations are added later)."""

    events: list[Planned]
    state: str
    mentor_id: int | None
    mentor: str | None
    enrolled_at: datetime
    end: datetime  # filler consultations fit before this (the closing step, or now)


def plan_case(world: World, index: int, seed: int) -> CasePlan:
    """The deterministic history of case number ``index`` (its own random stream)."""
    rng = random.Random(seed * 1_000_003 + index)
    cyc = index // world.cycle_size
    org = index % len(world.org_ids)
    enrolled_at = world.cycle_starts[cyc] + timedelta(
        days=rng.randrange(15), hours=rng.randrange(8), minutes=rng.randrange(60)
    )
    coord = (COORDINATOR, "coordinator")
    ev: list[Planned] = [
        Planned(
            enrolled_at,
            "enrol",
            "enrol",
            "enrolled",
            *coord,
            payload={
                "organisation": world.org_names[org],
                "reg_no": world.org_regs[org],
                "cycle": world.cycle_names[cyc],
            },
        )
    ]
    mentor_id = mentor = None
    if rng.random() < 0.9:
        mentor_id, mentor = world.mentors[index % len(world.mentors)]
        ev.append(
            Planned(
                enrolled_at + timedelta(hours=1),
                "evidence",
                "record_mentor_assignment",
                None,
                *coord,
                payload={"mentor": mentor},
            )
        )
    consultant = (mentor, "mentor") if mentor else coord
    now = world.now
    t = enrolled_at + timedelta(hours=2)
    state = "enrolled"
    withdraw_step = rng.randrange(len(PATH)) if rng.random() < 0.12 else None
    stall_step = rng.randrange(len(PATH)) if rng.random() < 0.05 else None
    selected: list[Source] = []
    apps: list[dict[str, Any]] = []
    for step, trigger in enumerate(PATH):
        if step == withdraw_step:
            tw = t + timedelta(days=rng.uniform(3, 40))
            if tw < now:
                ev.append(
                    Planned(
                        tw,
                        "transition",
                        "withdraw",
                        "withdrawn",
                        *coord,
                        comment=rng.choice(WITHDRAW_REASONS),
                        guards=[
                            {"guard": "reason_given", "passed": True, "message": "reason given"}
                        ],
                    )
                )
                return CasePlan(ev, "withdrawn", mentor_id, mentor, enrolled_at, tw)
            break
        if step == stall_step:
            break
        # the step's evidence, then (if its time has come) the step itself
        evidence, t_step, guard = _step(world, rng, trigger, t, consultant, selected, apps)
        if t_step >= now:
            # in progress: half the cases already hold some of the next step's evidence
            if trigger in ("analyse", "consult", "select_sources") and rng.random() < 0.5:
                ev.extend(e for e in evidence if e.at < now)
            break
        ev.extend(evidence)
        ev.append(
            Planned(
                t_step,
                "transition",
                trigger,
                DEST[trigger],
                *coord,
                comment="Finansējums piešķirts"
                if trigger == "record_outcome" and any(a["decision"] == "awarded" for a in apps)
                else "",
                guards=[guard],
            )
        )
        state, t = DEST[trigger], t_step
    end = t if state in ("outcome", "withdrawn") else now - timedelta(minutes=5)
    return CasePlan(ev, state, mentor_id, mentor, enrolled_at, end)


def _evidence(
    at: datetime,
    trigger: str,
    who: tuple[str, str],
    table_name: str,
    row: dict[str, Any],
    payload: dict[str, Any],
    id_key: str | None,
) -> Planned:
    return Planned(
        at,
        "evidence",
        trigger,
        None,
        *who,
        payload=payload,
        table=table_name,
        row=row,
        id_key=id_key,
    )


def consultation(
    at: datetime, who: tuple[str, str], mentor: str, hours: Decimal, rng: random.Random
) -> Planned:
    """One consultation, its row and its event (``held_on`` the programme's day of ``at``)."""
    held_on = local_day(at)
    topic = rng.choice(TOPICS)
    row = {
        "mentor": mentor,
        "held_on": held_on,
        "hours": hours,
        "topic": topic,
        "recorded_by": who[0],
    }
    payload = {
        "mentor": mentor,
        "held_on": held_on.isoformat(),
        "hours": str(hours),
        "topic": topic,
    }
    return _evidence(
        at, "record_consultation", who, "consultations", row, payload, "consultation_id"
    )


def _step(
    world: World,
    rng: random.Random,
    trigger: str,
    t: datetime,
    who: tuple[str, str],
    selected: list[Source],
    apps: list[dict[str, Any]],
) -> tuple[list[Planned], datetime, dict[str, Any]]:
    """The evidence a step needs (recorded after ``t``), the step's time and its guard."""
    coord = (COORDINATOR, "coordinator")
    if trigger == "submit":
        return _submission(rng, t, apps)
    if trigger == "record_outcome":
        return _decisions(rng, t, apps)
    lo, hi = STEP_DAYS[trigger]
    t_step = t + timedelta(days=rng.uniform(lo, hi))
    out: list[Planned] = []
    if trigger == "analyse":
        areas = rng.sample(NEED_AREAS, 2)
        at = uniform_at(rng, t, t_step)
        findings = "Valde strādā brīvprātīgi; trūkst finanšu plānošanas un projektu pieredzes."
        day = local_day(at)
        row: dict[str, Any] = {
            "findings": findings,
            "need_areas": areas,
            "recorded_on": day,
            "recorded_by": COORDINATOR,
        }
        payload: dict[str, Any] = {
            "findings": findings,
            "need_areas": areas,
            "recorded_on": day.isoformat(),
        }
        out.append(
            _evidence(at, "record_analysis", coord, "needs_analyses", row, payload, "analysis_id")
        )
        message = f"needs analysis recorded ({', '.join(areas)})"
        return out, t_step, {"guard": "needs_analysis_recorded", "passed": True, "message": message}
    if trigger == "consult":
        hours = [Decimal("2")] if rng.random() < 0.5 else [Decimal("1.5"), Decimal("1.5")]
        mentor = who[0] if who[1] == "mentor" else "ārējais mentors"
        times = sorted(uniform_at(rng, t, t_step) for _ in hours)
        out += [consultation(at, who, mentor, h, rng) for at, h in zip(times, hours, strict=True)]
        n, total = len(hours), sum(hours, Decimal(0))
        message = (
            f"needs at least 1 consultation and 2 mentor hours; has {n} and {total.normalize():f}"
        )
        return out, t_step, {"guard": "enough_consultations", "passed": True, "message": message}
    if trigger == "select_sources":
        picks = sources_for(world, t_step, rng, 1 if rng.random() < 0.75 else 2)
        for src in picks:
            at = uniform_at(rng, t, t_step)
            day = local_day(at)
            selected.append(src)
            row = {"funding_source_id": src.id, "selected_on": day}
            payload = {
                "funding_source_id": src.id,
                "programme": src.programme,
                "selected_on": day.isoformat(),
            }
            out.append(
                _evidence(
                    at,
                    "record_source_selection",
                    coord,
                    "source_selections",
                    row,
                    payload,
                    "selection_id",
                )
            )
        n = len(picks)
        message = (
            f"{n} selected {'source has a call' if n == 1 else 'sources have calls'} not yet closed"
        )
        return out, t_step, {"guard": "open_source_selected", "passed": True, "message": message}
    # draft_application: one application per selected source
    for src in selected:
        at = uniform_at(rng, t, t_step)
        budget = Decimal(rng.randrange(50, 2500) * 100)
        requested = min(src.max_grant, (budget * Decimal("0.8")).quantize(Decimal("100")))
        title = f"{rng.choice(WORDS)}: {rng.choice(TOPICS).lower()} {at.year}"
        prepared_on = local_day(at)
        app: dict[str, Any] = {
            "funding_source_id": src.id,
            "title": title,
            "domain": rng.choice(DOMAINS),
            "total_budget_eur": budget,
            "requested_eur": requested,
            "prepared_on": prepared_on,
        }
        payload = {
            **app,
            "total_budget_eur": str(budget),
            "requested_eur": str(requested),
            "prepared_on": prepared_on.isoformat(),
        }
        row = {**app, "status": "drafted", "submitted_on": None, "decision": None}
        row |= {"decided_on": None, "awarded_eur": None}
        apps.append({"row": row, "source": src, "decision": None})
        out.append(
            _evidence(
                at, "record_application", coord, "applications", row, payload, "application_id"
            )
        )
    title = apps[0]["row"]["title"] if apps else "?"
    message = f"application '{title}' is complete"
    return out, t_step, {"guard": "valid_application_drafted", "passed": True, "message": message}


def _submission(
    rng: random.Random, t: datetime, apps: list[dict[str, Any]]
) -> tuple[list[Planned], datetime, dict[str, Any]]:
    """Each application submitted inside its call (waiting for it to open if need be)."""
    out: list[Planned] = []
    last = t
    first_day: date | None = None
    for app in apps:
        row, src = app["row"], app["source"]
        first = max(local_day(t) + timedelta(days=1), src.opens)
        latest = max(first, min(src.closes, first + timedelta(days=45)))
        day = first + timedelta(days=rng.randrange((latest - first).days + 1))
        at = at_local(day, 11, rng)
        payload = {"submitted_on": day.isoformat()}
        out.append(
            Planned(
                at,
                "evidence",
                "record_application_update",
                None,
                COORDINATOR,
                "coordinator",
                payload=payload,
                ref=row,
                updates={"submitted_on": day, "status": "submitted"},
            )
        )
        first_day = first_day or day
        last = max(last, at)
    title = apps[0]["row"]["title"] if apps else "?"
    when = fmt_day(first_day, "en") if first_day else "?"
    message = f"'{title}' submitted on {when}, inside the call window"
    guard = {"guard": "submitted_within_call", "passed": True, "message": message}
    return out, last + timedelta(hours=20), guard


def _decisions(
    rng: random.Random, t: datetime, apps: list[dict[str, Any]]
) -> tuple[list[Planned], datetime, dict[str, Any]]:
    """A decision on each submitted application, then the outcome."""
    out: list[Planned] = []
    last = t
    for app in apps:
        row = app["row"]
        at = t + timedelta(days=rng.uniform(*STEP_DAYS["record_outcome"]))
        decided = local_day(at)
        payload: dict[str, Any] = {"decided_on": decided.isoformat()}
        updates: dict[str, Any] = {"decided_on": decided}
        if rng.random() < 0.4:
            app["decision"] = "awarded"
            payload |= {"decision": "awarded", "awarded_eur": str(row["requested_eur"])}
            updates |= {"decision": "awarded", "awarded_eur": row["requested_eur"]}
        else:
            app["decision"] = "rejected"
            payload["decision"] = "rejected"
            updates["decision"] = "rejected"
        updates["status"] = app["decision"]
        out.append(
            Planned(
                at,
                "evidence",
                "record_application_update",
                None,
                COORDINATOR,
                "coordinator",
                payload=payload,
                ref=row,
                updates=updates,
            )
        )
        last = max(last, at)
    n = len(apps)
    message = (
        "the submitted application is decided"
        if n == 1
        else f"all {n} submitted applications are decided"
    )
    guard = {"guard": "all_decisions_recorded", "passed": True, "message": message}
    return out, last + timedelta(days=2), guard


# --- the whole fixture ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fixture:
    """What a fixture holds (read back from ``bench_fixture``)."""

    cases: int
    events: int
    cycle_size: int
    seed: int
    supply_cases: int = 0


def settings_for(url: str) -> Settings:
    """The project's settings, pointed at ``url``."""
    return Settings(DATABASE_URL=url)  # type: ignore[call-arg]


def read_marker(engine: Engine) -> Fixture | None:
    """The fixture this script recorded in the database, if any."""
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, MARKER):
            return None
        row = conn.execute(
            text(f"SELECT cases, events, cycle_size, seed, supply_cases FROM {MARKER}")
        ).first()
    return Fixture(*row) if row else None


def holdings(engine: Engine) -> dict[str, int]:
    """Rows in the tables a fixture fills (all zero: an empty database)."""
    with engine.connect() as conn:
        return {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in (table(Case), table(Organisation), table(User), table(AuditEvent))
        }


def make_world(
    rt: Runtime, ids: Ids, n_cases: int, cycle_size: int, seed: int, n_mentors: int
) -> tuple[World, list[tuple[Table, list[dict[str, Any]]]]]:
    """Cycles, organisations and funding sources for ``n_cases`` cases, and their rows to
    write. The mentors are placeholders until :func:`add_users` has created them."""
    rng = random.Random(seed)
    now = rt.now().replace(microsecond=0)
    today = local_day(now)
    n_cycles = math.ceil(n_cases / cycle_size)
    first = today - timedelta(days=60 + 14 * (n_cycles - 1))
    cycles, starts, cycle_ids, names = [], [], [], []
    for k in range(n_cycles):
        start = first + timedelta(days=14 * k)
        name = f"Inkubācijas cikls {k + 1:04d} ({start:%Y-%m})"
        cid = ids.take("cycles")
        cycles.append(
            {
                "id": cid,
                "name": name,
                "starts_on": start,
                "ends_on": start + timedelta(days=270),
                "budget_eur": Decimal("10000.00"),
                "capacity": cycle_size,
                "created_at": at_local(start - timedelta(days=7), 9, rng),
            }
        )
        starts.append(at_local(start, 8, rng))
        cycle_ids.append(cid)
        names.append(name)
    n_orgs = n_cases if n_cases < 2 * cycle_size else math.ceil(n_cases * 0.6)
    orgs, org_ids, org_names, regs = [], [], [], []
    for k in range(n_orgs):
        oid = ids.take("organisations")
        name = f"Biedrība „{WORDS[k % len(WORDS)]} {k + 1}”"
        reg = f"4000{k + 1:07d}"
        orgs.append(
            {
                "id": oid,
                "name": name,
                "reg_no": reg,
                "legal_form": "foundation" if rng.random() < 0.15 else "association",
                "fields": rng.sample(FIELDS, rng.randrange(1, 3)),
                "created_at": at_local(first - timedelta(days=30), 9, rng),
            }
        )
        org_ids.append(oid)
        org_names.append(name)
        regs.append(reg)
    sources, rows = [], []
    day = first - timedelta(days=200)
    while day < today + timedelta(days=400):
        sid = ids.take("funding_sources")
        funder = FUNDERS[sid % len(FUNDERS)]
        src = Source(
            sid,
            f"{funder.split()[0]} programma {sid:03d}",
            day,
            day + timedelta(days=150),
            Decimal(rng.choice((20_000, 50_000, 100_000, 250_000))),
        )
        sources.append(src)
        rows.append(
            {
                "id": sid,
                "funder": funder,
                "programme": src.programme,
                "call_opens": src.opens,
                "call_closes": src.closes,
                "max_grant_eur": src.max_grant,
                "domains": rng.sample(DOMAINS, 2),
                "created_at": at_local(day - timedelta(days=30), 9, rng),
            }
        )
        day += timedelta(days=21)
    rules = rt.rules
    world = World(
        now,
        starts,
        cycle_ids,
        names,
        org_ids,
        org_names,
        regs,
        sources,
        [(0, m) for m in mentor_names(n_mentors)],
        rules.policy_hash,
        rules.states_hash,
        cycle_size,
    )
    world.source_opens = [s.opens for s in sources]
    return world, [
        (table(Cycle), cycles),
        (table(Organisation), orgs),
        (table(FundingSource), rows),
    ]


def mentor_names(n: int) -> list[str]:
    """The benchmark's mentor accounts."""
    return [f"mentors{k + 1:02d}" for k in range(n)]


def add_users(rt: Runtime, n_mentors: int) -> list[tuple[int, str]]:
    """The coordinator, mentors, auditor and admin, through the engine (account log and all)."""
    people: list[tuple[str, Literal["coordinator", "mentor", "auditor", "admin"]]] = [
        (COORDINATOR, "coordinator"),
        (AUDITOR, "auditor"),
        (ADMIN, "admin"),
    ]
    people += [(m, "mentor") for m in mentor_names(n_mentors)]
    for name, role in people:
        accounts.add_user(rt, UserIn(name=name, role=role), PASSWORD)
    with rt.engine.connect() as conn:
        found = dict(conn.execute(select(User.name, User.id).where(User.role == "mentor")).all())
    return [(found[m], m) for m in mentor_names(n_mentors)]


def spread(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly."""
    if total <= 0:
        return [0] * len(weights)
    s = sum(weights)
    exact = [total * w / s for w in weights]
    out = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def case_rows(
    world: World,
    ids: Ids,
    index: int,
    seed: int,
    filler: int,
    buf: dict[str, list[dict[str, Any]]],
) -> int:
    """Plan case ``index``, add ``filler`` consultations, hash its chain, buffer every row.

    Returns the number of events written.
    """
    plan = plan_case(world, index, seed)
    rng = random.Random(seed * 7_000_003 + index)
    who = (plan.mentor, "mentor") if plan.mentor else (COORDINATOR, "coordinator")
    mentor = plan.mentor or "ārējais mentors"
    lo = plan.enrolled_at + timedelta(hours=3)
    hi = max(plan.end - timedelta(minutes=1), lo + timedelta(seconds=filler + 2))
    events = plan.events + [
        consultation(uniform_at(rng, lo, hi), who, mentor, rng.choice(HOURS), rng)
        for _ in range(filler)
    ]
    events.sort(key=lambda e: e.at)
    case_id = ids.take("cases")
    state, since, prev = "enrolled", plan.enrolled_at, None
    apps: list[dict[str, Any]] = []
    for seq, p in enumerate(events, start=1):
        if p.row is not None and p.table is not None:
            row_id = ids.take(p.table)
            p.row["id"], p.row["case_id"] = row_id, case_id
            if p.id_key:
                p.payload = {p.id_key: row_id, **p.payload}
            if p.table == "applications":
                apps.append(p.row)
            else:
                buf[p.table].append(p.row)
        if p.ref is not None:
            p.payload = {"application_id": p.ref["id"], **p.payload}
            p.ref.update(p.updates or {})
        if p.kind == "evidence" and (p.row or p.ref) is not None:
            # the row as it stands after this event, as the engine binds it
            table = "applications" if p.ref is not None else str(p.table)
            p.payload = content_bound(table, p.ref if p.ref is not None else p.row, p.payload)
        to_state = p.dest or state
        ev = {
            "case_id": case_id,
            "seq": seq,
            "kind": p.kind,
            "trigger": p.trigger,
            "from_state": None if seq == 1 else state,
            "to_state": to_state,
            "actor": p.actor,
            "role": p.role,
            "at": p.at,
            "comment": p.comment,
            "guards": p.guards,
            "payload": p.payload,
            "policy_hash": world.policy_hash,
            "states_hash": world.states_hash,
            "prev_hash": prev,
        }
        ev["hash"] = prev = event_hash(ev)
        ev["id"] = ids.take("audit_events")
        buf["audit_events"].append(ev)
        if p.dest is not None:
            state, since = p.dest, p.at
    buf["applications"].extend(apps)
    org = index % len(world.org_ids)
    buf["cases"].append(
        {
            "id": case_id,
            "organisation_id": world.org_ids[org],
            "cycle_id": world.cycle_ids[index // world.cycle_size],
            "state": state,
            "version": len(events),
            "head_hash": prev,
            "state_since": since,
            "enrolled_at": plan.enrolled_at,
            "mentor_id": plan.mentor_id,
        }
    )
    return len(events)


ORDER = (Case, NeedsAnalysis, Consultation, SourceSelection, Application, AuditEvent)


def flush(sink: Sink, buf: dict[str, list[dict[str, Any]]]) -> None:
    """Write the buffered rows, parents first."""
    for model in ORDER:
        t = table(model)
        sink.put(t, buf[t.name])
        buf[t.name] = []


def build(url: str, cases: int, events: int, *, cycle_size: int = 50, seed: int = 1) -> Fixture:
    """Build the fixture into the empty database at ``url``; print what and how fast."""
    t0 = time.perf_counter()
    rt = build_runtime(settings_for(url), migrate=True)
    try:
        rt.rules  # noqa: B018  (activating the rules stores their version: before the bulk)
        with rt.engine.connect() as conn:
            ids = Ids(conn)
        n_mentors = max(2, min(40, cases // 500))
        world, parents = make_world(rt, ids, cases, cycle_size, seed, n_mentors)
        base = [len(plan_case(world, i, seed).events) for i in range(cases)]
        if sum(base) > events:
            raise SystemExit(
                f"--events {events:,} is fewer than the {sum(base):,} events the paths of "
                f"{cases:,} cases need: give at least that many"
            )
        # the mentors' ids, now that nothing can stop the build for want of events
        world.mentors = add_users(rt, n_mentors)
        t_world = time.perf_counter()
        sink = Sink(rt.engine)
        try:
            for t, rows in parents:
                sink.put(t, rows)
            rng = random.Random(seed + 17)
            weights = [rng.lognormvariate(0, 1.0) for _ in range(cases)]
            filler = spread(events - sum(base), weights)
            t_plan = time.perf_counter()
            buf: dict[str, list[dict[str, Any]]] = {table(m).name: [] for m in ORDER}
            written = 0
            for i in range(cases):
                written += case_rows(world, ids, i, seed, filler[i], buf)
                if len(buf["audit_events"]) >= 50_000:
                    flush(sink, buf)
                    progress(written, events, t_plan)
            flush(sink, buf)
            sink.fix_sequences(table(m) for m in (Organisation, Cycle, FundingSource, *ORDER))
            write_marker(
                sink.conn, Fixture(cases, events, cycle_size, seed), time.perf_counter() - t0
            )
            sink.commit()
        except BaseException:
            sink.rollback()
            raise
        t_write = time.perf_counter()
        analyze(rt.engine)
        t_end = time.perf_counter()
        print(
            f"\nbuilt {cases:,} cases and {written:,} events ({sink.rows:,} rows) in "
            f"{t_end - t0:.1f} s: migrations, users and planning {t_world - t0:.1f} s, "
            f"hashing and writing {t_write - t_world:.1f} s "
            f"({written / (t_write - t_world):,.0f} events/s), ANALYZE {t_end - t_write:.1f} s"
        )
        describe(rt.engine)
    finally:
        rt.engine.dispose()
    return Fixture(cases, events, cycle_size, seed)


def progress(done: int, total: int, since: float) -> None:
    """One overwritten line on a terminal."""
    if sys.stderr.isatty():
        rate = done / max(time.perf_counter() - since, 1e-9)
        sys.stderr.write(f"\r  {done:,} of {total:,} events ({rate:,.0f}/s)   ")
        sys.stderr.flush()


def write_marker(conn: Connection, fx: Fixture, seconds: float) -> None:
    """Record what was built, in the same transaction as the rows."""
    conn.execute(
        text(
            f"CREATE TABLE {MARKER} (cases INTEGER NOT NULL, events INTEGER NOT NULL, "
            "cycle_size INTEGER NOT NULL, seed INTEGER NOT NULL, supply_cases INTEGER NOT NULL, "
            "built_at VARCHAR(40) NOT NULL, build_seconds FLOAT NOT NULL)"
        )
    )
    conn.execute(
        text(f"INSERT INTO {MARKER} VALUES (:c, :e, :s, :seed, 0, :at, :secs)"),
        {
            "c": fx.cases,
            "e": fx.events,
            "s": fx.cycle_size,
            "seed": fx.seed,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "secs": round(seconds, 1),
        },
    )


def analyze(engine: Engine) -> None:
    """Fresh planner statistics, as a database that grew slowly would have."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def describe(engine: Engine) -> None:
    """Print the tables' sizes and the cases per state."""
    with engine.connect() as conn:
        sizes = {
            t.name: conn.scalar(select(func.count()).select_from(t))
            for t in (table(m) for m in (Cycle, Organisation, FundingSource, User, *ORDER))
        }
        states = conn.execute(
            select(Case.state, func.count()).group_by(Case.state).order_by(func.count().desc())
        ).all()
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    print("  cases per state: " + ", ".join(f"{s} {n:,}" for s, n in states))


def prepare(
    url: str, cases: int, events: int, *, reuse: bool, cycle_size: int = 50, seed: int = 1
) -> Fixture:
    """Build the fixture, or (``reuse``) accept the one already there if it is the same."""
    engine = build_runtime(settings_for(url), migrate=True).engine
    try:
        marker = read_marker(engine)
        held = holdings(engine)
    finally:
        engine.dispose()
    if marker is not None:
        same = (marker.cases, marker.events, marker.cycle_size, marker.seed) == (
            cases,
            events,
            cycle_size,
            seed,
        )
        if reuse and same:
            extra = f", plus {marker.supply_cases:,} supply cases" if marker.supply_cases else ""
            print(f"reusing the fixture of {cases:,} cases and {events:,} events{extra}")
            return marker
        raise SystemExit(
            f"the database holds a fixture of {marker.cases:,} cases and {marker.events:,} "
            f"events (cycle size {marker.cycle_size}, seed {marker.seed}); "
            + ("it is not the one asked for: " if reuse else "pass --reuse to use it, or ")
            + "give an empty database for a new one"
        )
    if any(held.values()):
        raise SystemExit(
            "refusing to fill a database that is not empty ("
            + ", ".join(f"{k} {v:,}" for k, v in held.items())
            + "); give an empty one"
            + (" (--reuse only reuses a fixture this script built)" if reuse else "")
        )
    return build(url, cases, events, cycle_size=cycle_size, seed=seed)


def verify(url: str) -> None:
    """``inkubators audit verify``'s own checks, with their rate."""
    rt = build_runtime(settings_for(url))
    try:
        t0 = time.perf_counter()
        result = auditlog.verify(rt)
        seconds = time.perf_counter() - t0
        acc = accountlog.verify(rt)
    finally:
        rt.engine.dispose()
    print(
        f"audit verify: {'OK' if result.ok else 'BROKEN ' + json.dumps(result.first_bad)}, "
        f"{result.checked:,} events in {seconds:.1f} s ({result.checked / seconds:,.0f}/s); "
        f"account log {'OK' if acc.ok else 'BROKEN'} ({acc.checked} events)"
    )
    if not (result.ok and acc.ok):
        raise SystemExit(1)


# --- fresh cases for the transition benchmark ----------------------------------------------


def add_supply(url: str, n: int) -> None:
    """Add ``n`` cases ready for ``analyse`` then ``consult`` (analysis and 3 mentor hours
    recorded), in a cycle of their own that sorts oldest, so no page shows it first."""
    rt = build_runtime(settings_for(url))
    try:
        rules = rt.rules
        sink = Sink(rt.engine)
        try:
            ids = Ids(sink.conn)
            now = rt.now().replace(microsecond=0)
            cycle_id = sink.conn.scalar(select(Cycle.id).where(Cycle.name == SUPPLY_CYCLE))
            if cycle_id is None:
                cycle_id = ids.take("cycles")
                sink.put(
                    table(Cycle),
                    [
                        {
                            "id": cycle_id,
                            "name": SUPPLY_CYCLE,
                            "starts_on": date(2000, 1, 1),
                            "ends_on": date(2000, 12, 31),
                            "budget_eur": Decimal("10000.00"),
                            "capacity": 10_000_000,
                            "created_at": now,
                        }
                    ],
                )
            orgs: list[dict[str, Any]] = []
            buf: dict[str, list[dict[str, Any]]] = {table(m).name: [] for m in ORDER}
            for _ in range(n):
                oid = ids.take("organisations")
                orgs.append(
                    {
                        "id": oid,
                        "name": f"Biedrība „Krājums {oid}”",
                        "reg_no": f"9{oid:010d}",
                        "legal_form": "association",
                        "fields": ["social"],
                        "created_at": now,
                    }
                )
                supply_case(buf, ids, oid, cycle_id, now, rules.policy_hash, rules.states_hash)
                if len(buf["audit_events"]) >= 50_000:
                    sink.put(table(Organisation), orgs)
                    orgs = []
                    flush(sink, buf)
            sink.put(table(Organisation), orgs)
            flush(sink, buf)
            sink.fix_sequences(table(m) for m in (Organisation, Cycle, *ORDER))
            if rt.engine.dialect.has_table(sink.conn, MARKER):
                sink.conn.execute(text(f"UPDATE {MARKER} SET supply_cases = supply_cases + {n}"))
            sink.commit()
        except BaseException:
            sink.rollback()
            raise
        # fresh planner statistics: the tables grew, and a plan chosen for the smaller
        # ones (a scan of every case, say) would slow the next benchmark's reads
        analyze(rt.engine)
    finally:
        rt.engine.dispose()


def content_bound(
    table: str, row: dict[str, Any] | None, payload: dict[str, Any]
) -> dict[str, Any]:
    """``payload`` with the content hash of ``row`` (every column of ``table``; the
    missing ones null), as :func:`workflow.contentbind.bind` records it."""
    t = EVIDENCE_TABLES[table]
    columns = {c.name: (row or {}).get(c.name) for c in t.columns}
    return {**payload, CONTENT_KEY: row_hash(t, columns)}


def supply_case(
    buf: dict[str, list[dict[str, Any]]],
    ids: Ids,
    org_id: int,
    cycle_id: int,
    now: datetime,
    policy_hash: str,
    states_hash: str,
) -> None:
    """One enrolled case with its needs analysis and two 1.5-hour consultations."""
    case_id = ids.take("cases")
    t0 = now - timedelta(days=2)
    day = local_day(now - timedelta(days=1))
    aid, c1, c2 = ids.take("needs_analyses"), ids.take("consultations"), ids.take("consultations")
    areas = ["finance", "fundraising"]
    findings = "Valde strādā brīvprātīgi; trūkst finanšu plānošanas."
    buf["needs_analyses"].append(
        {
            "id": aid,
            "case_id": case_id,
            "findings": findings,
            "need_areas": areas,
            "recorded_on": day,
            "recorded_by": COORDINATOR,
        }
    )
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "enrol",
            {
                "organisation": f"Biedrība „Krājums {org_id}”",
                "reg_no": f"9{org_id:010d}",
                "cycle": SUPPLY_CYCLE,
            },
        ),
        (
            "record_analysis",
            {
                "analysis_id": aid,
                "findings": findings,
                "need_areas": areas,
                "recorded_on": day.isoformat(),
            },
        ),
    ]
    for cid in (c1, c2):
        buf["consultations"].append(
            {
                "id": cid,
                "case_id": case_id,
                "mentor": "ārējais mentors",
                "held_on": day,
                "hours": Decimal("1.5"),
                "topic": TOPICS[0],
                "recorded_by": COORDINATOR,
            }
        )
        steps.append(
            (
                "record_consultation",
                {
                    "consultation_id": cid,
                    "mentor": "ārējais mentors",
                    "held_on": day.isoformat(),
                    "hours": "1.5",
                    "topic": TOPICS[0],
                },
            )
        )
    steps[1] = (
        "record_analysis",
        content_bound("needs_analyses", buf["needs_analyses"][-1], steps[1][1]),
    )
    for i, row in enumerate(buf["consultations"][-2:], start=2):
        steps[i] = ("record_consultation", content_bound("consultations", row, steps[i][1]))
    prev = None
    for seq, (trigger, payload) in enumerate(steps, start=1):
        ev: dict[str, Any] = {
            "case_id": case_id,
            "seq": seq,
            "kind": "enrol" if seq == 1 else "evidence",
            "trigger": trigger,
            "from_state": None if seq == 1 else "enrolled",
            "to_state": "enrolled",
            "actor": COORDINATOR,
            "role": "coordinator",
            "at": t0 + timedelta(minutes=seq),
            "comment": "",
            "guards": [],
            "payload": payload,
            "policy_hash": policy_hash,
            "states_hash": states_hash,
            "prev_hash": prev,
        }
        ev["hash"] = prev = event_hash(ev)
        ev["id"] = ids.take("audit_events")
        buf["audit_events"].append(ev)
    buf["cases"].append(
        {
            "id": case_id,
            "organisation_id": org_id,
            "cycle_id": cycle_id,
            "state": "enrolled",
            "version": len(steps),
            "head_hash": prev,
            "state_since": t0 + timedelta(minutes=1),
            "enrolled_at": t0 + timedelta(minutes=1),
            "mentor_id": None,
        }
    )


def ready_supply(url: str) -> list[int]:
    """Supply cases still enrolled (each takes ``analyse`` then ``consult``)."""
    rt = build_runtime(settings_for(url))
    try:
        with rt.engine.connect() as conn:
            return list(
                conn.scalars(
                    select(Case.id)
                    .join(Cycle, Cycle.id == Case.cycle_id)
                    .where(Cycle.name == SUPPLY_CYCLE, Case.state == "enrolled", Case.version == 4)
                    .order_by(Case.id)
                )
            )
    finally:
        rt.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build (or reuse) the fixture, optionally verify it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases (default 10,000)")
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="audit events (default 1,000,000)"
    )
    parser.add_argument("--cycle-size", type=int, default=50, help="cases per cycle (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--reuse", action="store_true", help="accept a fixture with the same arguments"
    )
    parser.add_argument("--verify", action="store_true", help="run the audit verify checks after")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.events < 1 or args.cycle_size < 1:
        parser.error("--cases, --events and --cycle-size must be positive")
    url = os.environ.get("DATABASE_URL")
    if not url:
        parser.error("set DATABASE_URL to the (empty) database to fill")
    prepare(
        url, args.cases, args.events, reuse=args.reuse, cycle_size=args.cycle_size, seed=args.seed
    )
    if args.verify:
        verify(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
