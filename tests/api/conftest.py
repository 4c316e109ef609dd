"""Fixtures for the JSON API: an app on a fresh SQLite database, one user and bearer token
per role, and a small client that sends the token and checks the media type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from web import create_app
from workflow.accounts import add_user
from workflow.runtime import Runtime
from workflow.schemas import UserIn
from workflow.settings import Settings
from workflow.tokens import create_token

ROLES = ("coordinator", "mentor", "auditor", "admin")
USER_OF = {"coordinator": "ilze", "mentor": "anna", "auditor": "revidents", "admin": "admins"}
SECRET = "api-tests-secret-key-0123456789abcdef"


@pytest.fixture
def app(sqlite_rt: Runtime, sqlite_url: str) -> Flask:
    """The whole app on a fresh SQLite database, with the tests' clock."""
    settings = Settings(mode="test", database_url=sqlite_url, secret_key=SECRET)
    return create_app(settings, runtime=sqlite_rt)


@pytest.fixture
def tokens(sqlite_rt: Runtime) -> dict[str, str]:
    """One user per role and a bearer token for each, keyed by role."""
    out = {}
    for role in ROLES:
        add_user(sqlite_rt, UserIn(name=USER_OF[role], role=role))  # type: ignore[arg-type]
        out[role] = create_token(sqlite_rt, USER_OF[role])
    return out


@dataclass
class Api:
    """Calls ``/api/v1`` as one role at a time; every error must be a problem document."""

    client: FlaskClient
    tokens: dict[str, str]

    def call(
        self, method: str, path: str, role: str | None = "coordinator", **kwargs: Any
    ) -> TestResponse:
        """Send a request with the role's bearer token (``role=None``: none at all)."""
        headers = dict(kwargs.pop("headers", {}))
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        resp = self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        if resp.status_code >= 400:
            assert resp.mimetype == "application/problem+json", resp.get_data(as_text=True)
            body = resp.get_json()
            assert body["status"] == resp.status_code
            assert {"type", "title", "detail"} <= set(body)
        return resp

    def get(self, path: str, role: str | None = "coordinator", **kw: Any) -> TestResponse:
        return self.call("GET", path, role, **kw)

    def post(
        self, path: str, json: Any, role: str | None = "coordinator", **kw: Any
    ) -> TestResponse:
        return self.call("POST", path, role, json=json, **kw)

    def patch(
        self, path: str, json: Any, role: str | None = "coordinator", **kw: Any
    ) -> TestResponse:
        return self.call("PATCH", path, role, json=json, **kw)

    def ok(
        self, method: str, path: str, json: Any = None, status: int = 200, role: str = "coordinator"
    ) -> Any:
        """The JSON body of a call that must answer ``status``."""
        kw = {} if json is None else {"json": json}
        resp = self.call(method, path, role, **kw)
        assert resp.status_code == status, resp.get_data(as_text=True)
        return resp.get_json()


@pytest.fixture
def api(app: Flask, tokens: dict[str, str]) -> Iterator[Api]:
    """A client for the app with a token per role."""
    with app.test_client() as client:
        yield Api(client, tokens)


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    """A cycle, an organisation enrolled, a funding source (call open through 2023)."""
    cycle = api.ok(
        "POST",
        "/cycles",
        {"name": "Cikls A", "starts_on": "2023-03-01", "ends_on": "2023-12-31"},
        201,
    )
    org = api.ok(
        "POST",
        "/organisations",
        {
            "name": "Biedrība Alfa",
            "reg_no": "40008000001",
            "legal_form": "association",
            "fields": ["social"],
        },
        201,
    )
    source = api.ok(
        "POST",
        "/funding-sources",
        {
            "funder": "Sabiedrības integrācijas fonds",
            "programme": "NVO fonds",
            "call_opens": "2023-03-01",
            "call_closes": "2023-12-31",
            "max_grant_eur": "40000",
            "domains": ["social"],
        },
        201,
    )
    case = api.ok("POST", "/cases", {"organisation_id": org["id"], "cycle_id": cycle["id"]}, 201)
    return {"cycle": cycle, "org": org, "source": source, "case": case}
