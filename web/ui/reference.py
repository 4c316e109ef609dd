"""Lists of organisations, cycles and funding sources, each sortable by its columns, and
the forms that edit one row (an organisation's details, a cycle's dates and budget, a
call's dates). Every edit goes through :mod:`workflow.referencedit`, which records it in
the account log; the lists sort names in Latvian order (:mod:`workflow.collation`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from pydantic import BaseModel, ValidationError

from web.context import actor, runtime
from web.ui import forms as F
from web.ui import vocabulary
from web.ui.helpers import apply_errors, plain_number
from web.ui.messages import conflict_message
from web.ui.validation import invalid_errors, pydantic_errors
from workflow import referencedit, registry
from workflow.collation import latvian_key
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.permissions import may, require_action

bp = Blueprint("ui_reference", __name__)

ORG_FIELDS = ("name", "reg_no", "legal_form", "fields")
CYCLE_FIELDS = ("name", "starts_on", "ends_on", "budget_eur", "capacity")
SOURCE_FIELDS = ("funder", "programme", "call_opens", "call_closes", "max_grant_eur", "domains")


def _name(attr: str) -> Callable[[Any], Any]:
    return lambda row: latvian_key(getattr(row, attr))


def _plain(attr: str) -> Callable[[Any], Any]:
    return lambda row: getattr(row, attr)


#: list -> column -> key (the row id breaks ties)
SORTS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "organisations": {
        "name": _name("name"),
        "reg_no": _plain("reg_no"),
        "legal_form": _plain("legal_form"),
    },
    "cycles": {
        "name": _name("name"),
        "starts_on": _plain("starts_on"),
        "ends_on": _plain("ends_on"),
        "budget_eur": _plain("budget_eur"),
        "capacity": _plain("capacity"),
    },
    "sources": {
        "funder": _name("funder"),
        "programme": _name("programme"),
        "call_opens": _plain("call_opens"),
        "call_closes": _plain("call_closes"),
        "max_grant_eur": _plain("max_grant_eur"),
    },
}


def _sorted(kind: str, rows: list[Any], default: str) -> tuple[list[Any], str, bool]:
    """Rows sorted by ``?sort=`` (a column of this list) and ``?dir=desc``."""
    sort = request.args.get("sort", default)
    if sort not in SORTS[kind]:
        sort = default
    desc = request.args.get("dir") == "desc"
    key = SORTS[kind][sort]
    return sorted(rows, key=lambda r: (key(r), r.id), reverse=desc), sort, desc


def _may_read(permission: str) -> None:
    rules = runtime().rules
    who = actor()
    if not (may(rules, who, permission) or may(rules, who, "read_audit")):
        abort(403)


@bp.route("/organisations/")
@login_required
def organisations() -> ResponseReturnValue:
    """Every organisation, by name in Latvian order (or another column)."""
    _may_read("manage_organisations")
    rows, sort, desc = _sorted("organisations", registry.list_organisations(runtime()), "name")
    return render_template(
        "reference/organisations.html", rows=rows, sort=sort, desc=desc, kind="organisations"
    )


@bp.route("/cycles/")
@login_required
def cycles() -> ResponseReturnValue:
    """Every cycle, newest first (or by another column)."""
    _may_read("manage_cycles")
    rows, sort, desc = _sorted("cycles", registry.list_cycles(runtime()), "starts_on")
    if "sort" not in request.args:
        rows, desc = rows[::-1], True
    return render_template("reference/cycles.html", rows=rows, sort=sort, desc=desc, kind="cycles")


@bp.route("/funding-sources/")
@login_required
def sources() -> ResponseReturnValue:
    """Every funding source, by funder in Latvian order (or another column)."""
    _may_read("manage_funding_sources")
    rows, sort, desc = _sorted("sources", registry.list_funding_sources(runtime()), "funder")
    return render_template(
        "reference/sources.html", rows=rows, sort=sort, desc=desc, kind="sources"
    )


def _form_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return plain_number(value)
    return value


def _edit(
    form: FlaskForm,
    row: Any,
    names: tuple[str, ...],
    lists: tuple[str, ...],
    schema: type[BaseModel],
    save: Callable[[Any], Any],
) -> tuple[bool, list[str], int]:
    """Show the row in the form (GET) or save the form (POST): done, problems, status."""
    if request.method != "POST":
        form.process(data={n: _form_value(getattr(row, n)) for n in names})
        return False, [], 200
    if not form.validate_on_submit():
        return False, [], 400
    data = F.values(form, names, lists)
    for name in lists:
        data.setdefault(name, [])  # every box cleared: the list is emptied
    try:
        patch = schema.model_validate(data)
    except ValidationError as exc:
        return False, apply_errors(form, pydantic_errors(exc)), 422
    try:
        save(patch)
    except InvalidInput as exc:
        return False, apply_errors(form, invalid_errors(exc)), 422
    except Conflict as exc:
        return False, [conflict_message(exc)], 409
    return True, [], 200


def _render(form: FlaskForm, title: Any, problems: list[str], status: int) -> ResponseReturnValue:
    return render_template(
        "evidence/form.html", form=form, title=title, case=None, problems=problems
    ), status


@bp.route("/organisations/<id:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(org_id: int) -> ResponseReturnValue:
    """An organisation's name, register number, legal form and fields."""
    rt, who = runtime(), actor()
    require_action(rt.rules, who, "manage_organisations")
    try:
        row = registry.get_organisation(rt, org_id)
    except NotFound:
        abort(404)
    form = F.OrganisationForm()
    form.fields.choices = vocabulary.choices(vocabulary.FIELDS)
    done, problems, status = _edit(
        form,
        row,
        ORG_FIELDS,
        ("fields",),
        referencedit.OrganisationPatch,
        lambda p: referencedit.edit_organisation(rt, who, org_id, p),
    )
    if done:
        flash(_("Organisation saved."), "success")
        return redirect(url_for(".organisations"))
    return _render(form, _l("Edit %(name)s", name=row.name), problems, status)


@bp.route("/cycles/<id:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cycle(cycle_id: int) -> ResponseReturnValue:
    """A cycle's name, dates, budget and places."""
    rt, who = runtime(), actor()
    require_action(rt.rules, who, "manage_cycles")
    try:
        row = registry.get_cycle(rt, cycle_id)
    except NotFound:
        abort(404)
    form = F.CycleForm()
    done, problems, status = _edit(
        form,
        row,
        CYCLE_FIELDS,
        (),
        referencedit.CyclePatch,
        lambda p: referencedit.edit_cycle(rt, who, cycle_id, p),
    )
    if done:
        flash(_("Cycle saved."), "success")
        return redirect(url_for(".cycles"))
    return _render(form, _l("Edit %(name)s", name=row.name), problems, status)


@bp.route("/funding-sources/<id:source_id>/edit", methods=["GET", "POST"])
@login_required
def edit_source(source_id: int) -> ResponseReturnValue:
    """A funder's programme, its call's dates, the maximum grant and domains."""
    rt, who = runtime(), actor()
    require_action(rt.rules, who, "manage_funding_sources")
    try:
        row = registry.get_funding_source(rt, source_id)
    except NotFound:
        abort(404)
    form = F.FundingSourceForm()
    form.domains.choices = vocabulary.choices(vocabulary.FIELDS)
    done, problems, status = _edit(
        form,
        row,
        SOURCE_FIELDS,
        ("domains",),
        referencedit.FundingSourcePatch,
        lambda p: referencedit.edit_funding_source(rt, who, source_id, p),
    )
    if done:
        flash(_("Funding source saved."), "success")
        return redirect(url_for(".sources"))
    return _render(form, _l("Edit %(name)s", name=row.programme), problems, status)
