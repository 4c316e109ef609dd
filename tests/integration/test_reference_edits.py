"""Editing an organisation, a cycle and a funding call: one transaction with its account
event, errors naming the field, nothing half-written, and ``audit verify`` binding the
edited rows afterwards. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from tests.conftest import COORDINATOR
from workflow import accountlog, auditlog, enrolment, referencedit, registry
from workflow.accounts import acting_user, add_user
from workflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflow.orm import AccountEvent
from workflow.referencedit import CyclePatch, FundingSourcePatch, OrganisationPatch
from workflow.runtime import Runtime
from workflow.schemas import UserIn


def events(rt: Runtime) -> int:
    with rt.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AccountEvent)).scalar_one())


def test_an_organisation_edit_is_stored_and_audited(
    rt: Runtime, make_org: Callable[..., int]
) -> None:
    org = make_org(name="Kultūrbāka", reg_no="40008000001")
    before = events(rt)
    row = referencedit.edit_organisation(
        rt, COORDINATOR, org, OrganisationPatch(name="kultūrBĀKA", fields=["culture"])
    )
    assert (row["name"], row["reg_no"], row["fields"]) == ("kultūrBĀKA", "40008000001", ["culture"])
    assert [o.name for o in registry.list_organisations(rt)] == ["kultūrBĀKA"]
    assert events(rt) == before + 1
    (last,) = accountlog.recent(rt, limit=1)
    assert (last.actor, last.action, last.subject) == (
        "ilze",
        "organisation_changed",
        f"organisation {org}",
    )
    assert last.details["changes"] == {
        "name": {"from": "Kultūrbāka", "to": "kultūrBĀKA"},
        "fields": {"from": ["social"], "to": ["culture"]},
    }
    assert accountlog.verify(rt).ok
    assert auditlog.verify(rt).ok


def test_the_same_values_change_and_record_nothing(
    rt: Runtime, make_org: Callable[..., int]
) -> None:
    org = make_org(name="Avots")
    before = events(rt)
    referencedit.edit_organisation(rt, COORDINATOR, org, OrganisationPatch(name="Avots"))
    assert events(rt) == before


def test_a_cycle_and_a_call_edited(
    rt: Runtime, make_cycle: Callable[..., int], make_source: Callable[..., int]
) -> None:
    cycle = make_cycle()
    row = referencedit.edit_cycle(
        rt,
        COORDINATOR,
        cycle,
        CyclePatch(ends_on=date(2024, 1, 31), budget_eur=Decimal("12000.50")),
    )
    assert (row["ends_on"], row["budget_eur"]) == (date(2024, 1, 31), Decimal("12000.50"))
    source = make_source()
    row = referencedit.edit_funding_source(
        rt, COORDINATOR, source, FundingSourcePatch(call_closes=date(2024, 2, 15))
    )
    assert row["call_closes"] == date(2024, 2, 15)
    details = [e.details["changes"] for e in accountlog.recent(rt, limit=2)]
    assert details == [
        {"call_closes": {"from": "2023-12-31", "to": "2024-02-15"}},
        {
            "ends_on": {"from": "2023-12-31", "to": "2024-01-31"},
            "budget_eur": {"from": "10000.00", "to": "12000.50"},
        },
    ]
    assert accountlog.verify(rt).ok


@pytest.mark.parametrize(
    ("kind", "patch", "field"),
    [
        ("cycle", CyclePatch(ends_on=date(2022, 1, 1)), "ends_on"),
        ("source", FundingSourcePatch(call_opens=date(2024, 6, 1)), "call_closes"),
        ("source", FundingSourcePatch(call_closes=None), "call_closes"),
        ("org", OrganisationPatch(reg_no="123"), "reg_no"),
        ("org", OrganisationPatch(name=None), "name"),
    ],
)
def test_a_refused_edit_names_its_field_and_writes_nothing(
    rt: Runtime,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
    make_source: Callable[..., int],
    kind: str,
    patch: OrganisationPatch | CyclePatch | FundingSourcePatch,
    field: str,
) -> None:
    ids = {"org": make_org(), "cycle": make_cycle(), "source": make_source()}
    edit = {
        "org": referencedit.edit_organisation,
        "cycle": referencedit.edit_cycle,
        "source": referencedit.edit_funding_source,
    }[kind]
    before = events(rt)
    with pytest.raises(InvalidInput) as exc:
        edit(rt, COORDINATOR, ids[kind], patch)  # type: ignore[operator]
    assert field in exc.value.errors
    assert events(rt) == before


def test_capacity_not_below_the_enrolled_cases(
    rt: Runtime, make_cycle: Callable[..., int], make_org: Callable[..., int]
) -> None:
    cycle = make_cycle()
    for _ in range(2):
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    with pytest.raises(InvalidInput) as exc:
        referencedit.edit_cycle(rt, COORDINATOR, cycle, CyclePatch(capacity=1))
    assert "2 cases are enrolled" in exc.value.errors["capacity"]
    assert referencedit.edit_cycle(rt, COORDINATOR, cycle, CyclePatch(capacity=2))["capacity"] == 2


def test_a_taken_register_number_is_a_conflict(rt: Runtime, make_org: Callable[..., int]) -> None:
    make_org(reg_no="40008000001")
    other = make_org(reg_no="40008000002", name="Otra")
    before = events(rt)
    with pytest.raises(Conflict):
        referencedit.edit_organisation(
            rt, COORDINATOR, other, OrganisationPatch(reg_no="40008000001", name="Jaunā")
        )
    assert events(rt) == before
    assert {o.name for o in registry.list_organisations(rt)} == {"Biedrība 0", "Otra"}


def test_unknown_row_and_a_role_without_the_right(
    rt: Runtime, make_org: Callable[..., int]
) -> None:
    org = make_org()
    with pytest.raises(NotFound):
        referencedit.edit_organisation(rt, COORDINATOR, 999_999, OrganisationPatch(name="X"))
    add_user(rt, UserIn(name="anna", role="mentor"))
    with pytest.raises(Forbidden):
        referencedit.edit_organisation(
            rt, acting_user(rt, "anna"), org, OrganisationPatch(name="X")
        )


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("organisations", "UPDATE organisations SET name = 'Viltota' WHERE id = :id"),
        ("cycles", "UPDATE cycles SET budget_eur = 99999 WHERE id = :id"),
        ("funding_sources", "UPDATE funding_sources SET call_closes = '2030-01-01' WHERE id = :id"),
    ],
)
def test_verify_names_an_edited_row_changed_behind_the_engines_back(
    rt: Runtime,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
    make_source: Callable[..., int],
    table: str,
    statement: str,
) -> None:
    row_id = {
        "organisations": lambda: referencedit.edit_organisation(
            rt, COORDINATOR, make_org(), OrganisationPatch(name="Labota")
        ),
        "cycles": lambda: referencedit.edit_cycle(
            rt, COORDINATOR, make_cycle(), CyclePatch(capacity=10)
        ),
        "funding_sources": lambda: referencedit.edit_funding_source(
            rt, COORDINATOR, make_source(), FundingSourcePatch(call_closes=date(2024, 1, 1))
        ),
    }[table]()["id"]
    assert accountlog.verify(rt).ok
    with rt.engine.begin() as conn:
        conn.execute(text(statement), {"id": row_id})
    result = accountlog.verify(rt)
    assert not result.ok
    assert result.problem is not None
    assert result.problem.en.startswith(f"{table} {row_id}: its content differs")
