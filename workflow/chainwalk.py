"""Walking the case chains of one range of case ids: what is wrong, and where first.

Each event is checked the way it always was (sequence numbers 1, 2, 3 …, each naming
its predecessor's hash, its content matching its hash, the case's head being its chain's
last event), and the per-case bindings of :mod:`workflow.bindings` are checked in the
same pass (the case's state is its last event's ``to_state``, the chain begins with the
case's creation, each event starts from the state its predecessor ended in; the first of
each is noted and reported only if every chain holds); only the reading changed: raw driver rows through a server-side cursor, and
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
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from workflow.bindings import (
    Breach,
    continuity_breach,
    creation_breach,
    head_breach,
    not_creation,
)
from workflow.chain import event_hash
from workflow.chainbytes import COLUMNS, hash_matches, raw_rows, select_sql
from workflow.chainfindings import (
    EDITED,
    Finding,
    event_problem,
    head_problem,
    pinned_problem,
)
from workflow.orm import AuditEvent

events = AuditEvent.__table__


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
    #: the first case (by id) whose state is not its last event's (or that has none)
    state_breach: Breach | None = None
    #: the first chain that does not begin with the case's creation
    creation_breach: Breach | None = None
    #: the first event not starting from the state its predecessor ended in
    continuity_breach: Breach | None = None

    def breach(self) -> Breach | None:
        """The first of the walk's bindings to fail, in the order verify reports them."""
        return self.state_breach or self.creation_breach or self.continuity_breach


#: A checkpoint's heads by case id: (version, hash) the walk starts from.
Floors = dict[int, tuple[int, str]]


def _range_sql(column: str, lo: int | None, hi: int | None) -> str:
    parts = ([f"{column} >= {int(lo)}"] if lo is not None else []) + (
        [f"{column} < {int(hi)}"] if hi is not None else []
    )
    return " AND ".join(parts) or "1 = 1"


def walk(
    conn: Connection,
    lo: int | None = None,
    hi: int | None = None,
    floors: Floors | None = None,
    floor_table: str | None = None,
) -> Walk:
    """Walk the chains of cases ``lo <= id < hi`` inside the caller's transaction."""
    out = Walk()
    heads: dict[int, tuple[int, str]] = {}
    states: dict[int, str] = {}
    for case_id, version, head_hash, state in conn.exec_driver_sql(
        f"SELECT id, version, head_hash, state FROM cases WHERE {_range_sql('id', lo, hi)}"
    ):
        heads[case_id] = (version, head_hash)
        states[case_id] = state
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

    def ended(last: Raw) -> Finding | None:
        """The chain of ``last``'s case ends there: the case's head must be it (a chain
        finding), and its state the event's ``to_state`` (a binding, noted)."""
        if found := head_problem(last, heads):
            return found
        state = states[last.case_id]
        if out.state_breach is None and last.to_state != state:
            out.state_breach = head_breach(last.case_id, state, last.seq, last.to_state)
        return None

    def started(row: Raw) -> None:
        if out.creation_breach is None and row.seq == 1 and not_creation(row.kind, row.from_state):
            out.creation_breach = creation_breach(row.id, row.case_id, row.kind)

    seen: set[int] = set()
    prev: Any = None
    for t in raw_rows(conn, select_sql(conn.dialect.name, where)):
        out.checked += 1
        if prev is not None:
            if prev[1] == t[1]:
                # the common case, inline: next in sequence, linked, from the state the
                # previous event ended in, content hashes right
                if t[2] == prev[2] + 1 and t[3] == prev[4] and t[8] == prev[15] and hash_matches(t):
                    prev = t
                    continue
            else:
                if found := ended(Raw._make(prev)):
                    return broken(Raw._make(prev), found)
                prev = None
        row = Raw._make(t)
        if prev is None:
            seen.add(row.case_id)
            pin = floors.get(row.case_id)
            if pin is not None and pin[0] > 0:
                out.skipped += pin[0] - 1
                if found := pinned_problem(row, *pin):
                    return broken(row, found)
                if not content_ok(row):
                    return broken(row, EDITED)
                started(row)
                prev = t
                continue
        if found := event_problem(row, prev and Raw._make(prev), content_ok):
            return broken(row, found)
        if prev is None:
            started(row)
        elif out.continuity_breach is None and row.from_state != prev[15]:
            out.continuity_breach = continuity_breach(
                row.id, row.case_id, row.seq, row.from_state, prev[15]
            )
        prev = t
    if prev is not None and (found := ended(Raw._make(prev))):
        return broken(Raw._make(prev), found)
    for case_id, (version, _) in sorted(heads.items()):
        pinned = floors.get(case_id, (0, ""))[0]
        if case_id in seen:
            continue
        if version or pinned:
            out.empty.append((case_id, version or pinned))
        elif out.state_breach is None or case_id < (out.state_breach.case_id or 0):
            # version 0 and no events: a case without history
            out.state_breach = head_breach(case_id, states[case_id], version, None)
    return out
