"""The server-rendered UI: one blueprint per feature, Latvian by default, English on request.

``register`` is called by the app factory. It binds Flask-Babel with the locale chooser,
the template helpers (labels from the states file, dates and EUR amounts per locale),
the idle-timeout check, the security headers and the error pages for non-API paths.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import Babel

from web.extensions import login_manager
from web.ui import (
    admin,
    audit,
    auth,
    cases,
    dashboard,
    documents,
    errors,
    evidence,
    helpers,
    ids,
    me,
    reference,
    registerpage,
    registry,
    reports,
    representatives,
    rules,
    work,
)

logger = logging.getLogger(__name__)

BLUEPRINTS = (
    auth.bp,
    dashboard.bp,
    cases.bp,
    documents.bp,
    evidence.bp,
    registry.bp,
    registerpage.bp,
    reference.bp,
    audit.bp,
    rules.bp,
    admin.bp,
    work.bp,
    reports.bp,
    me.bp,
    representatives.bp,
)


def register(app: Flask, babel: Babel) -> None:
    """Wire the UI into ``app``."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "lv")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Riga")
    babel.init_app(app, locale_selector=helpers.select_locale)
    login_manager.login_view = "ui_auth.login"
    login_manager.login_message = helpers.LOGIN_REQUIRED
    login_manager.login_message_category = "info"
    helpers.init_app(app)
    app.url_map.converters["id"] = ids.IdConverter
    for bp in BLUEPRINTS:
        errors.attach(bp)
        app.register_blueprint(bp)
    errors.init_app(app)
