"""The web app: a thin Flask layer (JSON API and server-rendered UI) over the engine.

``create_app`` builds everything from settings; nothing is created at import time.
Run with ``inkubators serve`` or ``gunicorn 'web:create_app()'``.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, request

from web import assets
from web.extensions import babel, csrf, login_manager
from web.observe import ROUTE_KEY, RequestObserver
from workflow.bootstrap import build_runtime
from workflow.runtime import Runtime
from workflow.settings import DEMO_SECRET, SECRET_FILE, Settings

log = logging.getLogger(__name__)


class InsecureConfiguration(RuntimeError):
    """Refusing to start: no usable secret key (production without one, or a known one)."""


MIN_SECRET_LENGTH = 32


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app from settings (environment by default) and an optional runtime."""
    settings = settings or Settings()
    secret = secret_key(settings)
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
    # Imported here, not at the top: prometheus-client must first be imported in a worker,
    # after gunicorn's master has set up the multiprocess folder (see web.metrics).
    from web import metrics

    metrics.subscribe()  # before the runtime, so its first load of the rules is counted
    app.extensions["inkubators"] = runtime or build_runtime(settings, migrate=True)
    login_manager.init_app(app)
    from web import documentfiles

    documentfiles.init_app(app, settings)  # its body limit goes before the CSRF check
    csrf.init_app(app)
    import web.security  # noqa: F401  (registers the user and request loaders)

    _register_blueprints(app)
    app.after_request(_security_headers)
    app.teardown_request(_note_route)
    assets.init_app(app, settings.resolved_static_cache_dir())
    app.wsgi_app = RequestObserver(app.wsgi_app, metrics.observe_request)  # type: ignore[method-assign]
    return app


def secret_key(settings: Settings) -> str:
    """The key that signs session cookies: configured, or (outside production) generated once.

    Whoever knows it can forge a session for any user, so it is never a constant: a
    configured key must be long and not the formerly built-in demo key, production refuses
    to start without one, and the demo and test modes generate a random key the first time
    and keep it in the instance folder, so sessions survive a restart and every worker of
    one installation signs with the same key.
    """
    secret = settings.secret_key
    if secret:
        if secret == DEMO_SECRET or len(secret) < MIN_SECRET_LENGTH:
            raise InsecureConfiguration(
                f"INKUBATORS_SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} "
                "characters (the former built-in demo key is public and refused)"
            )
        return secret
    if settings.mode == "production":
        raise InsecureConfiguration(
            f"INKUBATORS_SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters (or run with INKUBATORS_MODE=demo for the demo "
            "programme, which generates its own key in the instance folder)"
        )
    return _instance_secret(Path(settings.instance_dir) / SECRET_FILE)


def _instance_secret(path: Path) -> str:
    """Read the generated key at ``path``, creating it (mode 0600) if it is not there yet.

    The new key is written to a private temporary file and linked into place, which fails
    if another worker got there first: then that worker's key is read, so concurrent
    starts agree on one key and nobody ever reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(48))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)
                log.info("generated a session secret key in %s", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise InsecureConfiguration(
            f"{path} holds no usable secret key (delete it to have a new one generated)"
        )
    if path.stat().st_mode & 0o077:
        log.warning("%s is readable by other users; it should have mode 0600", path)
    return secret


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


def _note_route(_exc: BaseException | None) -> None:
    """Leave the matched URL rule for the access log and the latency metric (web.observe):
    the rule, never the raw path, so every case page is one series, not one per case."""
    if request.url_rule is not None:
        request.environ[ROUTE_KEY] = request.url_rule.rule


def _register_blueprints(app: Flask) -> None:
    """Each feature is a blueprint in its own module."""
    from web import metrics, ops

    csrf.exempt(ops.bp)
    app.register_blueprint(ops.bp)
    csrf.exempt(metrics.bp)
    app.register_blueprint(metrics.bp)
    from web.api import bp as api_bp

    csrf.exempt(api_bp)  # bearer tokens, not cookies: no CSRF exposure
    app.register_blueprint(api_bp)
    from web.ui import register as register_ui

    register_ui(app, babel)
