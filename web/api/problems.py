"""RFC 9457 problem responses: every error of the API, mapped to a status in this one place.

The engine's :mod:`workflow.errors`, pydantic's ``ValidationError``, database integrity
races and werkzeug's HTTP errors all leave as ``application/problem+json`` with ``type``,
``title``, ``status`` and ``detail``, plus ``errors`` (field, message) for invalid input
and ``blocked_by`` for guards that said no.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from web.api import bp
from web.statuses import status_for
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
    WorkflowError,
)

logger = logging.getLogger(__name__)

PROBLEM_MEDIA = "application/problem+json"


class FieldError(BaseModel):
    """One invalid field and why."""

    field: str
    message: str


class RowProblem(BaseModel):
    """One problem of an imported file: its line (the header is 1) and column (header name)."""

    row: int
    column: str
    message: str
    message_lv: str


class GuardFailure(BaseModel):
    """A guard that blocks a trigger, with its reason in English and Latvian."""

    guard: str
    message: str
    message_lv: str


# Every ``type`` the API answers with, as ``urn:inkubators:problem:<slug>``: one kebab-case
# slug per kind of failure, so a client can branch on it without reading ``title``.
PROBLEM_TYPES: dict[str, str] = {
    "invalid-input": "a field breaks a rule; ``errors`` names each field (422)",
    "invalid-file": "an imported file was refused whole; ``errors`` names each row and column (422)",
    "ineligible": "the policy's eligibility rules exclude the organisation; ``reasons`` (422)",
    "guard-rejected": "guards block the trigger; ``blocked_by`` lists every one (422)",
    "transition-not-allowed": "the trigger is not declared from the case's state (409)",
    "stale-version": "``expected_version`` is not the case's version any more (409)",
    "cycle-full": "the cycle has no free place (409)",
    "already-enrolled": "the organisation is already in that cycle (409)",
    "case-closed": "the case is in a final state and takes no more evidence (409)",
    "duplicate": "a record with that name or register number exists (409)",
    "conflict": "another conflict with stored data, e.g. a concurrent write (409)",
    "idempotency-in-progress": "a request with this ``Idempotency-Key`` is still running (409)",
    "idempotency-answer-lost": "the request with this ``Idempotency-Key`` was carried out but the server lost its answer; nothing was written again: read the resource (409)",
    "forbidden": "your role may not do this (403)",
    "not-found": "no such record or path (404)",
    "unauthorized": "no valid bearer token; ``detail`` says when it expired or was revoked (401)",
    "bad-request": "the body is not a JSON object or nests too deep, or the request line is malformed (400)",
    "uri-too-long": "the request line (path and query) is longer than the server reads (414)",
    "method-not-allowed": "the path does not take this method (405)",
    "request-entity-too-large": "the body is larger than 1 MiB (413)",
    "rules-invalid": "the rules in force are invalid (500)",
    "internal": "the server could not complete the request (500)",
}
PROBLEM_PREFIX = "urn:inkubators:problem:"

# Titles of the engine's :class:`Conflict` codes (``code`` is the slug in snake_case).
CONFLICT_TITLES = {
    "cycle_full": "The cycle is full",
    "already_enrolled": "Already enrolled",
    "case_closed": "The case is closed",
    "duplicate": "Already exists",
    "idempotency_in_progress": "Still in progress",
    "idempotency_answer_lost": "Done, answer lost",
}


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(
        description="`"
        + PROBLEM_PREFIX
        + "<slug>`; the slugs: "
        + "; ".join(f"`{slug}`: {what}" for slug, what in PROBLEM_TYPES.items())
        + "; any other HTTP error uses its status name in kebab-case."
    )
    title: str
    status: int
    detail: str
    code: str | None = Field(
        default=None, description="for conflicts: the slug of ``type`` in snake_case (cycle_full …)"
    )
    errors: list[FieldError | RowProblem] | None = None
    blocked_by: list[GuardFailure] | None = None
    reasons: list[str] | None = None
    trigger: str | None = None
    state: str | None = None
    expected_version: int | None = None
    actual_version: int | None = None


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    """The problem as a response with its media type."""
    resp = Response(
        problem.model_dump_json(exclude_none=True), status=problem.status, mimetype=PROBLEM_MEDIA
    )
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> Problem:
    return Problem(type=PROBLEM_PREFIX + slug, title=title, status=status, detail=detail, **extra)


def field_name(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a dotted field name (``fields.0``); the body itself is ``(body)``."""
    return ".".join(str(p) for p in loc) or "(body)"


def from_workflow(exc: WorkflowError) -> Problem:
    """Map an engine error to its problem; the order matters only for subclasses."""
    if isinstance(exc, NotFound):
        return _problem(status_for(exc), "not-found", "Not found", str(exc))
    if isinstance(exc, Forbidden):
        return _problem(status_for(exc), "forbidden", "Forbidden", str(exc))
    if isinstance(exc, TransitionNotAllowed):
        return _problem(
            status_for(exc),
            "transition-not-allowed",
            "Trigger not valid from this state",
            str(exc),
            trigger=exc.trigger,
            state=exc.state,
        )
    if isinstance(exc, StaleCase):
        return _problem(
            status_for(exc),
            "stale-version",
            "The case has changed",
            str(exc),
            expected_version=exc.expected,
            actual_version=exc.actual,
        )
    if isinstance(exc, Conflict):
        return _problem(
            status_for(exc),
            exc.code.replace("_", "-"),
            CONFLICT_TITLES.get(exc.code, "Conflict"),
            str(exc),
            code=exc.code,
        )
    if isinstance(exc, Ineligible):
        return _problem(
            status_for(exc), "ineligible", "Not eligible", str(exc), reasons=exc.reasons
        )
    if isinstance(exc, GuardRejected):
        return _problem(
            status_for(exc),
            "guard-rejected",
            "Blocked by guards",
            str(exc),
            trigger=exc.trigger,
            blocked_by=[
                GuardFailure(guard=f.guard, message=f.message_en, message_lv=f.message_lv)
                for f in exc.failures
            ],
        )
    if isinstance(exc, InvalidInput):
        return _problem(
            status_for(exc),
            "invalid-input",
            "Invalid input",
            str(exc),
            errors=[FieldError(field=k, message=v) for k, v in exc.errors.items()],
        )
    if isinstance(exc, ScannerUnavailable):
        logger.error("virus scanner unavailable: %s", exc)
        return _problem(
            status_for(exc), "scanner-unavailable", "Virus scanner unavailable", str(exc)
        )
    if isinstance(exc, RegisterFileInvalid):
        return _problem(
            status_for(exc),
            "invalid-file",
            "The file was not imported",
            str(exc),
            errors=[
                RowProblem(row=e.row, column=e.column, message=e.message, message_lv=e.message_lv)
                for e in exc.errors
            ],
        )
    if isinstance(exc, DefinitionError):
        logger.error("rules in force are invalid: %s", exc)
        return _problem(
            status_for(exc), "rules-invalid", "The rules in force are invalid", str(exc)
        )
    logger.error("unmapped workflow error: %r", exc)
    return _problem(500, "internal", "Internal error", "the server could not complete the request")


def _message(err: Mapping[str, Any]) -> str:
    """Pydantic's message, without the "Value error, " it puts before our validators' own."""
    if err.get("type") == "value_error" and "error" in (err.get("ctx") or {}):
        return str(err["ctx"]["error"])
    return str(err["msg"])


def from_validation(exc: ValidationError) -> Problem:
    """Every failing field of the input, named by its location."""
    errors = [FieldError(field=field_name(e["loc"]), message=_message(e)) for e in exc.errors()]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return _problem(422, "invalid-input", "Invalid input", detail, errors=errors)


def from_http(exc: HTTPException) -> Problem:
    """werkzeug's errors (400 bad JSON, 404 unknown path, 405, 413 …) as problems."""
    status = exc.code or 500
    slug = (exc.name or "error").lower().replace(" ", "-")
    return _problem(status, slug, exc.name or "Error", exc.description or exc.name or "")


def _is_api() -> bool:
    return request.path.startswith("/api/")


@bp.errorhandler(WorkflowError)
def _workflow(exc: WorkflowError) -> Response:
    return problem_response(from_workflow(exc))


@bp.errorhandler(ValidationError)
def _validation(exc: ValidationError) -> Response:
    return problem_response(from_validation(exc))


@bp.errorhandler(IntegrityError)
def _integrity(exc: IntegrityError) -> Response:
    logger.warning("integrity error turned into 409: %s", exc.orig)
    return problem_response(
        _problem(
            409, "conflict", "Conflict", "the request conflicts with stored data", code="conflict"
        )
    )


def _http(exc: HTTPException) -> Response:
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return problem_response(from_http(exc), headers)


@bp.before_app_request
def _routing_problem() -> Response | None:
    """Unknown ``/api/`` paths and wrong methods never reach the blueprint's handlers, and
    the app's handlers belong to the UI; answer them as problems before dispatching."""
    exc = request.routing_exception
    if isinstance(exc, HTTPException) and (exc.code or 500) >= 400 and _is_api():
        return _http(exc)
    return None


@bp.errorhandler(Exception)
def _internal(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return _http(exc)
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return problem_response(
        _problem(500, "internal", "Internal error", "the server could not complete the request")
    )
