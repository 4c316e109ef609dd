"""The per-case hash chain: canonical encoding, appending an event, the shared statements.

A case's ``version`` is the length of its chain and ``head_hash`` the hash of its last
event. Appending checks the version the caller read (optimistic lock) and advances
both in the caller's transaction, so a state change and its event are one commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from workflow import writefence
from workflow.actors import Actor
from workflow.errors import NotFound, StaleCase
from workflow.hotstatement import HotStatement
from workflow.orm import AuditEvent, Case

cases = cast(Table, Case.__table__)
events = cast(Table, AuditEvent.__table__)

HASHED_FIELDS = (
    "case_id",
    "seq",
    "kind",
    "trigger",
    "from_state",
    "to_state",
    "actor",
    "role",
    "at",
    "comment",
    "guards",
    "payload",
    "policy_hash",
    "states_hash",
    "prev_hash",
)


@dataclass(slots=True)
class CaseHead:
    """The few columns every write needs: where the case stands and its chain head.

    Its fields are the one declaration of the head's columns: :data:`HEAD_COLUMNS` are the
    ``cases`` columns of the same names, so no SELECT of a head lists them again.
    """

    id: int
    state: str
    version: int
    head_hash: str
    mentor_id: int | None
    cycle_id: int


#: The ``cases`` columns behind :class:`CaseHead`, found by field name (so a renamed or
#: added field names a real column or fails at import), in the fields' order.
HEAD_COLUMNS = tuple(cases.c[f.name] for f in fields(CaseHead))
HEAD_WIDTH = len(HEAD_COLUMNS)


def head_from_row(row: Sequence[Any]) -> CaseHead:
    """The head from a row that starts with :data:`HEAD_COLUMNS` (more columns may follow).

    Positional on purpose: the hot path's driver rows are plain tuples, and the columns
    were built from the fields above, so position and name agree by construction.
    """
    return CaseHead(*row[:HEAD_WIDTH])


SELECT_HEAD = select(*HEAD_COLUMNS).where(cases.c.id == bindparam("case_id"))

_GUARDED_UPDATE = update(cases).where(
    cases.c.id == bindparam("b_id"), cases.c.version == bindparam("b_version")
)
ADVANCE_HEAD = _GUARDED_UPDATE.values(
    state=bindparam("b_state"),
    version=bindparam("b_seq"),
    head_hash=bindparam("b_hash"),
    state_since=bindparam("b_since"),
)
EXTEND_HEAD = _GUARDED_UPDATE.values(version=bindparam("b_seq"), head_hash=bindparam("b_hash"))

INSERT_EVENT = insert(events)
#: The hot path's INSERT hands back the new event's id, so a caller answering with the
#: stored event (the API's transition) need not read it again after the commit.
INSERT_EVENT_RETURNING_ID = INSERT_EVENT.returning(events.c.id)


HOT_SELECT_HEAD = HotStatement(SELECT_HEAD)
HOT_LOCK_HEAD = HotStatement(SELECT_HEAD.with_for_update())  # FOR UPDATE: PostgreSQL only
HOT_ADVANCE_HEAD = HotStatement(ADVANCE_HEAD)
HOT_EXTEND_HEAD = HotStatement(EXTEND_HEAD)
HOT_INSERT_EVENT = HotStatement(INSERT_EVENT_RETURNING_ID, column_keys=(*HASHED_FIELDS, "hash"))


def utc_text(at: datetime) -> str:
    """One spelling of a UTC time for hashing, whatever the database returned."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the hashed fields (sorted keys, no spaces)."""
    return canonical_hash({k: fields[k] for k in HASHED_FIELDS})


def canonical_bytes(value: Any) -> bytes:
    """The canonical encoding (docs/audit-format.md): JSON with sorted keys, no spaces,
    UTF-8, non-ASCII unescaped. One function, so the chains, the checkpoints' Merkle
    leaves and the published golden vectors cannot drift apart."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def canonical_hash(body: dict[str, Any]) -> str:
    """SHA-256 of ``body`` as canonical JSON; ``at`` in its one UTC spelling. Shared by the
    case chains and the account log (:mod:`workflow.accountlog`)."""
    at = body.get("at")
    if isinstance(at, datetime):
        body = {**body, "at": utc_text(at)}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def load_head(conn: Connection, case_id: int, *, lock: bool = False) -> CaseHead:
    """Read a case's head inside the caller's transaction.

    ``lock``: hold the case row until the transaction ends, so a writer's checks against
    the case's other rows (a source not selected twice, say) see every committed write
    before its own, instead of meeting a unique index as a raw error after a race.
    """
    row = (HOT_LOCK_HEAD if lock else HOT_SELECT_HEAD).run(conn, {"case_id": case_id})[0]
    if row is None:
        raise NotFound("case", case_id)
    return head_from_row(row)


def check_expected(head: CaseHead, expected_version: int | None) -> None:
    """Refuse to act on a case that changed since the actor looked at it."""
    if expected_version is not None and expected_version != head.version:
        raise StaleCase(head.id, expected_version, head.version)


def append(
    conn: Connection,
    head: CaseHead,
    *,
    kind: str,
    trigger: str,
    to_state: str,
    actor: Actor,
    at: datetime,
    policy_hash: str,
    states_hash: str,
    comment: str = "",
    guards: list[dict[str, Any]] | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append one event to the case's chain and move its head; raise StaleCase if raced.

    Returns the stored row, its ``id`` included (from the INSERT's RETURNING).

    A state change also restarts the case's deadline clock (``state_since``); evidence
    leaves it alone.
    """
    row: dict[str, Any] = {
        "case_id": head.id,
        "seq": head.version + 1,
        "kind": kind,
        "trigger": trigger,
        "from_state": head.state if head.version else None,
        "to_state": to_state,
        "actor": actor.name,
        "role": actor.role,
        "at": at,
        "comment": comment,
        "guards": guards or [],
        "payload": payload or {},
        "policy_hash": policy_hash,
        "states_hash": states_hash,
        "prev_hash": head.head_hash or None,
    }
    row["hash"] = event_hash(row)
    params: dict[str, Any] = {
        "b_id": head.id,
        "b_version": head.version,
        "b_seq": row["seq"],
        "b_hash": row["hash"],
    }
    if to_state != head.state or head.version == 0:
        params["b_state"] = to_state
        params["b_since"] = at
        stmt = HOT_ADVANCE_HEAD
    else:
        stmt = HOT_EXTEND_HEAD
    if stmt.run(conn, params)[1] != 1:
        actual = conn.execute(SELECT_HEAD, {"case_id": head.id}).first()
        raise StaleCase(head.id, head.version, actual.version if actual else None)
    writefence.mark(conn, at)  # a keyed API request: its key says "written", atomically
    row["id"] = HOT_INSERT_EVENT.run(conn, row)[0][0]
    head.state, head.version, head.head_hash = to_state, row["seq"], row["hash"]
    return row
