"""Administration: users and roles; the states and policy files in force, their history
and differences (through ``workflow.rulestore``)."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from pydantic import ValidationError

from web.context import actor, runtime
from web.ui import forms as F
from web.ui.helpers import apply_errors
from web.ui.messages import conflict_message
from web.ui.validation import invalid_errors, pydantic_errors
from workflow import accounts, rulestore
from workflow.errors import Conflict, InvalidInput
from workflow.permissions import require_action
from workflow.schemas import UserIn

logger = logging.getLogger(__name__)

bp = Blueprint("ui_admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> ResponseReturnValue:
    """List users and add one."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_users")
    form = F.UserForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                data = UserIn.model_validate(F.values(form, ("name", "role", "locale")))
                accounts.add_user(rt, data, form.password.data or None, actor=who)
            except ValidationError as exc:
                problems = apply_errors(form, pydantic_errors(exc))
            except InvalidInput as exc:
                problems = apply_errors(form, invalid_errors(exc))
            except Conflict as exc:
                problems = apply_errors(form, {"name": conflict_message(exc)})
            else:
                flash(_("User %(name)s added.", name=data.name), "success")
                return redirect(url_for(".users"))
            status = 422
        else:
            status = 400
    return (
        render_template(
            "admin/users.html", users=accounts.list_users(rt), form=form, problems=problems
        ),
        status,
    )


@bp.route("/rules")
@login_required
def rules() -> ResponseReturnValue:
    """The active states and policy files with hashes, their history and any ignored error."""
    rt = runtime()
    require_action(rt.rules, actor(), "manage_policies")
    return render_template(
        "admin/rules.html",
        states_hash=rt.rules.states_hash,
        policy_hash=rt.rules.policy_hash,
        status=rulestore.status(rt),
        history=rulestore.history(rt),
    )


@bp.route("/rules/<sha>")
@login_required
def show_version(sha: str) -> ResponseReturnValue:
    """One stored version of the files."""
    rt = runtime()
    require_action(rt.rules, actor(), "manage_policies")
    return render_template("admin/rules_show.html", sha=sha, version=rulestore.show(rt, sha))


@bp.route("/rules/diff")
@login_required
def diff() -> ResponseReturnValue:
    """The difference between two stored versions (``?a=SHA&b=SHA``)."""
    rt = runtime()
    require_action(rt.rules, actor(), "manage_policies")
    a, b = request.args.get("a", ""), request.args.get("b", "")
    return render_template("admin/rules_diff.html", a=a, b=b, diff=rulestore.diff(rt, a, b))
