"""The JSON API v1 (``/api/v1``): bearer tokens, problem+json errors, OpenAPI 3.1."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
