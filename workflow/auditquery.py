"""Reading the audit log as a service: who may read it, keyset pages and the stored event.

The policy's ``read_audit`` action guards the whole log; a case's own history follows
the case's access rule instead (a mentor reads the history of an assigned case).
Pages are keyed by event id, so a page never shifts when events are appended meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import auditlog, cursors, redaction
from workflow.actors import Actor
from workflow.db import read, read_session
from workflow.errors import InvalidInput, NotFound
from workflow.orm import AuditEvent, Case, Organisation
from workflow.permissions import require_action, require_case_access
from workflow.runtime import Runtime, as_utc
from workflow.schemas import DAY_MAX, DAY_MIN, check_day
from workflow.viewmodels import EventOut


def encode_cursor(event_id: int) -> str:
    """An opaque cursor after ``event_id``."""
    return cursors.encode("e", event_id)


def decode_cursor(cursor: str) -> int:
    """The last event id of the previous page; anything else names ``cursor``."""
    return cursors.decode("e", cursor)


def _instant(field: str, value: datetime) -> datetime:
    """An instant in UTC (no offset: UTC, as everywhere in the engine) within ``Day``'s
    range; one whose offset moves it out of what a date can hold (year 1 at +14:00) or
    outside the range names ``field`` instead of overflowing."""
    try:
        at = as_utc(value)
    except OverflowError:
        at = None
    if at is None or not DAY_MIN <= at.date() <= DAY_MAX:
        raise InvalidInput(
            {field: f"must be between {DAY_MIN} and {DAY_MAX}"},
            {field: f"jābūt no {DAY_MIN} līdz {DAY_MAX}"},
        )
    return at


def bound(field: str, value: date | datetime | None) -> datetime | None:
    """A ``since``/``until`` filter as the instant the query compares with.

    An instant (a ``datetime``) is taken as given: ``since`` inclusive, ``until``
    exclusive, UTC when it has no offset, within ``Day``'s range too. A day (a ``date``) must lie within ``Day``'s
    range and means the whole day: ``since`` from its first instant, ``until`` through
    its end (the next day's midnight, exclusive), which is what a reader picking a day
    in the UI means.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _instant(field, value)
    check_day(field, value)
    shift = timedelta(days=1) if field == "until" else timedelta(0)
    return datetime.combine(value + shift, time.min, tzinfo=UTC)


def list_events(
    rt: Runtime,
    actor: Actor,
    *,
    case_id: int | None = None,
    actor_name: str | None = None,
    trigger: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
    newest_first: bool = False,
) -> tuple[list[EventOut], str | None]:
    """A page of the whole log for roles allowed to read it; returns the next cursor.

    ``newest_first`` pages backwards from the latest event (what a reader of the log
    wants first); a cursor from one order is only meaningful in the same order.
    ``since``/``until`` are instants or whole days (see :func:`bound`).
    """
    require_action(rt.rules, actor, "read_audit")
    return _page(rt, case_id, actor_name, trigger, since, until, limit, cursor, newest_first)


def case_events(
    rt: Runtime, actor: Actor, case_id: int, *, limit: int = 100, cursor: str | None = None
) -> tuple[list[EventOut], str | None]:
    """A page of one case's history, for anyone who may see the case."""
    with read(rt.engine) as conn:
        mentor = conn.execute(select(Case.mentor_id).where(Case.id == case_id)).first()
    if mentor is None:
        raise NotFound("case", case_id)
    require_case_access(rt.rules, actor, mentor.mentor_id)
    return _page(rt, case_id, None, None, None, None, limit, cursor)


def _page(
    rt: Runtime,
    case_id: int | None,
    actor_name: str | None,
    trigger: str | None,
    since: date | datetime | None,
    until: date | datetime | None,
    limit: int,
    cursor: str | None,
    newest_first: bool = False,
) -> tuple[list[EventOut], str | None]:
    cursors.check_limit(limit)
    q = auditlog.event_query(
        case_id=case_id,
        actor=actor_name,
        trigger=trigger,
        since=bound("since", since),
        until=bound("until", until),
    ).limit(limit + 1)
    if case_id is not None:
        # One case's events in chain order, by the (case_id, seq) index: ordering by id
        # would walk the whole log's primary key and filter. Within a case seq and id
        # rise together (an event is appended only after its predecessor committed), so
        # the cursor (an event id) stays the same; it is turned into its seq here.
        key: Any = AuditEvent.seq
        after_key: Any = None
        if cursor:
            after = decode_cursor(cursor)
            after_key = select(AuditEvent.seq).where(AuditEvent.id == after).scalar_subquery()
    else:
        key = AuditEvent.id
        after_key = decode_cursor(cursor) if cursor else None
    q = q.order_by(None).order_by(key.desc() if newest_first else key)
    if after_key is not None:
        q = q.where(key < after_key if newest_first else key > after_key)
    with read_session(rt.engine) as s:
        rows = list(s.scalars(q))
        page = [EventOut.model_validate(e) for e in rows[:limit]]
    nxt = encode_cursor(page[-1].id) if len(rows) > limit and page else None
    return page, nxt


def history_page(s: Session, case_id: int, before: int | None, limit: int) -> list[EventOut]:
    """A case's newest ``limit`` events (those before seq ``before``), oldest first.

    Keyset on the ``(case_id, seq)`` unique index: the same cost for a case's first page
    whether it has ten events or ten thousand. The caller checked access.
    """
    q = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case_id)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    if before is not None:
        q = q.where(AuditEvent.seq < before)
    return [EventOut.model_validate(e) for e in s.scalars(q)][::-1]


def organisation_names(rt: Runtime, case_ids: set[int]) -> dict[int, str]:
    """The organisation of each case on a page of the log, so a reader sees who, not a number."""
    if not case_ids:
        return {}
    q = (
        select(Case.id, Organisation.name)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(Case.id.in_(case_ids))
    )
    with read(rt.engine) as conn:
        return {row.id: row.name for row in conn.execute(q)}


def stored_event(rt: Runtime, case_id: int, seq: int) -> EventOut:
    """The stored event ``seq`` of a case (with its id), e.g. right after it was written."""
    with read_session(rt.engine) as s:
        event = s.scalar(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.seq == seq)
        )
        if event is None:
            raise NotFound("audit event", f"{case_id}#{seq}")
        return EventOut.model_validate(event)


def verify(rt: Runtime, actor: Actor) -> auditlog.VerifyResult:
    """Recompute every chain, for roles allowed to read the log."""
    require_action(rt.rules, actor, "read_audit")
    return auditlog.verify(rt)


def export(
    rt: Runtime,
    actor: Actor,
    fmt: str,
    /,
    *,
    redact: bool = False,
    redact_key: bytes | None = None,
    **filters: Any,
) -> Iterator[str]:
    """The streamed export; the permission is checked now, before the first chunk.

    ``redact``: names become pseudonyms under ``redact_key`` (None: a random key, so
    they hold within this export only) and free text is withheld, for an outside
    reviewer (:mod:`workflow.redaction`)."""
    require_action(rt.rules, actor, "read_audit")
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput({"format": "csv or jsonl"}, {"format": "csv vai jsonl"})
    for key in ("since", "until"):
        if filters.get(key) is not None:
            filters[key] = bound(key, filters[key])
    if not redact:
        return auditlog.export(rt, fmt, **filters)
    return auditlog.export(rt, fmt, redact=redaction.redactor(redact_key), **filters)
