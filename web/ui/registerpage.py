"""The register page: the city's NGO landscape from the imported Register of Enterprises
extract, the upload form for a new extract, and the imports so far.

Statistics and imports are :mod:`workflow.registerstats` and :mod:`workflow.registerimport`,
the same as ``inkubators registry`` and ``/api/v1/registry``; roles come from the policy
(``read_register``, ``import_register``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from web.context import actor, runtime
from web.ui.helpers import lang
from workflow.errors import RegisterFileInvalid
from workflow.permissions import may, require_action
from workflow.registerimport import import_register
from workflow.registerspec import CITY_MAX
from workflow.registerstats import FIRST_YEAR, LAST_YEAR, recent_imports, sector_stats

bp = Blueprint("ui_register", __name__)
MB = 1024 * 1024


class UploadForm(FlaskForm):
    """The register extract to import (with the form's CSRF token)."""

    file = FileField(
        _l("Register extract (register.csv)"),
        validators=[FileRequired(_l("Choose the file to import."))],
    )


def _query() -> tuple[str | None, int | None, dict[str, str]]:
    """The city and year asked for, and what could not be read (by field)."""
    errors: dict[str, str] = {}
    city = (request.args.get("city") or "").strip() or None
    if city is not None and len(city) > CITY_MAX:
        errors["city"] = _("At most %(n)d characters.", n=CITY_MAX)
        city = None
    year: int | None = None
    raw = (request.args.get("year") or "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
            year = int(raw)
        else:
            errors["year"] = _(
                "A year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR
            )
    return city, year, errors


def _page(form: UploadForm, problems: RegisterFileInvalid | None, status: int) -> Any:
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "read_register")
    city, year, errors = _query()
    stats = sector_stats(rt, city, year or rt.today().year)
    return render_template(
        "registry/index.html",
        stats=stats,
        city=request.args.get("city", ""),
        year=stats.year,
        errors=errors,
        form=form if may(rt.rules, who, "import_register") else None,
        problems=problems,
        lv=lang() == "lv",
        imports=recent_imports(rt),
        max_mb=rt.rules.policy.spec.registry.max_upload_mb,
    ), (422 if errors else status)


@bp.route("/registry")
@login_required
def index() -> ResponseReturnValue:
    """The statistics for a city and year, the upload form and the imports."""
    return _page(UploadForm(), None, 200)


@bp.route("/registry/import", methods=["POST"])
@login_required
def upload() -> ResponseReturnValue:
    """Import the uploaded extract: all of it, or nothing and every problem listed."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "import_register")
    limit = rt.rules.policy.spec.registry.max_upload_mb
    form = UploadForm()
    if request.content_length is not None and request.content_length > limit * MB:
        form.file.errors = [_("The file may be at most %(n)d MB.", n=limit)]
        return _page(form, None, 413)
    if not form.validate_on_submit():
        return _page(form, None, 422)
    data = form.file.data
    try:
        result = import_register(rt, who, data.stream, data.filename or "register.csv")
    except RegisterFileInvalid as exc:
        return _page(form, exc, 422)
    flash(
        _(
            "Imported %(rows)d rows: %(new)d new, %(changed)d changed, %(unchanged)d unchanged.",
            rows=result.rows,
            new=result.new,
            changed=result.changed,
            unchanged=result.unchanged,
        ),
        "success",
    )
    return redirect(url_for(".index"))
