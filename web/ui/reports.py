"""The council report's page and its files (PDF, xlsx, HTML, CSV) for roles whose policy
grants ``read_reports``, in the user's language, as of a chosen day."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from web.context import actor, rules, runtime
from web.councilreport import FORMATS, LISTS, render
from web.councilreport.document import doc
from web.councilreport.words import Words
from workflow import permissions
from workflow.councilreport import CouncilReport, council_report

bp = Blueprint("ui_reports", __name__)


def _report(cycle_id: int) -> CouncilReport:
    """The report the request asks for, once the user's role may read it."""
    permissions.require_action(rules(), actor(), "read_reports")
    raw = request.args.get("as_of", "")
    try:
        as_of = date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400, _("As of: %(hint)s", hint=_("a date YYYY-MM-DD")))
    return council_report(runtime(), actor(), cycle_id, as_of)


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "lv"


@bp.route("/reports/cycles/<id:cycle_id>")
@login_required
def council(cycle_id: int) -> ResponseReturnValue:
    """The report on a page, with its files to download."""
    report = _report(cycle_id)
    words = Words(_lang(), rules())  # type: ignore[arg-type]  # "lv" or "en"
    return render_template(
        "reports/council_page.html",
        report=report,
        doc=doc(report, words),
        formats=FORMATS,
        lists=LISTS,
    )


@bp.route("/reports/cycles/<id:cycle_id>/council.<fmt>")
@login_required
def council_file(cycle_id: int, fmt: str) -> ResponseReturnValue:
    """The report as a file: ``pdf``, ``xlsx``, ``html`` or ``csv`` (``?list=`` for CSV)."""
    if fmt not in FORMATS:
        abort(404)
    csv_list = request.args.get("list", "organisations")
    if csv_list not in LISTS:
        abort(400, _("List: %(hint)s", hint=", ".join(LISTS)))
    report = _report(cycle_id)
    out = render(report, rules(), fmt, _lang(), csv_list)  # type: ignore[arg-type]  # checked above
    resp = Response(out.content, mimetype=out.media)
    how = "inline" if fmt == "html" else "attachment"
    resp.headers["Content-Disposition"] = f'{how}; filename="{out.filename}"'
    if fmt == "html":
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
        )
    return resp
