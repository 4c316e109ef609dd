"""Rule reloads and refusals as Prometheus counters, with a running app watching edited
files: a good edit counts one reload, a broken one one refusal (not one per request),
and /readyz stays ready on the last good rules meanwhile."""

from __future__ import annotations

from prometheus_client import REGISTRY

from tests.conftest import Clock
from tests.policies.conftest import Files
from web import create_app, metrics
from workflow.db import make_engine
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime
from workflow.settings import Settings

SECRET = "reload-metrics-secret-0123456789abcdef"


def reloads(cause: str) -> float:
    return REGISTRY.get_sample_value("inkubators_rules_reloads_total", {"cause": cause}) or 0.0


def refusals() -> float:
    return REGISTRY.get_sample_value("inkubators_rules_refusals_total") or 0.0


def test_edits_count_as_reloads_and_broken_files_as_refusals(
    watched_rt: Runtime, files: Files
) -> None:
    app = create_app(Settings(mode="test", secret_key=SECRET), runtime=watched_rt)
    client = app.test_client()
    changed, refused = reloads("file change"), refusals()

    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    assert client.get("/readyz", buffered=True).status_code == 200
    assert reloads("file change") == changed + 1

    files.edit(files.policy, "roles:", "rolez:")
    for _ in range(3):
        assert client.get("/readyz", buffered=True).status_code == 200  # last good rules
    assert refusals() == refused + 1
    assert reloads("file change") == changed + 1

    files.edit(files.policy, "rolez:", "roles:")  # fixed, and the same as in force
    files.edit(files.policy, "min_consultations: 3", "min_consultations: 2")
    client.get("/readyz", buffered=True)
    assert reloads("file change") == changed + 2
    assert refusals() == refused + 1


def test_a_worker_loading_the_rules_at_startup_counts_a_startup_reload(
    watched_rt: Runtime, files: Files, clock: Clock
) -> None:
    metrics.subscribe()
    before = reloads("startup")
    engine = make_engine(watched_rt.engine.url.render_as_string(hide_password=False))
    try:
        WatchedRules(files.states_dir, files.policy_dir, engine, clock)
    finally:
        engine.dispose()
    assert reloads("startup") == before + 1
