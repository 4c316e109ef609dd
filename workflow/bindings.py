"""What ``audit verify`` binds beyond the hash chains: the rows the engine reads.

A chain that verifies proves its events were not edited; it says nothing of the
``cases`` row a transition starts from, or of the evidence rows guards and reports read.
So, once the chains hold, verify also checks that each case's state is its last event's
``to_state`` (and version 0 means a case without history, a finding), that every chain
starts with the case's creation event and that each event starts from the state the
previous one ended in (these three in the chain walk itself, :mod:`workflow.chainwalk`,
which reads every event anyway), then that ``cases.mentor_id`` is the mentor its last
assignment named, and that each evidence row hashes to what its last event recorded
(:mod:`workflow.contentbind`). Each later check is one query or one pass, and names the
first bad item by table and id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import NamedTuple, cast

from sqlalchemy import Connection, Table, select

from workflow import contentbytes
from workflow.chainbytes import raw_rows
from workflow.contentbind import CONTENT_KEY, LATE_COLUMNS, RECORD_KEYS, record_of, row_hash
from workflow.orm import AuditEvent, Case, User

cases = cast(Table, Case.__table__)
events = cast(Table, AuditEvent.__table__)
users = cast(Table, User.__table__)

#: The kind and trigger of a case's creation event (:mod:`workflow.enrolment`).
CREATION = "enrol"
#: The triggers that assign a mentor (the earlier spelling first), payload ``{"mentor": name}``.
MENTOR_TRIGGERS = ("record_mentor_assignment", "assign_mentor")
UNBOUND_NOTE = "unbound (recorded before content hashes)"


class Breach(NamedTuple):
    """A row that does not match the log: its table and id, what is wrong (en, lv)."""

    table: str
    id: int | str
    en: str
    lv: str
    #: the case the row belongs to, when it belongs to one
    case_id: int | None = None

    @property
    def text(self) -> str:
        """``cases 12: state 'outcome' but …``: the table and id first, as verify prints."""
        return f"{self.table} {self.id}: {self.en}"


@dataclass(frozen=True, slots=True)
class Bindings:
    """The first breach (None: every row matches) and how many rows had nothing to bind
    them (evidence recorded before events carried content hashes)."""

    breach: Breach | None
    unbound: int = 0


def check(conn: Connection) -> Bindings:
    """The bindings checked after the walk, in order; stop at the first breach. (Each
    case's head state, creation event and state continuity are checked in the chain walk,
    :mod:`workflow.chainwalk`, with the breaches built below.)"""
    if (found := _mentors(conn)) is not None:
        return Bindings(found)
    return _evidence(conn)


def head_breach(case_id: int, state: str, version: int, to_state: str | None) -> Breach:
    """A case whose state is not its last event's (``to_state`` None: it has no event
    #version at all, so no history)."""
    if to_state is None:
        return Breach(
            "cases",
            case_id,
            f"version {version} and no event #{version}: a case without history "
            "(no creation event), written behind the engine's back",
            f"versija {version}, bet nav notikuma #{version}: lieta bez vēstures "
            "(nav izveides notikuma), ierakstīta, apejot sistēmu",
            case_id,
        )
    return Breach(
        "cases",
        case_id,
        f"state {state!r} but its last event (v{version}) ends in {to_state!r}",
        f"stāvoklis {state!r}, bet tās pēdējais notikums (v{version}) beidzas ar {to_state!r}",
        case_id,
    )


def not_creation(kind: str, from_state: str | None) -> bool:
    """Whether a chain's first event is something other than the case's creation."""
    return kind != CREATION or from_state is not None


def creation_breach(event_id: int, case_id: int, kind: str) -> Breach:
    """A chain whose first event is not the case's creation."""
    return Breach(
        "audit_events",
        event_id,
        f"case {case_id}'s first event is a {kind!r}, not its creation ({CREATION!r})",
        f"lietas {case_id} pirmais notikums ir {kind!r}, nevis tās izveide",
        case_id,
    )


def continuity_breach(
    event_id: int, case_id: int, seq: int, from_state: str | None, previous: str
) -> Breach:
    """An event that does not start from the state its predecessor ended in: the case's
    state was changed behind the engine's back and a transition then followed it."""
    return Breach(
        "audit_events",
        event_id,
        f"case {case_id}'s #{seq} starts from {from_state!r} but #{seq - 1} ended in "
        f"{previous!r}: the case's state was changed behind the engine's back",
        f"lietas {case_id} #{seq} sākas no {from_state!r}, bet #{seq - 1} beidzās ar "
        f"{previous!r}: lietas stāvoklis mainīts, apejot sistēmu",
        case_id,
    )


def _mentors(conn: Connection) -> Breach | None:
    """A case whose mentor is not the one its last assignment event named."""
    named: dict[int, str] = {}
    q = (
        select(events.c.case_id, events.c.payload)
        .where(events.c.trigger.in_(MENTOR_TRIGGERS))
        .order_by(events.c.case_id, events.c.seq)
    )
    for case_id, payload in conn.execute(q):
        named[case_id] = str((payload or {}).get("mentor"))
    rows = conn.execute(
        select(cases.c.id, cases.c.mentor_id, users.c.name)
        .select_from(cases.outerjoin(users, users.c.id == cases.c.mentor_id))
        .order_by(cases.c.id)
    ).all()
    for case_id, mentor_id, name in rows:
        expected = named.get(case_id)
        if (mentor_id is None and expected is None) or (mentor_id is not None and name == expected):
            continue
        shown = "none" if mentor_id is None else f"user {mentor_id} ({name!r})"
        wanted = "none" if expected is None else repr(expected)
        return Breach(
            "cases",
            case_id,
            f"mentor is {shown} but the log assigned {wanted}",
            f"mentors ir {shown}, bet žurnāls piešķīra {wanted}",
            case_id,
        )
    return None


class _Recorded(NamedTuple):
    event_id: int
    case_id: int
    seq: int
    content: str | None


def _recorded(conn: Connection) -> dict[tuple[str, int], _Recorded]:
    """Each evidence row's last event (by table and id), in one pass over the payloads
    (the stored JSON text decoded here, without the column type's machinery)."""
    last: dict[tuple[str, int], _Recorded] = {}
    text = "::text" if conn.dialect.name == "postgresql" else ""
    sql = (
        f"SELECT id, case_id, seq, payload{text} FROM audit_events "
        "WHERE kind = 'evidence' ORDER BY case_id, seq"
    )
    loads = json.loads
    for event_id, case_id, seq, stored in raw_rows(conn, sql):
        payload = loads(stored) if stored is not None else None
        if not isinstance(payload, dict):
            continue  # names no record
        found = record_of(payload)
        if found is not None:
            content = payload.get(CONTENT_KEY)
            last[(found[0].name, found[1])] = _Recorded(event_id, case_id, seq, content)
    return last


def _evidence(conn: Connection) -> Bindings:
    """Each evidence row against its last event: recorded, present, and hashing the same."""
    last = _recorded(conn)
    unbound = 0
    for table in RECORD_KEYS.values():
        found = _table(conn, table, last)
        unbound += found.unbound
        if found.breach is not None:
            return Bindings(found.breach, unbound)
    if last:
        (name, record_id), ev = min(last.items())
        return Bindings(
            Breach(
                name,
                record_id,
                f"event {ev.event_id} (case {ev.case_id}, #{ev.seq}) recorded it but the row "
                "is gone: deleted behind the engine's back",
                f"notikums {ev.event_id} (lieta {ev.case_id}, #{ev.seq}) to reģistrēja, bet "
                "ieraksta vairs nav: dzēsts, apejot sistēmu",
                ev.case_id,
            ),
            unbound,
        )
    return Bindings(None, unbound)


def _table(conn: Connection, table: Table, last: dict[tuple[str, int], _Recorded]) -> Bindings:
    """One table's rows against their last events (popped from ``last``). A row is
    hashed from the driver's raw values (:mod:`workflow.contentbytes`); one that does not
    match that way is read again through the column types and hashed as it was written."""
    unbound = 0
    late = frozenset(col for name, col in LATE_COLUMNS if name == table.name)
    spell = contentbytes.speller(table, late)
    names = [c.name for c in table.columns]
    at_id, at_case = names.index("id"), names.index("case_id")
    sha256 = hashlib.sha256
    for values in raw_rows(conn, contentbytes.select_text(table)):
        row_id, case_id = values[at_id], values[at_case]
        ev = last.pop((table.name, row_id), None)
        if ev is None:
            return Bindings(
                Breach(
                    table.name,
                    row_id,
                    f"no audit event recorded it (case {case_id}): "
                    "inserted behind the engine's back",
                    f"to nav reģistrējis neviens notikums (lieta {case_id}): "
                    "ievietots, apejot sistēmu",
                    case_id,
                ),
                unbound,
            )
        if ev.content is None:
            unbound += 1
            continue
        body = spell(values)
        if body is not None and sha256(body).hexdigest() == ev.content:
            continue
        row = conn.execute(select(table).where(table.c.id == row_id)).one()
        if ev.content != row_hash(table, row):
            return Bindings(
                Breach(
                    table.name,
                    row_id,
                    f"its content differs from what event {ev.event_id} (case "
                    f"{ev.case_id}, #{ev.seq}) recorded: the row was edited",
                    f"tā saturs atšķiras no notikumā {ev.event_id} (lieta {ev.case_id}, "
                    f"#{ev.seq}) reģistrētā: ieraksts ir labots",
                    case_id,
                ),
                unbound,
            )
    return Bindings(None, unbound)
