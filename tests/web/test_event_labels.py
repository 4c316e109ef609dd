"""Every event in the case history and the audit log is named in words, never by its id."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from web.ui.helpers import EVENT_LABELS, trigger_label
from workflow.orm import AuditEvent
from workflow.policies import EvidenceKind
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def test_every_kind_of_evidence_has_a_label() -> None:
    for kind in (*get_args(EvidenceKind), "mentor_assignment"):
        assert f"record_{kind}" in EVENT_LABELS
    assert {"enrol", "migrate"} <= set(EVENT_LABELS)


@pytest.mark.parametrize("locale", ["lv", "en"])
def test_every_stored_event_reads_as_words(app: Flask, app_rt: Runtime, locale: str) -> None:
    with app_rt.engine.connect() as conn:
        triggers = set(conn.scalars(select(AuditEvent.trigger).distinct()))
    assert {"enrol", "record_consultation"} <= triggers
    with app.test_request_context("/"), force_locale(locale):
        for t in (*triggers, *EVENT_LABELS):
            label = trigger_label(t)
            assert label != t
            assert "_" not in label
    with app.test_request_context("/"), force_locale("lv"):
        assert trigger_label("record_consultation") == "Reģistrēta konsultācija"
        assert trigger_label("enrol") == "Uzņemta ciklā"


def test_case_history_and_audit_log_show_labels(client_as: Client, ids: dict[str, int]) -> None:
    page = client_as("coordinator").get(f"/cases/{ids['kc']}").get_data(as_text=True)
    history = page.split('id="history"', 1)[1].split("</table>", 1)[0]
    assert "Uzņemta ciklā" in history
    assert "Reģistrēta konsultācija" in history
    assert "record_" not in history
    assert ">enrol<" not in history
    c = client_as("auditor")
    log = c.get(f"/audit/?case={ids['kc']}").get_data(as_text=True)
    events = log.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert "Reģistrēta darbības analīze" in events
    assert "record_" not in events.split("<tbody>", 1)[1]
    assert "Piešķirts mentors" in log  # the filter offers evidence events too
    only = c.get(f"/audit/?case={ids['kc']}&trigger=record_consultation").get_data(as_text=True)
    rows = only.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") >= 1
    assert rows.count("<tr>") == rows.count("Reģistrēta konsultācija")
    c.post("/language", data={"lang": "en"})
    log = c.get(f"/audit/?case={ids['kc']}").get_data(as_text=True)
    assert "Consultation recorded" in log
