"""The auditor's log: every event with filters, keyset pages, CSV/JSONL export, and the
hash-chain check as its own action (it reads the whole log, so a page view never runs it);
and the account log, with its own chain's check."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from web.context import actor, runtime
from web.ui.helpers import event_triggers
from web.ui.ids import BadId, parse_id
from web.ui.validation import invalid_errors
from workflow import accountlog, auditquery, redaction
from workflow.errors import InvalidInput
from workflow.permissions import require_action
from workflow.viewmodels import EventOut

bp = Blueprint("ui_audit", __name__, url_prefix="/audit")

PAGE = 50
ACCOUNT_EVENTS = 100  # the account log page shows this many newest events

#: What a row of each table verify binds is, in the reader's words (the table's own name
#: follows it, for whoever goes to look in the database).
ROW_WORDS = {
    "cases": _l("case"),
    "audit_events": _l("audit event"),
    "account_events": _l("account log event"),
    "users": _l("user"),
    "api_tokens": _l("API token"),
    "needs_analyses": _l("needs analysis"),
    "consultations": _l("consultation"),
    "source_selections": _l("funding source selection"),
    "applications": _l("project application"),
}


def row_place(table: str, row_id: object) -> str:
    """``consultation 7 (table consultations)``: a row verify names, by its table and id."""
    what = ROW_WORDS.get(table, table)
    return _("%(what)s %(id)s (table %(table)s)", what=what, id=row_id, table=table)


def _bare(problem: str, table: str, row_id: object) -> str:
    """A breach's problem without the ``table id: `` the engine puts before it."""
    prefix = f"{table} {row_id}: "
    return problem[len(prefix) :] if problem.startswith(prefix) else problem


def _filters() -> tuple[dict[str, Any], dict[str, str]]:
    """The query string as ``auditlog`` filters, and errors naming the bad parameters."""
    args = request.args
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        case_id = parse_id(args.get("case"))
    except BadId as exc:
        errors["case"] = exc.message
    else:
        if case_id is not None:
            out["case_id"] = case_id
    for key in ("actor", "trigger"):
        value = args.get(key, "").strip()
        if value:
            out[key] = value[:80]
    for key in ("since", "until"):
        raw = args.get(key, "").strip()
        if raw:
            try:
                # a whole day: the engine (auditquery.bound) checks its range and reads
                # ``until`` as "through that day", as the API does for a day
                out[key] = date.fromisoformat(raw)
            except ValueError:
                errors[key] = _("a date YYYY-MM-DD")
    return out, errors


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """A page of events, newest first, keyed by event id (cheap on any size of log)."""
    rt = runtime()
    filters, errors = _filters()
    after = request.args.get("after") or None
    events: list[EventOut] = []
    nxt = None
    try:
        if not errors:  # a filter that could not be read lists nothing rather than everything
            events, nxt = auditquery.list_events(
                rt,
                actor(),
                case_id=filters.get("case_id"),
                actor_name=filters.get("actor"),
                trigger=filters.get("trigger"),
                since=filters.get("since"),
                until=filters.get("until"),
                limit=PAGE,
                cursor=after,
                newest_first=True,
            )
    except InvalidInput as exc:
        for field, text in invalid_errors(exc).items():
            errors["after" if field == "cursor" else field] = text
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    # a filter refused (malformed, or a day out of range) is invalid input, named on the
    # page; a stale page cursor is not: the first page is offered instead
    status = 422 if set(errors) - {"after"} else 200
    return render_template(
        "audit/index.html",
        events=events,
        names=auditquery.organisation_names(rt, {e.case_id for e in events}),
        first_url=url_for(".index", **args) if after else None,
        next_url=url_for(".index", after=nxt, **args) if nxt else None,
        export_csv=url_for(".export", fmt="csv", **args),
        export_jsonl=url_for(".export", fmt="jsonl", **args),
        export_redacted=url_for(".export", fmt="jsonl", redact="1", **args),
        verify_url=url_for(".verify"),
        args=request.args,
        errors=errors,
        triggers=[*rt.rules.states.triggers, *event_triggers()],
    ), status


@bp.route("/verify")
@login_required
def verify() -> ResponseReturnValue:
    """Recompute every hash chain on request: it reads the whole log, so never on each view."""
    result = auditquery.verify(runtime(), actor())
    bad = result.first_bad
    problem = (result.problem_lv if str(get_locale()) == "lv" else bad["problem"]) if bad else ""
    place = ""
    if bad and bad.get("table"):  # a row verify binds, named by its table and id
        place = row_place(bad["table"], bad["id"])
        problem = _bare(problem or "", bad["table"], bad["id"])
    return render_template(
        "audit/verify.html", verification=result, bad=bad, problem=problem, place=place
    )


@bp.route("/accounts")
@login_required
def accounts() -> ResponseReturnValue:
    """The account log: who added users, changed roles and standing, set passwords and
    issued tokens (the newest events), and whether its hash chain verifies. It has one event
    per account change, so it is small enough to verify on every view."""
    rt = runtime()
    require_action(rt.rules, actor(), "read_audit")
    result = accountlog.verify(rt)
    lv = str(get_locale()) == "lv"
    problem = (result.problem.lv if lv else result.problem.en) if result.problem else ""
    place = ""
    if (b := result.breach) is not None:  # a user or token row, not an event of the log
        place = row_place(b.table, b.id)
        problem = b.lv if lv else b.en
    return render_template(
        "audit/accounts.html",
        events=accountlog.recent(rt, limit=ACCOUNT_EVENTS),
        verification=result,
        problem=problem,
        place=place,
        command_line=accountlog.COMMAND_LINE,
    )


@bp.route("/export.<fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    """Stream the filtered log as CSV or JSON Lines (constant memory on the server)."""
    rt = runtime()
    require_action(rt.rules, actor(), "read_audit")
    if fmt not in ("csv", "jsonl"):
        return render_template("error.html", status=404, title=_("Not found"), message=fmt), 404
    filters, errors = _filters()
    if errors:
        return _refused(errors)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    stamp = rt.now().strftime("%Y%m%d-%H%M%S")
    redact = request.args.get("redact") == "1"
    key = redaction.key_from_secret(str(current_app.secret_key)) if redact else None
    try:
        chunks = auditquery.export(rt, actor(), fmt, redact=redact, redact_key=key, **filters)
    except InvalidInput as exc:
        return _refused(invalid_errors(exc))
    name = f"audit-{stamp}{'-redacted' if redact else ''}.{fmt}"
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _refused(errors: dict[str, str]) -> ResponseReturnValue:
    """An export whose filters were refused: 422, naming each parameter."""
    return render_template(
        "error.html",
        status=422,
        title=_("Cannot do this"),
        message="; ".join(f"{k}: {v}" for k, v in errors.items()),
    ), 422
