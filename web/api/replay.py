"""The ``Idempotency-Key`` header on API writes: the HTTP side of :mod:`workflow.idempotency`.

What counts as "the same request" is decided here: the method, the path, the query and the
body's JSON (canonical, so key order and spacing do not matter). What is replayed: the
status, the body and the headers a client acts on (``Content-Type``, ``Location``), marked
``Idempotent-Replayed: true``. A refusal the request earned by itself (4xx after it ran,
e.g. a guard that said no) is replayed like a success; a 5xx is not kept when nothing was
written, and is kept when the write had committed (the key says so, atomically with the
write: :mod:`workflow.writefence`), so that a retry never writes twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal

from flask import Response, current_app, request

from web.context import actor, runtime
from workflow import idempotency

HEADER = idempotency.FIELD
REPLAYED = "Idempotent-Replayed"
#: The headers of an answer that a retry must see again.
KEPT_HEADERS = ("Content-Type", "Location")


def key() -> str | None:
    """The request's key (None without the header), or a 422 naming the header."""
    value = request.headers.get(HEADER)
    return None if value is None else idempotency.check_key(value)


def fingerprint() -> str:
    """SHA-256 of what makes two requests the same: method, path, query and body."""
    if request.mimetype == "multipart/form-data":
        body = _upload_digest()
        raw = b""
    else:
        raw = request.get_data(cache=True)
        body = ""
    if raw.strip():
        # already parsed and validated by the view's parse_body: valid JSON
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
        body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    query = sorted(request.args.items(multi=True))
    text = json.dumps([request.method, request.path, query, body], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _upload_digest() -> str:
    """An upload's fields and files by content, not by the bytes sent: a retry's multipart
    boundary differs, its files do not. Each file is read in chunks and rewound."""
    h = hashlib.sha256()
    for name, f in sorted(request.files.items(multi=True), key=lambda kv: kv[0]):
        h.update(f"file\0{name}\0{f.filename or ''}\0".encode())
        stream = f.stream
        while chunk := stream.read(1 << 16):
            h.update(chunk)
        stream.seek(0)
    for name, value in sorted(request.form.items(multi=True)):
        h.update(f"field\0{name}\0{value}\0".encode())
    return h.hexdigest()


def once(key: str, answer: Callable[[], Response]) -> Response:
    """Run ``answer`` for the first request with ``key``; give its retries the same answer."""
    rt = runtime()
    user_id = actor().user_id
    assert user_id is not None  # a token always belongs to a stored user
    claimed = idempotency.claim(rt, user_id, key, fingerprint())
    if isinstance(claimed, idempotency.Answer):
        resp = Response(claimed.body, status=claimed.status, headers=claimed.headers)
        resp.headers[REPLAYED] = "true"
        return resp
    try:
        try:
            with idempotency.running(claimed):
                resp = answer()
        except Exception as exc:  # noqa: BLE001 - answered by the blueprint's handlers
            resp = current_app.make_response(current_app.handle_user_exception(exc))
    except BaseException:
        idempotency.release(rt, claimed)  # kept if the write committed: no second write
        raise
    if resp.status_code >= 500 and idempotency.release(rt, claimed):
        return resp  # nothing was written: a retry runs the request again
    headers = {h: resp.headers[h] for h in KEPT_HEADERS if h in resp.headers}
    stored = idempotency.Answer(resp.status_code, resp.get_data(as_text=True), headers)
    idempotency.complete(rt, claimed, stored)
    return resp
