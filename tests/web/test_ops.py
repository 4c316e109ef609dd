"""Operations through the test client: the probes, request ids, access lines, metrics
labelled by route, and who may read them.

Responses are read with ``buffered=True``: the access line and the latency metric are
written when the server closes the response (as gunicorn always does), which the test
client only does for a buffered response.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, event, text

from tests.conftest import Clock
from tests.web.conftest import make_app
from web.logs import RequestIdFilter, json_formatter
from workflow.readiness import head_revisions
from workflow.rules import Rules
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]
HEX32 = re.compile(r"[0-9a-f]{32}")
DURATION = "inkubators_http_request_duration_seconds_count"


def count(**labels: str) -> float:
    """The number of requests answered with these labels so far in this process."""
    return REGISTRY.get_sample_value(DURATION, labels) or 0.0


# --- probes ---------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database(app: Flask, app_rt: Runtime) -> None:
    checkouts: list[object] = []
    event.listen(app_rt.engine, "checkout", lambda *_: checkouts.append(1))
    resp = app.test_client().get("/healthz", buffered=True)
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}
    assert resp.headers["Cache-Control"] == "no-store"
    assert checkouts == []


def test_readyz_is_ready_on_a_current_database(app: Flask) -> None:
    resp = app.test_client().get("/readyz", buffered=True)  # anonymous: no login needed
    assert resp.status_code == 200
    assert resp.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "rules": "ok"},
    }


@pytest.fixture
def unreachable(app_rt: Runtime) -> Iterator[None]:
    """The app's database is gone: nothing listens where its engine points."""
    engine = app_rt.engine
    app_rt.engine = create_engine("postgresql+psycopg://ops:s3cr3t-pw@127.0.0.1:9/none")
    yield
    app_rt.engine.dispose()
    app_rt.engine = engine


@pytest.mark.usefixtures("unreachable")
def test_without_a_database_healthz_stays_up_and_readyz_names_the_database(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    assert client.get("/healthz", buffered=True).status_code == 200
    resp = client.get("/readyz", buffered=True)
    assert resp.status_code == 503
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["type"] == "urn:inkubators:problem:not-ready"
    assert body["status"] == 503
    assert body["detail"].startswith("database: cannot be reached")
    assert body["checks"]["database"] != "ok"
    assert body["checks"]["rules"] == "ok"
    assert "s3cr3t" not in resp.get_data(as_text=True)  # the driver's words go to the log
    assert any(r.name == "workflow.readiness" and r.exc_info for r in caplog.records)


def test_readyz_names_a_schema_behind_the_code(app: Flask, app_rt: Runtime) -> None:
    (head,) = head_revisions()
    with app_rt.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    resp = app.test_client().get("/readyz", buffered=True)
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == (
        f"the database is at 0002, this code needs {head} (run `inkubators init`)"
    )
    assert body["detail"] == f"migrations: {body['checks']['migrations']}"


def test_readyz_names_a_database_without_a_schema(app: Flask, app_rt: Runtime) -> None:
    (head,) = head_revisions()
    with app_rt.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    body = app.test_client().get("/readyz", buffered=True).get_json()
    assert body["status"] == 503
    assert body["checks"]["migrations"] == (
        f"the database has no schema yet, this code needs {head} (run `inkubators init`)"
    )


# --- request ids and access lines -------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/login", "/healthz", "/no/such/page", "/api/v1/cases", "/static/css/app.css"]
)
def test_every_response_carries_a_fresh_request_id(app: Flask, path: str) -> None:
    client = app.test_client()
    first = client.get(path, buffered=True).headers.get("X-Request-Id", "")
    second = client.get(path, buffered=True).headers.get("X-Request-Id", "")
    assert HEX32.fullmatch(first), first
    assert HEX32.fullmatch(second)
    assert second != first


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("edge-7f3a.2024:01", True),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("two words", False),
        ('quote"d', False),
        ("", False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_any_other_replaced(
    app: Flask, sent: str, kept: bool
) -> None:
    resp = app.test_client().get("/healthz", headers={"X-Request-Id": sent}, buffered=True)
    returned = resp.headers.getlist("X-Request-Id")
    assert len(returned) == 1
    if kept:
        assert returned == [sent]
    else:
        assert HEX32.fullmatch(returned[0])


@pytest.fixture
def json_lines() -> Iterator[StringIO]:
    """What the server's log handler would print, for the access and engine loggers."""
    out = StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(n) for n in ("inkubators.access", "workflow")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield out
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_the_access_line_is_one_json_object_with_route_status_and_request_id(
    client_as: Client, ids: dict[str, int], json_lines: StringIO
) -> None:
    resp = client_as("coordinator").get(f"/cases/{ids['kc']}", buffered=True)
    assert resp.status_code == 200
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    (access,) = [line for line in lines if line["logger"] == "inkubators.access"]
    assert list(access)[:4] == ["time", "level", "logger", "message"]
    assert access["level"] == "INFO"
    assert access["request_id"] == resp.headers["X-Request-Id"]
    assert access["method"] == "GET"
    assert access["path"] == f"/cases/{ids['kc']}"
    assert access["route"] == "/cases/<id:case_id>"
    assert access["status"] == 200
    assert isinstance(access["duration_ms"], float)
    assert access["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", access["time"])


def test_log_lines_written_during_a_request_carry_its_id(app: Flask, json_lines: StringIO) -> None:
    """A line logged inside the request is found by the id the client got."""
    logger = logging.getLogger("workflow.test_probe")

    @app.route("/probe-log")
    def probe() -> str:
        logger.warning("inside the request")
        return "ok"

    resp = app.test_client().get("/probe-log", buffered=True)
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    inside = next(line for line in lines if line["message"] == "inside the request")
    assert inside["request_id"] == resp.headers["X-Request-Id"]
    assert inside["logger"] == "workflow.test_probe"
    logger.warning("after the request")
    after = json.loads(json_lines.getvalue().splitlines()[-1])
    assert after["message"] == "after the request"
    assert "request_id" not in after


# --- metrics ----------------------------------------------------------------------------


def test_latency_is_counted_by_route_template_not_by_raw_path(
    client_as: Client, ids: dict[str, int], app: Flask
) -> None:
    route = {"method": "GET", "route": "/cases/<id:case_id>", "status": "200"}
    before = count(**route)
    unmatched = {"method": "GET", "route": "(unmatched)", "status": "404"}
    lost = count(**unmatched)
    odd = count(method="other", route="(unmatched)", status="405")
    client = client_as("coordinator")
    for case_id in (ids["kc"], ids["kc"] - 1):
        assert client.get(f"/cases/{case_id}", buffered=True).status_code == 200
    assert client.get(f"/no/such/page/{ids['kc']}", buffered=True).status_code == 404
    assert client.open("/healthz", method="BREW", buffered=True).status_code == 405
    assert count(**route) == before + 2
    assert count(**unmatched) == lost + 1
    # a method no rule accepts matches no rule either; any unknown method is "other"
    assert count(method="other", route="(unmatched)", status="405") == odd + 1

    exposition = app.test_client().get("/metrics", buffered=True).get_data(as_text=True)
    assert 'route="/cases/<id:case_id>"' in exposition
    assert f"/cases/{ids['kc']}" not in exposition
    assert "BREW" not in exposition


def test_metrics_are_open_unless_a_token_is_configured(
    app: Flask, demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path
) -> None:
    resp = app.test_client().get("/metrics", buffered=True)
    assert resp.status_code == 200
    assert resp.mimetype == "text/plain"
    assert "# TYPE inkubators_transitions_total counter" in resp.get_data(as_text=True)

    token = "metrics-" + "k" * 32
    guarded = make_app(demo_url, rules, web_clock, tmp_path, metrics_token=token)
    client = guarded.test_client()
    refused = client.get("/metrics", buffered=True)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "inkubators_" not in refused.get_data(as_text=True)
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"}, buffered=True)
    assert wrong.status_code == 401
    right = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}, buffered=True)
    assert right.status_code == 200
    assert "inkubators_http_request_duration_seconds" in right.get_data(as_text=True)
    guarded.extensions["inkubators"].engine.dispose()


def test_metrics_speak_openmetrics_to_a_scraper_that_asks(app: Flask) -> None:
    resp = app.test_client().get(
        "/metrics", headers={"Accept": "application/openmetrics-text"}, buffered=True
    )
    assert resp.mimetype == "application/openmetrics-text"
    assert resp.get_data(as_text=True).rstrip().endswith("# EOF")
