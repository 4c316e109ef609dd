"""Documents on the case page: the upload form, the list and the download link.

The same services as the API (:mod:`workflow.documents`, :mod:`workflow.docviews`); a
refusal (type, size, kind, virus) is shown on the case page in the user's language.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from web.context import actor, rules, runtime
from web.documentfiles import send_document, storage, upload_form
from web.ui.cases import render_case
from web.ui.helpers import pick
from web.ui.validation import invalid_errors
from workflow import documents, docviews
from workflow.docnames import clean_filename
from workflow.docviews import DocumentView
from workflow.errors import InvalidInput, ScannerUnavailable, UploadTooLarge
from workflow.permissions import may

bp = Blueprint("ui_documents", __name__)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "case_documents": case_documents,
        "may_upload": may_upload,
        "document_kinds": document_kinds,
        "document_kind_label": document_kind_label,
        "max_upload_mb": lambda: rules().policy.spec.documents.max_mb,
        "scanning": lambda: storage().scanner,
    }


def case_documents(case_id: int) -> list[DocumentView]:
    """The case's documents, newest first, for the case page."""
    return list(reversed(docviews.list_documents(runtime(), actor(), case_id)))


def may_upload() -> bool:
    """Whether the user's role may upload (the case's scope is the page's own)."""
    return bool(current_user.is_authenticated) and may(rules(), actor(), documents.ACTION)


def document_kinds() -> list[tuple[str, str]]:
    """The policy's kinds with their words in the user's language."""
    return [(k, pick(label)) for k, label in rules().policy.spec.documents.kinds.items()]


def document_kind_label(kind: str) -> str:
    """One kind's words (its id if the policy no longer lists it)."""
    return str(pick(rules().policy.spec.documents.label(kind)))


@bp.route("/cases/<id:case_id>/documents", methods=["POST"])
@login_required
def upload(case_id: int) -> ResponseReturnValue:
    """Upload a document onto the case; back to the case page either way."""
    try:
        meta, file = upload_form()
        documents.upload(runtime(), actor(), case_id, meta, file.stream, storage())
    except InvalidInput as exc:
        refused = _("Document not uploaded")
        for field, message in invalid_errors(exc).items():
            flash(f"{refused}: {field}: {message}", "error")
        return render_case(case_id, status=413 if isinstance(exc, UploadTooLarge) else 422)
    except ScannerUnavailable:
        flash(
            _(
                "The virus scanner could not check the file, so it was not accepted. Try again later."
            ),
            "error",
        )
        return render_case(case_id, status=503)
    flash(_("Document uploaded: %(name)s.", name=clean_filename(meta.filename)), "success")
    return redirect(url_for("ui_cases.show", case_id=case_id) + "#documents-h", 303)


@bp.route("/documents/<id:document_id>")
@login_required
def download(document_id: int) -> ResponseReturnValue:
    """The document's file, if the user may see its case."""
    return send_document(docviews.get_document(runtime(), actor(), document_id))


__all__ = ["bp"]
