"""``inkubators serve``: the app under gunicorn, the server production uses, on one machine.

Several worker processes share the database (SQLite in WAL mode or PostgreSQL) exactly as
a production deployment does, so what a coordinator sees in the demo (an edited policy
picked up by every worker, logins limited across workers) is what production does. Each
worker builds its own app, engine and rules watcher after the fork; the schema is brought
up to date once, before the workers start.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    """gunicorn configured from arguments instead of its command line."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 24+: nothing uses it
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        from web import create_app

        return create_app()


def run(host: str, port: int, workers: int) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM end the workers gracefully)."""
    Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            # a browser asks for a page and its assets at once: threads answer them together
            # (gunicorn's gthread worker, answering its own refusals as problem documents)
            "worker_class": "web.workers.ProblemWorker",
            "threads": 4,
            "accesslog": "-",
            "errorlog": "-",
            "proc_name": "inkubators",
        }
    ).run()
