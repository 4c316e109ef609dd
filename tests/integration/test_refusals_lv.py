"""Refusals a person reads carry their Latvian sentence from where the rule is known:
duplicates in the registers and accounts, and the Latvian singular after 1, 21, 31…"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import COORDINATOR
from workflow import accounts, enrolment, registry
from workflow.eligibility import eligibility_reasons
from workflow.errors import Conflict, Ineligible
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, OrganisationIn, UserIn


def test_a_second_organisation_with_one_register_number_is_refused_in_both_languages(
    rt: Runtime, make_org: Callable[..., int]
) -> None:
    make_org(reg_no="40008000001")
    with pytest.raises(Conflict) as exc:
        registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(name="Cita", reg_no="40008000001", legal_form="association"),
        )
    assert (exc.value.code, str(exc.value)) == (
        "duplicate",
        "an organisation with reg_no 40008000001 exists",
    )
    assert exc.value.message_lv == (
        "Organizācija ar reģistrācijas numuru 40008000001 jau ir reģistrēta."
    )


def test_a_second_cycle_with_one_name_is_refused_in_both_languages(
    rt: Runtime, make_cycle: Callable[..., int]
) -> None:
    make_cycle(name="Pavasaris")
    with pytest.raises(Conflict) as exc:
        registry.create_cycle(
            rt,
            COORDINATOR,
            CycleIn(name="Pavasaris", starts_on=date(2024, 3, 1), ends_on=date(2024, 6, 30)),
        )
    assert str(exc.value) == "a cycle named 'Pavasaris' exists"
    assert exc.value.message_lv == "Cikls ar nosaukumu Pavasaris jau pastāv."


def test_a_second_user_with_one_name_is_refused_in_both_languages(rt: Runtime) -> None:
    accounts.add_user(rt, UserIn(name="marta", role="mentor"))
    with pytest.raises(Conflict) as exc:
        accounts.add_user(rt, UserIn(name="marta", role="auditor"))
    assert str(exc.value) == "user 'marta' exists"
    assert exc.value.message_lv == "Lietotājs marta jau pastāv."


@pytest.mark.parametrize(
    ("capacity", "lv"),
    [
        (1, "Mazs ir pilns: 1 vieta ir aizņemta."),
        (11, "Mazs ir pilns: visas 11 vietas ir aizņemtas."),
        (21, "Mazs ir pilns: 21 vieta ir aizņemta."),
    ],
)
def test_a_full_cycle_says_its_places_with_latvian_agreement(
    rt: Runtime,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
    capacity: int,
    lv: str,
) -> None:
    cycle = make_cycle(name="Mazs", capacity=capacity)
    for _ in range(capacity):
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    with pytest.raises(Conflict) as exc:
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
    assert str(exc.value) == f"Mazs is full: {capacity} of {capacity} places taken"
    assert exc.value.message_lv == lv


def _policy(**eligibility: Any) -> Any:
    rules: dict[str, Any] = {
        "excluded_fields": [],
        "allowed_legal_forms": [],
        "max_cycles_per_organisation": None,
    }
    rules.update(eligibility)
    return SimpleNamespace(spec=SimpleNamespace(eligibility=SimpleNamespace(**rules)))


@pytest.mark.parametrize(
    ("n", "lv"),
    [
        (1, "Organizācija jau ir piedalījusies 1 ciklā; noteikumi atļauj ne vairāk kā 1."),
        (11, "Organizācija jau ir piedalījusies 11 ciklos; noteikumi atļauj ne vairāk kā 1."),
        (21, "Organizācija jau ir piedalījusies 21 ciklā; noteikumi atļauj ne vairāk kā 1."),
    ],
)
def test_the_cycle_limit_says_cycles_with_latvian_agreement(n: int, lv: str) -> None:
    org: Any = SimpleNamespace(fields=["social"], legal_form="association")
    (reason,) = eligibility_reasons(_policy(max_cycles_per_organisation=1), org, n)
    assert reason.lv == lv
    assert reason.en == (
        f"the organisation has already taken part in {n} cycle(s); the policy allows at most 1"
    )


def test_several_excluded_fields_are_named_in_latvian_and_an_unknown_code_as_it_is() -> None:
    org: Any = SimpleNamespace(
        fields=["youth", "real_estate_management", "beekeeping"], legal_form="association"
    )
    policy = _policy(excluded_fields=["real_estate_management", "beekeeping"])
    assert [tuple(r) for r in eligibility_reasons(policy, org, 0)] == [
        (
            "field of activity beekeeping, real_estate_management is excluded from the "
            "programme by policy",
            "Programma neattiecas uz darbības jomu: beekeeping, nekustamā īpašuma apsaimniekošana.",
        )
    ]


def test_latvian_reasons_must_pair_with_the_english_ones() -> None:
    assert Ineligible(["a", "b"]).reasons_lv == []
    with pytest.raises(ValueError, match="1 reasons for 2"):
        Ineligible(["a", "b"], ["viens"])
    assert Conflict("x").message_lv is None
