"""Idempotent retries: a write sent again with the same key gets the first answer again.

A client that sends a write and loses the connection cannot know whether it was done. With
an idempotency key it simply sends it again: :func:`claim` lets exactly one request per
(user, key) run, by inserting a row the database's unique constraint admits once. The
runner stores its answer (:func:`complete`); a retry, even one that arrives while the
first still runs, waits for that answer and gets it replayed instead of writing twice. The
same key with another request (another fingerprint) is refused, as is a malformed key.

The answer is made from what the write returned, so it is stored just after the write
commits, not in its transaction. What *is* in the write's transaction is the key's
``written_at`` (:mod:`workflow.writefence`): the write and "this key wrote" commit together
or not at all. So a crash between the write and the stored answer never lets a retry
write again: the retry is told the request was carried out and its answer lost
(``idempotency_answer_lost``, 409) and writes nothing. A holder silent for
:data:`TAKEOVER_SECONDS` that wrote nothing (it crashed before writing) is presumed dead
and a retry takes the key over; should the old holder still be alive, its write is refused
in its own transaction, because the key names another holder now.

A key's row lasts the policy's ``idempotency.keep_hours``; after that the key counts as
unused, and expired rows are deleted as keys are claimed. An answer the server failed to
give (a 5xx) is not kept when nothing was written (:func:`release`), so a retry runs again;
after a committed write it is kept, so a retry does not write twice.

The HTTP layer decides what a request's fingerprint and answer are; nothing here knows HTTP.
"""

from __future__ import annotations

import re
import secrets
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.db import read_session
from workflow.errors import Conflict, InvalidInput
from workflow.limits import IDEMPOTENCY_KEY_MAX
from workflow.orm import IdempotencyKey
from workflow.runtime import Runtime, as_utc
from workflow.writefence import Fence, holding

#: The name a malformed or reused key is refused under (the header's).
FIELD = "Idempotency-Key"
#: Visible ASCII only: a key travels in an HTTP header and is compared byte for byte.
KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX}}}")
#: How long a retry waits for the first request with its key to finish before it is told
#: to come back later (a write takes milliseconds; this covers a slow database).
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05
#: Expired rows deleted per claim at most, so no claim pays for a long backlog at once.
PURGE_BATCH = 100
#: A holder that has written nothing for this long after claiming is presumed dead (a write
#: takes milliseconds); a retry then takes its key over.
TAKEOVER_SECONDS = WAIT_SECONDS
#: A holder whose write committed this long ago without storing its answer lost it (the
#: answer is stored milliseconds after the commit).
ANSWER_LOST_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Answer:
    """What the first request with a key was answered: status, the headers that matter and
    the body, to be sent again as they were."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Held:
    """The caller holds the key: run the request :func:`running` it, then :func:`complete`
    or :func:`release`."""

    fence: Fence


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    holder: str | None
    fingerprint: str
    created_at: datetime
    written_at: datetime | None
    answer: Answer | None


def running(held: Held) -> AbstractContextManager[None]:
    """Run the request inside: each of its writes marks the key written, atomically."""
    return holding(held.fence)


def check_key(key: str) -> str:
    """The key, or ``InvalidInput`` naming the header when it cannot be one."""
    if not KEY.fullmatch(key):
        raise InvalidInput(
            {FIELD: f"must be 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters"},
            {FIELD: f"jābūt 1 līdz {IDEMPOTENCY_KEY_MAX} redzamām ASCII rakstzīmēm"},
        )
    return key


def keep(rt: Runtime) -> timedelta:
    """How long a key and its answer are kept, per the policy in force."""
    return timedelta(hours=rt.rules.policy.spec.idempotency.keep_hours)


def claim(rt: Runtime, user_id: int, key: str, fingerprint: str) -> Held | Answer:
    """Claim ``key`` for a request: ``Held`` when the caller now holds it (run the request
    :func:`running` it, then :func:`complete` or :func:`release`), or the first request's
    answer to replay.

    Raises ``InvalidInput`` (naming the header) when the key was used for another request,
    ``Conflict`` (``idempotency_answer_lost``) when the first request wrote and its answer
    was lost, and ``Conflict`` (``idempotency_in_progress``) when the request holding it has
    not finished within WAIT_SECONDS.
    """
    check_key(key)
    deadline = time.monotonic() + WAIT_SECONDS
    row = _stored(rt, user_id, key)  # a retry is answered by a read, without a write
    while True:
        if row is None:
            if (held := _insert(rt, user_id, key, fingerprint)) is not None:
                return held
            row = _stored(rt, user_id, key)
        if row is not None:
            if row.fingerprint != fingerprint:
                raise InvalidInput(
                    {FIELD: "was already used for another request; send a new key with it"},
                    {FIELD: "jau izmantota citam pieprasījumam; sūtiet to ar jaunu atslēgu"},
                )
            if row.answer is not None:
                return row.answer
            if row.written_at is not None and _older(rt, row.written_at, ANSWER_LOST_SECONDS):
                raise _answer_lost(row.written_at)
            if row.written_at is None and _older(rt, row.created_at, TAKEOVER_SECONDS):
                if (held := _take_over(rt, row)) is not None:
                    return held
        # else: expired (deleted on the next claim) or released by a failed first request
        if time.monotonic() > deadline:
            if row is not None and row.written_at is not None:
                raise _answer_lost(row.written_at)
            raise Conflict(
                f"a request with this {FIELD} is still being processed; retry later",
                "idempotency_in_progress",
                f"Pieprasījums ar šo {FIELD} vēl tiek apstrādāts; mēģiniet vēlāk.",
            )
        time.sleep(POLL_SECONDS)
        row = _stored(rt, user_id, key)


def _answer_lost(written_at: datetime) -> Conflict:
    at = as_utc(written_at).isoformat(timespec="seconds")
    return Conflict(
        f"the request with this {FIELD} was carried out at {at} but its answer was lost "
        "(the server stopped before storing it); nothing was written again: read the "
        "resource to see the result",
        "idempotency_answer_lost",
        f"Pieprasījums ar šo {FIELD} tika izpildīts {at}, bet tā atbilde zuda (serveris "
        "apstājās pirms tās saglabāšanas); nekas netika ierakstīts atkārtoti: apskatiet "
        "resursu, lai redzētu rezultātu.",
    )


def _older(rt: Runtime, at: datetime, seconds: float) -> bool:
    return as_utc(at) <= as_utc(rt.now()) - timedelta(seconds=seconds)


def _take_over(rt: Runtime, row: _Row) -> Held | None:
    """Hold a silent key that wrote nothing; None if its holder wrote or answered meanwhile,
    or another retry took it first. A holder still alive can no longer write under it."""
    holder = secrets.token_hex(16)
    same_holder = (
        IdempotencyKey.holder.is_(None)
        if row.holder is None
        else IdempotencyKey.holder == row.holder
    )
    with rt.engine.begin() as conn:
        taken = conn.execute(
            update(IdempotencyKey)
            .where(
                and_(
                    IdempotencyKey.id == row.id,
                    same_holder,
                    IdempotencyKey.status.is_(None),
                    IdempotencyKey.written_at.is_(None),
                )
            )
            .values(holder=holder, created_at=rt.now())
        ).rowcount
    return Held(Fence(row.id, holder)) if taken == 1 else None


def _insert(rt: Runtime, user_id: int, key: str, fingerprint: str) -> Held | None:
    """Insert the claim; None when the key is taken. The row is committed at once, so a
    concurrent retry sees it.

    Expired rows go first: this key's, and a batch of the oldest of anyone's. Rows another
    claim is deleting are skipped rather than waited for (``SKIP LOCKED`` on PostgreSQL;
    SQLite runs one writer at a time), so two claims never wait on each other.
    """
    now = rt.now()
    cutoff = now - keep(rt)
    expired = IdempotencyKey.created_at <= cutoff
    oldest = (
        select(IdempotencyKey.id)
        .where(expired)
        .order_by(IdempotencyKey.created_at)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    this_key = (
        select(IdempotencyKey.id)
        .where(expired, IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .with_for_update(skip_locked=True)
    )
    holder = secrets.token_hex(16)
    try:
        with Session(rt.engine) as s, s.begin():
            s.execute(
                delete(IdempotencyKey).where(
                    or_(IdempotencyKey.id.in_(oldest), IdempotencyKey.id.in_(this_key))
                )
            )
            row = IdempotencyKey(
                user_id=user_id,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                headers={},
                holder=holder,
            )
            s.add(row)
            s.flush()
            key_id = row.id
    except IntegrityError:
        return None
    return Held(Fence(key_id, holder))


def _stored(rt: Runtime, user_id: int, key: str) -> _Row | None:
    """The live row of a key (its answer None while it runs)."""
    with read_session(rt.engine) as s:
        row = s.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        )
        if row is None or _expired(rt, row.created_at):
            return None
        answer = None
        if row.status is not None:
            answer = Answer(row.status, row.body or "", dict(row.headers))
        return _Row(row.id, row.holder, row.fingerprint, row.created_at, row.written_at, answer)


def _expired(rt: Runtime, created_at: datetime) -> bool:
    return as_utc(created_at) <= as_utc(rt.now()) - keep(rt)


def complete(rt: Runtime, held: Held, answer: Answer) -> None:
    """Store the answer of the request that holds the key, for its retries."""
    with Session(rt.engine) as s, s.begin():
        s.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.id == held.fence.key_id,
                IdempotencyKey.holder == held.fence.holder,
                IdempotencyKey.status.is_(None),
            )
            .values(status=answer.status, body=answer.body, headers=answer.headers)
        )


def release(rt: Runtime, held: Held) -> bool:
    """Give up a held key without an answer when the request wrote nothing (it failed on
    the server's side), so a retry runs it again; False, keeping the key, when its write
    committed (then the answer it got must be kept instead)."""
    with rt.engine.begin() as conn:
        gone = conn.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == held.fence.key_id,
                IdempotencyKey.holder == held.fence.holder,
                IdempotencyKey.status.is_(None),
                IdempotencyKey.written_at.is_(None),
            )
        ).rowcount
    return bool(gone == 1)
