"""gunicorn workers whose own refusals are problem documents, like every answer of the API.

gunicorn answers some requests before the app sees them: a request line longer than
``limit_request_line`` (414), a malformed request line, method, version or header, raw
bytes outside ASCII where the HTTP grammar allows none (400), too many or too long header
fields (431). It writes those as a small HTML page through ``gunicorn.util.write_error``
and offers no setting or hook for the page. :class:`ProblemWorker` replaces that one
function in its own process with :func:`write_problem`, so a client (or schemathesis)
gets ``application/problem+json`` with the same status and reason; the statuses and
limits stay gunicorn's.

Used by ``inkubators serve`` and by ``gunicorn.conf.py`` (read by a plain
``gunicorn 'web:create_app()'`` started in the project directory).
"""

from __future__ import annotations

import json
import socket

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from web.api.problems import PROBLEM_MEDIA, PROBLEM_PREFIX


def problem_bytes(status: int, reason: str, message: str) -> bytes:
    """A complete HTTP/1.1 response carrying an RFC 9457 problem (ASCII only: the message
    may quote the offending request line, so JSON escapes whatever it holds)."""
    slug = "-".join(reason.lower().split()) or "error"
    body = json.dumps(
        {
            "type": PROBLEM_PREFIX + slug,
            "title": reason,
            "status": status,
            "detail": message or reason,
        }
    ).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_MEDIA}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """``gunicorn.util.write_error``'s signature, writing a problem instead of HTML."""
    util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))


class ProblemWorker(ThreadWorker):
    """gunicorn's threaded worker (``gthread``), answering its own refusals as problems."""

    def init_process(self) -> None:
        """Swap the error writer in this worker process before it serves anything."""
        util.write_error = write_problem
        super().init_process()
