"""Every event in the case history and the audit log is named in words, never by its id,
including events stored under a trigger's earlier spelling (the chain keeps them as hashed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select, text

from web.ui.helpers import EVENT_LABELS, event_triggers, trigger_label
from workflow import auditlog, chain
from workflow.actors import Actor
from workflow.evidence import registry
from workflow.orm import AuditEvent
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]

#: Triggers the log holds from before each kind had one spelling, and their words.
FORMER = {
    "record_consultation": "Reģistrēta konsultācija",
    "record_source_selection": "Izvēlēts finansējuma avots",
    "record_application": "Pievienots pieteikums",
    "record_application_update": "Reģistrēta pieteikuma iesniegšana vai lēmums",
    "record_mentor_assignment": "Piešķirts mentors",
}


def test_every_kind_of_evidence_has_a_label(app: Flask) -> None:
    assert {"enrol", "assign_mentor", "record_document", "migrate"} == set(EVENT_LABELS)
    written = [k.trigger(op) for k in registry.kinds() for op in k.operations]
    assert written[:5] == [  # the programme's kinds, in its order; a new kind comes after
        "record_analysis",
        "record_consultations",
        "record_sources",
        "record_applications",
        "update_applications",
    ]
    assert event_triggers() == ["enrol", "assign_mentor", *written, "record_document", "migrate"]
    for locale in ("lv", "en"):
        with app.test_request_context("/"), force_locale(locale):
            for t in written:
                assert trigger_label(t) not in (t, "")
    with app.test_request_context("/"), force_locale("en"):
        assert trigger_label("update_applications") == "Application submission or decision recorded"


@pytest.mark.parametrize("locale", ["lv", "en"])
def test_every_stored_event_reads_as_words(app: Flask, app_rt: Runtime, locale: str) -> None:
    with app_rt.engine.connect() as conn:
        triggers = set(conn.scalars(select(AuditEvent.trigger).distinct()))
    assert {"enrol", "assign_mentor", "record_consultations", "update_applications"} <= triggers
    with app.test_request_context("/"), force_locale(locale):
        for t in (*triggers, *event_triggers(), *FORMER):
            label = trigger_label(t)
            assert label != t
            assert "_" not in label
    with app.test_request_context("/"), force_locale("lv"):
        assert trigger_label("record_consultations") == "Reģistrēta konsultācija"
        assert trigger_label("enrol") == "Uzņemta ciklā"
        for old, words in FORMER.items():
            assert trigger_label(old) == words


def test_an_event_stored_under_an_earlier_spelling_is_shown_and_found(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    """Before kinds had one spelling a consultation was ``record_consultation``: such an
    event keeps its text (its hash covers it), reads as a consultation and is found by the
    consultations filter beside today's."""
    with app_rt.engine.begin() as conn:
        head = chain.load_head(conn, ids["kc"], lock=True)
        # the consultation the old event recorded (verify binds every event to its row)
        consultation_id = conn.execute(
            text(
                "INSERT INTO consultations (case_id, mentor, held_on, hours, topic, recorded_by)"
                " VALUES (:c, 'anna', '2023-03-01', 1, 'no 2023. gada žurnāla', 'ilze')"
                " RETURNING id"
            ),
            {"c": ids["kc"]},
        ).scalar_one()
        chain.append(
            conn,
            head,
            kind="evidence",
            trigger="record_consultation",
            to_state=head.state,
            actor=Actor("ilze", "coordinator"),
            at=app_rt.now(),
            payload={"consultation_id": consultation_id, "topic": "no 2023. gada žurnāla"},
            policy_hash=app_rt.rules.policy_hash,
            states_hash=app_rt.rules.states_hash,
        )
    assert auditlog.verify(app_rt).ok
    c = client_as("auditor")
    page = c.get(f"/audit/?case={ids['kc']}&trigger=record_consultations").get_data(as_text=True)
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    with app_rt.engine.connect() as conn:
        stored = conn.execute(
            select(AuditEvent.trigger).where(
                AuditEvent.case_id == ids["kc"],
                AuditEvent.trigger.in_(["record_consultation", "record_consultations"]),
            )
        ).all()
    assert ("record_consultation",) in stored
    assert rows.count("<tr>") == len(stored) == rows.count("Reģistrēta konsultācija")
    history = client_as("coordinator").get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "record_consultation" not in history.split('id="history"', 1)[1]


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
    assert "Reģistrēta vajadzību analīze" in events
    assert "record_" not in events.split("<tbody>", 1)[1]
    assert "Piešķirts mentors" in log  # the filter offers evidence events too
    only = c.get(f"/audit/?case={ids['kc']}&trigger=record_consultations").get_data(as_text=True)
    rows = only.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") >= 1
    assert rows.count("<tr>") == rows.count("Reģistrēta konsultācija")
    c.post("/language", data={"lang": "en"})
    log = c.get(f"/audit/?case={ids['kc']}").get_data(as_text=True)
    assert "Consultation recorded" in log
