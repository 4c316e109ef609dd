"""Forms that record a case's evidence, one generic pair of routes for every kind in the
registry (``/cases/<id>/<kind>`` and ``/<kind>/<id>`` to change a record), and the
enrolment form (the programme's reference data has its own forms, :mod:`web.ui.registry`).

A kind's form is built from its declaration (:mod:`web.ui.kindforms`) and validated by its
input model; the model's errors, and the service's ``InvalidInput`` errors, are shown next
to the fields they name. The GET of a form is refused (403) to a role that could not
submit it, checked by the policy's own functions. A few kinds get page extras here (the
mentor filled in, a way to register a new source, the application's call): none is needed
for a kind to work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from web.context import actor, runtime
from web.kindpaths import install
from web.ui import forms as F
from web.ui import kindforms, vocabulary
from web.ui.formflow import create, post
from web.ui.helpers import day, pick, plain_number
from workflow import accounts, enrolment, recording, registry, views
from workflow.calls import call_closed
from workflow.evidence import registry as evidence_kinds
from workflow.evidence.consultations import may_record_for_others
from workflow.evidence.registry import ChoiceList, EvidenceKind, Operation
from workflow.permissions import require_action, require_evidence
from workflow.schemas import EnrolmentIn
from workflow.viewmodels import CaseDetail

logger = logging.getLogger(__name__)

bp = Blueprint("ui_evidence", __name__)
bp.record_once(install)


@dataclass(slots=True)
class Page:
    """One evidence form being shown or posted: what the page extras work with."""

    kind: EvidenceKind[Any]
    op: Operation
    form: FlaskForm
    case: CaseDetail
    record_id: int | None = None


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


CHOICES: dict[ChoiceList, Callable[[CaseDetail], list[Any]]] = {
    "need_areas": lambda case: vocabulary.choices(vocabulary.NEEDS),
    "fields": lambda case: [SelectChoice(c, t) for c, t in vocabulary.choices(vocabulary.FIELDS)],
    "mentors": lambda case: [
        SelectChoice(u.name, u.name) for u in accounts.active_mentors(runtime())
    ],
    "funding_sources": lambda case: _source_choices(),
    "selected_sources": lambda case: _source_choices({s.funding_source_id for s in case.sources}),
}


def _fill_choices(page: Page) -> None:
    """Each select's choices for this request (a blank first where it may stay empty)."""
    for name in page.op.schema.model_fields:
        spec = page.op.fields[name]
        listed = kindforms.fixed_choices(page.op, name)
        if spec.choices is not None:
            listed = CHOICES[spec.choices](page.case)
        if listed is None:
            continue
        if kindforms.needs_blank(page.op, name) and not kindforms.is_list(
            page.op.schema.model_fields[name]
        ):
            listed = [SelectChoice("", "–"), *listed]
        page.form[name].choices = listed


def _consultation_extras(page: Page) -> dict[str, Any]:
    """A user who may not record for others records as themself: the only choice is their
    own name, with no external mentor to type (the engine refuses any other name). For the
    others the case's mentor comes first."""
    who = actor()
    if not may_record_for_others(runtime().rules.policy, who):
        page.form["mentor"].choices = [SelectChoice(who.name, who.name)]
        if request.method == "GET":
            page.form["mentor"].data = who.name
        del page.form["mentor_other"]
    elif request.method == "GET":
        mentors = [c.value for c in page.form["mentor"].choices if c.value]
        if page.case.mentor in mentors:
            page.form["mentor"].data = page.case.mentor
    return {}


def _source_extras(page: Page) -> dict[str, Any]:
    """A source just registered from this page comes back chosen; a new one can be added."""
    wanted = request.args.get("source", "")
    field = page.form["funding_source_id"]
    if request.method == "GET" and any(c.value == wanted for c in field.choices):
        field.data = wanted
    return {"offer_new_source": True}


def _application_extras(page: Page) -> dict[str, Any]:
    """An application is for a selected source: say so when none is selected yet."""
    return {"no_source": not page.form["funding_source_id"].choices}


def _decision_extras(page: Page) -> dict[str, Any]:
    """The application's current submission and decision, its title and its call."""
    assert page.record_id is not None
    app = views.get_application(runtime(), actor(), page.record_id)
    if request.method == "GET":
        page.form["submitted_on"].data = app.submitted_on.isoformat() if app.submitted_on else ""
        page.form["decision"].data = app.decision or ""
        page.form["decided_on"].data = app.decided_on.isoformat() if app.decided_on else ""
        page.form["awarded_eur"].data = plain_number(app.awarded_eur)
    return {
        "title": _("Submission and decision: %(title)s", title=app.title),
        "application": app,
    }


EXTRAS: dict[tuple[str, str], Callable[[Page], dict[str, Any]]] = {
    ("consultations", "record"): _consultation_extras,
    ("sources", "record"): _source_extras,
    ("applications", "record"): _application_extras,
    ("applications", "update"): _decision_extras,
}


def _show(page: Page, service: Callable[[Any, int | None], Any]) -> ResponseReturnValue:
    """The shared GET/POST flow of an evidence form: ``service(data, expected_version)``
    stores it; the page shows the form again with its problems, or goes back to the case."""
    form, op = page.form, page.op
    _fill_choices(page)
    extra: dict[str, Any] = {"title": pick(op.title)}
    hook = EXTRAS.get((page.kind.name, op.verb))
    if hook is not None:
        extra.update(hook(page))
    if request.method != "POST":
        form.expected_version.data = str(page.case.version)
    names = tuple(op.schema.model_fields)
    lists = tuple(n for n in names if kindforms.is_list(op.schema.model_fields[n]))
    result = post(
        form, op.schema, names, lambda data: service(data, F.expected_version(form)), lists
    )
    if result.done:
        flash(_("Saved."), "success")
        return redirect(url_for("ui_cases.show", case_id=page.case.id))
    return (
        render_template(
            "evidence/form.html", form=form, case=page.case, problems=result.problems, **extra
        ),
        result.status,
    )


@bp.route("/cases/<id:case_id>/<evidence:kind>", methods=["GET", "POST"])
@login_required
def record(case_id: int, kind: str) -> ResponseReturnValue:
    """Record a piece of evidence of ``kind`` on the case (mentors: on their own cases)."""
    rt, who = runtime(), actor()
    ev = evidence_kinds.get(kind)
    require_evidence(rt.rules, who, kind, ev.create.verb)
    case = views.case_detail(rt, who, case_id)  # also refuses a case not assigned to a mentor
    page = Page(ev, ev.create, kindforms.form_class(ev, ev.create)(), case)
    return _show(
        page,
        lambda data, version: recording.record(rt, who, case_id, data, expected_version=version),
    )


@bp.route("/<changeable:kind>/<id:record_id>", methods=["GET", "POST"])
@login_required
def change(kind: str, record_id: int) -> ResponseReturnValue:
    """Change a stored record of ``kind`` (an application's submission and decision)."""
    rt, who = runtime(), actor()
    ev = evidence_kinds.get(kind)
    op = ev.update
    assert op is not None  # the path matched only kinds that can be changed
    require_evidence(rt.rules, who, kind, op.verb)
    case = views.case_detail(rt, who, recording.case_of(rt, op, record_id))
    page = Page(ev, op, kindforms.form_class(ev, op)(), case, record_id)
    return _show(
        page,
        lambda data, version: recording.update(rt, who, record_id, data, expected_version=version),
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
