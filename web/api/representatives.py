"""The organisation's representative in the API: a coordinator invites one
(``POST /organisations/{id}/representatives``), and every role that may see a case reads
the organisation's view of it (``GET /cases/{id}/overview``): the representative's own
door to their case (:mod:`workflow.orgview`; the same read model as their case page)."""

from __future__ import annotations

from flask import Response, url_for
from pydantic import Field

from web.api.models import Model, UtcDateTime
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import invitations, orgview
from workflow.schemas import RepresentativeIn


class InvitedOut(Model):
    """A representative invited: their account, and until when the mailed link works."""

    user_id: int
    name: str
    organisation_id: int
    email: str
    expires_at: UtcDateTime = Field(description="the one-time link stops working then")


@api_route(
    "/organisations/<int:org_id>/representatives",
    "POST",
    tag="catalogue",
    body=RepresentativeIn,
    response=InvitedOut,
    status=201,
    errors=(403, 404, 409),
    permission=("actions", "invite_representatives"),
)
def invite(org_id: int, body: RepresentativeIn) -> Response:
    """Invite the organisation's representative: the account (role representative, bound to
    this organisation, no password yet) and an e-mail with a one-time link to set a
    password; 409 when the name is taken or the mail cannot be sent (then nothing is saved)."""
    link = url_for("ui_representatives.accept", token="T", _external=True)[:-1]
    done = invitations.invite(runtime(), actor(), org_id, body, link_base=link)
    out = InvitedOut.model_validate(done)
    return Response(out.model_dump_json(), status=201, mimetype="application/json")


@api_route(
    "/cases/<int:case_id>/overview",
    tag="cases",
    response=orgview.CaseOverview,
    errors=(403, 404),
)
def overview(case_id: int) -> orgview.CaseOverview:
    """The case as its organisation sees it: state, what the next step needs (in words),
    due dates, consultations, selected calls, applications and the shared notes; never an
    internal note. An organisation's representative reads only their own cases."""
    return orgview.case_overview(runtime(), actor(), case_id)
