"""``inkubators serve``: the app under gunicorn, the server production uses, on one machine.

Several worker processes share the database (SQLite in WAL mode or PostgreSQL) exactly as
a production deployment does, so what a coordinator sees in the demo (an edited policy
picked up by every worker, logins limited across workers) is what production does. Each
worker builds its own app, engine and rules watcher after the fork; the schema is brought
up to date once, before the workers start.

What must happen once, in the master, before any worker exists, is here too, as
gunicorn hooks that :mod:`web.gunicorn_conf` hands to a plain ``gunicorn`` as well:
refusing to start without a usable secret (one line, exit status 2, instead of a
traceback from every worker), an empty folder for the workers' metrics, and the static
files' hashed and compressed copies. The app must not be preloaded in the master
(``--preload``): each worker needs its own database connections and metrics files.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from pydantic import ValidationError

from workflow.settings import Settings

#: prometheus-client's switch to multi-process mode: the folder the workers write to
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: the exit status of a start refused for its configuration (a usage error, as click's)
REFUSED = 2

_made_for_metrics: list[Path] = []


class StartRefused(Exception):
    """The configuration cannot work; the message is one line naming the setting."""


def preflight() -> Settings:
    """The settings, if a worker could start with them; else :class:`StartRefused`.

    In production mode that means a configured secret; in the demo and test modes the
    generated one is created here, once, rather than raced for by the workers.
    """
    from web import InsecureConfiguration, secret_key

    try:
        settings = Settings()
        secret_key(settings)
    except ValidationError as exc:
        raise StartRefused(_settings_problem(exc)) from None
    except InsecureConfiguration as exc:
        raise StartRefused(str(exc)) from None
    return settings


def _settings_problem(exc: ValidationError) -> str:
    """pydantic's report as one line: ``INKUBATORS_MODE: Input should be …``."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        name = "DATABASE_URL" if field == "database_url" else f"INKUBATORS_{field.upper()}"
        parts.append(f"{name}: {err['msg']}")
    return "; ".join(parts)


def prepare_metrics_dir() -> Path:
    """An empty folder for the workers' metric files, named in the environment they inherit.

    A configured ``PROMETHEUS_MULTIPROC_DIR`` is created if need be and emptied of the
    previous run's files (counts of dead processes would otherwise be added forever);
    without one, a private temporary folder is made and removed on exit.
    """
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return path
    path = Path(tempfile.mkdtemp(prefix="inkubators-metrics-"))
    _made_for_metrics.append(path)
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before any worker: refuse, or prepare what they share."""
    from web import assets

    try:
        settings = preflight()
    except StartRefused as exc:
        server.log.error("cannot start: %s", exc)
        sys.exit(REFUSED)
    server.log.info("worker metrics in %s", prepare_metrics_dir())
    assets.prepare(settings.resolved_static_cache_dir())


def child_exit(_server: Any, worker: Any) -> None:
    """gunicorn hook: a worker ended; its live gauges no longer count."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(_server: Any) -> None:
    """gunicorn hook: remove the temporary metrics folder this process made."""
    while _made_for_metrics:
        shutil.rmtree(_made_for_metrics.pop(), ignore_errors=True)


class Server(BaseApplication):
    """gunicorn configured from :mod:`web.gunicorn_conf` and arguments, not a command line."""

    def __init__(self, options: dict[str, Any], config: ModuleType | None = None) -> None:
        self.options = options
        self.config = config
        super().__init__()

    def load_config(self) -> None:
        """The shared settings and hooks first, then this run's bind address and workers."""
        if self.config is None:
            from web import gunicorn_conf

            self.config = gunicorn_conf
        shared = {k: v for k, v in vars(self.config).items() if k in self.cfg.settings}
        for key, value in {**shared, **self.options}.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 24+: nothing uses it
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        """Each worker builds its own app (after the fork)."""
        from web import create_app

        return create_app()


def run(host: str, port: int, workers: int) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM end the workers gracefully)."""
    Server({"bind": f"{host}:{port}", "workers": workers}).run()
