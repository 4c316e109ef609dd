"""``Idempotency-Key`` on API writes: a retry with the same key and body gets the first
answer again and writes nothing (also when both arrive at once, on PostgreSQL); the same
key with another body is a 422 naming the header; keys are per user and expire after the
policy's ``idempotency.keep_hours``; a 5xx is not kept unless the write committed (the
key records that in the write's own transaction), and an answer lost in a crash after the
write is a 409 saying so, never a second write."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.api.conftest import ROLES, SECRET, USER_OF, Api
from tests.conftest import Clock
from web import create_app
from workflow import idempotency, limits, registry
from workflow.accounts import add_user
from workflow.runtime import Runtime
from workflow.schemas import UserIn
from workflow.settings import Settings
from workflow.tokens import create_token

ORG = {"name": "Biedrība Beta", "reg_no": "40008000009", "legal_form": "association"}
KEY = "5f0c3b8e-6a51-4c1e-9d0c-0d7c2f1e9a11"


def _post(api: Api, body: Any, key: str = KEY, role: str = "coordinator") -> TestResponse:
    return api.post("/organisations", body, role=role, headers={"Idempotency-Key": key})


def _organisations(rt: Runtime) -> list[str]:
    return [o.name for o in registry.list_organisations(rt)]


def test_a_retry_gets_the_first_answer_and_writes_nothing(api: Api, sqlite_rt: Runtime) -> None:
    first = _post(api, ORG)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = _post(
        api, {"legal_form": "association", "reg_no": "40008000009", "name": "Biedrība Beta"}
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.mimetype == "application/json"
    assert _organisations(sqlite_rt) == ["Biedrība Beta"]
    # without a key the same body is a new request: a duplicate now
    assert api.post("/organisations", ORG).status_code == 409


def test_the_same_key_with_another_body_is_refused_naming_the_header(
    api: Api, sqlite_rt: Runtime
) -> None:
    assert _post(api, ORG).status_code == 201
    other = _post(api, {**ORG, "name": "Cita biedrība", "reg_no": "40008000010"})
    assert other.status_code == 422
    assert [e["field"] for e in other.get_json()["errors"]] == ["Idempotency-Key"]
    assert "already used for another request" in other.get_json()["detail"]
    # nor on another path with an empty body
    cycle = {"name": "C", "starts_on": "2024-01-01", "ends_on": "2024-06-30"}
    elsewhere = api.post("/cycles", cycle, headers={"Idempotency-Key": KEY})
    assert elsewhere.status_code == 422
    assert _organisations(sqlite_rt) == ["Biedrība Beta"]
    assert registry.list_cycles(sqlite_rt) == []


def test_keys_are_per_user(api: Api, sqlite_rt: Runtime) -> None:
    assert _post(api, ORG).status_code == 201
    theirs = _post(api, {**ORG, "name": "Cita", "reg_no": "40008000010"}, role="admin")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert sorted(_organisations(sqlite_rt)) == ["Biedrība Beta", "Cita"]


@pytest.mark.parametrize(
    "key", ["", " ", "a b", "ключ", "x" * (limits.IDEMPOTENCY_KEY_MAX + 1), "tab\there"]
)
def test_a_malformed_key_is_refused_naming_the_header(
    api: Api, sqlite_rt: Runtime, key: str
) -> None:
    resp = _post(api, ORG, key=key)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert [e["field"] for e in resp.get_json()["errors"]] == ["Idempotency-Key"]
    assert _organisations(sqlite_rt) == []


def test_the_longest_key_is_taken(api: Api) -> None:
    key = "k" * limits.IDEMPOTENCY_KEY_MAX
    assert _post(api, ORG, key=key).status_code == 201
    assert _post(api, ORG, key=key).headers["Idempotent-Replayed"] == "true"


def test_a_refusal_the_request_earned_is_replayed_too(api: Api, world: dict[str, Any]) -> None:
    case = world["case"]["id"]
    body = {"trigger": "analyse"}
    headers = {"Idempotency-Key": "fire-1"}
    blocked = api.post(f"/cases/{case}/transitions", body, headers=headers)
    assert blocked.status_code == 422
    assert blocked.get_json()["type"] == "urn:inkubators:problem:guard-rejected"
    api.ok("POST", f"/cases/{case}/analysis", {"findings": "F", "need_areas": ["x"]}, 201)
    again = api.post(f"/cases/{case}/transitions", body, headers=headers)
    assert again.status_code == 422
    assert again.get_json() == blocked.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.mimetype == "application/problem+json"
    fresh = api.post(f"/cases/{case}/transitions", body, headers={"Idempotency-Key": "fire-2"})
    assert fresh.status_code == 200


def test_keys_expire_after_the_policys_hours(api: Api, sqlite_rt: Runtime, clock: Clock) -> None:
    assert _post(api, ORG).status_code == 201
    clock.now += timedelta(hours=24) - timedelta(seconds=1)
    assert _post(api, ORG).headers["Idempotent-Replayed"] == "true"
    clock.now += timedelta(seconds=1)
    # a day on the key is free again: the request runs anew (and meets the stored row)
    late = _post(api, ORG)
    assert late.status_code == 409
    assert "Idempotent-Replayed" not in late.headers
    # and the key now holds the new answer
    assert _post(api, ORG).headers["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_kept_so_the_retry_runs(
    api: Api, sqlite_rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = registry.create_organisation
    calls = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "create_organisation", flaky)
    failed = _post(api, ORG)
    assert failed.status_code == 500
    assert failed.get_json()["type"] == "urn:inkubators:problem:internal"
    retried = _post(api, ORG)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert _organisations(sqlite_rt) == ["Biedrība Beta"]


def test_a_server_error_after_the_write_is_kept_so_no_retry_writes_twice(
    api: Api, sqlite_rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = registry.create_organisation

    def fails_after_the_commit(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError("the answer could not be made")

    monkeypatch.setattr(registry, "create_organisation", fails_after_the_commit)
    assert _post(api, ORG).status_code == 500
    monkeypatch.undo()
    retried = _post(api, ORG)
    assert retried.status_code == 500
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert _organisations(sqlite_rt) == ["Biedrība Beta"]


def test_an_answer_lost_in_a_crash_is_a_409_and_nothing_is_written_again(
    api: Api, sqlite_rt: Runtime, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the process dies between the committed write and storing its answer
    monkeypatch.setattr(idempotency, "complete", lambda *args, **kwargs: None)
    assert _post(api, ORG).status_code == 201  # the client never received this
    monkeypatch.undo()
    clock.now += timedelta(seconds=idempotency.ANSWER_LOST_SECONDS + 1)
    retried = _post(api, ORG)
    assert retried.status_code == 409
    problem = retried.get_json()
    assert problem["type"] == "urn:inkubators:problem:idempotency-answer-lost"
    assert "nothing was written again" in problem["detail"]
    assert _organisations(sqlite_rt) == ["Biedrība Beta"]


def test_every_write_documents_the_header_and_no_read_does(api: Api) -> None:
    doc = api.ok("GET", "/openapi.json")
    for path, item in doc["paths"].items():
        for method, op in item.items():
            headers = [p for p in op["parameters"] if p["in"] == "header"]
            multipart = "multipart/form-data" in op.get("requestBody", {}).get("content", {})
            if multipart and "take no `Idempotency-Key`" in op.get("description", ""):
                # a document upload streams to disk; it is not replayed. (The register
                # import reads its file whole and is replayed by its content's hash.)
                assert headers == [], (method, path)
            elif method in ("post", "patch", "delete") and op["security"]:
                assert [h["name"] for h in headers] == ["Idempotency-Key"], (method, path)
                assert headers[0]["schema"]["maxLength"] == limits.IDEMPOTENCY_KEY_MAX
                ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
                assert "Idempotent-Replayed" in ok["headers"]
            else:
                assert headers == [], (method, path)


# --- two at once, on PostgreSQL -----------------------------------------------------------


@pytest.fixture
def pg_app(pg_url: str, rt_pg: Runtime, tmp_path: Path) -> tuple[Flask, dict[str, str]]:
    """The app on a fresh PostgreSQL database and a token per role."""
    settings = Settings(mode="test", database_url=pg_url, secret_key=SECRET, instance_dir=tmp_path)
    app = create_app(settings, runtime=rt_pg)
    tokens = {}
    for role in ROLES:
        add_user(rt_pg, UserIn(name=USER_OF[role], role=role))  # type: ignore[arg-type]
        tokens[role] = create_token(rt_pg, USER_OF[role])
    return app, tokens


@pytest.fixture
def rt_pg(pg_url: str, rules: Any, clock: Clock) -> Iterator[Runtime]:
    from tests.conftest import make_runtime

    runtime = make_runtime(pg_url, rules, clock)
    yield runtime
    runtime.engine.dispose()


def _at_once(app: Flask, token: str, n: int) -> list[TestResponse]:
    """``n`` clients send the same keyed request at the same moment."""
    barrier = threading.Barrier(n)
    replies: list[TestResponse] = []
    lock = threading.Lock()

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        resp = client.post(
            "/api/v1/organisations",
            json=ORG,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": KEY},
        )
        with lock:
            replies.append(resp)

    threads = [threading.Thread(target=send) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return replies


@pytest.mark.postgres
def test_two_at_once_write_once_and_answer_alike(
    pg_app: tuple[Flask, dict[str, str]], rt_pg: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, tokens = pg_app
    real = registry.create_organisation

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # the second request arrives while the first is still writing
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "create_organisation", slow)
    replies = _at_once(app, tokens["coordinator"], 2)
    assert [r.status_code for r in replies] == [201, 201]
    assert replies[0].get_json() == replies[1].get_json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in replies) == ["", "true"]
    assert _organisations(rt_pg) == ["Biedrība Beta"]


@pytest.mark.postgres
def test_eight_at_once_write_once(pg_app: tuple[Flask, dict[str, str]], rt_pg: Runtime) -> None:
    app, tokens = pg_app
    replies = _at_once(app, tokens["coordinator"], 8)
    assert [r.status_code for r in replies] == [201] * 8
    assert len({r.get_data() for r in replies}) == 1
    assert sum("Idempotent-Replayed" in r.headers for r in replies) == 7
    assert _organisations(rt_pg) == ["Biedrība Beta"]
