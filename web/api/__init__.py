"""The JSON API v1 (``/api/v1``): bearer tokens, problem+json errors, OpenAPI 3.1.

Each module registers its views in the route table (:mod:`web.api.routing`), from which
the OpenAPI document is generated; :mod:`web.api.problems` maps every error in one place.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The views register themselves on ``bp`` when imported (after ``bp`` exists).
from web.api import (  # noqa: E402
    audit,
    caselists,
    cases,
    catalogue,
    documents,
    evidence,
    me,
    meta,
    notes,
    openapi,
    problems,
    reference,
    registry,
    reports,
    representatives,
    tokens,
    work,
)

__all__ = [
    "audit",
    "bp",
    "caselists",
    "cases",
    "catalogue",
    "documents",
    "evidence",
    "me",
    "meta",
    "notes",
    "openapi",
    "problems",
    "registry",
    "reference",
    "reports",
    "representatives",
    "tokens",
    "work",
]
