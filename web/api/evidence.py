"""Evidence behind each step, one generic route per operation for every kind in the
registry (:mod:`workflow.evidence`): ``POST /cases/{id}/<kind>`` records one,
``PATCH /<kind>/{id}`` changes one where the kind allows it. Each kind's body is its own
input model, and the OpenAPI document lists each kind's operations as paths of their own.

Each write answers with the record's id, the case's new version and the audit event;
``?expected_version=N`` refuses the write (409) if the case changed since you read it.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from pydantic import BaseModel

from web.api import bp
from web.api.cases import Query, recorded
from web.api.models import Recorded
from web.api.routing import ROUTE_SOURCES, Route, make_route, serve
from web.context import actor, runtime
from web.kindpaths import install
from workflow import recording
from workflow.evidence import registry
from workflow.evidence.registry import EvidenceKind
from workflow.schemas import Version

WRITE_ERRORS = (403, 404, 409)


class VersionQuery(Query):
    """Optimistic locking for evidence writes."""

    expected_version: Version | None = None


def record_evidence(kind: str, case_id: int) -> Response:
    """Record a piece of evidence of ``kind`` on the case."""

    def store(case_id: int, query: VersionQuery, body: BaseModel) -> Recorded:
        return recorded(
            recording.record(
                runtime(), actor(), case_id, body, expected_version=query.expected_version
            )
        )

    return serve(_routes(kind)["POST"], store, {"case_id": case_id})


def update_evidence(kind: str, record_id: int) -> Response:
    """Change a stored record of ``kind``; fields left out stay as they are."""
    route = _routes(kind)["PATCH"]  # the path matched only kinds that can be changed

    def change(query: VersionQuery, body: BaseModel, **ids: int) -> Recorded:
        (record,) = ids.values()
        return recorded(
            recording.update(
                runtime(), actor(), record, body, expected_version=query.expected_version
            )
        )

    return serve(route, change, {route.path_params[0]: record_id})


def _routes(kind: str) -> dict[str, Route]:
    """The operations of ``kind`` by method, as :func:`kind_routes` documents them."""
    return {r.method: r for r in kind_routes(registry.get(kind))}


def kind_routes(kind: EvidenceKind[Any]) -> list[Route]:
    """The operations of one kind, as the route table shows them."""
    out = [
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
    ]
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


def every_kind_routes() -> list[Route]:
    """Each registered kind's operations, for the route table."""
    return [r for kind in registry.kinds() for r in kind_routes(kind)]


bp.record_once(install)
bp.add_url_rule(
    "/cases/<int:case_id>/<evidence:kind>", "record_evidence", record_evidence, methods=["POST"]
)
bp.add_url_rule(
    "/<changeable:kind>/<int:record_id>", "update_evidence", update_evidence, methods=["PATCH"]
)
ROUTE_SOURCES.append(every_kind_routes)
