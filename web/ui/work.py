"""The coordinator's workbench in the UI: the start page "My work", a case's mentor
assigned from the case page or for many cases at once from the case list, and a cycle's
budget page.

Each calls the engine's one service or read model (:mod:`workflow.mywork`,
:mod:`workflow.mentors`, :mod:`workflow.budget`), as the API does.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from web.context import actor, runtime
from web.ui import me
from web.ui.cases import render_case
from web.ui.forms import REQUIRED
from web.ui.helpers import lang
from web.ui.ids import BadId, parse_id
from web.ui.validation import invalid_errors
from workflow import accounts, budget, mentors, mywork, registry
from workflow.errors import Conflict, InvalidInput, StaleCase
from workflow.permissions import require_action

logger = logging.getLogger(__name__)

bp = Blueprint("ui_work", __name__)
#: The most urgent cases the start page lists (all are counted).
WORK_SHOWN = 200


@bp.app_template_global()
def active_mentor_names() -> list[str]:
    """The names a case can be assigned to (active mentors), for the assignment forms."""
    return [u.name for u in accounts.active_mentors(runtime())]


class MentorForm(FlaskForm):
    """Choose the mentor of one case (at the version the user saw) or of several."""

    mentor = SelectField(_l("Mentor"), validate_choice=False)
    expected_version = HiddenField()


def mentor_form() -> MentorForm:
    """The posted form, its choices the active mentors."""
    form = MentorForm()
    form.mentor.choices = [SelectChoice("", "–")] + [
        SelectChoice(n, n) for n in active_mentor_names()
    ]
    return form


@bp.route("/work")
@login_required
def index() -> ResponseReturnValue:
    """My work: the user's open cases, most urgent first, each next step and why not yet."""
    page = mywork.work_page(runtime(), actor(), limit=WORK_SHOWN)
    return render_template(
        "work/index.html",
        items=page.items,
        total=page.total,
        overdue=page.overdue,
        lv=lang() == "lv",
        feed_url=me.calendar_url(),
    )


def _errors_text(exc: InvalidInput) -> str:
    return "; ".join(invalid_errors(exc).values())


@bp.route("/cases/<id:case_id>/mentor", methods=["POST"])
@login_required
def assign(case_id: int) -> ResponseReturnValue:
    """Assign or change the case's mentor (an audited write of its own)."""
    rt = runtime()
    require_action(rt.rules, actor(), mentors.ACTION)
    form = mentor_form()
    if not form.validate_on_submit():
        flash(_("The form is out of date. Reload the page and try again."), "error")
        return render_case(case_id, status=400)
    name = (form.mentor.data or "").strip()
    if not name:
        flash(_("Mentor: %(msg)s", msg=REQUIRED), "error")
        return render_case(case_id, status=422)
    raw_version = form.expected_version.data or ""
    try:
        version = int(raw_version) if raw_version else None
        mentors.assign_mentor(rt, actor(), case_id, name, expected_version=version)
    except ValueError:
        flash(_("The form is out of date. Reload the page and try again."), "error")
        return render_case(case_id, status=400)
    except InvalidInput as exc:
        flash(_("Mentor: %(msg)s", msg=_errors_text(exc)), "error")
        return render_case(case_id, status=422)
    except StaleCase:
        flash(
            _(
                "This case was changed by someone else since you opened it. "
                "Here is its current state; check it and try again."
            ),
            "error",
        )
        return render_case(case_id, status=409)
    flash(_("Mentor assigned: %(name)s.", name=name), "success")
    return redirect(url_for("ui_cases.show", case_id=case_id))


@bp.route("/cases/mentor", methods=["POST"])
@login_required
def assign_many() -> ResponseReturnValue:
    """Assign one mentor to the cases ticked in the case list; every case's outcome is
    listed (each case is its own audited write, so one refused case stops no other)."""
    rt = runtime()
    require_action(rt.rules, actor(), mentors.ACTION)
    form = mentor_form()
    problems: list[str] = []
    results: list[mentors.BulkOutcome] = []
    ids: list[int] = []
    for raw in request.form.getlist("case"):
        try:
            case_id = parse_id(raw)
        except BadId as exc:
            problems.append(f"{_('Cases')}: {exc.message}")
            continue
        if case_id is not None:
            ids.append(case_id)
    name = (form.mentor.data or "").strip()
    status = 200
    if not form.validate_on_submit():
        problems.append(_("The form is out of date. Reload the page and try again."))
        status = 400
    elif not name:
        problems.append(_("Mentor: %(msg)s", msg=REQUIRED))
    elif not ids and not problems:
        problems.append(_("Tick at least one case in the list."))
    if not problems:
        try:
            results = mentors.assign_mentor_bulk(rt, actor(), ids, name)
        except InvalidInput as exc:
            problems.extend(f"{k}: {v}" for k, v in invalid_errors(exc).items())
    if problems and status == 200:
        status = 422
    return render_template(
        "work/assigned.html",
        mentor=name,
        results=results,
        problems=problems,
        lv=lang() == "lv",
    ), status


@bp.route("/budget")
@login_required
def budget_page() -> ResponseReturnValue:
    """A cycle's budget (the chosen one, else the newest): spent, committed and remaining,
    each mentor's hours, the other cost lines and the policy's warnings."""
    rt = runtime()
    require_action(rt.rules, actor(), "read_budget")
    cycles = registry.list_cycles(rt)
    try:
        wanted = parse_id(request.args.get("cycle"))
    except BadId:
        wanted = None
    chosen = next((c for c in cycles if c.id == wanted), cycles[0] if cycles else None)
    figures = None
    problem = None
    if chosen is not None:
        try:
            figures = budget.cycle_budget(rt, chosen.id)
        except Conflict as exc:
            problem = exc.message_lv if lang() == "lv" and exc.message_lv else str(exc)
    return render_template(
        "work/budget.html",
        cycles=cycles,
        cycle=chosen,
        b=figures,
        problem=problem,
        lv=lang() == "lv",
    )
