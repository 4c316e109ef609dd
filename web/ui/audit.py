"""The auditor's log: every event with filters, pages, CSV/JSONL export and the chain check."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select

from web.context import actor, runtime
from workflow import auditlog
from workflow.db import read_session
from workflow.permissions import require_action

bp = Blueprint("ui_audit", __name__, url_prefix="/audit")

PAGE = 50


def _filters() -> tuple[dict[str, Any], dict[str, str]]:
    """The query string as ``auditlog`` filters, and errors naming the bad parameters."""
    args = request.args
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    case = args.get("case", "").strip()
    if case:
        if case.isdigit():
            out["case_id"] = int(case)
        else:
            errors["case"] = _("a case number")
    for key in ("actor", "trigger"):
        value = args.get(key, "").strip()
        if value:
            out[key] = value[:80]
    for key, target, shift in (("since", "since", 0), ("until", "until", 1)):
        raw = args.get(key, "").strip()
        if raw:
            try:
                d = date.fromisoformat(raw)
            except ValueError:
                errors[key] = _("a date YYYY-MM-DD")
                continue
            out[target] = datetime.combine(d + timedelta(days=shift), time.min, tzinfo=UTC)
    return out, errors


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """A page of events, newest last, and whether every hash chain verifies."""
    rt = runtime()
    require_action(rt.rules, actor(), "read_audit")
    filters, errors = _filters()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    q = auditlog.event_query(**filters)
    with read_session(rt.engine) as s:
        total = int(s.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0)
        events = list(s.scalars(q.limit(PAGE).offset((page - 1) * PAGE)))
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    pages = max(1, (total + PAGE - 1) // PAGE)
    return render_template(
        "audit/index.html",
        events=events,
        total=total,
        page=page,
        pages=pages,
        prev_url=url_for(".index", page=page - 1, **args) if page > 1 else None,
        next_url=url_for(".index", page=page + 1, **args) if page < pages else None,
        export_csv=url_for(".export", fmt="csv", **args),
        export_jsonl=url_for(".export", fmt="jsonl", **args),
        verification=auditlog.verify(rt),
        args=request.args,
        errors=errors,
        triggers=["enrol", *rt.rules.states.triggers],
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
        return render_template(
            "error.html",
            status=400,
            title=_("Bad request"),
            message="; ".join(f"{k}: {v}" for k, v in errors.items()),
        ), 400
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    stamp = rt.now().strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(auditlog.export(rt, fmt, **filters)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{fmt}"'},
    )
