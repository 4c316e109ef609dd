"""The web app: a thin Flask layer (JSON API and server-rendered UI) over the engine.

``create_app`` builds everything from settings; nothing is created at import time.
Run with ``inkubators serve`` or ``gunicorn 'web:create_app()'``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response

from web.extensions import babel, csrf, login_manager
from workflow.bootstrap import build_runtime
from workflow.runtime import Runtime
from workflow.settings import DEMO_SECRET, Settings


class InsecureConfiguration(RuntimeError):
    """Refusing to start: a production deployment without its own secret key."""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app from settings (environment by default) and an optional runtime."""
    settings = settings or Settings()
    secret = settings.secret_key
    if settings.mode == "production":
        if not secret or secret == DEMO_SECRET or len(secret) < 32:
            raise InsecureConfiguration(
                "INKUBATORS_SECRET_KEY must be set to a random value of at least 32 characters "
                "(or run with INKUBATORS_MODE=demo for the demo programme)"
            )
    elif not secret:
        secret = DEMO_SECRET
    app = Flask(__name__, instance_path=str(settings.instance_dir), instance_relative_config=False)
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.idle_timeout_minutes),
        WTF_CSRF_TIME_LIMIT=None,
        INKUBATORS_SETTINGS=settings,
        TESTING=settings.mode == "test",
    )
    app.extensions["inkubators"] = runtime or build_runtime(settings, migrate=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    import web.security  # noqa: F401  (registers the user and request loaders)

    _register_blueprints(app)
    app.after_request(_security_headers)
    return app


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response: Response) -> Response:
    """No inline scripts, no framing, no MIME sniffing, no referrer leaks (views may tighten)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _register_blueprints(app: Flask) -> None:
    """Each feature is a blueprint in its own module."""
    from web.api import bp as api_bp

    csrf.exempt(api_bp)  # bearer tokens, not cookies: no CSRF exposure
    app.register_blueprint(api_bp)
    from web.ui import register as register_ui

    register_ui(app, babel)
