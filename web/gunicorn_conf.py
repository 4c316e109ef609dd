"""gunicorn's settings for Inkubators, shared by ``inkubators serve`` and a plain gunicorn:

    gunicorn -c python:web.gunicorn_conf -w 4 -b 0.0.0.0:8000 'web:create_app()'

JSON log lines on standard error (gunicorn's own included) at ``INKUBATORS_LOG_LEVEL``
(default INFO; WARNING leaves out the access lines), no gunicorn access log (the app
writes a richer one), threads so a page and its assets are answered together, and
the master's hooks from :mod:`web.server` (refuse a start without a secret, prepare the
metrics folder and the static files, mark dead workers' metrics). Do not add
``--preload``: every worker needs its own database connections and metrics files.
"""

from __future__ import annotations

import os

from web.logs import logging_config
from web.server import child_exit, on_exit, on_starting

__all__ = ["child_exit", "on_exit", "on_starting"]

# a browser asks for a page and its assets at once: threads answer them together (gunicorn's
# gthread worker, answering its own refusals as problem documents: web/workers.py)
worker_class = "web.workers.ProblemWorker"
threads = 4
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(os.environ.get("INKUBATORS_LOG_LEVEL", "INFO"))
proc_name = "inkubators"
