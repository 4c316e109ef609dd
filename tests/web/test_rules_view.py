"""Under which rules: every event in the log and in a case's history shows its policy and
states hashes in sight and links them to a read-only page of those files for auditors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from workflow import ruleversions
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def test_the_log_links_each_event_to_its_rules(client_as: Client, app_rt: Runtime) -> None:
    page = client_as("auditor").get("/audit/?trigger=submit").get_data(as_text=True)
    row = page.split('id="events"', 1)[1].split("<tbody>", 1)[1].split("</tr>", 1)[0]
    policy, states = app_rt.rules.policy_hash, app_rt.rules.states_hash
    assert f'href="/rules/{policy}"' in row
    assert f'href="/rules/{states}"' in row
    assert f"<code>{policy[:8]}</code>" in row  # in sight, not only in a tooltip
    assert "politika" in row
    assert "stāvokļi" in row


def test_the_auditor_reads_the_policy_an_event_was_decided_under(
    client_as: Client, app_rt: Runtime
) -> None:
    r = client_as("auditor").get(f"/rules/{app_rt.rules.policy_hash}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "cycle_defaults" in page  # the policy file's own text
    assert 'id="rules-kind">politika<' in page
    assert "<form" not in page.split("<main", 1)[1]  # read-only: nothing to submit


def test_a_stored_older_version_is_shown_from_the_store(client_as: Client, app_rt: Runtime) -> None:
    with app_rt.engine.begin() as conn:
        ruleversions.record(conn, app_rt.rules, "file change", app_rt.now())
    page = (
        client_as("auditor").get(f"/rules/{app_rt.rules.states_hash[:10]}").get_data(as_text=True)
    )
    assert 'id="rules-kind">stāvokļi<' in page
    assert "faila izmaiņas" in page
    assert 'id="rules-in-force">jā<' in page


def test_the_case_history_links_the_rules_for_readers_of_the_log(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    history = (
        client_as("auditor")
        .get(f"/cases/{ids['kc']}")
        .get_data(as_text=True)
        .split('id="history"', 1)[1]
    )
    assert f'href="/rules/{app_rt.rules.policy_hash}"' in history
    mentor = (
        client_as("mentor").get(f"/cases/{ids['kc']}").get_data(as_text=True).split('id="history"')
    )
    assert "/rules/" not in mentor[1]  # a mentor cannot open the page: no dead link
    assert app_rt.rules.policy_hash[:8] in mentor[1]


@pytest.mark.parametrize(
    ("role", "status"),
    [("auditor", 200), ("coordinator", 200), ("admin", 200), ("mentor", 403)],
)
def test_who_may_read_the_rules_page(
    client_as: Client, app_rt: Runtime, role: str, status: int
) -> None:
    assert client_as(role).get(f"/rules/{app_rt.rules.policy_hash}").status_code == status


def test_an_unknown_hash_is_not_found_and_garbage_is_refused(client_as: Client) -> None:
    c = client_as("auditor")
    missing = c.get("/rules/" + "0" * 64)
    assert missing.status_code == 404
    assert "Noteikumu versija" in missing.get_data(as_text=True)
    assert c.get("/rules/zz").status_code == 422
