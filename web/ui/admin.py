"""Administration: users, their roles, standing and passwords (through ``workflow.accounts``,
which decides every rule); the states and policy files in force, their history and
differences (through ``workflow.rulestatus`` and ``workflow.ruleversions``)."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from pydantic import ValidationError

from web.context import actor, runtime
from web.statuses import status_for
from web.ui import forms as F
from web.ui.helpers import apply_errors
from web.ui.messages import conflict_message
from web.ui.validation import invalid_errors, pydantic_errors
from workflow import accounts, rulestatus, ruleversions
from workflow.errors import Conflict, InvalidInput
from workflow.permissions import require_action
from workflow.schemas import UserChange, UserIn

logger = logging.getLogger(__name__)

bp = Blueprint("ui_admin", __name__, url_prefix="/admin")


def _users_page(
    status: int = 200,
    form: F.UserForm | None = None,
    problems: list[str] | None = None,
    shown: tuple[str, FlaskForm] | None = None,
    failed: tuple[str, str | None] | None = None,
) -> ResponseReturnValue:
    """The users page: every user with a form for role and standing and one for a password.

    ``shown`` is a form re-shown with its errors for one user (``(name, form)``); ``failed``
    names the user whose change was refused, with the engine's message when it has one (the
    conflict's text; field errors are said on the fields).
    """
    rt = runtime()
    users = accounts.list_users(rt)
    changes: dict[str, FlaskForm] = {}
    passwords: dict[str, FlaskForm] = {}
    for u in users:
        changes[u.name] = F.UserChangeForm(formdata=None, data={"role": u.role, "active": u.active})
        passwords[u.name] = F.PasswordSetForm(formdata=None)
    if shown is not None:
        name, shown_form = shown
        target = passwords if isinstance(shown_form, F.PasswordSetForm) else changes
        target[name] = shown_form
    return (
        render_template(
            "admin/users.html",
            users=users,
            form=form or F.UserForm(formdata=None),
            problems=problems or [],
            changes=changes,
            passwords=passwords,
            failed=failed,
            user_ids={u.name: u.id for u in users},
        ),
        status,
    )


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
    return _users_page(status, form, problems)


@bp.route("/users/<name>", methods=["POST"])
@login_required
def change_user(name: str) -> ResponseReturnValue:
    """Change one user's role and standing through ``accounts.change_user``, which decides
    (the last active admin stays, deactivation ends sessions)."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_users")
    accounts.get_user_by_name(rt, name)  # an unknown user: a 404, whatever the form
    form = F.UserChangeForm()
    if not form.validate_on_submit():
        return _users_page(400, shown=(name, form), failed=(name, None))
    try:
        change = UserChange.model_validate({"role": form.role.data, "active": form.active.data})
        result = accounts.change_user(rt, name, change, actor=who)
    except ValidationError as exc:
        apply_errors(form, pydantic_errors(exc))
        return _users_page(422, shown=(name, form), failed=(name, None))
    except Conflict as exc:
        # nothing changed: the row shows what holds, the message says why
        return _users_page(status_for(exc), failed=(name, conflict_message(exc)))
    user = result.user
    if not result.changed:
        flash(_("Nothing to change for %(name)s.", name=user.name))
        return redirect(url_for(".users"))
    standing = _("active") if user.active else _("inactive")
    flash(
        _(
            "User %(name)s saved: role %(role)s, %(standing)s.",
            name=user.name,
            role=_(user.role),
            standing=standing,
        ),
        "success",
    )
    return redirect(url_for(".users"))


@bp.route("/users/<name>/password", methods=["POST"])
@login_required
def set_password(name: str) -> ResponseReturnValue:
    """Set a user's password through ``accounts.set_password`` (its length rule is the
    engine's, said on the field); their sessions end."""
    rt = runtime()
    who = actor()
    require_action(rt.rules, who, "manage_users")
    accounts.get_user_by_name(rt, name)
    form = F.PasswordSetForm()
    if not form.validate_on_submit():
        return _users_page(400, shown=(name, form), failed=(name, None))
    try:
        accounts.set_password(rt, name, form.password.data or "", actor=who)
    except InvalidInput as exc:
        general = apply_errors(form, invalid_errors(exc))
        return _users_page(
            status_for(exc), shown=(name, form), failed=(name, " ".join(general) or None)
        )
    flash(_("New password set for %(name)s; their sessions have ended.", name=name), "success")
    return redirect(url_for(".users"))


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
        status=rulestatus.status(rt),
        history=ruleversions.history(rt),
    )


@bp.route("/rules/<sha>")
@login_required
def show_version(sha: str) -> ResponseReturnValue:
    """One stored version of the files."""
    rt = runtime()
    require_action(rt.rules, actor(), "manage_policies")
    return render_template("admin/rules_show.html", sha=sha, version=ruleversions.show(rt, sha))


@bp.route("/rules/diff")
@login_required
def diff() -> ResponseReturnValue:
    """The difference between two stored versions (``?a=SHA&b=SHA``)."""
    rt = runtime()
    require_action(rt.rules, actor(), "manage_policies")
    a, b = request.args.get("a", ""), request.args.get("b", "")
    return render_template("admin/rules_diff.html", a=a, b=b, diff=ruleversions.diff(rt, a, b))
