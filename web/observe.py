"""The outermost WSGI layer: a request id, an access log line and the latency metric for
every response, including the static files WhiteNoise answers before Flask sees them.

The request id is the caller's ``X-Request-Id`` when it is a sane token (a load balancer
or a client tracing a call), else a new random one; it is returned as ``X-Request-Id``
and carried by every log line written while the request runs (see :mod:`web.logs`), so
one id finds the access line, the engine's lines and a traceback of the same request.

The clock stops when the server has sent the last byte (the response iterable is
closed), so a streamed export is timed whole, not just until its first line.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wsgi import ClosingIterator

from web.logs import request_id

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

access_log = logging.getLogger("inkubators.access")

#: Where Flask (after routing) and the static files layer leave the route template.
ROUTE_KEY = "inkubators.route"
#: The label of a request no route matched (a 404 or 405): never the raw path.
UNMATCHED = "(unmatched)"
#: What an incoming id may look like: printable, no spaces or quotes, at most 128 characters.
SANE_ID = re.compile(r"[A-Za-z0-9._:;=/+@-]{1,128}")


def incoming_id(value: str | None) -> str:
    """The caller's request id if it is sane, else a fresh one (32 hex digits)."""
    if value and SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestObserver:
    """Wraps the whole app: ids, access lines and request metrics in one place."""

    def __init__(
        self,
        app: WSGIApplication,
        observe: Callable[[str, str, int, float], None],
    ) -> None:
        self.app = app
        self.observe = observe

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        rid = incoming_id(environ.get("HTTP_X_REQUEST_ID"))
        environ["inkubators.request_id"] = rid
        request_id.set(rid)
        started = time.perf_counter()
        status: list[int] = []

        def _start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-Id", rid))
            status[:] = [int(code.split(" ", 1)[0])]
            return start_response(code, headers, exc_info)

        def _finish() -> None:
            self._finish(environ, status[0] if status else 500, time.perf_counter() - started)

        try:
            body = self.app(environ, _start_response)
        except BaseException:
            _finish()
            raise
        return ClosingIterator(body, [_finish])

    def _finish(self, environ: WSGIEnvironment, status: int, seconds: float) -> None:
        route = environ.get(ROUTE_KEY) or UNMATCHED
        method = environ.get("REQUEST_METHOD", "")
        try:
            self.observe(method, route, status, seconds)
            access_log.info(
                "%s %s %s",
                method,
                environ.get("PATH_INFO", ""),
                status,
                extra={
                    "method": method,
                    "path": environ.get("PATH_INFO", ""),
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )
        finally:
            request_id.set(None)
