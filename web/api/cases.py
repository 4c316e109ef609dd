"""Cases: enrolment, lists and detail with "what may fire and why not", and transitions."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from web.api.models import AuditEvent, CaseItem, CasePage, EventPage, Model, Recorded
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import advance, auditquery, casewrite, enrolment, mentors, views
from workflow.cursors import MAX_PAGE
from workflow.limits import CODE_MAX, USER_NAME_MAX
from workflow.schemas import SEARCH_MAX, Comment, EnrolmentIn, Id, Version
from workflow.viewmodels import (
    AnalysisOut,
    ApplicationOut,
    ConsultationOut,
    SelectionOut,
    TriggerView,
)

Cursor = Annotated[str, StringConstraints(max_length=200)]


class Query(BaseModel):
    """Strict base of query strings: an unknown parameter is a typo, not a wish."""

    model_config = ConfigDict(extra="forbid")


class CaseQuery(Query):
    """Filters and paging of the case list."""

    cycle_id: Id | None = None
    state: Annotated[str, StringConstraints(max_length=CODE_MAX)] | None = None
    overdue: bool | None = None
    search: Annotated[str, StringConstraints(max_length=SEARCH_MAX)] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 50
    cursor: Cursor | None = None


class PageQuery(Query):
    """Paging of a list."""

    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100
    cursor: Cursor | None = None


class TransitionIn(BaseModel):
    """Fire a trigger; ``expected_version`` (the version you read) guards against races."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    trigger: Annotated[str, StringConstraints(pattern=rf"^[a-z][a-z0-9_]{{0,{CODE_MAX - 1}}}$")]
    expected_version: Version | None = None
    comment: Comment = ""


class MentorIn(BaseModel):
    """Assign a mentor user to the case."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    mentor: Annotated[str, StringConstraints(min_length=1, max_length=USER_NAME_MAX)]
    expected_version: Version | None = None


class CaseDocQuery(Query):
    """Paging of the case document's history."""

    history_before: Annotated[int, Field(ge=1)] | None = None


class EvidenceOut(Model):
    """Everything recorded for the case so far (consultations: the newest few; all count)."""

    analyses: list[AnalysisOut]
    consultations: list[ConsultationOut]
    consultation_count: int = Field(description="every consultation, listed or not")
    consultation_hours: Decimal
    sources: list[SelectionOut]
    applications: list[ApplicationOut]


class CaseOut(CaseItem):
    """A case: state, version, evidence, every trigger from here (allowed or why not), history."""

    legal_form: str
    fields: list[str]
    final: bool
    evidence: EvidenceOut
    triggers: list[TriggerView]
    history: list[AuditEvent] = Field(
        description="the newest events (or those before ``history_before``), oldest first"
    )
    history_before: int | None = Field(
        description="pass as ``?history_before=`` for the page of older events; null when "
        "``history`` starts at the first event (the whole log: ``/cases/{id}/audit``)"
    )


class TransitionOut(Model):
    """A fired trigger: the case's new state and version, and the audit event written."""

    case_id: int
    trigger: str
    from_state: str
    state: str
    version: int
    event: AuditEvent


def case_out(case_id: int, history_before: int | None = None) -> CaseOut:
    """The case as the acting user may see it, with one page of its history."""
    d = views.case_detail(runtime(), actor(), case_id, history_before=history_before)
    data = d.model_dump(include=set(CaseItem.model_fields) | {"legal_form", "fields", "final"})
    return CaseOut(
        **data,
        evidence=EvidenceOut(
            analyses=d.analyses,
            consultations=d.consultations,
            consultation_count=d.consultation_count,
            consultation_hours=d.consultation_hours,
            sources=d.sources,
            applications=d.applications,
        ),
        triggers=d.triggers,
        history=[AuditEvent.model_validate(e.model_dump()) for e in d.history],
        history_before=d.history_before,
    )


@api_route("/cases", tag="cases", query=CaseQuery, response=CasePage)
def list_cases(query: CaseQuery) -> CasePage:
    """Cases you may see (mentors: assigned ones), filtered, by id, a page at a time."""
    items, nxt = views.list_cases(runtime(), actor(), **query.model_dump())
    return CasePage(items=[CaseItem.model_validate(i.model_dump()) for i in items], next_cursor=nxt)


@api_route(
    "/cases",
    "POST",
    tag="cases",
    body=EnrolmentIn,
    response=CaseOut,
    status=201,
    errors=(403, 404, 409),
    permission=("actions", "enrol"),
)
def enrol(body: EnrolmentIn) -> Response:
    """Enrol an organisation into a cycle.

    409 when the cycle is full or the organisation is already in it; 422 with ``reasons``
    when the policy's eligibility rules exclude it.
    """
    case_id = enrolment.enrol(runtime(), actor(), body.organisation_id, body.cycle_id)
    resp = Response(case_out(case_id).model_dump_json(), status=201, mimetype="application/json")
    resp.headers["Location"] = f"/api/v1/cases/{case_id}"
    return resp


@api_route(
    "/cases/<int:case_id>", tag="cases", query=CaseDocQuery, response=CaseOut, errors=(403, 404)
)
def get_case(case_id: int, query: CaseDocQuery) -> CaseOut:
    """The case with its evidence, its triggers (allowed, or every guard that blocks) and the
    newest page of its history (``history_before`` pages back)."""
    return case_out(case_id, query.history_before)


@api_route(
    "/cases/<int:case_id>/transitions",
    "POST",
    tag="cases",
    body=TransitionIn,
    response=TransitionOut,
    errors=(403, 404, 409),
    permission=("triggers", ""),
)
def fire(case_id: int, body: TransitionIn) -> TransitionOut:
    """Fire a trigger.

    409 on a stale ``expected_version`` or a trigger not declared from the current state;
    422 with every failing guard in ``blocked_by``; 403 when your role may not fire it.
    """
    result = advance.fire(
        runtime(),
        actor(),
        case_id,
        body.trigger,
        expected_version=body.expected_version,
        comment=body.comment,
    )
    # the event as the INSERT stored it (its id returned by the INSERT): no second read
    return TransitionOut(
        case_id=case_id,
        trigger=result.trigger,
        from_state=result.from_state,
        state=result.to_state,
        version=result.version,
        event=AuditEvent.model_validate(result.event),
    )


@api_route(
    "/cases/<int:case_id>/mentor",
    "POST",
    tag="cases",
    body=MentorIn,
    response=Recorded,
    errors=(403, 404, 409),
    permission=("actions", "assign_mentor"),
)
def assign_mentor(case_id: int, body: MentorIn) -> Recorded:
    """Assign a mentor user (mentors see and serve only their assigned cases)."""
    rt = runtime()
    rec = mentors.assign_mentor(
        rt, actor(), case_id, body.mentor, expected_version=body.expected_version
    )
    return recorded(rec)


@api_route(
    "/cases/<int:case_id>/audit",
    tag="audit",
    query=PageQuery,
    response=EventPage,
    errors=(403, 404),
)
def case_audit(case_id: int, query: PageQuery) -> EventPage:
    """The case's audit events, oldest first, a page at a time."""
    items, nxt = auditquery.case_events(
        runtime(), actor(), case_id, limit=query.limit, cursor=query.cursor
    )
    return EventPage(
        items=[AuditEvent.model_validate(e.model_dump()) for e in items], next_cursor=nxt
    )


def recorded(rec: casewrite.Recorded) -> Recorded:
    """The stored evidence's id, the case's new version and its audit event (with id)."""
    event = auditquery.stored_event(runtime(), rec.case_id, rec.version)
    return Recorded(
        id=rec.id,
        case_id=rec.case_id,
        version=rec.version,
        event=AuditEvent.model_validate(event.model_dump()),
    )
