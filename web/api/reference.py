"""Editing reference data: ``PATCH`` an organisation, a cycle or a funding source.

Only the fields sent change; each edit is recorded in the account log with the old and
new values (:mod:`workflow.referencedit`), and a field the rules refuse (a call that
would close before it opens, a taken register number) is a problem document naming it.
"""

from __future__ import annotations

from web.api.models import CycleOut, FundingSourceOut, OrganisationOut
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import referencedit
from workflow.referencedit import CyclePatch, FundingSourcePatch, OrganisationPatch


@api_route(
    "/organisations/<int:organisation_id>",
    "PATCH",
    tag="catalogue",
    body=OrganisationPatch,
    response=OrganisationOut,
    errors=(403, 404, 409),
    permission=("actions", "manage_organisations"),
)
def edit_organisation(organisation_id: int, body: OrganisationPatch) -> OrganisationOut:
    """Change an organisation's details (fields left out stay as they are)."""
    row = referencedit.edit_organisation(runtime(), actor(), organisation_id, body)
    return OrganisationOut.model_validate(row)


@api_route(
    "/cycles/<int:cycle_id>",
    "PATCH",
    tag="catalogue",
    body=CyclePatch,
    response=CycleOut,
    errors=(403, 404),
    permission=("actions", "manage_cycles"),
)
def edit_cycle(cycle_id: int, body: CyclePatch) -> CycleOut:
    """Change a cycle's name, dates, budget or capacity (not below the cases enrolled)."""
    return CycleOut.model_validate(referencedit.edit_cycle(runtime(), actor(), cycle_id, body))


@api_route(
    "/funding-sources/<int:source_id>",
    "PATCH",
    tag="catalogue",
    body=FundingSourcePatch,
    response=FundingSourceOut,
    errors=(403, 404),
    permission=("actions", "manage_funding_sources"),
)
def edit_funding_source(source_id: int, body: FundingSourcePatch) -> FundingSourceOut:
    """Change a funder's programme or its call window (opening and closing days)."""
    row = referencedit.edit_funding_source(runtime(), actor(), source_id, body)
    return FundingSourceOut.model_validate(row)
