"""The user's own page (``/me``): their account, the address their reminders go to and
their private calendar feed; and the feed itself (``/calendar/<token>.ics``), which
calendar programs fetch without logging in, the token being the credential.

The feed is served by :func:`workflow.calfeed.feed` for the token's user, as their role
sees the cases; an unknown, forged or revoked token, or a deactivated user's, is a 404.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from web.context import actor, runtime
from web.statuses import status_for
from web.ui import forms as F
from web.ui.helpers import apply_errors, day, pick
from web.ui.validation import invalid_errors
from workflow import caltokens, contacts
from workflow.actors import Actor
from workflow.calfeed import feed as build_feed
from workflow.errors import InvalidInput
from workflow.evidence.notes import NOTE_TYPES

bp = Blueprint("ui_me", __name__)


def _secret() -> bytes:
    return str(current_app.secret_key).encode()


@bp.route("/calendar/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """The token's user's calendar (iCalendar), in their language."""
    owner = caltokens.owner(runtime(), token, _secret())
    if owner is None:
        abort(404)
    who = Actor(owner.name, owner.role, owner.user_id, owner.organisation_id)
    body = build_feed(runtime(), who, owner.locale, host=request.host)
    resp = Response(body, mimetype="text/calendar")
    resp.headers["Content-Disposition"] = 'inline; filename="inkubators.ics"'
    resp.headers["Cache-Control"] = "private, max-age=300"
    return resp


def calendar_url() -> str:
    """The signed-in user's private calendar feed address (made on first use)."""
    user_id = actor().user_id
    assert user_id is not None
    token = caltokens.feed_token(runtime(), user_id, _secret())
    return url_for("ui_me.feed", token=token, _external=True)


def _page(status: int = 200, form: F.EmailForm | None = None) -> ResponseReturnValue:
    user_id = actor().user_id
    assert user_id is not None
    rt = runtime()
    url = calendar_url()
    email = contacts.email_of(rt, user_id)
    if form is None:
        form = F.EmailForm(formdata=None, data={"email": email or ""})
    html = render_template("me/index.html", feed_url=url, email=email, user=current_user, form=form)
    return html, status


@bp.route("/me")
@login_required
def me() -> ResponseReturnValue:
    """Your account, your e-mail address for reminders and your calendar feed's address."""
    return _page()


@bp.route("/me/email", methods=["POST"])
@login_required
def set_email() -> ResponseReturnValue:
    """Set (or, empty, remove) the address your reminders go to."""
    form = F.EmailForm()
    if not form.validate_on_submit():
        return _page(400, form)
    address = form.email.data or None
    try:
        contacts.set_email(runtime(), actor().name, address, actor=actor())
    except InvalidInput as exc:
        apply_errors(form, invalid_errors(exc))
        return _page(status_for(exc), form)
    if address:
        flash(_("Your reminders go to %(address)s.", address=address), "success")
    else:
        flash(_("You will receive no reminders by e-mail."), "success")
    return redirect(url_for(".me"))


@bp.route("/me/calendar/revoke", methods=["POST"])
@login_required
def revoke() -> ResponseReturnValue:
    """End your feed's address at once; the page then shows a new one."""
    user_id = actor().user_id
    assert user_id is not None
    caltokens.revoke(runtime(), user_id)
    flash(_("The old calendar address no longer works; subscribe to the new one below."), "success")
    return redirect(url_for(".me"))


@bp.app_template_global("note_type")
def note_type(code: str) -> str:
    """A note type's name in the user's language (the code itself if unknown)."""
    words = NOTE_TYPES.get(code)
    return pick(words) if words is not None else code


@bp.app_template_global("payload_day")
def payload_day(value: object) -> str:
    """A day as an audit event's payload keeps it (ISO text), in the user's format."""
    try:
        return day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)
