"""The log as an auditor reads it: newest first, the organisation next to the case
number, evidence events in the filter, and a bad filter never lists everything."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.conftest import AUDITOR
from workflow import auditquery, views
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def _rows(page: str) -> list[str]:
    body = page.split('id="events"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r for r in body.split("<tr>") if "<td>" in r]


def test_the_newest_event_comes_first(client_as: Client, app_rt: Runtime) -> None:
    with app_rt.engine.connect() as conn:
        last_case, last_seq = conn.execute(
            text("SELECT case_id, seq FROM audit_events ORDER BY id DESC LIMIT 1")
        ).one()
    first = _rows(client_as("auditor").get("/audit/").get_data(as_text=True))[0]
    assert f">{last_case}</a>" in first
    assert f"<td>{last_seq}</td>" in first


def test_newest_first_pages_walk_the_whole_log_backwards(app_rt: Runtime) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        page, cursor = auditquery.list_events(
            app_rt, AUDITOR, limit=40, cursor=cursor, newest_first=True
        )
        seen.extend(e.id for e in page)
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True)
    with app_rt.engine.connect() as conn:
        assert len(seen) == conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one()


def test_each_row_names_the_organisation(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    rows = _rows(client_as("auditor").get(f"/audit/?case={kc.id}").get_data(as_text=True))
    assert rows
    for row in rows:
        assert f'<span class="org">{kc.organisation}</span>' in row


def test_evidence_events_can_be_filtered(client_as: Client) -> None:
    page = client_as("auditor").get("/audit/?trigger=record_consultations").get_data(as_text=True)
    assert '<option value="record_consultations" selected>' in page
    rows = _rows(page)
    assert rows
    assert all("Reģistrēta konsultācija" in r for r in rows)


@pytest.mark.parametrize("query", ["case=abc", "since=2023-13-45", "case=99999999999999999999"])
def test_a_bad_filter_shows_its_error_and_no_rows(client_as: Client, query: str) -> None:
    page = client_as("auditor").get(f"/audit/?{query}").get_data(as_text=True)
    assert 'class="errors"' in page
    assert _rows(page) == []
