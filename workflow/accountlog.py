"""The account log: who added users, changed roles and standing, set passwords, issued and
revoked tokens.

A case's events say who acted; an auditor also needs to know who made that person able
to act. Every change to an account appends one event here, in the same transaction as
the change itself. The events form one hash chain (sequence numbers 1, 2, 3 …, each
naming its predecessor's hash, SHA-256 over the same canonical encoding as the case
chains), the database refuses UPDATE and DELETE on them, and :func:`verify` names the
first event that was edited, inserted, removed or reordered.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, text

from workflow import accountbind, writefence
from workflow.actors import Actor
from workflow.bindings import Breach
from workflow.chain import canonical_hash
from workflow.chainfindings import EDITED, UNLINKED, Finding
from workflow.db import read
from workflow.orm import AccountEvent
from workflow.runtime import Runtime

account_events = cast(Table, AccountEvent.__table__)

ACTIONS = (
    "user_added",
    "role_changed",
    "deactivated",
    "reactivated",
    "password_set",
    "token_created",
    "token_revoked",
    "email_set",
    # reference data edited (workflow.referencedit), bound by workflow.referencebind
    "organisation_changed",
    "cycle_changed",
    "funding_source_changed",
    "invitation_sent",
)
HASHED = ("seq", "at", "actor", "role", "action", "subject", "details", "prev_hash")
# Who acts when a change comes from the command line: whoever runs ``inkubators`` on the
# server already has the database, so the log says where the change came from.
COMMAND_LINE = Actor(name="command line", role="operator")
# Any constant: serialises appends across PostgreSQL connections (SQLite's BEGIN
# IMMEDIATE already does), so two changes never take the same sequence number.
APPEND_LOCK = 0x696E6B61


@dataclass(frozen=True, slots=True)
class AccountEventView:
    """One account event as the screens and the command line show it."""

    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    subject: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AccountVerifyResult:
    """The outcome of verifying the account log's chain."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: Finding | None = None
    #: tokens issued before events named them, so nothing binds their rows
    unbound_tokens: int = 0
    #: the user or token row the replay does not give (no event to name: ``first_bad_seq``
    #: is None then), by table and id
    breach: Breach | None = None


def append(
    conn: Connection,
    actor: Actor | None,
    action: str,
    subject: str,
    at: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event in the caller's transaction (so the change and its event commit
    together or not at all)."""
    assert action in ACTIONS, action
    who = actor or COMMAND_LINE
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK})
    last = conn.execute(
        select(account_events.c.seq, account_events.c.hash)
        .order_by(account_events.c.seq.desc())
        .limit(1)
    ).first()
    row: dict[str, Any] = {
        "seq": last.seq + 1 if last else 1,
        "at": at,
        "actor": who.name,
        "role": who.role,
        "action": action,
        "subject": subject,
        "details": details or {},
        "prev_hash": last.hash if last else None,
    }
    row["hash"] = canonical_hash({k: row[k] for k in HASHED})
    writefence.mark(conn, at)  # a keyed API request: its key says "written", atomically
    conn.execute(insert(account_events).values(**row))


def recent(rt: Runtime, limit: int = 50, subject: str | None = None) -> list[AccountEventView]:
    """The newest events first, optionally about one user."""
    q = select(account_events).order_by(account_events.c.seq.desc()).limit(limit)
    if subject is not None:
        q = q.where(account_events.c.subject == subject)
    with read(rt.engine) as conn:
        return [
            AccountEventView(r.seq, r.at, r.actor, r.role, r.action, r.subject, dict(r.details))
            for r in conn.execute(q)
        ]


def _problem(row: Any, prev: Any) -> Finding | None:
    expected_seq = prev.seq + 1 if prev is not None else 1
    if row.seq != expected_seq:
        return Finding(
            f"#{row.seq} where #{expected_seq} was expected: an event is missing",
            f"#{row.seq}, kur bija gaidīts #{expected_seq}: trūkst notikuma",
        )
    if row.prev_hash != (prev.hash if prev is not None else None):
        return UNLINKED
    if canonical_hash({k: getattr(row, k) for k in HASHED}) != row.hash:
        return EDITED
    return None


def verify(rt: Runtime) -> AccountVerifyResult:
    """Recompute the chain in sequence order; stop at the first event that does not match."""
    with read(rt.engine) as conn:
        return verify_on(conn)


def verify_on(conn: Connection) -> AccountVerifyResult:
    """:func:`verify` inside the caller's transaction."""
    checked = 0
    prev: Any = None
    with ExitStack() as stack:
        rows = stack.enter_context(
            conn.execution_options(yield_per=1000).execute(
                select(account_events).order_by(account_events.c.seq, account_events.c.id)
            )
        )
        for row in rows:
            checked += 1
            if found := _problem(row, prev):
                return AccountVerifyResult(False, checked, row.seq, found)
            prev = row
    bound = accountbind.check(conn)
    if (b := bound.breach) is not None:
        problem = Finding(b.text, f"{b.table} {b.id}: {b.lv}")
        return AccountVerifyResult(False, checked, None, problem, bound.unbound, b)
    return AccountVerifyResult(True, checked, unbound_tokens=bound.unbound)
