"""gunicorn's settings for ``gunicorn 'web:create_app()'`` started in this directory
(gunicorn reads ``./gunicorn.conf.py`` by itself): the same settings and hooks as
``inkubators serve``, kept in one place, :mod:`web.gunicorn_conf` (its ``__all__``).
"""

from web.gunicorn_conf import *  # noqa: F403
