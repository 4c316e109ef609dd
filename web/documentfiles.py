"""Documents' files in the web app, for the API and the UI alike: where they are kept and
what scans them (from the settings), the size limit applied before a multipart body is
parsed, reading the upload form, and sending a stored file back.

The limit: a ``multipart/form-data`` request may carry the policy's ``documents.max_mb``
plus a little room for the other fields; werkzeug refuses anything longer (413) while it
reads, before the CSRF check or a view parses the form, so an oversize upload is never
spooled whole. Within that, the engine counts the file's own bytes exactly.
"""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, current_app, request, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from web.context import runtime
from workflow import scanning
from workflow.docstore import directory_store
from workflow.documents import Storage, Upload
from workflow.docviews import DocumentView
from workflow.errors import InvalidInput, NotFound
from workflow.limits import CODE_MAX
from workflow.schemas import MAX_ID
from workflow.settings import Settings

KEY = "inkubators_documents"
#: room for the form's other fields and the multipart framing around the file
FORM_ROOM = 64 * 1024


def init_app(app: Flask, settings: Settings) -> None:
    """Configure storage and scanning; limit multipart bodies (before the CSRF check)."""
    app.extensions[KEY] = Storage(
        directory_store(settings.documents_dir, settings.instance_dir),
        scanning.configured(settings.clamd_socket),
    )
    app.before_request(limit_uploads)


def storage() -> Storage:
    """The running app's document storage and scanner."""
    return cast(Storage, current_app.extensions[KEY])


def max_mb() -> int:
    """The policy's size limit in MB."""
    return runtime().rules.policy.spec.documents.max_mb


def limit_uploads() -> None:
    """Cap a multipart body at the policy's limit (plus room for the form's fields)."""
    if request.mimetype != "multipart/form-data":
        return
    limit = max_mb() * 1_000_000 + FORM_ROOM
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        api = request.path.startswith("/api/")
        raise RequestEntityTooLarge(
            f"file: larger than the limit of {max_mb()} MB; nothing was kept"
            if api
            else _("The file is larger than the limit of %(mb)d MB; nothing was kept.", mb=max_mb())
        )


def _optional_id(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise InvalidInput(
            {name: f"must be a whole number from 1 to {MAX_ID}"},
            {name: f"jābūt veselam skaitlim no 1 līdz {MAX_ID}"},
        )
    return int(raw)


def upload_form() -> tuple[Upload, FileStorage]:
    """The multipart form's ``file``, ``kind`` and optional ``application_id`` and
    ``supersedes``; a missing or malformed field is refused naming it."""
    if request.mimetype != "multipart/form-data":
        raise InvalidInput(
            {"(body)": "send the file as multipart/form-data (fields: file, kind)"},
            {"(body)": "failu sūta kā multipart/form-data (lauki: file, kind)"},
        )
    file = request.files.get("file")
    kind = (request.form.get("kind") or "").strip()
    errors: dict[str, str] = {}
    errors_lv: dict[str, str] = {}
    if file is None:
        errors["file"], errors_lv["file"] = "a file is required", "jāpievieno fails"
    if not kind:
        errors["kind"], errors_lv["kind"] = "a kind is required", "jānorāda veids"
    elif len(kind) > CODE_MAX or "\x00" in kind:
        errors["kind"] = errors_lv["kind"] = f"at most {CODE_MAX} characters, no NUL"
    if errors:
        raise InvalidInput(errors, errors_lv)
    assert file is not None
    meta = Upload(
        kind=kind,
        filename=(file.filename or "").replace("\x00", ""),
        application_id=_optional_id("application_id"),
        supersedes=_optional_id("supersedes"),
    )
    return meta, file


def send_document(doc: DocumentView) -> Response:
    """The stored file as an attachment under its original name (RFC 6266/5987 encoded by
    werkzeug), its hash as the ETag; sandboxed, never rendered as a page of this site."""
    try:
        stream = storage().store.open(doc.sha256)
    except FileNotFoundError:
        raise NotFound("document file", doc.id) from None
    response = send_file(
        stream,
        mimetype=doc.media_type,
        as_attachment=True,
        download_name=doc.filename,
        etag=doc.sha256,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
