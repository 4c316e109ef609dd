"""An event's canonical bytes spliced from its stored text, so verifying is hashing.

:func:`workflow.chain.event_hash` decodes nothing: it encodes Python values. Verifying a
million events that way means a million JSON decodes and re-encodes. But the engine
stores ``guards`` and ``payload`` as canonical JSON text (:func:`json_text`, the
engine's JSON serializer), and every other hashed field is a string, an integer or a
time, so the hashed bytes can be put together from the stored text directly.

That shortcut is only taken when it is exact. :func:`spliced` returns bytes whose hash
equals the stored hash *only if* the stored columns are the ones that were hashed:
strings are re-escaped (self-delimiting), integers written by ``repr`` (a float or text
smuggled into an integer column cannot pass for one), and the two raw JSON texts are
pinned in place by requiring the keys that follow them (``,"kind":`` and
``,"policy_hash":``) to occur exactly once in the result: moving any text across a
boundary would make one of them occur twice. When the splice does not match (rows
written before the canonical serializer, or an edit), the caller falls back to the
decoding check, so the verdict is always the one :func:`event_hash` gives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Connection

from workflow.chain import canonical_bytes

#: Rows fetched from the driver at a time.
BATCH = 5000

#: The columns :data:`SELECT_SQL` returns, in order (``at`` already in its UTC spelling).
COLUMNS = (
    "id",
    "case_id",
    "seq",
    "prev_hash",
    "hash",
    "actor",
    "at",
    "comment",
    "from_state",
    "guards",
    "kind",
    "payload",
    "policy_hash",
    "role",
    "states_hash",
    "to_state",
    "trigger",
)

_AT = {
    # timestamptz, formatted by the server exactly as chain.utc_text spells it
    "postgresql": "to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff'; anything else gives NULL (no splice)
    "sqlite": "CASE WHEN e.at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]' "
    "THEN substr(e.at, 1, 10) || 'T' || substr(e.at, 12) || 'Z' END",
}
_JSON = {"postgresql": "e.{}::text", "sqlite": "e.{}"}


def select_sql(dialect: str, where: str = "") -> str:
    """The raw SELECT of every event's hashed text, ordered as the chains run."""
    cols = []
    for c in COLUMNS:
        if c == "at":
            cols.append(_AT[dialect])
        elif c in ("guards", "payload"):
            cols.append(_JSON[dialect].format(c))
        else:
            cols.append(f"e.{c}")
    return f"SELECT {', '.join(cols)} FROM audit_events e {where} ORDER BY e.case_id, e.seq, e.id"


_esc = encode_basestring
_FORMAT = (
    '{"actor":%s,"at":%s,"case_id":%r,"comment":%s,"from_state":%s,"guards":%s,"kind":%s,'
    '"payload":%s,"policy_hash":%s,"prev_hash":%s,"role":%s,"seq":%r,"states_hash":%s,'
    '"to_state":%s,"trigger":%s}'
)


def spliced(row: tuple[Any, ...]) -> bytes | None:
    """The canonical bytes from a :data:`COLUMNS` row, or None where they cannot be spliced.

    Only ``from_state`` and ``prev_hash`` may be null; any other null (or a value of
    another type) raises TypeError in the escaping, and the row is left to decoding.
    """
    (_, case_id, seq, prev_hash, _, actor, at, comment, from_state, guards, kind, payload) = row[
        :12
    ]
    if type(guards) is not str or type(payload) is not str:
        return None
    esc = _esc
    try:
        text = _FORMAT % (
            esc(actor),
            esc(at),
            case_id,
            esc(comment),
            "null" if from_state is None else esc(from_state),
            guards,
            esc(kind),
            payload,
            esc(row[12]),
            "null" if prev_hash is None else esc(prev_hash),
            esc(row[13]),
            seq,
            esc(row[14]),
            esc(row[15]),
            esc(row[16]),
        )
    except TypeError:  # a column holds another type than the engine writes
        return None
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the engine could never have hashed it
        return None
    if body.count(b',"kind":') != 1 or body.count(b',"policy_hash":') != 1:
        return None
    return body


def hash_matches(row: tuple[Any, ...]) -> bool:
    """Whether the spliced bytes hash to the stored hash (False: decide the slow way)."""
    body = spliced(row)
    return body is not None and hashlib.sha256(body).hexdigest() == row[4]


def raw_rows(conn: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    """The driver's own rows of ``sql`` in the caller's transaction (no column types), in
    batches, through a server-side cursor on PostgreSQL (closed when the reader stops)."""
    dbapi: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cur = dbapi.cursor(name="inkubators_verify")
        cur.itersize = BATCH
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(BATCH):
            yield from batch
    finally:
        cur.close()


def json_text(value: Any) -> str:
    """The engine's JSON serializer: canonical JSON, so stored text is the hashed text."""
    return canonical_bytes(value).decode("utf-8")
