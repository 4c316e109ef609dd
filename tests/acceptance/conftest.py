"""Acceptance tests reuse the JSON API's fixtures: an app on a fresh SQLite database and a
bearer token per role (see ``tests/api/conftest.py``)."""

from __future__ import annotations

from tests.api.conftest import api, app, tokens

__all__ = ["api", "app", "tokens"]
