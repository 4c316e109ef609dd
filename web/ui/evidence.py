"""Forms that record evidence, enrol organisations and register the programme's reference
data (organisations, cycles, funding sources); each calls one service function.

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
from pydantic import BaseModel, ValidationError
from wtforms.fields.choices import SelectChoice

from web.context import actor, runtime
from web.ui import forms as F
from web.ui import vocabulary
from web.ui.helpers import apply_errors, day, money, plain_number
from web.ui.messages import conflict_message, eligibility_reasons
from web.ui.validation import invalid_errors, pydantic_errors
from workflow import accounts, enrolment, evidence, registry, views
from workflow.errors import Conflict, Ineligible, InvalidInput, StaleCase
from workflow.guards import call_closed
from workflow.permissions import require_action, require_evidence
from workflow.schemas import (
    MAX_ID,
    AnalysisIn,
    ApplicationIn,
    ApplicationUpdate,
    ConsultationIn,
    CycleIn,
    EnrolmentIn,
    FundingSourceIn,
    OrganisationIn,
    SelectionIn,
)

logger = logging.getLogger(__name__)

bp = Blueprint("ui_evidence", __name__)


def _submit(
    form: FlaskForm,
    schema: type[BaseModel],
    names: tuple[str, ...],
    call: Callable[[Any], Any],
    lists: tuple[str, ...] = (),
) -> tuple[bool, list[str]]:
    """Validate with the schema, call the service, map every error to its field."""
    try:
        data = schema.model_validate(F.values(form, names, lists))
    except ValidationError as exc:
        return False, apply_errors(form, pydantic_errors(exc))
    try:
        call(data)
    except InvalidInput as exc:
        return False, apply_errors(form, invalid_errors(exc))
    except StaleCase:
        return False, [
            _(
                "The case was changed by someone else since you opened this form. Reload it and check."
            )
        ]
    except Ineligible as exc:
        return False, [_("Not eligible:"), *eligibility_reasons(exc)]
    except Conflict as exc:
        return False, [conflict_message(exc)]
    return True, []


def _case_form(
    case_id: int,
    kind: str,
    form: FlaskForm,
    title: Any,
    schema: type[BaseModel],
    names: tuple[str, ...],
    service: Callable[..., Any],
    lists: tuple[str, ...] = (),
    **extra: Any,
) -> ResponseReturnValue:
    """The shared GET/POST flow of an evidence form on one case (``extra`` to the page)."""
    rt = runtime()
    who = actor()
    require_evidence(rt.rules, who, kind)
    detail = views.case_detail(rt, who, case_id)  # also refuses a case not assigned to a mentor
    problems: list[str] = []
    status = 200
    if request.method == "GET":
        form.expected_version.data = str(detail.version)
    elif form.validate_on_submit():
        ok, problems = _submit(
            form,
            schema,
            names,
            lambda data: service(rt, who, case_id, data, expected_version=F.expected_version(form)),
            lists,
        )
        if ok:
            flash(_("Saved."), "success")
            return redirect(url_for("ui_cases.show", case_id=case_id))
        status = 422
    else:
        status = 400
    return (
        render_template(
            "evidence/form.html",
            form=form,
            title=title,
            case=detail,
            problems=problems,
            **extra,
        ),
        status,
    )


@bp.route("/cases/<id:case_id>/analysis", methods=["GET", "POST"])
@login_required
def analysis(case_id: int) -> ResponseReturnValue:
    """Record the needs analysis."""
    form = F.AnalysisForm()
    form.need_areas.choices = vocabulary.choices(vocabulary.NEEDS)
    return _case_form(
        case_id,
        "analysis",
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
    form = F.ConsultationForm()
    mentors = [u.name for u in accounts.active_mentors(runtime())]
    form.mentor.choices = [SelectChoice("", "–"), *(SelectChoice(n, n) for n in mentors)]
    if request.method == "GET":
        assigned = views.case_detail(runtime(), actor(), case_id).mentor
        if actor().role == "mentor":
            form.mentor.data = actor().name
        elif assigned in mentors:
            form.mentor.data = assigned
    return _case_form(
        case_id,
        "consultation",
        form,
        _l("Record a consultation"),
        ConsultationIn,
        ("mentor", "held_on", "hours", "topic"),
        evidence.record_consultation,
    )


def _source_choices(only: set[int] | None = None) -> list[SelectChoice]:
    """Funding sources with their call in the user's date format; a closed call is said."""
    rt = runtime()
    today = rt.now().date()
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
        case_id,
        "source_selection",
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
    rt = runtime()
    require_evidence(rt.rules, actor(), "application")
    selected = {s.funding_source_id for s in views.case_detail(rt, actor(), case_id).sources}
    form = F.ApplicationForm()
    form.funding_source_id.choices = _source_choices(selected)
    form.domain.choices = [
        SelectChoice("", "–"),
        *(SelectChoice(c, t) for c, t in vocabulary.choices(vocabulary.FIELDS)),
    ]
    return _case_form(
        case_id,
        "application",
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
    problems: list[str] = []
    status = 200
    if request.method == "GET":
        form.expected_version.data = str(detail.version)
        form.submitted_on.data = app.submitted_on.isoformat() if app.submitted_on else ""
        form.decision.data = app.decision or ""
        form.decided_on.data = app.decided_on.isoformat() if app.decided_on else ""
        form.awarded_eur.data = plain_number(app.awarded_eur)
    elif form.validate_on_submit():
        ok, problems = _submit(
            form,
            ApplicationUpdate,
            ("submitted_on", "decision", "decided_on", "awarded_eur"),
            lambda data: evidence.update_application(
                rt, who, application_id, data, expected_version=F.expected_version(form)
            ),
        )
        if ok:
            flash(_("Saved."), "success")
            return redirect(url_for("ui_cases.show", case_id=app.case_id))
        status = 422
    else:
        status = 400
    title = _("Submission and decision: %(title)s", title=app.title)
    return (
        render_template(
            "evidence/form.html",
            form=form,
            title=title,
            case=detail,
            problems=problems,
            application=app,
        ),
        status,
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
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            created: list[int] = []

            def call(_: Any) -> None:
                created.append(
                    enrolment.enrol(
                        rt,
                        who,
                        int(form.organisation_id.data),
                        int(form.cycle_id.data),
                        comment=(form.comment.data or "").strip(),
                    )
                )

            ok, problems = _submit(form, EnrolmentIn, ("organisation_id", "cycle_id"), call)
            if ok:
                flash(_("Enrolled."), "success")
                return redirect(url_for("ui_cases.show", case_id=created[0]))
            status = 422
        else:
            status = 400
    return render_template("evidence/enrol.html", form=form, problems=problems), status


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def organisation() -> ResponseReturnValue:
    """Register an NGO, then go on to enrol it."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_organisations")
    form = F.OrganisationForm()
    form.fields.choices = vocabulary.choices(vocabulary.FIELDS)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            made: list[int] = []
            ok, problems = _submit(
                form,
                OrganisationIn,
                ("name", "reg_no", "legal_form", "fields"),
                lambda data: made.append(registry.create_organisation(rt, who, data).id),
                lists=("fields",),
            )
            if ok:
                flash(_("Organisation registered."), "success")
                return redirect(url_for(".enrol", organisation=made[0]))
            status = 422
        else:
            status = 400
    title = _l("Register an organisation")
    return render_template(
        "evidence/form.html", form=form, title=title, case=None, problems=problems
    ), status


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
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            made: list[int] = []
            ok, problems = _submit(
                form,
                CycleIn,
                ("name", "starts_on", "ends_on", "budget_eur", "capacity"),
                lambda data: made.append(registry.create_cycle(rt, who, data).id),
            )
            if ok:
                flash(_("Cycle created."), "success")
                return redirect(url_for("ui_dashboard.index", cycle=made[0]))
            status = 422
        else:
            status = 400
    return render_template(
        "evidence/cycle.html",
        form=form,
        title=_l("New cycle"),
        case=None,
        problems=problems,
        cycles=registry.list_cycles(rt),
    ), status


def _case_param(raw: str | None) -> int | None:
    """A case id passed along in a query or hidden field, or None when absent or malformed."""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
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
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            made: list[int] = []
            ok, problems = _submit(
                form,
                FundingSourceIn,
                ("funder", "programme", "call_opens", "call_closes", "max_grant_eur", "domains"),
                lambda data: made.append(registry.create_funding_source(rt, who, data).id),
                lists=("domains",),
            )
            if ok:
                flash(_("Funding source registered."), "success")
                if back is not None:
                    return redirect(url_for(".source", case_id=back, source=made[0]))
                return redirect(url_for("ui_dashboard.index"))
            status = 422
        else:
            status = 400
    return render_template(
        "evidence/funding_source.html",
        form=form,
        title=_l("Register a funding source"),
        case=None,
        back=back,
        problems=problems,
        sources=registry.list_funding_sources(rt),
    ), status
