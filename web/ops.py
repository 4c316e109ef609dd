"""Probes for load balancers and orchestrators, unauthenticated by design.

``GET /healthz``: the process is up and answering (touches nothing, so a slow database
never gets a healthy worker restarted). ``GET /readyz``: this worker can serve requests
(:mod:`workflow.readiness`); 503 with a problem document naming what is not ready, so
traffic goes elsewhere until it is.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.context import runtime
from workflow import readiness

bp = Blueprint("ops", __name__)

NOT_READY = "urn:inkubators:problem:not-ready"


@bp.route("/healthz", methods=["GET"])
def healthz() -> Response:
    """Liveness: the process answers."""
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz", methods=["GET"])
def readyz() -> Response:
    """Readiness: database reachable, rules in force, migrations current."""
    result = readiness.check(runtime())
    if result.ready:
        return _no_store(jsonify(status="ready", checks=result.checks))
    resp = jsonify(
        type=NOT_READY,
        title="Not ready",
        status=503,
        detail="; ".join(result.problems),
        checks=result.checks,
    )
    resp.status_code = 503
    resp.mimetype = "application/problem+json"
    return _no_store(resp)


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "no-store"
    return resp
