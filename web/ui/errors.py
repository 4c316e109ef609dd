"""One place mapping engine errors to HTML pages for the UI (never for ``/api/`` paths).

Handlers are attached to each UI blueprint, so errors raised by the JSON API's views
never reach them; the app-level handlers for routing errors (404, 405) hand ``/api/``
paths back untouched.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from web.statuses import status_for
from web.ui.helpers import lang, trigger_label
from web.ui.messages import conflict_message, eligibility_reasons, forbidden_what
from web.ui.validation import invalid_errors
from web.ui.vocabulary import RECORDS, label
from workflow.errors import (
    Conflict,
    Forbidden,
    GuardRejected,
    Ineligible,
    InvalidInput,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.schemas import refuse_nul

logger = logging.getLogger(__name__)


def _page(status: int, title: str, message: str) -> ResponseReturnValue:
    return render_template("error.html", status=status, title=title, message=message), status


def forbidden(exc: Forbidden) -> ResponseReturnValue:
    """The role may not do this: 403, saying what was refused."""
    logger.info("forbidden: %s", exc)
    return _page(
        status_for(exc),
        _("Not allowed"),
        _("Your role may not do this: %(what)s.", what=forbidden_what(exc)),
    )


def not_found(exc: NotFound) -> ResponseReturnValue:
    """A record that does not exist: 404."""
    kind = label(RECORDS, exc.kind)
    return _page(
        status_for(exc),
        _("Not found"),
        _("%(kind)s %(key)s: no such record.", kind=kind, key=exc.key),
    )


def workflow_error(exc: WorkflowError) -> ResponseReturnValue:
    """Any other engine refusal the view did not handle itself: its message, 409 or 422."""
    if isinstance(exc, StaleCase):
        return _page(
            status_for(exc),
            _("The case has changed"),
            _("Someone changed this case meanwhile. Reload it and try again."),
        )
    if isinstance(exc, InvalidInput):
        text = "; ".join(f"{k}: {v}" for k, v in invalid_errors(exc).items())
        return _page(status_for(exc), _("Cannot do this"), text)
    if isinstance(exc, Ineligible):
        reasons = " ".join(eligibility_reasons(exc))
        return _page(status_for(exc), _("Cannot do this"), f"{_('Not eligible:')} {reasons}")
    if isinstance(exc, GuardRejected):
        lv = lang() == "lv"
        return _page(
            status_for(exc),
            _("Cannot do this"),
            " ".join(f.message_lv if lv else f.message_en for f in exc.failures),
        )
    if isinstance(exc, TransitionNotAllowed):
        text = _(
            "%(t)s is not possible from the case's current state.", t=trigger_label(exc.trigger)
        )
        return _page(status_for(exc), _("Cannot do this"), text)
    if isinstance(exc, Conflict):
        return _page(status_for(exc), _("Cannot do this"), conflict_message(exc))
    logger.error("unhandled workflow error: %r", exc)  # e.g. broken rules: details in the log
    return _page(
        status_for(exc),
        _("Something went wrong"),
        _("An unexpected error occurred; it has been logged. Try again later."),
    )


def csrf_error(exc: CSRFError) -> ResponseReturnValue:
    """A form without a valid CSRF token: 400, with a way forward."""
    return _page(400, _("The form has expired"), _("Reload the page and submit the form again."))


def http_error(exc: HTTPException) -> ResponseReturnValue:
    """Routing and abort() errors as pages, except under ``/api/`` (the API answers itself)."""
    if request.path.startswith("/api/"):
        return exc
    code = exc.code or 500
    titles = {
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        400: _("Bad request"),
    }
    return _page(code, titles.get(code, exc.name), exc.description or "")


def unexpected(exc: Exception) -> ResponseReturnValue:
    """Anything no other handler took: the app's own 500 page in the user's language, logged
    with its traceback; never Werkzeug's bare page and never the exception's text."""
    if isinstance(exc, HTTPException):
        return http_error(exc)
    if request.path.startswith("/api/"):
        return InternalServerError(original_exception=exc)
    logger.exception("unexpected error on %s %s", request.method, request.path)
    message = _("An unexpected error occurred; it has been logged. Try again later.")
    try:
        return _page(500, _("Something went wrong"), message)
    except Exception:  # noqa: BLE001 - the page itself failed (e.g. the database is down)
        logger.exception("the error page could not be rendered")
        return f"<!doctype html><title>500</title><h1>500</h1><p>{escape(message)}</p>", 500


def refuse_nul_input() -> None:
    """Before every UI request: no NUL in any query or form value (PostgreSQL's text cannot
    hold one, and a login name or a filter reaches a query before any schema sees it). The
    engine's own rule and words, shown as the 422 page; the API refuses them itself."""
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            refuse_nul(key, value)


def attach(bp: Blueprint) -> None:
    """Register the handlers on one UI blueprint (once: blueprints outlive each app)."""
    if bp.error_handler_spec:
        return
    bp.before_request(refuse_nul_input)
    bp.register_error_handler(Forbidden, forbidden)
    bp.register_error_handler(NotFound, not_found)
    bp.register_error_handler(WorkflowError, workflow_error)
    bp.register_error_handler(CSRFError, csrf_error)
    for code in (400, 403, 404):
        bp.register_error_handler(code, http_error)


def init_app(app: Flask) -> None:
    """Routing errors that belong to no blueprint (unknown URLs, wrong methods)."""
    for code in (404, 405):
        app.register_error_handler(code, http_error)
    app.register_error_handler(Exception, unexpected)
