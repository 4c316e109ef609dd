"""The per-case hash chain: canonical encoding, appending an event, the shared statements.

A case's ``version`` is the length of its chain and ``head_hash`` the hash of its last
event. Appending checks the version the caller read (optimistic lock) and advances
both in the caller's transaction, so a state change and its event are one commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from workflow.actors import Actor
from workflow.errors import NotFound, StaleCase
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


@dataclass(slots=True)
class _Compiled:
    """One statement compiled for one dialect, with its type conversions looked up."""

    sql: str
    positional: tuple[str, ...] | None
    defaults: dict[str, Any]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    #: result processors, looked up on first use (some need the driver's type codes)
    results: tuple[Callable[[Any], Any] | None, ...] | None = None


class HotStatement:
    """A Core statement run on the transaction's own DBAPI cursor: the hot path's executor.

    Why: on a transition, SQLAlchemy's per-execute machinery (cache key, execution
    context, result object) cost more Python time than the driver call itself. The
    statement is still written in Core and compiled by SQLAlchemy, once per dialect;
    parameters and results go through the column types' own bind/result processors, and
    driver errors are re-raised as SQLAlchemy's (``IntegrityError`` …) as usual. Only
    for single-row statements with plain parameters; everything else uses ``execute``.
    """

    __slots__ = ("stmt", "column_keys", "_by_dialect")

    def __init__(self, stmt: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[int, tuple[Dialect, _Compiled]] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        hit = self._by_dialect.get(id(dialect))
        if hit is not None and hit[0] is dialect:
            return hit[1]
        # for_executemany: no implicit RETURNING of the new primary key (nobody reads it)
        compiled: Any = self.stmt.compile(
            dialect=dialect, column_keys=self.column_keys, for_executemany=True
        )
        defaults: dict[str, Any] = {}
        binds = []
        for bp, name in compiled.bind_names.items():
            if not bp.required and bp.effective_value is not None:
                defaults[name] = bp.effective_value
            proc = bp.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                binds.append((name, proc))
        made = _Compiled(
            sql=compiled.string,
            positional=tuple(compiled.positiontup) if dialect.positional else None,
            defaults=defaults,
            binds=tuple(binds),
        )
        if len(self._by_dialect) > 16:  # engines come and go (tests): keep the cache small
            self._by_dialect.clear()
        self._by_dialect[id(dialect)] = (dialect, made)
        return made

    def _result_processors(
        self, dialect: Dialect, description: Any
    ) -> tuple[Callable[[Any], Any] | None, ...]:
        columns = list(getattr(self.stmt, "selected_columns", ()))
        return tuple(
            col.type.dialect_impl(dialect).result_processor(dialect, desc[1])
            for col, desc in zip(columns, description, strict=True)
        )

    def run(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, int]:
        """Execute with ``params``; return (the first row converted, or None; rowcount)."""
        dialect = conn.dialect
        c = self._compiled(dialect)
        values = {**c.defaults, **params} if c.defaults else dict(params)
        for name, proc in c.binds:
            if name in values:
                values[name] = proc(values[name])
        args: Any = values if c.positional is None else tuple(values[k] for k in c.positional)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(c.sql, args)
            description = cursor.description
            row = cursor.fetchone() if description else None
            rowcount = cursor.rowcount
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                c.sql, args, exc, dialect.loaded_dbapi.Error, dialect=dialect
            ) from exc
        finally:
            cursor.close()
        if row is not None:
            if c.results is None:
                c.results = self._result_processors(dialect, description)
            row = tuple(
                v if proc is None or v is None else proc(v)
                for v, proc in zip(row, c.results, strict=True)
            )
        return row, rowcount


HOT_SELECT_HEAD = HotStatement(SELECT_HEAD)
HOT_LOCK_HEAD = HotStatement(SELECT_HEAD.with_for_update())  # FOR UPDATE: PostgreSQL only
HOT_ADVANCE_HEAD = HotStatement(ADVANCE_HEAD)
HOT_EXTEND_HEAD = HotStatement(EXTEND_HEAD)
HOT_INSERT_EVENT = HotStatement(INSERT_EVENT, column_keys=(*HASHED_FIELDS, "hash"))


def utc_text(at: datetime) -> str:
    """One spelling of a UTC time for hashing, whatever the database returned."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the hashed fields (sorted keys, no spaces)."""
    return canonical_hash({k: fields[k] for k in HASHED_FIELDS})


def canonical_hash(body: dict[str, Any]) -> str:
    """SHA-256 of ``body`` as canonical JSON; ``at`` in its one UTC spelling. Shared by the
    case chains and the account log (:mod:`workflow.accountlog`)."""
    at = body.get("at")
    if isinstance(at, datetime):
        body = {**body, "at": utc_text(at)}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    HOT_INSERT_EVENT.run(conn, row)
    head.state, head.version, head.head_hash = to_state, row["seq"], row["hash"]
    return row
