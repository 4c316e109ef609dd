"""gunicorn's settings for ``gunicorn 'web:create_app()'`` started in this directory
(gunicorn reads ``./gunicorn.conf.py`` by itself): the same settings and hooks as
``inkubators serve``, kept in one place, :mod:`web.gunicorn_conf`.
"""

from web.gunicorn_conf import (
    accesslog,
    child_exit,
    errorlog,
    logconfig_dict,
    on_exit,
    on_starting,
    proc_name,
    threads,
    worker_class,
)

__all__ = [
    "accesslog",
    "child_exit",
    "errorlog",
    "logconfig_dict",
    "on_exit",
    "on_starting",
    "proc_name",
    "threads",
    "worker_class",
]
