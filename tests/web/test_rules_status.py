"""The admin rules page says when the rules in force were activated and which files on disk
were refused, as stored (the same in every server process), never a process's load time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web.ui.helpers import when
from workflow import rulestatus, ruleversions
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def test_the_page_says_since_when_each_file_is_in_force(
    app: Flask, client_as: Client, app_rt: Runtime
) -> None:
    activated = datetime(2023, 2, 20, 9, 30, tzinfo=UTC)
    with app_rt.engine.begin() as conn:
        ruleversions.record(conn, app_rt.rules, "admins", activated)
    status = rulestatus.status(app_rt)
    assert status.states_activated_at is not None
    page = client_as("admin").get("/admin/rules").get_data(as_text=True)
    facts = page.split('id="rules-activated">', 1)[1].split("</dl>", 1)[0]
    with app.test_request_context():
        shown = when(status.states_activated_at)
    assert f"<dt>Statusu fails spēkā kopš</dt><dd>{shown}</dd>" in facts
    assert "<dt>Politikas faili spēkā kopš</dt>" in facts
    assert "Ielādēts" not in page


def test_refused_files_are_listed_with_their_modification_times(
    app: Flask, client_as: Client, app_rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = datetime(2023, 5, 4, 14, 5, tzinfo=UTC)
    broken = rulestatus.RulesStatus(
        states_hash=app_rt.rules.states_hash,
        policy_hash=app_rt.rules.policy_hash,
        loaded_at=datetime(2023, 5, 1, tzinfo=UTC),
        errors=["policies/programme.yaml: roles.mentor: unknown action 'fly'"],
        errors_since=datetime(2023, 5, 4, 14, 6, tzinfo=UTC),
        refused=(rulestatus.RefusedFile("policies/programme.yaml", changed),),
    )
    monkeypatch.setattr(rulestatus, "status", lambda rt: broken)
    page = client_as("admin").get("/admin/rules").get_data(as_text=True)
    errors = page.split('id="rules-errors">', 1)[1].split("</div>", 1)[0]
    assert (
        "Failos diskā ir kļūdas; līdz to labošanai spēkā paliek pēdējie derīgie noteikumi."
        in errors
    )
    assert "unknown action &#39;fly&#39;" in errors
    table = page.split('id="rules-refused">', 1)[1].split("</table>", 1)[0]
    with app.test_request_context():
        shown = when(changed)
    assert "<caption>Nepiemērotie faili</caption>" in table
    assert f"<td><code>policies/programme.yaml</code></td><td>{shown}</td>" in table
    assert "Ielādēts" not in page


def test_a_failing_rules_store_is_the_error_page_not_a_half_page(
    client_as: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug behind the page is reported (500, logged) instead of being shown as a note."""

    def broken(rt: Runtime) -> None:
        raise RuntimeError("rules_versions: secret internals")

    monkeypatch.setattr(ruleversions, "history", broken)
    r = client_as("admin").get("/admin/rules")
    assert r.status_code == 500
    page = r.get_data(as_text=True)
    assert "Kaut kas nogāja greizi" in page
    assert "secret internals" not in page
