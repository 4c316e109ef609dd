"""Logging in and out, and switching the language.

Login renews the session (``session.clear()`` before ``login_user``), stores the user's
session epoch (checked by ``web.security.load_user`` on every request), and counts
failures in the database per account and per address. The message never says whether
the name exists. Logout advances the epoch, so a copy of the old cookie is dead too.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from web.context import runtime
from web.security import WebUser
from web.ui.forms import LanguageForm, LoginForm, PostForm
from web.ui.helpers import LOCALES, reset_session
from workflow import accounts, throttle

logger = logging.getLogger(__name__)

bp = Blueprint("ui_auth", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the dashboard.

    A control character (a newline would split the ``Location`` header) or a backslash
    (browsers read ``/\\host`` as another site) is refused before the target is parsed.
    """
    if target and not any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            if not target.startswith("//"):
                return target
    return url_for("ui_dashboard.index")


def throttle_policy() -> throttle.ThrottlePolicy:
    """The app's login limits (``INKUBATORS_THROTTLE`` in the config, else the defaults)."""
    policy = current_app.config.get("INKUBATORS_THROTTLE")
    return policy if isinstance(policy, throttle.ThrottlePolicy) else throttle.DEFAULT


def client_address() -> str:
    """The client's address as the server sees it (a proxy must be configured to set it)."""
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; on POST check the throttle, then the password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        rt = runtime()
        name = form.name.data.strip()
        try:
            throttle.check(rt, name, client_address(), throttle_policy())
        except throttle.TooManyAttempts as exc:
            form.form_errors.append(
                ngettext(
                    "Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.",
                    exc.minutes,
                )
            )
            return render_template("auth/login.html", form=form), 429
        view = accounts.authenticate(rt, name, form.password.data)
        if view is None:
            throttle.record_failure(rt, name, client_address(), throttle_policy())
            logger.info("failed login for %r from %s", name, client_address())
            form.form_errors.append(_("Invalid name or password."))
            status = 401
        else:
            throttle.record_success(rt, name)
            reset_session()  # a fresh session: nothing from before the login survives
            login_user(WebUser(view))
            session["epoch"] = view.session_epoch
            session["seen"] = rt.now().timestamp()
            session.permanent = True
            logger.info("login %s (%s)", view.name, view.role)
            # without a page to return to, the user's start page: their work
            if not form.next.data:
                return redirect(url_for("ui_work.index"))
            return redirect(safe_next(form.next.data))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """End every session of the user (the epoch moves on) and forget this one."""
    form = PostForm()
    if not form.validate_on_submit():
        return redirect(url_for("ui_dashboard.index"))
    accounts.end_sessions(runtime(), int(current_user.get_id()))
    logout_user()
    reset_session()
    flash(_("You have logged out."))
    return redirect(url_for("ui_auth.login"))


@bp.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    """Remember the chosen language in the session (for this browser only)."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LOCALES:
        session["lang"] = form.lang.data
    return redirect(readable_page(safe_next(form.next.data)))


def readable_page(target: str) -> str:
    """``target`` if a GET can show it, else the nearest page above it that can.

    A page rendered in answer to a refused POST (``/cases/7/advance``,
    ``/admin/users/anna/password``) has no GET of its own; switching language there goes
    to the page the form belongs to (``/cases/7``, ``/admin/users``), not to a 405.
    """
    adapter = current_app.url_map.bind("localhost")
    parts = urlsplit(target)
    path = parts.path
    while path and path != "/":
        try:
            adapter.match(path, method="GET")
        except MethodNotAllowed:
            path = path.rstrip("/").rsplit("/", 1)[0] or "/"
            continue
        except RequestRedirect:  # the same page with a slash added: the browser follows
            pass
        except HTTPException:  # not a page at all (or a redirect): the dashboard
            break
        return target if path == parts.path else path
    return url_for("ui_dashboard.index")
