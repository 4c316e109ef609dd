"""gunicorn's settings for ``gunicorn 'web:create_app()'`` started in this directory
(gunicorn reads ``./gunicorn.conf.py`` by itself; ``inkubators serve`` sets the same).

The worker answers gunicorn's own refusals (a request line over 4094 bytes, a malformed
request) as ``application/problem+json``, like the API's other errors (``web/workers.py``).
"""

worker_class = "web.workers.ProblemWorker"
