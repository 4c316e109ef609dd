"""Evidence behind each step: analysis, consultations, funding sources, applications.

Each write answers 201 with the record's id, the case's new version and the audit event;
``?expected_version=N`` refuses the write (409) if the case changed since you read it.
"""

from __future__ import annotations

from web.api.cases import Query, recorded
from web.api.models import Recorded
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import evidence
from workflow.schemas import (
    AnalysisIn,
    ApplicationIn,
    ApplicationUpdate,
    ConsultationIn,
    SelectionIn,
    Version,
)

WRITE_ERRORS = (403, 404, 409)


class VersionQuery(Query):
    """Optimistic locking for evidence writes."""

    expected_version: Version | None = None


@api_route(
    "/cases/<int:case_id>/analysis",
    "POST",
    tag="evidence",
    body=AnalysisIn,
    query=VersionQuery,
    response=Recorded,
    status=201,
    errors=WRITE_ERRORS,
    permission=("evidence", "analysis"),
)
def record_analysis(case_id: int, body: AnalysisIn, query: VersionQuery) -> Recorded:
    """Record the needs analysis of the organisation (the latest one counts)."""
    return recorded(
        evidence.record_analysis(
            runtime(), actor(), case_id, body, expected_version=query.expected_version
        )
    )


@api_route(
    "/cases/<int:case_id>/consultations",
    "POST",
    tag="evidence",
    body=ConsultationIn,
    query=VersionQuery,
    response=Recorded,
    status=201,
    errors=WRITE_ERRORS,
    permission=("evidence", "consultation"),
)
def record_consultation(case_id: int, body: ConsultationIn, query: VersionQuery) -> Recorded:
    """Record one mentor consultation (held on a day not in the future)."""
    return recorded(
        evidence.record_consultation(
            runtime(), actor(), case_id, body, expected_version=query.expected_version
        )
    )


@api_route(
    "/cases/<int:case_id>/sources",
    "POST",
    tag="evidence",
    body=SelectionIn,
    query=VersionQuery,
    response=Recorded,
    status=201,
    errors=WRITE_ERRORS,
    permission=("evidence", "source_selection"),
)
def select_source(case_id: int, body: SelectionIn, query: VersionQuery) -> Recorded:
    """Select a funding source for the case (once per source)."""
    return recorded(
        evidence.select_source(
            runtime(), actor(), case_id, body, expected_version=query.expected_version
        )
    )


@api_route(
    "/cases/<int:case_id>/applications",
    "POST",
    tag="evidence",
    body=ApplicationIn,
    query=VersionQuery,
    response=Recorded,
    status=201,
    errors=WRITE_ERRORS,
    permission=("evidence", "application"),
)
def add_application(case_id: int, body: ApplicationIn, query: VersionQuery) -> Recorded:
    """Record a drafted application for one of the case's selected sources."""
    return recorded(
        evidence.add_application(
            runtime(), actor(), case_id, body, expected_version=query.expected_version
        )
    )


@api_route(
    "/applications/<int:application_id>",
    "PATCH",
    tag="evidence",
    body=ApplicationUpdate,
    query=VersionQuery,
    response=Recorded,
    errors=WRITE_ERRORS,
    permission=("evidence", "application_update"),
)
def update_application(
    application_id: int, body: ApplicationUpdate, query: VersionQuery
) -> Recorded:
    """Record an application's submission and/or decision, checked against its call."""
    return recorded(
        evidence.update_application(
            runtime(), actor(), application_id, body, expected_version=query.expected_version
        )
    )
