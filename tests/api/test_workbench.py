"""The coordinator's workbench through the API, on SQLite and PostgreSQL: "my work" in
order of urgency with the guards' reasons, mentors assigned in bulk, consultations
recorded only as oneself unless the policy lets a role record for others, and a cycle's
budget with its warnings and the refusal of hours it cannot pay."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import ROLES, SECRET, USER_OF, Api
from tests.conftest import Clock
from web import create_app
from workflow import auditquery
from workflow.accounts import add_user
from workflow.runtime import Runtime
from workflow.schemas import UserIn
from workflow.settings import Settings
from workflow.tokens import create_token


@pytest.fixture
def wapi(rt: Runtime, db_url: str) -> Iterator[Api]:
    """The app on this test's database (both kinds), a token per role and one for a
    second mentor, ``janis``."""
    app = create_app(Settings(mode="test", database_url=db_url, secret_key=SECRET), runtime=rt)
    tokens = {}
    for role in ROLES:
        add_user(rt, UserIn(name=USER_OF[role], role=role))  # type: ignore[arg-type]
        tokens[role] = create_token(rt, USER_OF[role])
    add_user(rt, UserIn(name="janis", role="mentor"))
    tokens["janis"] = create_token(rt, "janis")
    with app.test_client() as client:
        yield Api(client, tokens)


def _org(api: Api, name: str, reg_no: str) -> int:
    body = {"name": name, "reg_no": reg_no, "legal_form": "association", "fields": ["social"]}
    return int(api.ok("POST", "/organisations", body, 201)["id"])


def _cycle(api: Api, budget: str = "10000") -> int:
    body = {
        "name": f"Cikls {budget}",
        "starts_on": "2023-03-01",
        "ends_on": "2023-12-31",
        "budget_eur": budget,
    }
    return int(api.ok("POST", "/cycles", body, 201)["id"])


def _enrol(api: Api, cycle: int, name: str, reg_no: str) -> int:
    org = _org(api, name, reg_no)
    return int(api.ok("POST", "/cases", {"organisation_id": org, "cycle_id": cycle}, 201)["id"])


def _consult(hours: str, mentor: str = "anna", held_on: str = "2023-03-10") -> dict[str, Any]:
    return {"mentor": mentor, "held_on": held_on, "hours": hours, "topic": "Finansējums"}


def test_my_work_lists_open_cases_most_urgent_first_with_the_guards_reasons(
    wapi: Api, clock: Clock
) -> None:
    cycle = _cycle(wapi)
    early = _enrol(wapi, cycle, "Agrā biedrība", "40008000101")  # due 22.03 (21 days)
    clock.set("2023-03-10")
    late = _enrol(wapi, cycle, "Vēlā biedrība", "40008000102")  # due 31.03
    calling = _enrol(wapi, cycle, "Konkursa biedrība", "40008000103")  # due 31.03 ...
    source = {
        "funder": "Fonds",
        "programme": "Īsais konkurss",
        "call_opens": "2023-03-01",
        "call_closes": "2023-03-25",  # ... but its selected call closes on 25.03
        "max_grant_eur": "5000",
        "domains": ["social"],
    }
    src = wapi.ok("POST", "/funding-sources", source, 201)["id"]
    wapi.ok("POST", f"/cases/{calling}/sources", {"funding_source_id": src}, 201)
    gone = _enrol(wapi, cycle, "Aizgājusī biedrība", "40008000104")
    wapi.ok("POST", f"/cases/{gone}/transitions", {"trigger": "withdraw", "comment": "Slēdz"})
    clock.set("2023-03-23")

    work = wapi.ok("GET", "/me/work")
    items = work["items"]
    assert (work["total"], work["overdue"]) == (3, 1)

    assert [i["case_id"] for i in items] == [early, calling, late]  # the closed one is gone
    first = items[0]
    assert first == {
        **first,
        "organisation": "Agrā biedrība",
        "state": "enrolled",
        "next_trigger": "analyse",
        "due_on": "2023-03-22",
        "due_kind": "state_deadline",
        "overdue": True,
        "days_left": -1,
        "possible": False,
        "may_fire": True,
        "reason": "no needs analysis recorded yet",
        "reason_lv": "vajadzību analīze vēl nav reģistrēta",
    }
    assert (items[1]["due_on"], items[1]["due_kind"], items[1]["overdue"]) == (
        "2023-03-25",
        "call_closes",
        False,
    )
    assert (items[2]["due_on"], items[2]["due_kind"]) == ("2023-03-31", "state_deadline")
    # the reason is the case page's own: the same guard's words
    case = wapi.ok("GET", f"/cases/{early}")
    analyse = next(t for t in case["triggers"] if t["trigger"] == "analyse")
    assert [b["message"] for b in analyse["blocked_by"]] == [first["reason"]]

    # a mentor's work is the cases assigned to them, and nobody else's
    assert wapi.ok("GET", "/me/work", role="mentor")["items"] == []
    wapi.ok("POST", f"/cases/{late}/mentor", {"mentor": "anna"})
    mine = wapi.ok("GET", "/me/work", role="mentor")["items"]
    assert [(i["case_id"], i["mentor"], i["may_fire"]) for i in mine] == [(late, "anna", False)]
    assert wapi.ok("GET", "/me/work", role="janis")["items"] == []
    first_only = wapi.ok("GET", "/me/work?limit=1")
    assert [i["case_id"] for i in first_only["items"]] == [early]
    assert first_only["total"] == 3  # every open case is counted, listed or not
    assert wapi.get("/me/work?limit=0").status_code == 422
    assert wapi.get("/me/work", role=None).status_code == 401


def test_bulk_assignment_writes_one_audited_event_per_case_and_lists_each_outcome(
    wapi: Api, rt: Runtime
) -> None:
    cycle = _cycle(wapi)
    a = _enrol(wapi, cycle, "Alfa", "40008000201")
    b = _enrol(wapi, cycle, "Beta", "40008000202")
    closed = _enrol(wapi, cycle, "Gamma", "40008000203")
    wapi.ok("POST", f"/cases/{closed}/transitions", {"trigger": "withdraw", "comment": "Slēdz"})

    out = wapi.ok(
        "POST", "/mentor-assignments", {"case_ids": [a, b, closed, 999], "mentor": "janis"}
    )

    assert out["assigned"] == 2
    assert [(r["case_id"], r["organisation"], r["outcome"]) for r in out["results"]] == [
        (a, "Alfa", "assigned"),
        (b, "Beta", "assigned"),
        (closed, "Gamma", "refused"),
        (999, None, "refused"),
    ]
    assert "closed" in out["results"][2]["reason_en"]
    assert out["results"][3]["reason_lv"] == "lieta 999 nav atrasta"
    for case_id in (a, b):
        event = auditquery.stored_event(rt, case_id, 2)
        assert (event.trigger, event.actor, event.payload["mentor"]) == (
            "assign_mentor",
            "ilze",
            "janis",
        )
    assert [i["case_id"] for i in wapi.ok("GET", "/me/work", role="janis")["items"]] == [a, b]

    again = wapi.ok("POST", "/mentor-assignments", {"case_ids": [a], "mentor": "janis"})
    assert (again["assigned"], again["results"][0]["outcome"]) == (0, "unchanged")
    assert wapi.ok("GET", f"/cases/{a}")["version"] == 2  # no event for no change

    # a name that is no mentor's: 422 naming the field, nothing written
    bad = wapi.post("/mentor-assignments", {"case_ids": [a, b], "mentor": "ilze"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.get_json()["errors"]] == ["mentor"]
    assert wapi.ok("GET", f"/cases/{b}")["mentor"] == "janis"
    # a role without the action is refused before anything
    refused = wapi.post("/mentor-assignments", {"case_ids": [a], "mentor": "anna"}, role="mentor")
    assert refused.status_code == 403
    empty = wapi.post("/mentor-assignments", {"case_ids": [], "mentor": "anna"})
    assert empty.status_code == 422


def test_a_mentor_records_only_as_themself_a_coordinator_for_a_named_mentor(
    wapi: Api, rt: Runtime, clock: Clock
) -> None:
    cycle = _cycle(wapi)
    case = _enrol(wapi, cycle, "Alfa", "40008000301")
    wapi.ok("POST", f"/cases/{case}/mentor", {"mentor": "anna"})
    clock.set("2023-03-20")

    other = wapi.post(f"/cases/{case}/consultations", _consult("2", mentor="janis"), role="mentor")
    assert other.status_code == 403
    assert "record_for_others" in other.get_json()["detail"]
    assert wapi.ok("GET", f"/cases/{case}")["evidence"]["consultation_count"] == 0

    own = wapi.ok("POST", f"/cases/{case}/consultations", _consult("2"), 201, role="mentor")
    assert (own["event"]["actor"], own["event"]["payload"]["mentor"]) == ("anna", "anna")

    for_anna = wapi.ok("POST", f"/cases/{case}/consultations", _consult("1.5"), 201)
    payload = for_anna["event"]["payload"]
    assert (for_anna["event"]["actor"], payload["mentor"], payload["entered_by"]) == (
        "ilze",
        "anna",
        "ilze",
    )
    hours = wapi.ok("GET", f"/cases/{case}")["evidence"]["consultation_hours"]
    assert Decimal(hours) == Decimal("3.5")


def test_the_budget_counts_hours_and_cost_lines_warns_and_refuses_an_overrun(
    wapi: Api, clock: Clock
) -> None:
    # policy: 50.00 EUR an hour, 12 hours planned per case, 150.00 per case, 1,000.00 per cycle
    cycle = _cycle(wapi, "3000")
    a = _enrol(wapi, cycle, "Alfa", "40008000401")
    b = _enrol(wapi, cycle, "Beta", "40008000402")
    clock.set("2023-03-20")
    url = f"/cycles/{cycle}/budget"

    fresh = wapi.ok("GET", url)
    assert {k: fresh[k] for k in ("budget_eur", "committed_eur", "spent_eur", "remaining_eur")} == {
        "budget_eur": "3000.00",
        "committed_eur": "2500.00",  # 2 x 12 h x 50 + 2 x 150 + 1,000
        "spent_eur": "1300.00",  # the cost lines
        "remaining_eur": "1700.00",
    }
    assert fresh["mentors"] == []
    assert fresh["warnings"] == []
    assert [(c["id"], c["count"], c["eur"]) for c in fresh["other_costs"]] == [
        ("needs_analysis", 2, "300.00"),
        ("seminars", 1, "1000.00"),
    ]

    wapi.ok("POST", f"/cases/{a}/consultations", _consult("10"), 201)
    wapi.ok("POST", f"/cases/{b}/consultations", _consult("12", mentor="janis"), 201)
    warned = wapi.ok("GET", url)  # 1,300 + 22 h x 50 = 2,400: 80 %
    assert (warned["spent_eur"], warned["remaining_eur"]) == ("2400.00", "600.00")
    assert [(m["mentor"], Decimal(m["hours"]), m["spent_eur"]) for m in warned["mentors"]] == [
        ("anna", Decimal(10), "500.00"),
        ("janis", Decimal(12), "600.00"),
    ]
    assert [(w["code"], w["percent"]) for w in warned["warnings"]] == [("spent", 80)]
    assert "80 %" in warned["warnings"][0]["message_en"]

    # 13 hours more would cost 650.00 with 600.00 left: refused on the field, nothing written
    over = wapi.post(f"/cases/{a}/consultations", _consult("13"))
    assert over.status_code == 422
    (error,) = over.get_json()["errors"]
    assert error["field"] == "hours"
    assert "over its budget of 3,000.00 EUR (600.00 EUR remains)" in error["message"]
    assert wapi.ok("GET", url)["spent_eur"] == "2400.00"

    wapi.ok("POST", f"/cases/{a}/consultations", _consult("12"), 201)  # exactly the budget
    full = wapi.ok("GET", url)
    assert (full["spent_eur"], full["remaining_eur"], full["used_percent"]) == (
        "3000.00",
        "0.00",
        "100.00",
    )
    assert [(w["code"], w["percent"]) for w in full["warnings"]] == [("spent", 100)]
    assert wapi.post(f"/cases/{b}/consultations", _consult("0.5")).status_code == 422

    assert wapi.get(url, role="mentor").status_code == 403
    assert wapi.ok("GET", url, role="auditor")["spent_eur"] == "3000.00"
    assert wapi.get("/cycles/999/budget").status_code == 404
