"""Forms that record a case's evidence and enrol organisations; each calls one service
function (the programme's reference data has its own forms, :mod:`web.ui.registry`).

Every form is validated by the domain's pydantic schema; its errors, and the service's
``InvalidInput`` errors, are shown next to the fields they name. The GET of a form is
refused (403) to a role that could not submit it, checked by the policy's own functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from pydantic import BaseModel
from wtforms.fields.choices import SelectChoice

from web.context import actor, runtime
from web.ui import forms as F
from web.ui import vocabulary
from web.ui.formflow import create, post
from web.ui.helpers import day, plain_number
from workflow import accounts, enrolment, evidence, registry, views
from workflow.guards import call_closed
from workflow.permissions import require_action, require_evidence
from workflow.schemas import (
    AnalysisIn,
    ApplicationIn,
    ApplicationUpdate,
    ConsultationIn,
    EnrolmentIn,
    SelectionIn,
)
from workflow.viewmodels import CaseDetail

logger = logging.getLogger(__name__)

bp = Blueprint("ui_evidence", __name__)


def _case_detail(kind: str, case_id: int) -> CaseDetail:
    """The case an evidence form of ``kind`` records on, once the user may record it."""
    rt = runtime()
    require_evidence(rt.rules, actor(), kind)
    return views.case_detail(rt, actor(), case_id)  # also refuses a case not assigned to a mentor


def _case_form(
    detail: CaseDetail,
    form: FlaskForm,
    title: Any,
    schema: type[BaseModel],
    names: tuple[str, ...],
    service: Callable[..., Any],
    lists: tuple[str, ...] = (),
    target: int | None = None,
    **extra: Any,
) -> ResponseReturnValue:
    """The shared GET/POST flow of an evidence form on the loaded case: the service is
    called as ``service(rt, who, target, data, expected_version=...)``, ``target`` being
    the case unless given; ``extra`` goes to the page."""
    rt = runtime()
    who = actor()
    if request.method != "POST":
        form.expected_version.data = str(detail.version)
    result = post(
        form,
        schema,
        names,
        lambda data: service(
            rt,
            who,
            detail.id if target is None else target,
            data,
            expected_version=F.expected_version(form),
        ),
        lists,
    )
    if result.done:
        flash(_("Saved."), "success")
        return redirect(url_for("ui_cases.show", case_id=detail.id))
    return (
        render_template(
            "evidence/form.html",
            form=form,
            title=title,
            case=detail,
            problems=result.problems,
            **extra,
        ),
        result.status,
    )


@bp.route("/cases/<id:case_id>/analysis", methods=["GET", "POST"])
@login_required
def analysis(case_id: int) -> ResponseReturnValue:
    """Record the needs analysis."""
    form = F.AnalysisForm()
    form.need_areas.choices = vocabulary.choices(vocabulary.NEEDS)
    return _case_form(
        _case_detail("analysis", case_id),
        form,
        _l("Record the needs analysis"),
        AnalysisIn,
        ("findings", "need_areas", "recorded_on"),
        evidence.record_analysis,
        lists=("need_areas",),
    )


@bp.route("/cases/<id:case_id>/consultation", methods=["GET", "POST"])
@login_required
def consultation(case_id: int) -> ResponseReturnValue:
    """Record a mentor consultation (mentors: on their assigned cases)."""
    detail = _case_detail("consultation", case_id)
    form = F.ConsultationForm()
    mentors = [u.name for u in accounts.active_mentors(runtime())]
    form.mentor.choices = [SelectChoice("", "–"), *(SelectChoice(n, n) for n in mentors)]
    if request.method == "GET":
        if actor().role == "mentor":
            form.mentor.data = actor().name
        elif detail.mentor in mentors:
            form.mentor.data = detail.mentor
    return _case_form(
        detail,
        form,
        _l("Record a consultation"),
        ConsultationIn,
        ("mentor", "held_on", "hours", "topic"),
        evidence.record_consultation,
    )


def _source_choices(only: set[int] | None = None) -> list[SelectChoice]:
    """Funding sources with their call in the user's date format; a closed call is said."""
    rt = runtime()
    today = rt.today()
    out = []
    for s in registry.list_funding_sources(rt):
        if only is not None and s.id not in only:
            continue
        text = f"{s.funder} — {s.programme} ({day(s.call_opens)} – {day(s.call_closes)})"
        if call_closed(s, today):
            text = _("%(source)s — call closed", source=text)
        out.append(SelectChoice(str(s.id), text))
    return out


@bp.route("/cases/<id:case_id>/source", methods=["GET", "POST"])
@login_required
def source(case_id: int) -> ResponseReturnValue:
    """Select a funding source for the case."""
    form = F.SelectionForm()
    form.funding_source_id.choices = _source_choices()
    wanted = request.args.get("source", "")
    if request.method == "GET" and any(c.value == wanted for c in form.funding_source_id.choices):
        form.funding_source_id.data = wanted  # one just registered from this page
    return _case_form(
        _case_detail("source_selection", case_id),
        form,
        _l("Select a funding source"),
        SelectionIn,
        ("funding_source_id", "selected_on"),
        evidence.select_source,
        offer_new_source=True,
    )


@bp.route("/cases/<id:case_id>/application", methods=["GET", "POST"])
@login_required
def application(case_id: int) -> ResponseReturnValue:
    """Add a drafted application for one of the case's selected sources."""
    detail = _case_detail("application", case_id)
    selected = {s.funding_source_id for s in detail.sources}
    form = F.ApplicationForm()
    form.funding_source_id.choices = _source_choices(selected)
    form.domain.choices = [
        SelectChoice("", "–"),
        *(SelectChoice(c, t) for c, t in vocabulary.choices(vocabulary.FIELDS)),
    ]
    return _case_form(
        detail,
        form,
        _l("Add an application"),
        ApplicationIn,
        (
            "funding_source_id",
            "title",
            "domain",
            "total_budget_eur",
            "requested_eur",
            "prepared_on",
        ),
        evidence.add_application,
        no_source=not form.funding_source_id.choices,
    )


@bp.route("/applications/<id:application_id>", methods=["GET", "POST"])
@login_required
def application_update(application_id: int) -> ResponseReturnValue:
    """Record an application's submission date and/or decision."""
    rt = runtime()
    who = actor()
    require_evidence(rt.rules, who, "application_update")
    app = views.get_application(rt, who, application_id)
    detail = views.case_detail(rt, who, app.case_id)
    form = F.ApplicationUpdateForm()
    if request.method == "GET":
        form.submitted_on.data = app.submitted_on.isoformat() if app.submitted_on else ""
        form.decision.data = app.decision or ""
        form.decided_on.data = app.decided_on.isoformat() if app.decided_on else ""
        form.awarded_eur.data = plain_number(app.awarded_eur)
    return _case_form(
        detail,
        form,
        _("Submission and decision: %(title)s", title=app.title),
        ApplicationUpdate,
        ("submitted_on", "decision", "decided_on", "awarded_eur"),
        evidence.update_application,
        target=application_id,
        application=app,
    )


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
def enrol() -> ResponseReturnValue:
    """Enrol a registered organisation into a cycle."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "enrol")
    form = F.EnrolForm()
    form.organisation_id.choices = [
        SelectChoice(str(o.id), f"{o.name} ({o.reg_no})") for o in registry.list_organisations(rt)
    ]
    form.cycle_id.choices = [SelectChoice(str(c.id), c.name) for c in registry.list_cycles(rt)]
    if request.method == "GET" and request.args.get("organisation"):
        form.organisation_id.data = request.args["organisation"]
    result = create(
        form,
        EnrolmentIn,
        ("organisation_id", "cycle_id"),
        lambda data: enrolment.enrol(
            rt,
            who,
            data.organisation_id,
            data.cycle_id,
            comment=form.comment.data or "",
        ),
    )
    if result.id is not None:
        flash(_("Enrolled."), "success")
        return redirect(url_for("ui_cases.show", case_id=result.id))
    return render_template(
        "evidence/enrol.html", form=form, problems=result.problems
    ), result.status
