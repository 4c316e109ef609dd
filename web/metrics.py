"""Prometheus metrics at ``GET /metrics``, every name prefixed ``inkubators_``.

Requests are counted by the outermost WSGI layer (:mod:`web.observe`), labelled with the
URL *rule* (``/cases/<id:case_id>``), never the raw path, so a crawler cannot create a
series per URL. What happens inside the engine (transitions, guard refusals, rule
reloads, audit checks) arrives through :mod:`workflow.signals`, so the engine never
imports this module and a trigger or guard label is always a declared name.

Under gunicorn every worker is its own process with its own counters: with
``PROMETHEUS_MULTIPROC_DIR`` set (``inkubators serve`` and :mod:`web.gunicorn_conf` set
it before the workers start) each worker writes its samples to files there and this
endpoint adds up all of them, so a scrape sees the whole server whichever worker
answers. prometheus-client reads that variable when it is first imported: nothing that
runs in the gunicorn master before the hook may import this module.

Who may read it: anyone who can reach the port, unless ``INKUBATORS_METRICS_TOKEN`` is
set, then only a request with ``Authorization: Bearer <that token>``. The figures name
routes, triggers, guards and counts, never a person or an organisation.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Any

from flask import Blueprint, Response, current_app, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
)
from prometheus_client.exposition import choose_encoder

from workflow import signals

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

bp = Blueprint("ops_metrics", __name__)

REQUEST_SECONDS = Histogram(
    "inkubators_http_request_duration_seconds",
    "Time to answer a request, to the last byte sent, by route (URL rule) and status.",
    ["method", "route", "status"],
)
TRANSITIONS = Counter(
    "inkubators_transitions_total",
    "Triggers fired or refused, by trigger and outcome (fired, refused, conflict).",
    ["trigger", "outcome"],
)
GUARD_REFUSALS = Counter(
    "inkubators_guard_refusals_total",
    "Guards that said no to a trigger, by guard.",
    ["guard"],
)
RULES_RELOADS = Counter(
    "inkubators_rules_reloads_total",
    "Rules put in force by a worker, by cause (startup, file change).",
    ["cause"],
)
RULES_REFUSALS = Counter(
    "inkubators_rules_refusals_total",
    "Edited rules files refused (the last good rules stayed in force).",
)
VERIFY_RUNS = Counter(
    "inkubators_audit_verify_runs_total",
    "Verifications of the audit log's hash chains, by result (ok, broken).",
    ["result"],
)
VERIFY_FINDINGS = Counter(
    "inkubators_audit_verify_findings_total",
    "Events a verification found breaking a chain (it stops at the first).",
)
VERIFY_EVENTS = Counter(
    "inkubators_audit_verify_events_total",
    "Audit events checked by verifications.",
)
VERIFY_LAST_OK = Gauge(
    "inkubators_audit_verify_last_ok_timestamp_seconds",
    "When a verification last found every chain intact (Unix time).",
    multiprocess_mode="max",
)

#: Methods a client may send anything as: any other becomes "other", like unknown routes.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (called by :mod:`web.observe` for every response)."""
    method = method if method in METHODS else "other"
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


def _on_transition(trigger: str, *, outcome: str, guards: list[str]) -> None:
    TRANSITIONS.labels(trigger, outcome).inc()
    for guard in guards:
        GUARD_REFUSALS.labels(guard).inc()


def _on_rules_activated(cause: str) -> None:
    RULES_RELOADS.labels(cause).inc()


def _on_rules_refused(_problems: tuple[str, ...]) -> None:
    RULES_REFUSALS.inc()


def _on_audit_verified(result: Any) -> None:
    VERIFY_RUNS.labels("ok" if result.ok else "broken").inc()
    VERIFY_EVENTS.inc(result.checked)
    if result.ok:
        VERIFY_LAST_OK.set(time.time())
    else:
        VERIFY_FINDINGS.inc()


def subscribe() -> None:
    """Connect the counters to the engine's signals (idempotent: one connection each)."""
    signals.transition.connect(_on_transition)
    signals.rules_activated.connect(_on_rules_activated)
    signals.rules_refused.connect(_on_rules_refused)
    signals.audit_verified.connect(_on_audit_verified)


def registry() -> CollectorRegistry:
    """This process's samples, or every worker's when running under gunicorn."""
    if os.environ.get(MULTIPROC_ENV):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return collected
    return REGISTRY


@bp.route("/metrics", methods=["GET"])
def metrics() -> Response:
    """The exposition, in the text format the scraper asks for (Prometheus or OpenMetrics)."""
    token = current_app.config["INKUBATORS_SETTINGS"].metrics_token
    if token and not _bearer_matches(token):
        return Response(
            "a bearer token is required to read the metrics\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"'},
            mimetype="text/plain",
        )
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    body = encoder(registry())
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def _bearer_matches(token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
