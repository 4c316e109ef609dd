"""Adding an evidence kind takes the five files ``docs/adding-an-evidence-kind.md`` names
and no other code: a throw-away kind, ``visits``, is declared here the way the walk says
(the kind's module, its line in the package's list of kinds, its table, the policy
granting it) and gets its API route, its form, its permission check, policy validation,
its audit events in the hash chain and its facts for guards, from the declaration alone.

The test stands in for the five files: the declaration below is the kind's module, the
``register`` call is the package's line, an in-test table stands for the ORM class and
its migration, and a copy of the programme's policy grants the kind to coordinators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    UnicodeText,
    bindparam,
    func,
    insert,
    select,
)

from tests.conftest import ADMIN, ROOT, Clock
from tests.web.conftest import login, make_app
from web.ui.evidence import CHOICES
from workflow import auditlog, chain, factloader, permissions, views
from workflow.errors import PolicyError
from workflow.evidence import registry
from workflow.evidence.common import not_before_enrolment, payload
from workflow.evidence.registry import (
    ChoiceList,
    Create,
    EvidenceKind,
    FactSource,
    FieldSpec,
    WriteContext,
    Written,
    register,
    unregister,
)
from workflow.guards.registry import guard
from workflow.rules import load_rules
from workflow.runtime import Runtime
from workflow.schemas import Day, Input, LongText, Text
from workflow.tokens import create_token
from workflow.vocabulary import Words

# --- the kind's module (workflow/evidence/visits.py in the walk) -----------------------

#: Stands for the ORM class in workflow/orm.py and its Alembic migration.
VISITS = Table(
    "test_visits",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, nullable=False, index=True),
    Column("topic", String(300), nullable=False),
    Column("body", UnicodeText, nullable=False),
    Column("visited_on", Date, nullable=False),
    Column("recorded_by", String(80), nullable=False),
)


class VisitIn(Input):
    """A visit to the organisation: what was looked at and found."""

    topic: Text
    body: LongText
    visited_on: Day | None = None


def _write(ctx: WriteContext, data: VisitIn) -> Written:
    values = data.model_dump()
    values["visited_on"] = data.visited_on or ctx.today
    not_before_enrolment(ctx, "visited_on", values["visited_on"])
    new_id = ctx.conn.execute(
        insert(VISITS).returning(VISITS.c.id),
        {**values, "case_id": ctx.head.id, "recorded_by": ctx.actor.name},
    ).scalar_one()
    return new_id, {"visit_id": new_id, **payload(values)}


def _count(values: Sequence[Any]) -> int:
    return int(values[0])


def _load(conn: Connection, case_id: int) -> int:
    return _count(
        conn.execute(
            select(func.count()).where(VISITS.c.case_id == bindparam("case_id")),
            {"case_id": case_id},
        ).one()
    )


KIND = EvidenceKind(
    name="visits",
    create=Create(
        schema=VisitIn,
        write=_write,
        summary="Record a visit to the organisation.",
        title=Words("Reģistrēt vizīti", "Record a visit"),
        done=Words("Reģistrēta vizīte", "Visit recorded"),
        may=Words("reģistrēt vizītes", "record visits"),
        fields={
            "topic": FieldSpec(Words("Temats", "Subject")),
            "body": FieldSpec(Words("Piezīmes", "Notes")),
            "visited_on": FieldSpec(Words("Datums", "Date")),
        },
    ),
    facts=FactSource(
        load=_load,
        columns=(
            select(func.count(VISITS.c.id))
            .where(VISITS.c.case_id == chain.cases.c.id)
            .correlate(chain.cases)
            .scalar_subquery(),
        ),
        from_columns=_count,
    ),
)

# --- the rest of the walk -----------------------------------------------------------


@pytest.fixture
def visits() -> Iterator[EvidenceKind[int]]:
    """The kind registered as workflow/evidence/__init__.py registers the built-in ones."""
    register(KIND)
    yield KIND
    unregister(KIND.name)


def _policy_dir(tmp_path: Path) -> Path:
    """The programme's policy with ``visits`` granted to coordinators (the walk's policy
    edit)."""
    out = tmp_path / "policies"
    out.mkdir()
    text = (ROOT / "policies" / "programme.yaml").read_text(encoding="utf-8")
    granted = "evidence: [analysis, consultations, sources, applications, notes]"
    assert granted in text
    (out / "programme.yaml").write_text(
        text.replace(granted, granted[:-1] + ", visits]", 1), encoding="utf-8"
    )
    return out


@pytest.fixture
def visits_app(
    visits: EvidenceKind[int], demo_url: str, web_clock: Clock, tmp_path: Path
) -> Iterator[Flask]:
    """The demo programme under the policy granting visits, with the visits table."""
    app = make_app(
        demo_url, load_rules(ROOT / "states", _policy_dir(tmp_path)), web_clock, tmp_path
    )
    rt: Runtime = app.extensions["inkubators"]
    VISITS.metadata.create_all(rt.engine)
    yield app
    rt.engine.dispose()


@pytest.fixture
def keep_the_change(visits_app: Flask) -> int:
    rt: Runtime = visits_app.extensions["inkubators"]
    cases, _ = views.list_cases(rt, ADMIN, search="Keep The Change")
    return cases[0].id


def _visits(rt: Runtime) -> list[Any]:
    with rt.engine.connect() as conn:
        return list(conn.execute(select(VISITS).order_by(VISITS.c.id)))


def test_the_policy_may_grant_the_kind_once_it_is_declared(tmp_path: Path) -> None:
    policies = _policy_dir(tmp_path)
    with pytest.raises(PolicyError) as exc:
        load_rules(ROOT / "states", policies)
    kinds = ", ".join(k.name for k in registry.kinds())
    [problem] = exc.value.problems  # named with its file, line and column, like every other
    assert re.fullmatch(
        r"policies/programme\.yaml: line \d+, column \d+: roles\.coordinator\.evidence\[5\]: "
        + re.escape(f"'visits' is not an evidence kind (kinds: {kinds})"),
        problem,
    ), problem
    register(KIND)
    try:
        rules = load_rules(ROOT / "states", policies)
    finally:
        unregister(KIND.name)
    assert permissions.roles_allowed(rules, "evidence", "visits") == ["coordinator"]


def _api(app: Flask, name: str) -> tuple[FlaskClient, dict[str, str]]:
    token = create_token(app.extensions["inkubators"], name)
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def test_the_api_records_it_and_its_audit_event_joins_the_chain(
    visits_app: Flask, keep_the_change: int
) -> None:
    rt: Runtime = visits_app.extensions["inkubators"]
    client, coordinator = _api(visits_app, "ilze")
    url = f"/api/v1/cases/{keep_the_change}/visits"
    version = views.case_detail(rt, None, keep_the_change).version
    r = client.post(
        url, json={"topic": "Valde", "body": "Jauna valde no marta."}, headers=coordinator
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["version"] == version + 1
    event = body["event"]
    assert (event["kind"], event["trigger"], event["seq"]) == (
        "evidence",
        "record_visits",
        version + 1,
    )
    assert event["payload"] == {
        "visit_id": body["id"],
        "topic": "Valde",
        "body": "Jauna valde no marta.",
        "visited_on": "2024-02-20",
    }
    with rt.engine.connect() as conn:
        stored = conn.execute(
            select(chain.events).where(
                chain.events.c.case_id == keep_the_change, chain.events.c.seq == event["seq"]
            )
        ).one()
    assert chain.event_hash(stored._asdict()) == stored.hash == event["hash"]
    assert auditlog.verify(rt).ok
    assert [(n.id, n.topic, n.recorded_by) for n in _visits(rt)] == [(body["id"], "Valde", "ilze")]

    stale = client.post(
        f"{url}?expected_version={version}", json={"topic": "t", "body": "b"}, headers=coordinator
    )
    assert stale.status_code == 409
    invalid = client.post(url, json={"body": "no subject"}, headers=coordinator)
    assert invalid.status_code == 422
    assert invalid.content_type == "application/problem+json"
    assert [e["field"] for e in invalid.get_json()["errors"]] == ["topic"]

    _, mentor = _api(visits_app, "janis")
    refused = client.post(url, json={"topic": "t", "body": "b"}, headers=mentor)
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["detail"] == "'record visits' is not allowed for role 'mentor'"
    assert len(_visits(rt)) == 1
    assert views.case_detail(rt, None, keep_the_change).version == version + 1

    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/cases/{case_id}/visits"]["post"]
    assert op["operationId"] == "record_visits"
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VisitIn"
    }
    assert "`evidence: visits`): coordinator." in op["description"]


def test_the_form_records_it_and_says_it_in_words(visits_app: Flask, keep_the_change: int) -> None:
    rt: Runtime = visits_app.extensions["inkubators"]
    ilze = visits_app.test_client()
    login(ilze, "ilze")
    case_page = ilze.get(f"/cases/{keep_the_change}").get_data(as_text=True)
    assert f'<a href="/cases/{keep_the_change}/visits">Reģistrēt vizīti</a>' in case_page

    form = ilze.get(f"/cases/{keep_the_change}/visits")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "<h1>Reģistrēt vizīti</h1>" in page
    assert '<label for="topic">Temats</label>' in page
    # long text gets a text area; text is held to the model's limit
    assert '<textarea id="body" maxlength="5000" name="body">' in page
    assert 'id="topic" maxlength="300" name="topic" type="text"' in page
    assert 'name="visited_on" type="date"' in page

    invalid = ilze.post(f"/cases/{keep_the_change}/visits", data={"body": "bez temata"})
    assert invalid.status_code == 422
    assert 'id="topic-errors"' in invalid.get_data(as_text=True)
    assert _visits(rt) == []

    saved = ilze.post(
        f"/cases/{keep_the_change}/visits",
        data={
            "topic": "Budžets",
            "body": "Jāpārskata 2024. gada budžets.",
            "visited_on": "2024-02-19",
        },
    )
    assert saved.status_code == 302
    assert [(n.topic, n.visited_on) for n in _visits(rt)] == [("Budžets", date(2024, 2, 19))]
    history = ilze.get(f"/cases/{keep_the_change}").get_data(as_text=True).split('id="history"')[1]
    assert "Reģistrēta vizīte" in history
    assert "record_visits" not in history

    janis = visits_app.test_client()
    login(janis, "janis")
    refused = janis.get(f"/cases/{keep_the_change}/visits")
    assert refused.status_code == 403
    assert "Jūsu lomai tas nav atļauts: reģistrēt vizītes." in refused.get_data(as_text=True)


def test_the_audit_log_offers_and_names_its_events(visits_app: Flask, keep_the_change: int) -> None:
    client, coordinator = _api(visits_app, "ilze")
    client.post(
        f"/api/v1/cases/{keep_the_change}/visits",
        json={"topic": "t", "body": "b"},
        headers=coordinator,
    )
    auditor = visits_app.test_client()
    login(auditor, "revidents")
    auditor.post("/language", data={"lang": "en"})
    page = auditor.get("/audit/?trigger=record_visits").get_data(as_text=True)
    assert '<option value="record_visits" selected>Visit recorded</option>' in page
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 1 == rows.count("Visit recorded")
    exported = auditor.get("/audit/export.jsonl?trigger=record_visits").get_data(as_text=True)
    assert [json.loads(line)["trigger"] for line in exported.splitlines()] == ["record_visits"]


def test_its_facts_reach_guards_on_both_paths(visits_app: Flask, keep_the_change: int) -> None:
    rt: Runtime = visits_app.extensions["inkubators"]
    client, coordinator = _api(visits_app, "ilze")
    for topic in ("a", "b"):
        client.post(
            f"/api/v1/cases/{keep_the_change}/visits",
            json={"topic": topic, "body": "x"},
            headers=coordinator,
        )
    guard("visits_made", needs=("visits",))  # a guard may read the kind (not registered here)
    today = rt.today()
    with rt.engine.connect() as conn:
        assert KIND.fact(factloader.load_facts(conn, keep_the_change, {"visits"}, today)) == 2
        head, facts = factloader.load_head_and_facts(
            conn, keep_the_change, frozenset({"visits", "consultations", "sources"}), today
        )
    assert head.id == keep_the_change
    assert KIND.fact(facts) == 2
    assert facts.loaded["consultations"].count >= 1
    assert facts.loaded["sources"]


def test_nothing_of_it_stays_once_it_is_gone(visits_app: Flask) -> None:
    """Without its declaration the kind's paths are unknown and undocumented again: the
    routes are the registry's, not code of their own."""
    unregister(KIND.name)
    try:
        client, coordinator = _api(visits_app, "ilze")
        r = client.post(
            "/api/v1/cases/1/visits", json={"topic": "t", "body": "b"}, headers=coordinator
        )
        assert r.status_code == 404
        assert (
            "/api/v1/cases/{case_id}/visits"
            not in client.get("/api/v1/openapi.json").get_json()["paths"]
        )
    finally:
        register(KIND)  # for the fixture to take away


def test_every_choice_list_a_kind_may_name_is_filled_by_the_screens() -> None:
    """A kind picks its select's choices by name; the screens fill every name there is."""
    assert set(CHOICES) == set(get_args(ChoiceList))
    named = {
        spec.choices
        for kind in registry.kinds()
        for op in kind.operations
        for spec in op.fields.values()
        if spec.choices is not None
    }
    assert named <= set(CHOICES)
