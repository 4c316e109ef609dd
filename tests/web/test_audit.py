"""The audit log page: keyset pages through the engine's query service, and the hash-chain
check as an explicit action that names the first event that does not fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from workflow import auditlog
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def _events(page: str) -> list[str]:
    """The case and sequence number of each row of the events table."""
    body = page.split('id="events"', 1)[1].split("</tbody>", 1)[0]
    rows = body.split("<tr>")[2:]
    return [r.split("</td>", 2)[0] + r.split("</td>", 2)[1] for r in rows]


def test_log_page_does_not_verify_the_chain(
    client_as: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the log page must not recompute the hash chain")

    monkeypatch.setattr(auditlog, "verify", refuse)
    page = client_as("auditor").get("/audit/").get_data(as_text=True)
    assert 'id="verify-chain"' in page
    assert 'href="/audit/verify"' in page


def test_pages_follow_the_cursor_without_gaps_or_repeats(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("auditor")
    with app_rt.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    assert total > 50  # more than one page
    seen: list[str] = []
    url: str | None = "/audit/"
    while url:
        page = c.get(url).get_data(as_text=True)
        assert "?page=" not in page
        seen.extend(_events(page))
        nxt = (
            page.split('rel="next"', 1)[0].rsplit('href="', 1)[1] if 'rel="next"' in page else None
        )
        url = nxt.split('"', 1)[0].replace("&amp;", "&") if nxt else None
        if url:
            assert "after=" in url
    assert len(seen) == total
    assert len(set(seen)) == total
    assert 'rel="first"' in page  # a later page leads back to the first


def test_a_forged_cursor_is_a_field_message_not_a_crash(client_as: Client) -> None:
    r = client_as("auditor").get("/audit/?after=nonsense")
    assert r.status_code == 200
    assert "šo lapas norādi nav izdevis šis pakalpojums" in r.get_data(as_text=True)


def test_verify_says_the_chain_is_whole(client_as: Client) -> None:
    page = client_as("auditor").get("/audit/verify").get_data(as_text=True)
    assert 'id="chain-status" class="ok"' in page
    assert "Visas jaucējķēdes ir pareizas" in page


def test_verify_names_the_first_edited_event(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    with app_rt.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            text("UPDATE audit_events SET comment = 'pārrakstīts' WHERE case_id = :c AND seq = 2"),
            {"c": ids["kc"]},
        )
    page = client_as("auditor").get("/audit/verify").get_data(as_text=True)
    status = page.split('id="chain-status"', 1)[1].split("</p>", 1)[0]
    assert 'class="bad"' in status
    assert f"lieta {ids['kc']}, notikums #2" in status
    assert "tā saturs neatbilst tā jaucējvērtībai: notikums ir labots" in status
    assert f'href="/audit/?case={ids["kc"]}"' in page


def test_verify_is_refused_to_a_mentor(client_as: Client) -> None:
    assert client_as("mentor").get("/audit/verify").status_code == 403
