"""Evidence behind each step, one generic route per operation for every kind in the
registry (:mod:`workflow.evidence`): ``POST /cases/{id}/<kind>`` records one,
``PATCH /<kind>/{id}`` changes one where the kind allows it. Each kind's body is its own
input model, and the OpenAPI document lists each kind's operations as paths of their own.

Each write answers with the record's id, the case's new version and the audit event;
``?expected_version=N`` refuses the write (409) if the case changed since you read it.
"""

from __future__ import annotations

from flask import Response

from web.api import bp
from web.api.cases import Query, recorded
from web.api.models import Recorded
from web.api.routing import (
    ROUTE_SOURCES,
    Route,
    check_id,
    json_response,
    make_route,
    parse_body,
    parse_query,
    token_user,
)
from web.context import actor, runtime
from web.kindpaths import install
from workflow import recording
from workflow.evidence import registry
from workflow.schemas import Version

WRITE_ERRORS = (403, 404, 409)


class VersionQuery(Query):
    """Optimistic locking for evidence writes."""

    expected_version: Version | None = None


def record_evidence(kind: str, case_id: int) -> Response:
    """Record a piece of evidence of ``kind`` on the case."""
    token_user()
    check_id("case", case_id)
    op = registry.get(kind).create
    query = parse_query(VersionQuery)
    body = parse_body(op.schema)
    rec = recording.record(
        runtime(), actor(), case_id, body, expected_version=query.expected_version
    )
    return json_response(recorded(rec), 201, Recorded)


def update_evidence(kind: str, record_id: int) -> Response:
    """Change a stored record of ``kind``; fields left out stay as they are."""
    token_user()
    op = registry.get(kind).update
    assert op is not None  # the path matched only kinds that can be changed
    check_id(op.record, record_id)
    query = parse_query(VersionQuery)
    body = parse_body(op.schema)
    rec = recording.update(
        runtime(), actor(), record_id, body, expected_version=query.expected_version
    )
    return json_response(recorded(rec), 200, Recorded)


def kind_routes() -> list[Route]:
    """Each registered kind's operations, as the document shows them."""
    out = []
    for kind in registry.kinds():
        out.append(
            make_route(
                f"/cases/<int:case_id>/{kind.name}",
                "POST",
                kind.trigger(kind.create),
                kind.create.summary,
                tag="evidence",
                body=kind.create.schema,
                query=VersionQuery,
                response=Recorded,
                status=201,
                errors=WRITE_ERRORS,
                permission=("evidence", kind.name),
            )
        )
        if kind.update is not None:
            out.append(
                make_route(
                    f"/{kind.name}/<int:{kind.update.record}_id>",
                    "PATCH",
                    kind.trigger(kind.update),
                    kind.update.summary,
                    tag="evidence",
                    body=kind.update.schema,
                    query=VersionQuery,
                    response=Recorded,
                    errors=WRITE_ERRORS,
                    permission=("evidence", kind.name),
                )
            )
    return out


bp.record_once(install)
bp.add_url_rule(
    "/cases/<int:case_id>/<evidence:kind>", "record_evidence", record_evidence, methods=["POST"]
)
bp.add_url_rule(
    "/<changeable:kind>/<int:record_id>", "update_evidence", update_evidence, methods=["PATCH"]
)
ROUTE_SOURCES.append(kind_routes)
