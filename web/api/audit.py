"""The audit log: filtered pages, the streamed export and chain verification."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask import Response, stream_with_context
from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from web.api.cases import PageQuery, Query
from web.api.models import AuditEvent, EventPage
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import auditquery
from workflow.limits import CODE_MAX, USER_NAME_MAX
from workflow.schemas import Id

#: Filters on the log: no longer than the stored names they are compared with.
ActorName = Annotated[str, StringConstraints(max_length=USER_NAME_MAX)]
TriggerName = Annotated[str, StringConstraints(max_length=CODE_MAX)]
_INSTANT: TypeAdapter[datetime] = TypeAdapter(datetime)


def _moment(value: Any) -> date | datetime:
    """A day stays a day (the engine reads ``until`` as through its end, as the UI does);
    anything else must be an instant."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a date YYYY-MM-DD") from None
    try:
        return _INSTANT.validate_python(value)
    except ValidationError:
        raise ValueError("not an ISO 8601 date-time or date") from None


Moment = Annotated[
    date | datetime,
    PlainValidator(_moment),
    WithJsonSchema(
        {
            "type": "string",
            "anyOf": [{"format": "date-time"}, {"format": "date"}],
            "description": "ISO 8601 date-time (an instant; without an offset it is UTC) or "
            "a date (a whole day: since from its start, until through its end)",
        }
    ),
]


class AuditFilter(Query):
    """Which events: by case, actor, trigger and time.

    ``since`` is inclusive and ``until`` an exclusive instant; a date-only ``until`` means
    through the end of that day (``until=2023-03-01`` includes the events of March 1st),
    the same as the UI's day filter.
    """

    case_id: Id | None = None
    actor: ActorName | None = None
    trigger: TriggerName | None = None
    since: Moment | None = None
    until: Moment | None = None


class AuditQuery(AuditFilter, PageQuery):
    """Filters and paging of the log."""


class ExportQuery(AuditFilter):
    """Filters and format of the export."""

    format: Literal["jsonl", "csv"] = "jsonl"


class BadEvent(BaseModel):
    """The first event whose chain does not recompute, and what is wrong with it."""

    event_id: int | None = Field(description="null when a case's events are all missing")
    case_id: int
    seq: int | None = Field(
        description="its place in the case's chain (1 for the first event); null as event_id"
    )
    problem: str = Field(
        description="e.g. 'its content does not match its hash: the event was edited'"
    )


class VerifyOut(BaseModel):
    """Whether every case's hash chain recomputes; the first bad event if not."""

    ok: bool
    checked: int = Field(description="how many events were recomputed")
    first_bad: BadEvent | None = Field(description="null when ok")


def _filters(q: AuditFilter) -> dict[str, Any]:
    return {
        "case_id": q.case_id,
        "actor": q.actor,
        "trigger": q.trigger,
        "since": q.since,
        "until": q.until,
    }


@api_route("/audit", tag="audit", query=AuditQuery, response=EventPage, errors=(403,))
def list_audit(query: AuditQuery) -> EventPage:
    """Audit events, oldest first, filtered, a page at a time (roles that may read the log)."""
    f = _filters(query)
    f["actor_name"] = f.pop("actor")
    items, nxt = auditquery.list_events(
        runtime(), actor(), limit=query.limit, cursor=query.cursor, **f
    )
    return EventPage(
        items=[AuditEvent.model_validate(e.model_dump()) for e in items], next_cursor=nxt
    )


EXPORT_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


@api_route(
    "/audit/export",
    tag="audit",
    query=ExportQuery,
    errors=(403,),
    stream={"application/x-ndjson": "one JSON event per line", "text/csv": "CSV with a header"},
)
def export_audit(query: ExportQuery) -> Response:
    """The log as JSON lines or CSV, streamed in constant memory."""
    chunks = auditquery.export(runtime(), actor(), query.format, **_filters(query))
    resp = Response(stream_with_context(chunks), mimetype=EXPORT_MEDIA[query.format])
    resp.headers["Content-Disposition"] = f'attachment; filename="audit.{query.format}"'
    return resp


@api_route("/audit/verify", tag="audit", response=VerifyOut, errors=(403,))
def verify_audit() -> VerifyOut:
    """Recompute every case's hash chain; name the first event that does not match."""
    return VerifyOut(**auditquery.verify(runtime(), actor()).as_dict())
