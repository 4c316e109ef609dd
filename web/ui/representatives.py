"""The organisation's representative in the UI: a coordinator invites one (an account
bound to the organisation and a mailed one-time link), the invited person sets a password
through the link, and a representative's case page is the organisation's view of the
case (:mod:`workflow.orgview`) with a form to write the coordinator a message.

Who may do what is the engine's: ``invite_representatives`` in the policy's roles, the
case scope ``organisation``, and the notes kind's rule that a representative writes only
shared messages; these routes only parse forms and draw pages.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from web.context import actor, runtime
from web.statuses import status_for
from web.ui.forms import REQUIRED, expected_version, most
from web.ui.helpers import apply_errors
from web.ui.validation import invalid_errors, pydantic_errors
from workflow import invitations, orgview, recording
from workflow.errors import Conflict, InvalidInput
from workflow.evidence.notes import NoteIn
from workflow.limits import EMAIL_MAX, LONG_TEXT_MAX, PASSWORD_MAX, USER_NAME_MAX
from workflow.permissions import require_action
from workflow.schemas import RepresentativeIn

bp = Blueprint("ui_representatives", __name__)


class InviteForm(FlaskForm):
    """Who to invite: the account's name, their address, their language."""

    name = StringField(
        _l("User name"), validators=[InputRequired(message=REQUIRED), most(USER_NAME_MAX)]
    )
    email = StringField(_l("E-mail"), validators=[InputRequired(message=REQUIRED), most(EMAIL_MAX)])
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("lv", "latviešu"), SelectChoice("en", "English")]
    )


class AcceptForm(FlaskForm):
    """The invited person's new password."""

    password = PasswordField(
        _l("New password"), validators=[InputRequired(message=REQUIRED), most(PASSWORD_MAX)]
    )


class MessageForm(FlaskForm):
    """A message to the coordinator, on the case."""

    expected_version = StringField()
    text = TextAreaField(
        _l("Message to the coordinator"),
        validators=[InputRequired(message=REQUIRED), most(LONG_TEXT_MAX)],
    )


def overview_page(
    case_id: int, form: MessageForm | None = None, status: int = 200
) -> ResponseReturnValue:
    """The organisation's view of the case, with the message form."""
    view = orgview.case_overview(runtime(), actor(), case_id)
    if form is None:
        form = MessageForm(formdata=None, data={"expected_version": str(view.version)})
    return render_template("cases/overview.html", case=view, form=form), status


@bp.route("/cases/<id:case_id>/messages", methods=["POST"])
@login_required
def message(case_id: int) -> ResponseReturnValue:
    """Write the coordinator a message on the case (a note of type ``message``, shared)."""
    form = MessageForm()
    if not form.validate_on_submit():
        return overview_page(case_id, form, 400)
    try:
        data = NoteIn(note_type="message", text=form.text.data or "", visibility="organisation")
        recording.record(runtime(), actor(), case_id, data, expected_version=expected_version(form))
    except ValidationError as exc:
        apply_errors(form, pydantic_errors(exc))
        return overview_page(case_id, form, 400)
    except InvalidInput as exc:
        apply_errors(form, invalid_errors(exc))
        return overview_page(case_id, form, status_for(exc))
    flash(_("Your message was sent to the coordinator."), "success")
    return redirect(url_for("ui_cases.show", case_id=case_id))


def _invite_page(org_id: int, form: InviteForm, status: int = 200) -> ResponseReturnValue:
    org = orgview.representatives(runtime(), actor(), org_id)
    return render_template("representatives/invite.html", org=org, form=form), status


@bp.route("/organisations/<id:org_id>/representatives", methods=["GET", "POST"])
@login_required
def invite(org_id: int) -> ResponseReturnValue:
    """Invite the organisation's representative (a coordinator's or admin's form)."""
    require_action(runtime().rules, actor(), "invite_representatives")
    form = InviteForm()
    if not form.validate_on_submit():
        return _invite_page(org_id, form, 400 if form.is_submitted() else 200)
    try:
        data = RepresentativeIn(
            name=form.name.data or "", email=form.email.data or "", locale=form.locale.data or "lv"
        )
        link = url_for(".accept", token="T", _external=True)[:-1]
        done = invitations.invite(runtime(), actor(), org_id, data, link_base=link)
    except ValidationError as exc:
        apply_errors(form, pydantic_errors(exc))
        return _invite_page(org_id, form, 400)
    except (InvalidInput, Conflict) as exc:
        errors = invalid_errors(exc) if isinstance(exc, InvalidInput) else {"name": str(exc)}
        apply_errors(form, errors)
        return _invite_page(org_id, form, status_for(exc))
    flash(
        _(
            "%(name)s is invited: the link to set a password went to %(email)s.",
            name=done.name,
            email=done.email,
        ),
        "success",
    )
    return redirect(url_for(".invite", org_id=org_id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> ResponseReturnValue:
    """Set one's password through the invitation's one-time link (no login needed)."""
    rt = runtime()
    try:
        name = invitations.pending(rt, token)
    except Conflict as exc:
        return render_template(
            "representatives/accept.html", refused=exc, form=None, name=None
        ), 410
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            invitations.accept(rt, token, form.password.data or "")
        except InvalidInput as exc:
            apply_errors(form, invalid_errors(exc))
            return render_template(
                "representatives/accept.html", refused=None, form=form, name=name
            ), 400
        except Conflict as exc:
            return render_template(
                "representatives/accept.html", refused=exc, form=None, name=None
            ), 410
        flash(_("Your password is set. Log in with your user name %(name)s.", name=name), "success")
        return redirect(url_for("ui_auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "representatives/accept.html", refused=None, form=form, name=name
    ), status
