"""The fence between a keyed API write and its idempotency key, inside the write's own
transaction.

A request sent with an ``Idempotency-Key`` holds that key (:mod:`workflow.idempotency`)
while it runs. Its answer can only be stored after the write commits, because the answer is
made from what the write returned; so a crash between the two leaves a key without an
answer. What this module makes atomic with the write is the fact that matters for a retry:
every write path's transaction (a case event in :func:`workflow.chain.append`, an account
event in :func:`workflow.accountlog.append`, a registry row) calls :func:`mark`, which in
that same transaction stamps the key's row ``written_at`` — but only while this request
still holds the key (its ``holder``). So:

- the write commits if and only if the key records that it was written: a retry never runs
  a write again whose first run committed, whatever happens to the answer afterwards;
- a request whose key was taken over (its holder presumed dead after a long silence) can
  no longer write: :func:`mark` finds another holder and refuses, rolling its write back.

Outside a keyed request (the CLI, the UI, the tests) :func:`mark` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, update

from workflow.errors import Conflict
from workflow.orm import IdempotencyKey

keys = cast(Table, IdempotencyKey.__table__)


@dataclass(frozen=True, slots=True)
class Fence:
    """The key row a request holds, and the random token that says it is this request."""

    key_id: int
    holder: str


_held: ContextVar[Fence | None] = ContextVar("inkubators_idempotency_fence", default=None)


@contextmanager
def holding(fence: Fence) -> Iterator[None]:
    """Every write made inside marks ``fence``'s key as written, in its own transaction."""
    token = _held.set(fence)
    try:
        yield
    finally:
        _held.reset(token)


def mark(conn: Connection, at: datetime) -> None:
    """In a write's transaction: record that the keyed request wrote, or raise ``Conflict``
    (and so roll the write back) when the request no longer holds its key."""
    fence = _held.get()
    if fence is None:
        return
    stamped = conn.execute(
        update(keys)
        .where(keys.c.id == fence.key_id, keys.c.holder == fence.holder)
        .values(written_at=at)
    ).rowcount
    if stamped != 1:
        raise Conflict(
            "this request's Idempotency-Key was taken over by a retry; nothing was written",
            "idempotency_in_progress",
            "Šī pieprasījuma Idempotency-Key pārņēma atkārtots pieprasījums; nekas netika "
            "ierakstīts.",
        )
