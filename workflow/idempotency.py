"""Idempotent retries: a write sent again with the same key gets the first answer again.

A client that sends a write and loses the connection cannot know whether it was done. With
an idempotency key it simply sends it again: :func:`claim` lets exactly one request per
(user, key) run, by inserting a row the database's unique constraint admits once. The
runner stores its answer (:func:`complete`); a retry, even one that arrives while the
first still runs, waits for that answer and gets it replayed instead of writing twice. The
same key with another request (another fingerprint) is refused, as is a malformed key.

A key's row lasts the policy's ``idempotency.keep_hours``; after that the key counts as
unused, and expired rows are deleted as keys are claimed. An answer the server failed to
give (a 5xx) is not kept (:func:`release`): nothing was written, so a retry runs again.

The HTTP layer decides what a request's fingerprint and answer are; nothing here knows HTTP.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.db import read_session
from workflow.errors import Conflict, InvalidInput
from workflow.limits import IDEMPOTENCY_KEY_MAX
from workflow.orm import IdempotencyKey
from workflow.runtime import Runtime, as_utc

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


@dataclass(frozen=True, slots=True)
class Answer:
    """What the first request with a key was answered: status, the headers that matter and
    the body, to be sent again as they were."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


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


def claim(rt: Runtime, user_id: int, key: str, fingerprint: str) -> Answer | None:
    """Claim ``key`` for a request: None when the caller now holds it (run the request,
    then :func:`complete` or :func:`release`), or the first request's answer to replay.

    Raises ``InvalidInput`` (naming the header) when the key was used for another request,
    and ``Conflict`` when the request holding it has not finished within WAIT_SECONDS.
    """
    check_key(key)
    deadline = time.monotonic() + WAIT_SECONDS
    row = _stored(rt, user_id, key)  # a retry is answered by a read, without a write
    while True:
        if row is None:
            if _insert(rt, user_id, key, fingerprint):
                return None
            row = _stored(rt, user_id, key)
        if row is not None:
            stored_fingerprint, answer = row
            if stored_fingerprint != fingerprint:
                raise InvalidInput(
                    {FIELD: "was already used for another request; send a new key with it"},
                    {FIELD: "jau izmantota citam pieprasījumam; sūtiet to ar jaunu atslēgu"},
                )
            if answer is not None:
                return answer
        # else: expired (deleted on the next claim) or released by a failed first request
        if time.monotonic() > deadline:
            raise Conflict(
                f"a request with this {FIELD} is still being processed; retry later",
                "idempotency_in_progress",
                f"Pieprasījums ar šo {FIELD} vēl tiek apstrādāts; mēģiniet vēlāk.",
            )
        time.sleep(POLL_SECONDS)
        row = _stored(rt, user_id, key)


def _insert(rt: Runtime, user_id: int, key: str, fingerprint: str) -> bool:
    """Insert the claim; False when the key is taken. The row is committed at once, so a
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
    try:
        with Session(rt.engine) as s, s.begin():
            s.execute(
                delete(IdempotencyKey).where(
                    or_(IdempotencyKey.id.in_(oldest), IdempotencyKey.id.in_(this_key))
                )
            )
            s.add(
                IdempotencyKey(
                    user_id=user_id, key=key, fingerprint=fingerprint, created_at=now, headers={}
                )
            )
    except IntegrityError:
        return False
    return True


def _stored(rt: Runtime, user_id: int, key: str) -> tuple[str, Answer | None] | None:
    """The live row of a key: its fingerprint and its answer (None while it runs)."""
    with read_session(rt.engine) as s:
        row = s.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        )
        if row is None or _expired(rt, row.created_at):
            return None
        if row.status is None:
            return row.fingerprint, None
        return row.fingerprint, Answer(row.status, row.body or "", dict(row.headers))


def _expired(rt: Runtime, created_at: datetime) -> bool:
    return as_utc(created_at) <= as_utc(rt.now()) - keep(rt)


def complete(rt: Runtime, user_id: int, key: str, answer: Answer) -> None:
    """Store the answer of the request that holds ``key``, for its retries."""
    with Session(rt.engine) as s, s.begin():
        s.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.status.is_(None),
            )
            .values(status=answer.status, body=answer.body, headers=answer.headers)
        )


def release(rt: Runtime, user_id: int, key: str) -> None:
    """Give up a claimed key without an answer (the request failed on the server's side
    and wrote nothing), so a retry runs the request again."""
    with Session(rt.engine) as s, s.begin():
        s.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.status.is_(None),
            )
        )
