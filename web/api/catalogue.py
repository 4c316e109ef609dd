"""Reference data: organisations, cycles and funding sources."""

from __future__ import annotations

from typing import Any

from flask import Response

from web.api.models import (
    CycleList,
    CycleOut,
    FundingSourceList,
    FundingSourceOut,
    OrganisationList,
    OrganisationOut,
)
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import registry
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn


def _created(
    model: type[OrganisationOut | CycleOut | FundingSourceOut], row: Any, path: str
) -> Response:
    out = model.model_validate(row)
    resp = Response(out.model_dump_json(), status=201, mimetype="application/json")
    resp.headers["Location"] = f"/api/v1/{path}/{out.id}"
    return resp


@api_route(
    "/organisations",
    "POST",
    tag="catalogue",
    body=OrganisationIn,
    response=OrganisationOut,
    status=201,
    errors=(403, 409),
    permission=("actions", "manage_organisations"),
)
def create_organisation(body: OrganisationIn) -> Response:
    """Register an NGO (its register number must be new)."""
    return _created(
        OrganisationOut, registry.create_organisation(runtime(), actor(), body), "organisations"
    )


@api_route("/organisations", tag="catalogue", response=OrganisationList)
def list_organisations() -> OrganisationList:
    """Every organisation, by name (an organisation's representative: only their own)."""
    orgs = registry.list_organisations(runtime(), actor())
    return OrganisationList(items=[OrganisationOut.model_validate(o) for o in orgs])


@api_route(
    "/cycles",
    "POST",
    tag="catalogue",
    body=CycleIn,
    response=CycleOut,
    status=201,
    errors=(403, 409),
    permission=("actions", "manage_cycles"),
)
def create_cycle(body: CycleIn) -> Response:
    """Open a cycle; budget and capacity default from the policy's cycle_defaults."""
    return _created(CycleOut, registry.create_cycle(runtime(), actor(), body), "cycles")


@api_route("/cycles", tag="catalogue", response=CycleList)
def list_cycles() -> CycleList:
    """Every cycle, newest first."""
    return CycleList(items=[CycleOut.model_validate(c) for c in registry.list_cycles(runtime())])


@api_route("/cycles/<int:cycle_id>", tag="catalogue", response=CycleOut, errors=(404,))
def get_cycle(cycle_id: int) -> CycleOut:
    """One cycle."""
    return CycleOut.model_validate(registry.get_cycle(runtime(), cycle_id))


@api_route(
    "/funding-sources",
    "POST",
    tag="catalogue",
    body=FundingSourceIn,
    response=FundingSourceOut,
    status=201,
    errors=(403, 409),
    permission=("actions", "manage_funding_sources"),
)
def create_funding_source(body: FundingSourceIn) -> Response:
    """Register a funder's programme and its call window."""
    return _created(
        FundingSourceOut,
        registry.create_funding_source(runtime(), actor(), body),
        "funding-sources",
    )


@api_route("/funding-sources", tag="catalogue", response=FundingSourceList)
def list_funding_sources() -> FundingSourceList:
    """Every funding source, by call opening."""
    return FundingSourceList(
        items=[FundingSourceOut.model_validate(f) for f in registry.list_funding_sources(runtime())]
    )
