"""A tamper matrix: random tamperings of every kind on copies of the demo programme.

    .venv/bin/python benchmarks/tamper_matrix.py [--n 1000] [--seed 1] [--url DATABASE_URL]

Loads the demo (the 2023 pilot and the next cycle) into a fresh database, takes an
(unsigned) checkpoint of it, then runs ``--n`` trials, cycling through the kinds below.
Each trial starts from a clean copy (SQLite: a copy of the file; PostgreSQL: one
transaction rolled back at the end), does what an attacker with database rights does
(drops the append-only triggers), applies one random tampering of its kind and asks
``audit verify``'s checks (both chains and their bindings) whether it notices; the kinds
in :data:`NEEDS_CHECKPOINT` may also be caught by holding the copy against the
checkpoint, every other kind must be caught by verify alone. One trial in 21 is a
clean copy left untouched, which must verify (a false alarm otherwise). Prints counts
per kind and ``detected=N/N false_alarms=0``; exits 1 on any miss or false alarm.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package: keep this folder off
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inkubators.demo.loader import load_demo  # noqa: E402
from workflow import accountlog, auditlog, checkpointing  # noqa: E402
from workflow.chain import HASHED_FIELDS, event_hash  # noqa: E402
from workflow.checkpoint import Checkpoint  # noqa: E402
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.rules import load_rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402

Tamper = Callable[[Connection, random.Random], None]


def _one(conn: Connection, sql: str, rnd: random.Random, **params: Any) -> Any:
    rows = conn.execute(text(sql), params).all()
    if not rows:
        raise LookupError(f"nothing to tamper with: {sql}")
    return rnd.choice(rows)


def _rehash(conn: Connection, case_id: int) -> None:
    """Recompute a case's whole chain and head: what someone who knows the format does."""
    rows = conn.execute(
        text("SELECT * FROM audit_events WHERE case_id = :c ORDER BY seq"), {"c": case_id}
    ).all()
    prev: str | None = None
    for seq, row in enumerate(rows, start=1):
        fields = {k: getattr(row, k) for k in HASHED_FIELDS} | {"seq": seq, "prev_hash": prev}
        new = event_hash(fields)
        conn.execute(
            text("UPDATE audit_events SET seq = :s, prev_hash = :p, hash = :h WHERE id = :id"),
            {"s": seq, "p": prev, "h": new, "id": row.id},
        )
        prev = new
    last = rows[-1]
    conn.execute(
        text("UPDATE cases SET version = :v, head_hash = :h, state = :s WHERE id = :id"),
        {"v": len(rows), "h": prev, "s": last.to_state, "id": case_id},
    )


def event_edit(conn: Connection, rnd: random.Random) -> None:
    ev = _one(conn, "SELECT id, actor, comment, to_state FROM audit_events", rnd)
    column, value = rnd.choice(
        [("actor", ev.actor + "x"), ("comment", ev.comment + "."), ("to_state", "outcome")]
        if ev.to_state != "outcome"
        else [("actor", "mallory"), ("comment", "labots"), ("to_state", "withdrawn")]
    )
    conn.execute(
        text(f"UPDATE audit_events SET {column} = :v WHERE id = :id"), {"v": value, "id": ev.id}
    )


def event_delete(conn: Connection, rnd: random.Random) -> None:
    ev = _one(conn, "SELECT id FROM audit_events", rnd)
    conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ev.id})


def event_insert(conn: Connection, rnd: random.Random) -> None:
    """A copy of an event, relinked to follow it, inserted as the next in its chain."""
    ev = _one(conn, "SELECT * FROM audit_events", rnd)
    row = {k: getattr(ev, k) for k in HASHED_FIELDS}
    row.update(seq=ev.seq + 1, prev_hash=ev.hash, comment="ievietots")
    conn.execute(
        text("UPDATE audit_events SET seq = seq + 1000000 WHERE case_id = :c AND seq > :s"),
        {"c": ev.case_id, "s": ev.seq},
    )
    cols = [*HASHED_FIELDS, "hash"]
    values = {**row, "hash": event_hash(row)}
    conn.execute(
        text(
            f"INSERT INTO audit_events ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
        ).bindparams(*[_json(c) for c in ("guards", "payload")]),
        values,
    )


def _json(name: str) -> Any:
    from sqlalchemy import JSON, bindparam

    return bindparam(name, type_=JSON)


def event_swap(conn: Connection, rnd: random.Random) -> None:
    ev = _one(conn, "SELECT case_id, seq FROM audit_events WHERE seq > 1", rnd)
    for old, new in ((ev.seq - 1, -1), (ev.seq, ev.seq - 1), (-1, ev.seq)):
        conn.execute(
            text("UPDATE audit_events SET seq = :n WHERE case_id = :c AND seq = :o"),
            {"n": new, "c": ev.case_id, "o": old},
        )


def case_state(conn: Connection, rnd: random.Random) -> None:
    case = _one(conn, "SELECT id, state FROM cases", rnd)
    other = rnd.choice(
        [s for s in ("outcome", "submitted", "analysed", "withdrawn") if s != case.state]
    )
    conn.execute(text("UPDATE cases SET state = :s WHERE id = :id"), {"s": other, "id": case.id})


def case_version(conn: Connection, rnd: random.Random) -> None:
    case = _one(conn, "SELECT id FROM cases", rnd)
    delta = rnd.choice([-1, 1, -1000])
    conn.execute(
        text(
            "UPDATE cases SET version = max(version + :d, 0) WHERE id = :id".replace(
                "max(", "greatest(" if conn.dialect.name == "postgresql" else "max("
            )
        ),
        {"d": delta, "id": case.id},
    )


def case_head(conn: Connection, rnd: random.Random) -> None:
    case = _one(conn, "SELECT id FROM cases", rnd)
    conn.execute(
        text("UPDATE cases SET head_hash = :h WHERE id = :id"),
        {"h": f"{rnd.getrandbits(256):064x}", "id": case.id},
    )


def case_forged(conn: Connection, rnd: random.Random) -> None:
    """A case row at version 0 with no history: what a forged enrolment looks like."""
    case = _one(
        conn,
        "SELECT o.id AS organisation_id, c.id AS cycle_id, c.created_at AS state_since"
        " FROM organisations o CROSS JOIN cycles c WHERE NOT EXISTS (SELECT 1 FROM cases x"
        " WHERE x.organisation_id = o.id AND x.cycle_id = c.id)",
        rnd,
    )
    conn.execute(
        text(
            "INSERT INTO cases (organisation_id, cycle_id, state, version, head_hash, state_since,"
            " enrolled_at) VALUES (:o, :c, 'enrolled', 0, '', :t, :t)"
        ),
        {"o": case.organisation_id, "c": case.cycle_id, "t": case.state_since},
    )


def mentor_edit(conn: Connection, rnd: random.Random) -> None:
    case = _one(conn, "SELECT id, mentor_id FROM cases", rnd)
    user = _one(conn, "SELECT id FROM users WHERE id != :m", rnd, m=case.mentor_id or -1)
    conn.execute(
        text("UPDATE cases SET mentor_id = :u WHERE id = :id"), {"u": user.id, "id": case.id}
    )


EVIDENCE_EDITS = (
    ("consultations", "hours", lambda v: Decimal(v) + Decimal("0.5")),
    ("consultations", "topic", lambda v: v + "!"),
    ("applications", "requested_eur", lambda v: Decimal(v) + 1),
    ("applications", "status", lambda v: "awarded" if v != "awarded" else "rejected"),
    ("needs_analyses", "findings", lambda v: v + " (labots)"),
    ("source_selections", "selected_on", None),
)


def _bindable(conn: Connection, value: Any) -> Any:
    """sqlite3 binds no Decimal: its text, which the NUMERIC column stores as a number."""
    return str(value) if isinstance(value, Decimal) and conn.dialect.name == "sqlite" else value


def evidence_edit(conn: Connection, rnd: random.Random) -> None:
    table, column, change = rnd.choice(EVIDENCE_EDITS)
    row = _one(conn, f"SELECT id, {column} AS v FROM {table}", rnd)
    if change is None:
        conn.execute(
            text(f"UPDATE {table} SET {column} = '2020-01-01' WHERE id = :id"), {"id": row.id}
        )
    else:
        conn.execute(
            text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),
            {"v": _bindable(conn, change(row.v)), "id": row.id},
        )


def awarded_edit(conn: Connection, rnd: random.Random) -> None:
    row = _one(conn, "SELECT id, awarded_eur FROM applications WHERE awarded_eur IS NOT NULL", rnd)
    conn.execute(
        text("UPDATE applications SET awarded_eur = :v WHERE id = :id"),
        {"v": _bindable(conn, Decimal(row.awarded_eur) * rnd.choice([2, 10])), "id": row.id},
    )


def evidence_insert(conn: Connection, rnd: random.Random) -> None:
    case = _one(conn, "SELECT id FROM cases", rnd)
    conn.execute(
        text(
            "INSERT INTO consultations (case_id, mentor, held_on, hours, topic, recorded_by)"
            " VALUES (:c, 'anna', '2023-04-01', 8, 'viltots', 'ilze')"
        ),
        {"c": case.id},
    )


def evidence_delete(conn: Connection, rnd: random.Random) -> None:
    table = rnd.choice(["consultations", "needs_analyses", "applications", "source_selections"])
    row = _one(conn, f"SELECT id FROM {table}", rnd)
    conn.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row.id})


def account_role(conn: Connection, rnd: random.Random) -> None:
    user = _one(conn, "SELECT id FROM users WHERE role != 'admin'", rnd)
    conn.execute(text("UPDATE users SET role = 'admin' WHERE id = :id"), {"id": user.id})


def account_active(conn: Connection, rnd: random.Random) -> None:
    user = _one(conn, "SELECT id, active FROM users", rnd)
    conn.execute(
        text("UPDATE users SET active = :a WHERE id = :id"), {"a": not user.active, "id": user.id}
    )


def token_forge(conn: Connection, rnd: random.Random) -> None:
    user = _one(conn, "SELECT id, created_at FROM users", rnd)
    conn.execute(
        text("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (:u, :h, :t)"),
        {"u": user.id, "h": f"{rnd.getrandbits(256):064x}", "t": user.created_at},
    )


def account_log_cut(conn: Connection, rnd: random.Random) -> None:
    """The last account event deleted (or, half the time, any one)."""
    last = conn.execute(text("SELECT max(seq) FROM account_events")).scalar_one()
    seq = last if rnd.random() < 0.5 else rnd.randint(1, last)
    conn.execute(text("DELETE FROM account_events WHERE seq = :s"), {"s": seq})


def case_delete(conn: Connection, rnd: random.Random) -> None:
    case = _one(conn, "SELECT id FROM cases", rnd)
    for table in (
        "applications",
        "source_selections",
        "consultations",
        "needs_analyses",
        "audit_events",
    ):
        conn.execute(text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": case.id})
    conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": case.id})


def truncate_rollback(conn: Connection, rnd: random.Random) -> None:
    """A case's tail cut (events only: the rows they recorded stay) and its head rolled
    back to what is left, rehashed."""
    case = _one(conn, "SELECT id, version FROM cases WHERE version >= 2", rnd)
    keep = rnd.randint(1, case.version - 1)
    conn.execute(
        text("DELETE FROM audit_events WHERE case_id = :c AND seq > :k"), {"c": case.id, "k": keep}
    )
    _rehash(conn, case.id)


def recompute_chain(conn: Connection, rnd: random.Random) -> None:
    """An event edited (or deleted) and the case's chain and head recomputed to match."""
    ev = _one(conn, "SELECT id, case_id, seq FROM audit_events WHERE seq > 1", rnd)
    if rnd.random() < 0.5:
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": ev.id}
        )
    else:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ev.id})
    _rehash(conn, ev.case_id)


KINDS: dict[str, Tamper] = {
    f.__name__: f
    for f in (
        event_edit,
        event_delete,
        event_insert,
        event_swap,
        case_state,
        case_version,
        case_head,
        case_forged,
        mentor_edit,
        evidence_edit,
        awarded_edit,
        evidence_insert,
        evidence_delete,
        account_role,
        account_active,
        token_forge,
        account_log_cut,
        case_delete,
        truncate_rollback,
        recompute_chain,
    )
}
#: what only a checkpoint taken before can reveal: the chains and bindings stay coherent
NEEDS_CHECKPOINT = frozenset(
    {"account_log_cut", "case_delete", "truncate_rollback", "recompute_chain"}
)
CLEAN = "clean"


def drop_protection(conn: Connection) -> None:
    """What an attacker with database rights does first: the append-only triggers go."""
    if conn.dialect.name == "sqlite":
        names = (
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            .scalars()
            .all()
        )
        for name in names:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
    else:
        for table in ("audit_events", "account_events"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def detected(conn: Connection, cp: Checkpoint | None) -> str | None:
    """What notices the tampering: ``verify`` or ``checkpoint`` (None: nothing)."""
    if not (auditlog.verify_on(conn).ok and accountlog.verify_on(conn).ok):
        return "verify"
    if cp is not None and not checkpointing.compare(conn, cp).ok:
        return "checkpoint"
    return None


def build(url: str) -> Checkpoint:
    """The demo programme at ``url`` and a checkpoint of it."""
    upgrade(url)
    rules = load_rules(ROOT / "states", ROOT / "policies")
    rt = Runtime(engine=make_engine(url), rules_source=FixedRules(rules))
    try:
        load_demo(rt)
        with checkpointing.snapshot(rt.engine) as conn:
            return checkpointing.take(conn, rules, rt.now(), None)
    finally:
        rt.engine.dispose()


@contextmanager
def _sqlite_trial(base: Path, work: Path) -> Iterator[Connection]:
    shutil.copyfile(base, work)
    engine: Engine = make_engine(f"sqlite:///{work}")
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def _pg_trial(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            yield conn
        finally:
            tx.rollback()


def trial(conn: Connection, kind: str, rnd: random.Random, cp: Checkpoint) -> bool:
    """One trial on a clean copy: whether the checks judged it right."""
    if kind == CLEAN:
        return detected(conn, cp) is None
    drop_protection(conn)
    KINDS[kind](conn, rnd)
    found = detected(conn, cp if kind in NEEDS_CHECKPOINT else None)
    return found is not None


def run(
    n: int, seed: int, url: str | None = None, out: Callable[[str], None] = print
) -> tuple[Counter[str], Counter[str]]:
    """``n`` trials on the demo loaded at ``url`` (an empty database; None: a temporary
    SQLite file); (trials per kind, judged right per kind)."""
    rnd = random.Random(seed)
    order = [CLEAN, *KINDS]
    runs: Counter[str] = Counter()
    right: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'base.db'}"
        cp = build(url)
        engine = make_engine(url)
        engine.dispose()  # SQLite: the copies get their own; PostgreSQL: reopened lazily
        if engine.dialect.name == "sqlite":
            base = Path(str(engine.url.database))
            work = Path(tmp) / "trial.db"
            copies: Callable[[], Any] = lambda: _sqlite_trial(base, work)  # noqa: E731
        else:
            copies = lambda: _pg_trial(engine)  # noqa: E731
        try:
            for i in range(n):
                kind = order[i % len(order)]
                with copies() as conn:
                    ok = trial(conn, kind, rnd, cp)
                runs[kind] += 1
                right[kind] += ok
                if not ok:
                    out(f"MISSED {kind} (trial {i}, seed {seed})")
        finally:
            engine.dispose()
    return runs, right


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--url", help="an empty database's URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    started = time.perf_counter()
    runs, right = run(args.n, args.seed, args.url)
    elapsed = time.perf_counter() - started
    for kind in [*KINDS, CLEAN]:
        tag = " (with checkpoint)" if kind in NEEDS_CHECKPOINT else ""
        out = "verified clean" if kind == CLEAN else "detected"
        print(f"{kind:<18} {right[kind]:>4}/{runs[kind]:<4} {out}{tag}")
    tampered = sum(runs[k] for k in KINDS)
    caught = sum(right[k] for k in KINDS)
    false_alarms = runs[CLEAN] - right[CLEAN]
    db = "postgresql" if args.url and args.url.startswith("postgresql") else "sqlite"
    print(
        f"{db}: detected={caught}/{tampered} false_alarms={false_alarms} clean={runs[CLEAN]} ({elapsed:.1f} s)"
    )
    sys.exit(0 if caught == tampered and not false_alarms else 1)


if __name__ == "__main__":
    main()
