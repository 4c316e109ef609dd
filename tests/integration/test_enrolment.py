"""Enrolment on both databases: capacity, duplicates, eligibility and who may enrol."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import AUDITOR, COORDINATOR
from tests.integration.conftest import Stored, stored
from workflow import auditlog, enrolment, views
from workflow.actors import Actor
from workflow.errors import Conflict, Forbidden, Ineligible, NotFound
from workflow.runtime import Runtime

MENTOR = Actor("janis", "mentor", None)


def count_cases(rt: Runtime, cycle_id: int) -> int:
    page, _ = views.list_cases(rt, COORDINATOR, cycle_id=cycle_id, limit=100)
    return len(page)


def test_enrolment_opens_a_case_with_its_first_audit_event(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    case_id = enrolment.enrol(rt, COORDINATOR, make_org(), make_cycle(), comment="pieteicās")
    assert stored(rt, case_id) == Stored("enrolled", 1, 1, 1)
    (event,) = views.case_detail(rt, COORDINATOR, case_id).history
    assert event.kind == "enrol"
    assert event.to_state == "enrolled"
    assert auditlog.verify(rt).ok


def test_sixteenth_enrolment_into_a_cycle_of_fifteen_is_refused(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    cycle = make_cycle(name="Pilns cikls")  # capacity from the policy's cycle_defaults: 15
    for _ in range(15):
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    late = make_org(name="Vēlā biedrība")
    with pytest.raises(Conflict) as exc:
        enrolment.enrol(rt, COORDINATOR, late, cycle)
    assert exc.value.code == "cycle_full"
    assert str(exc.value) == "Pilns cikls is full: 15 of 15 places taken"
    assert exc.value.message_lv == "Pilns cikls ir pilns: visas 15 vietas ir aizņemtas."
    assert count_cases(rt, cycle) == 15
    # another cycle still has room
    assert enrolment.enrol(rt, COORDINATOR, late, make_cycle())


def test_capacity_is_the_cycles_own(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    cycle = make_cycle(name="Mazs", capacity=2)
    enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    with pytest.raises(Conflict) as exc:
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    assert exc.value.code == "cycle_full"
    assert str(exc.value) == "Mazs is full: 2 of 2 places taken"
    assert exc.value.message_lv == "Mazs ir pilns: visas 2 vietas ir aizņemtas."


def test_an_organisation_cannot_enrol_twice_in_one_cycle(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    org = make_org(name="Liepājas Jauniešu biedrība")
    cycle = make_cycle(name="Cikls A")
    first = enrolment.enrol(rt, COORDINATOR, org, cycle)
    with pytest.raises(Conflict) as exc:
        enrolment.enrol(rt, COORDINATOR, org, cycle)
    assert exc.value.code == "already_enrolled"
    assert (
        str(exc.value)
        == f"Liepājas Jauniešu biedrība is already enrolled in Cikls A (case {first})"
    )
    assert exc.value.message_lv == (
        f"Liepājas Jauniešu biedrība jau ir uzņemta ciklā Cikls A (lieta {first})."
    )
    assert count_cases(rt, cycle) == 1


def test_excluded_field_of_activity_is_refused_with_its_reason(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    org = make_org(name="DzĪB Ezerkrasts", fields=["real_estate_management", "social"])
    cycle = make_cycle()
    with pytest.raises(Ineligible) as exc:
        enrolment.enrol(rt, COORDINATOR, org, cycle)
    assert exc.value.reasons == [
        "field of activity real_estate_management is excluded from the programme by policy"
    ]
    assert exc.value.reasons_lv == [
        "Programma neattiecas uz darbības jomu: nekustamā īpašuma apsaimniekošana."
    ]
    assert count_cases(rt, cycle) == 0


def test_legal_form_outside_the_policy_is_refused(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    org = make_org(legal_form="limited_company")
    with pytest.raises(Ineligible) as exc:
        enrolment.enrol(rt, COORDINATOR, org, make_cycle())
    assert exc.value.reasons == [
        "legal form 'limited_company' is not admitted (admitted: association, foundation)"
    ]
    assert exc.value.reasons_lv == [
        "Juridiskā forma “limited_company” netiek pieņemta (pieņem: biedrība, nodibinājums)."
    ]


def test_every_failed_rule_is_listed(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    org = make_org(legal_form="cooperative", fields=["real_estate_management"])
    with pytest.raises(Ineligible) as exc:
        enrolment.enrol(rt, COORDINATOR, org, make_cycle())
    assert exc.value.reasons == [
        "field of activity real_estate_management is excluded from the programme by policy",
        "legal form 'cooperative' is not admitted (admitted: association, foundation)",
    ]
    assert exc.value.reasons_lv == [
        "Programma neattiecas uz darbības jomu: nekustamā īpašuma apsaimniekošana.",
        "Juridiskā forma “cooperative” netiek pieņemta (pieņem: biedrība, nodibinājums).",
    ]
    assert str(exc.value).startswith("not eligible: field of activity real_estate_management")


def test_at_most_three_cycles_per_organisation(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    org = make_org()
    for _ in range(3):
        enrolment.enrol(rt, COORDINATOR, org, make_cycle())
    fourth = make_cycle()
    with pytest.raises(Ineligible) as exc:
        enrolment.enrol(rt, COORDINATOR, org, fourth)
    assert exc.value.reasons == [
        "the organisation has already taken part in 3 cycle(s); the policy allows at most 3"
    ]
    assert exc.value.reasons_lv == [
        "Organizācija jau ir piedalījusies 3 ciklos; noteikumi atļauj ne vairāk kā 3."
    ]
    assert count_cases(rt, fourth) == 0


@pytest.mark.parametrize("actor", [MENTOR, AUDITOR], ids=["mentor", "auditor"])
def test_only_roles_with_enrol_may_enrol(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int], actor: Actor
) -> None:
    cycle = make_cycle()
    with pytest.raises(Forbidden) as exc:
        enrolment.enrol(rt, actor, make_org(), cycle)
    assert str(exc.value) == f"'enrol' is not allowed for role {actor.role!r}"
    assert count_cases(rt, cycle) == 0


def test_unknown_cycle_or_organisation(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    with pytest.raises(NotFound) as exc:
        enrolment.enrol(rt, COORDINATOR, make_org(), 9999)
    assert str(exc.value) == "cycle 9999 not found"
    with pytest.raises(NotFound) as exc:
        enrolment.enrol(rt, COORDINATOR, 9999, make_cycle())
    assert str(exc.value) == "organisation 9999 not found"
