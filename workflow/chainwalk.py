"""Walking the case chains of one range of case ids: what is wrong, and where first.

Each event is checked the way it always was (sequence numbers 1, 2, 3 …, each naming
its predecessor's hash, its content matching its hash, the case's head being its chain's
last event); only the reading changed: raw driver rows through a server-side cursor, and
the content check is hashing the stored text (:mod:`workflow.chainbytes`). Rows the
splice cannot vouch for (written before JSON was stored canonically, or edited) are
decoded and re-encoded from the same raw row, and only a row even that cannot read (a
time in another spelling, a column of another type) is read again through SQLAlchemy's
column types, exactly as verification always read it. A walk can start
from a checkpoint's heads (``floors``): a case's events before its pinned version are
not read, the pinned event must still carry the pinned hash, and the chain goes on from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection, select

from workflow.chain import event_hash
from workflow.chainbytes import COLUMNS, hash_matches, select_sql
from workflow.orm import AuditEvent

events = AuditEvent.__table__


class Finding(NamedTuple):
    """What is wrong with an event, in English (API, CLI, logs) and Latvian (the screens)."""

    en: str
    lv: str


# The two findings every hash chain shares (the case chains here, the account log in
# :mod:`workflow.accountlog`).
UNLINKED = Finding(
    "does not name the previous event's hash: events were inserted, removed or reordered",
    "tas nenorāda iepriekšējā notikuma jaucējvērtību: notikumi ir ievietoti, dzēsti vai pārkārtoti",
)
EDITED = Finding(
    "its content does not match its hash: the event was edited",
    "tā saturs neatbilst tā jaucējvērtībai: notikums ir labots",
)


class Raw(NamedTuple):
    """One event as :data:`workflow.chainbytes.COLUMNS` reads it (``at`` as UTC text)."""

    id: int
    case_id: int
    seq: int
    prev_hash: str | None
    hash: str
    actor: str
    at: str | None
    comment: str
    from_state: str | None
    guards: str
    kind: str
    payload: str
    policy_hash: str
    role: str
    states_hash: str
    to_state: str
    trigger: str


assert Raw._fields == COLUMNS


@dataclass(slots=True)
class Walk:
    """How one range's walk ended: events read, events a checkpoint spared, the first
    problem (``bad``: the event's identity and finding), and the cases with a version
    but no events (reported only when every chain is sound)."""

    checked: int = 0
    skipped: int = 0
    bad: dict[str, Any] | None = None
    problem_lv: str | None = None
    empty: list[tuple[int, int]] = field(default_factory=list)


#: A checkpoint's heads by case id: (version, hash) the walk starts from.
Floors = dict[int, tuple[int, str]]


def _problem(row: Raw, prev: Raw | None, content_ok: Callable[[Raw], bool]) -> Finding | None:
    """What breaks the chain at ``row`` given the case's previous event (None: the first)."""
    if prev is None:
        if row.seq != 1:
            return Finding(
                f"case {row.case_id} starts at #{row.seq}, not #1: earlier events are missing",
                f"lieta {row.case_id} sākas ar #{row.seq}, nevis #1: trūkst agrāku notikumu",
            )
        if row.prev_hash is not None:
            return Finding(
                "the first event names a predecessor",
                "pirmais notikums norāda uz priekšgājēju",
            )
    elif row.seq == prev.seq:
        return Finding(
            f"a second event #{row.seq}: an event was inserted",
            f"otrs notikums #{row.seq}: ir ievietots notikums",
        )
    elif row.seq != prev.seq + 1:
        return Finding(
            f"#{row.seq} follows #{prev.seq}: an event is missing",
            f"#{row.seq} seko #{prev.seq}: trūkst notikuma",
        )
    elif row.prev_hash != prev.hash:
        return UNLINKED
    return None if content_ok(row) else EDITED


def _pinned_problem(row: Raw, version: int, pinned: str) -> Finding | None:
    """Whether a case's first event read still is the one the checkpoint pins."""
    if row.seq != version:
        return Finding(
            f"case {row.case_id}'s event #{version}, which the checkpoint pins, is missing",
            f"trūkst lietas {row.case_id} notikuma #{version}, ko fiksē kontrolpunkts",
        )
    if row.hash != pinned:
        return Finding(
            f"case {row.case_id}'s event #{version} no longer has the checkpoint's hash: "
            "the chain was rewritten",
            f"lietas {row.case_id} notikumam #{version} vairs nav kontrolpunkta "
            "jaucējvērtības: ķēde ir pārrakstīta",
        )
    return None


class _Last(Protocol):
    """What the head check reads of a chain's last event."""

    @property
    def case_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def hash(self) -> str: ...


def head_problem(last: _Last, heads: dict[int, tuple[int, str]]) -> Finding | None:
    """Whether the case's head (version, hash) is its chain's last event."""
    version, head_hash = heads.get(last.case_id, (None, None))
    if version is None:
        return Finding(
            f"events of case {last.case_id}, which does not exist",
            f"neesošas lietas {last.case_id} notikumi",
        )
    if version != last.seq or head_hash != last.hash:
        return Finding(
            f"case {last.case_id}'s chain ends at #{last.seq} but the case's head is "
            f"#{version}: events were deleted or appended behind the engine's back",
            f"lietas {last.case_id} ķēde beidzas ar #{last.seq}, bet lietas galva ir "
            f"#{version}: notikumi ir dzēsti vai pievienoti, apejot sistēmu",
        )
    return None


def _range_sql(column: str, lo: int | None, hi: int | None) -> str:
    parts = ([f"{column} >= {int(lo)}"] if lo is not None else []) + (
        [f"{column} < {int(hi)}"] if hi is not None else []
    )
    return " AND ".join(parts) or "1 = 1"


def _rows(conn: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    """Raw rows through a server-side cursor on PostgreSQL (closed when the walk stops)."""
    dbapi: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cur = dbapi.cursor(name="inkubators_verify")
        cur.itersize = 5000
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(5000):
            yield from batch
    finally:
        cur.close()


def walk(
    conn: Connection,
    lo: int | None = None,
    hi: int | None = None,
    floors: Floors | None = None,
    floor_table: str | None = None,
) -> Walk:
    """Walk the chains of cases ``lo <= id < hi`` inside the caller's transaction."""
    out = Walk()
    heads = {
        r[0]: (r[1], r[2])
        for r in conn.exec_driver_sql(
            f"SELECT id, version, head_hash FROM cases WHERE {_range_sql('id', lo, hi)}"
        )
    }
    where = f"WHERE {_range_sql('e.case_id', lo, hi)}"
    if floor_table:
        where = (
            f"LEFT JOIN {floor_table} f ON f.case_id = e.case_id "
            f"{where} AND (f.seq IS NULL OR e.seq >= f.seq)"
        )
    floors = floors or {}

    def content_ok(row: Raw) -> bool:
        if hash_matches(row):
            return True
        if row.at is not None:  # stored before JSON was written canonically: decode it
            try:
                decoded = {"guards": json.loads(row.guards), "payload": json.loads(row.payload)}
                return bool(event_hash(row._asdict() | decoded) == row.hash)
            except (TypeError, ValueError):
                pass
        stored = conn.execute(select(events).where(events.c.id == row.id)).one()
        return bool(event_hash(stored._asdict()) == row.hash)

    def broken(row: Raw, finding: Finding) -> Walk:
        out.bad = {"event_id": row.id, "case_id": row.case_id, "seq": row.seq}
        out.bad["problem"] = finding.en
        out.problem_lv = finding.lv
        return out

    seen: set[int] = set()
    prev: Any = None
    for t in _rows(conn, select_sql(conn.dialect.name, where)):
        out.checked += 1
        if prev is not None:
            if prev[1] == t[1]:
                # the common case, inline: next in sequence, linked, content hashes right
                if t[2] == prev[2] + 1 and t[3] == prev[4] and hash_matches(t):
                    prev = t
                    continue
            else:
                if found := head_problem(Raw._make(prev), heads):
                    return broken(Raw._make(prev), found)
                prev = None
        row = Raw._make(t)
        if prev is None:
            seen.add(row.case_id)
            pin = floors.get(row.case_id)
            if pin is not None and pin[0] > 0:
                out.skipped += pin[0] - 1
                if found := _pinned_problem(row, *pin):
                    return broken(row, found)
                if not content_ok(row):
                    return broken(row, EDITED)
                prev = t
                continue
        if found := _problem(row, prev and Raw._make(prev), content_ok):
            return broken(row, found)
        prev = t
    if prev is not None and (found := head_problem(Raw._make(prev), heads)):
        return broken(Raw._make(prev), found)
    for case_id, (version, _) in sorted(heads.items()):
        pinned = floors.get(case_id, (0, ""))[0]
        if case_id not in seen and (version or pinned):
            out.empty.append((case_id, version or pinned))
    return out
