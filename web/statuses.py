"""The one table from engine errors to HTTP statuses, for the API's problems and the UI's pages.

Each layer words the error its own way (problem+json, a page in the user's language); the
status a refusal gets is decided here only.
"""

from __future__ import annotations

from workflow.errors import (
    Conflict,
    DefinitionError,
    Forbidden,
    GuardRejected,
    Ineligible,
    InvalidInput,
    NotFound,
    RegisterFileInvalid,
    ScannerUnavailable,
    StaleCase,
    TransitionNotAllowed,
    UploadTooLarge,
    WorkflowError,
)

STATUS: tuple[tuple[type[WorkflowError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (TransitionNotAllowed, 409),
    (StaleCase, 409),
    (Conflict, 409),
    (UploadTooLarge, 413),
    (ScannerUnavailable, 503),
    (Ineligible, 422),
    (GuardRejected, 422),
    (InvalidInput, 422),
    (RegisterFileInvalid, 422),
    (DefinitionError, 500),  # the rules in force are broken: the server's fault
)


def status_for(exc: WorkflowError) -> int:
    """The HTTP status of an engine error (500 for one no row names)."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500
