"""The case list (with filters), the case page and the advance form.

Which triggers are offered, and why one is blocked, comes from the engine's own
``case_detail`` (``TriggerView.allowed``/``role_allowed``/``blocked_by``); firing goes
through ``advance.fire``, which checks the role, the version and every guard again.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web.context import actor, rules, runtime
from web.ui.caselistargs import XLSX, list_query
from web.ui.forms import AdvanceForm, expected_version
from web.ui.helpers import lang, trigger_label
from web.ui.ids import BadId, parse_id
from web.ui.representatives import overview_page
from web.ui.validation import invalid_errors
from workflow import advance, caseexport, caselist, registry, views
from workflow.accounts import active_mentors
from workflow.caselist import CaseQuery
from workflow.errors import GuardRejected, InvalidInput, StaleCase, TransitionNotAllowed
from workflow.guards.registry import comment_guards
from workflow.permissions import acts_for_organisation

logger = logging.getLogger(__name__)

bp = Blueprint("ui_cases", __name__, url_prefix="/cases")

PAGE = 50
# Guards that only ask for something the user writes in the advance form itself: the
# engine evaluates the page's guards without a comment, so these are requests, not refusals.
COMMENT_GUARDS = comment_guards()


def _list_request() -> tuple[dict[str, object], CaseQuery, list[str]]:
    """The list's filters, sort and due-day filters from the query string; the problems
    of any that are malformed (then nothing is listed rather than everything)."""
    args = request.args
    filters: dict[str, object] = {}
    problems: list[str] = []
    try:
        cycle_id = parse_id(args.get("cycle"))
    except BadId as exc:
        problems.append(f"{_('Cycle')}: {exc.message}")
        cycle_id = None
    if cycle_id:
        filters["cycle_id"] = cycle_id
    state = args.get("state", "")
    if state:
        filters["state"] = state
    overdue = args.get("overdue", "")
    if overdue in ("yes", "no"):
        filters["overdue"] = overdue == "yes"
    search = args.get("q", "").strip()
    if search:
        filters["search"] = search  # the engine bounds it (SEARCH_MAX) and names the field
    query, more = list_query(args)
    return filters, query, problems + more


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Cases the user may see: filtered by cycle, state, overdue, name or reg. no., mentor
    and due day; sorted by any column (``?sort=…&dir=desc``), a page at a time."""
    rt = runtime()
    args = request.args
    filters, query, problems = _list_request()
    try:
        page_no = int(args.get("page", "1"))
    except ValueError:
        page_no = 0
    listed = None
    try:
        if not problems:  # a bad filter lists nothing rather than everything
            listed = caselist.page(rt, actor(), query, page_no, PAGE, **filters)
    except InvalidInput as exc:
        problems = [f"{k}: {v}" for k, v in invalid_errors(exc).items()]
    keep: dict[str, Any] = {k: v for k, v in args.items() if k != "page"}
    pages = listed.pages if listed is not None else 1
    return render_template(
        "cases/list.html",
        cases=listed.rows if listed is not None else [],
        listed=listed,
        next_url=url_for(".index", **keep, page=page_no + 1) if page_no < pages else None,
        prev_url=url_for(".index", **keep, page=page_no - 1) if 1 < page_no <= pages else None,
        keep=keep,
        sort=query.sort,
        desc=query.descending,
        cycles=registry.list_cycles(rt),
        states=rt.rules.states.state_ids,
        mentors=[m.name for m in active_mentors(rt)],
        args=args,
        problems=problems,
    )


@bp.route("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    """The filtered, sorted list (every page) as CSV or a spreadsheet."""
    filters, query, problems = _list_request()
    if problems:
        abort(400, description="; ".join(problems))
    try:
        rows, _capped = caselist.all_rows(runtime(), actor(), query, **filters)
    except InvalidInput as exc:
        abort(400, description="; ".join(f"{k}: {v}" for k, v in invalid_errors(exc).items()))
    stamp = runtime().today().isoformat()
    if fmt == "csv":
        body: str | bytes = caseexport.csv_text(rows, lang())
        mimetype = "text/csv"
    else:
        body = caseexport.xlsx_bytes(rows, lang())
        mimetype = XLSX
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="cases-{stamp}.{fmt}"'
    return resp


def render_case(
    case_id: int,
    forms: dict[str, AdvanceForm] | None = None,
    status: int = 200,
    refused: GuardRejected | None = None,
) -> ResponseReturnValue:
    """The case page; ``forms`` carries a re-shown advance form with its errors.

    ``refused`` is a click the guards blocked: each reason is said once, where it belongs.
    A reason the page already lists under the step (the guards as of now) is not repeated;
    one that only the attempt revealed goes under the comment box.
    """
    rt = runtime()
    try:
        before = parse_id(request.args.get("before"))
    except BadId as exc:
        abort(400, description=f"before: {exc.message}")
    detail = views.case_detail(rt, actor(), case_id, history_before=before)
    forms = dict(forms or {})
    if refused is not None and refused.trigger in forms:
        view = next((t for t in detail.triggers if t.trigger == refused.trigger), None)
        shown = view.blocked_by if view is not None else []
        listed = {b.guard for b in shown if b.guard not in COMMENT_GUARDS}
        lv = lang() == "lv"
        comment = forms[refused.trigger].comment
        comment.errors = [
            *comment.errors,
            *(
                f.message_lv if lv else f.message_en
                for f in refused.failures
                if f.guard not in listed
            ),
        ]
    for t in detail.triggers:
        if t.trigger not in forms:
            f = AdvanceForm(formdata=None)
            f.trigger.data = t.trigger
            f.expected_version.data = str(detail.version)
            forms[t.trigger] = f
    return (
        render_template(
            "cases/detail.html",
            case=detail,
            forms=forms,
            lv=lang() == "lv",
            refused=refused.trigger if refused is not None else None,
            comment_guards=COMMENT_GUARDS,
        ),
        status,
    )


@bp.route("/<id:case_id>")
@login_required
def show(case_id: int) -> ResponseReturnValue:
    """Organisation, evidence, applications, every trigger with reasons, a page of history
    (``?before=SEQ``: the page of older events); for the organisation's representative,
    the organisation's view of the case (:func:`web.ui.representatives.overview_page`)."""
    if acts_for_organisation(rules(), actor()):
        return overview_page(case_id)
    return render_case(case_id)


@bp.route("/<id:case_id>/advance", methods=["POST"])
@login_required
def fire(case_id: int) -> ResponseReturnValue:
    """Fire a trigger; a blocked or stale attempt is shown on the case page, not as a crash."""
    form = AdvanceForm()
    if not form.validate_on_submit():
        return render_case(case_id, {form.trigger.data or "": form}, 400)
    trigger = form.trigger.data
    try:
        result = advance.fire(
            runtime(),
            actor(),
            case_id,
            trigger,
            expected_version=expected_version(form),
            comment=form.comment.data or "",
        )
    except StaleCase:
        flash(
            _(
                "This case was changed by someone else since you opened it. "
                "Here is its current state; check it and try again."
            ),
            "error",
        )
        return render_case(case_id, status=409)
    except GuardRejected as exc:
        return render_case(case_id, {trigger: form}, 422, refused=exc)
    except TransitionNotAllowed:
        flash(
            _("%(t)s is not possible from the case's current state.", t=trigger_label(trigger)),
            "error",
        )
        return render_case(case_id, status=409)
    flash(_("Done: %(t)s.", t=trigger_label(result.trigger)), "success")
    return redirect(url_for(".show", case_id=case_id))
