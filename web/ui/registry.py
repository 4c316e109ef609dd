"""Forms for the programme's reference data: organisations, cycles and funding sources.

A coordinator registers an NGO before enrolling it, opens a new cycle each year and
records a funder's programme when its call is announced. Each form calls one function of
:mod:`workflow.registry`, which decides; the flow is :mod:`web.ui.formflow`'s.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from web.context import actor, runtime
from web.ui import forms as F
from web.ui import vocabulary
from web.ui.formflow import create
from web.ui.helpers import money
from web.ui.ids import BadId, parse_id
from workflow import registry
from workflow.permissions import require_action
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn

bp = Blueprint("ui_registry", __name__)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def organisation() -> ResponseReturnValue:
    """Register an NGO, then go on to enrol it."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_organisations")
    form = F.OrganisationForm()
    form.fields.choices = vocabulary.choices(vocabulary.FIELDS)
    result = create(
        form,
        OrganisationIn,
        ("name", "reg_no", "legal_form", "fields"),
        lambda data: registry.create_organisation(rt, who, data).id,
        lists=("fields",),
    )
    if result.id is not None:
        flash(_("Organisation registered."), "success")
        return redirect(url_for("ui_evidence.enrol", organisation=result.id))
    title = _l("Register an organisation")
    return render_template(
        "evidence/form.html", form=form, title=title, case=None, problems=result.problems
    ), result.status


def _policy_default(value: str) -> str:
    """The hint of a field the policy fills when it is left empty."""
    return _("If left empty, the policy's default applies: %(value)s.", value=value)


@bp.route("/cycles/new", methods=["GET", "POST"])
@login_required
def cycle() -> ResponseReturnValue:
    """Open a new incubation cycle, then show it on the dashboard."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_cycles")
    defaults = rt.rules.policy.spec.cycle_defaults
    form = F.CycleForm()
    form.budget_eur.description = _policy_default(money(defaults.budget_eur))
    form.capacity.description = _policy_default(str(defaults.capacity))
    result = create(
        form,
        CycleIn,
        ("name", "starts_on", "ends_on", "budget_eur", "capacity"),
        lambda data: registry.create_cycle(rt, who, data).id,
    )
    if result.id is not None:
        flash(_("Cycle created."), "success")
        return redirect(url_for("ui_dashboard.index", cycle=result.id))
    return render_template(
        "evidence/cycle.html",
        form=form,
        title=_l("New cycle"),
        case=None,
        problems=result.problems,
        cycles=registry.list_cycles(rt),
    ), result.status


def _case_param(raw: str | None) -> int | None:
    """A case id passed along in a query or hidden field, or None when absent or malformed."""
    try:
        return parse_id(raw)
    except BadId:
        return None


@bp.route("/funding-sources/new", methods=["GET", "POST"])
@login_required
def funding_source() -> ResponseReturnValue:
    """Register a funder's programme; back to the case's source selection when it sent the
    user here (``?case=<id>``), else to the dashboard."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_funding_sources")
    form = F.FundingSourceForm()
    form.domains.choices = vocabulary.choices(vocabulary.FIELDS)
    if request.method == "GET":
        back = _case_param(request.args.get("case"))
        form.case.data = str(back) if back is not None else ""
    else:
        back = _case_param(form.case.data)
    result = create(
        form,
        FundingSourceIn,
        ("funder", "programme", "call_opens", "call_closes", "max_grant_eur", "domains"),
        lambda data: registry.create_funding_source(rt, who, data).id,
        lists=("domains",),
    )
    if result.id is not None:
        flash(_("Funding source registered."), "success")
        if back is not None:
            return redirect(
                url_for("ui_evidence.record", case_id=back, kind="sources", source=result.id)
            )
        return redirect(url_for("ui_dashboard.index"))
    return render_template(
        "evidence/funding_source.html",
        form=form,
        title=_l("Register a funding source"),
        case=None,
        back=back,
        problems=result.problems,
        sources=registry.list_funding_sources(rt),
    ), result.status
