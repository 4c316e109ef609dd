"""Two sessions racing on the same case, the same last place or the last admin, on SQLite
and PostgreSQL.

Each contender has its own engine (its own connection pool, as two web workers would)
and starts at a shared ``threading.Barrier``. Exactly one wins; the loser gets a clear
conflict error; the audit log holds exactly one new event and still verifies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from tests.conftest import COORDINATOR, Clock, make_runtime
from tests.integration.conftest import stored
from workflow import (
    accountlog,
    accounts,
    advance,
    auditlog,
    enrolment,
    recording,
    registry,
)
from workflow.actors import Actor
from workflow.casewrite import Recorded
from workflow.errors import Conflict, Ineligible, StaleCase, TransitionNotAllowed, WorkflowError
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.sources import SelectionIn
from workflow.rules import Rules
from workflow.runtime import Runtime
from workflow.schemas import OrganisationIn, UserChange, UserIn

ROUNDS = 4


@pytest.fixture
def other_rt(db_url: str, rules: Rules, clock: Clock) -> Iterator[Runtime]:
    """A second runtime on the same database, with its own engine."""
    runtime = make_runtime(db_url, rules, clock)
    yield runtime
    runtime.engine.dispose()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread from a common start; return results or errors."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            out[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a contender hung"
    return out


@pytest.mark.parametrize("with_version", [True, False], ids=["expected_version", "no_version"])
def test_two_sessions_firing_the_same_trigger_exactly_one_wins(
    rt: Runtime, other_rt: Runtime, make_case: Callable[..., int], with_version: bool
) -> None:
    for _ in range(ROUNDS):
        case_id = make_case()
        recording.record(rt, COORDINATOR, case_id, AnalysisIn(findings="f", need_areas=["pr"]))
        before = stored(rt, case_id)
        version = before.version if with_version else None
        results = race(
            *(
                partial(advance.fire, r, COORDINATOR, case_id, "analyse", expected_version=version)
                for r in (rt, other_rt)
            )
        )
        wins = [r for r in results if isinstance(r, advance.TransitionResult)]
        losses = [r for r in results if isinstance(r, Exception)]
        assert len(wins) == 1, results
        assert len(losses) == 1, results
        assert isinstance(losses[0], StaleCase | TransitionNotAllowed), repr(losses[0])
        if with_version:
            # the loser either read the old version and lost the UPDATE, or read the new one
            assert isinstance(losses[0], StaleCase)
        after = stored(rt, case_id)
        assert after.state == "analysed"
        assert after.version == before.version + 1
        assert after.events == before.events + 1
    assert auditlog.verify(rt).ok


def test_evidence_and_transition_racing_never_interleave(
    rt: Runtime, other_rt: Runtime, make_case: Callable[..., int]
) -> None:
    """A transition decided on version N never commits after evidence made it N+1."""
    for _ in range(ROUNDS):
        case_id = make_case()
        recording.record(rt, COORDINATOR, case_id, AnalysisIn(findings="f", need_areas=["pr"]))
        seen = stored(rt, case_id).version
        results = race(
            partial(advance.fire, rt, COORDINATOR, case_id, "analyse", expected_version=seen),
            partial(
                recording.record,
                other_rt,
                COORDINATOR,
                case_id,
                AnalysisIn(findings="g", need_areas=["pr"]),
                expected_version=seen,
            ),
        )
        ok = [r for r in results if not isinstance(r, Exception)]
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(ok) == 1, results
        assert len(errors) == 1, results
        assert isinstance(errors[0], StaleCase)
        assert stored(rt, case_id).version == seen + 1
    assert auditlog.verify(rt).ok


def test_two_enrolments_into_the_last_place_exactly_one_succeeds(
    rt: Runtime,
    other_rt: Runtime,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
) -> None:
    for n in range(ROUNDS):
        cycle = make_cycle(name=f"Gandrīz pilns {n}", capacity=2)
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle)
        first, second = make_org(), make_org()
        results = race(
            partial(enrolment.enrol, rt, COORDINATOR, first, cycle),
            partial(enrolment.enrol, other_rt, COORDINATOR, second, cycle),
        )
        ok = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if isinstance(r, WorkflowError)]
        assert len(ok) == 1, results
        assert len(refused) == 1, results
        assert isinstance(refused[0], Conflict)
        assert refused[0].code == "cycle_full"
        assert str(refused[0]) == f"Gandrīz pilns {n} is full: 2 of 2 places taken"
    assert auditlog.verify(rt).ok


def test_one_organisation_enrolled_twice_at_once_gets_one_case(
    rt: Runtime,
    other_rt: Runtime,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
) -> None:
    for _ in range(ROUNDS):
        cycle, org = make_cycle(), make_org()
        results = race(
            partial(enrolment.enrol, rt, COORDINATOR, org, cycle),
            partial(enrolment.enrol, other_rt, COORDINATOR, org, cycle),
        )
        assert len([r for r in results if isinstance(r, int)]) == 1, results
        (refused,) = [r for r in results if isinstance(r, Exception)]
        assert isinstance(refused, Conflict)
        assert refused.code == "already_enrolled"


def test_one_organisation_into_two_cycles_at_once_keeps_the_policys_cycle_limit(
    rt: Runtime,
    other_rt: Runtime,
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
) -> None:
    """The policy allows 3 cycles per organisation: with 2 behind it, two enrolments into
    two different cycles at once (each locking only its own cycle) must not both pass."""
    limit = rt.rules.policy.spec.eligibility.max_cycles_per_organisation
    assert limit == 3
    for _ in range(ROUNDS):
        org = make_org()
        for _ in range(limit - 1):
            enrolment.enrol(rt, COORDINATOR, org, make_cycle())
        results = race(
            partial(enrolment.enrol, rt, COORDINATOR, org, make_cycle()),
            partial(enrolment.enrol, other_rt, COORDINATOR, org, make_cycle()),
        )
        assert len([r for r in results if isinstance(r, int)]) == 1, results
        (refused,) = [r for r in results if isinstance(r, Exception)]
        assert isinstance(refused, Ineligible), refused


def test_one_source_selected_twice_at_once_is_one_selection_and_one_clear_conflict(
    rt: Runtime,
    other_rt: Runtime,
    make_case: Callable[..., int],
    make_source: Callable[..., int],
) -> None:
    """Evidence writers hold the case row: the second sees the first's selection and says
    so, never a raw unique-index error from the database."""
    for _ in range(ROUNDS):
        case_id, src = make_case(), make_source()
        results = race(
            partial(recording.record, rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src)),
            partial(
                recording.record,
                other_rt,
                COORDINATOR,
                case_id,
                SelectionIn(funding_source_id=src),
            ),
        )
        assert len([r for r in results if isinstance(r, Recorded)]) == 1, results
        (refused,) = [r for r in results if isinstance(r, Exception)]
        assert isinstance(refused, Conflict), refused
        assert refused.code == "duplicate"
    assert auditlog.verify(rt).ok


def test_two_last_admins_demoting_each_other_at_once_leave_one_admin(
    rt: Runtime, other_rt: Runtime
) -> None:
    for name in ("admins", "otrs"):
        accounts.add_user(rt, UserIn(name=name, role="admin"), "ilga-parole-123")
    for _ in range(ROUNDS):
        results = race(
            partial(
                accounts.change_user,
                rt,
                "otrs",
                UserChange(role="auditor"),
                Actor("admins", "admin"),
            ),
            partial(
                accounts.change_user,
                other_rt,
                "admins",
                UserChange(role="auditor"),
                Actor("otrs", "admin"),
            ),
        )
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1, results
        assert isinstance(refused[0], Conflict)
        assert refused[0].code == "last_admin"
        admins = [u.name for u in accounts.list_users(rt) if u.role == "admin" and u.active]
        assert len(admins) == 1
        demoted = "otrs" if admins == ["admins"] else "admins"
        accounts.change_user(rt, demoted, UserChange(role="admin"))  # the next round
    assert accountlog.verify(rt).ok


def test_one_register_number_registered_twice_at_once_is_one_organisation(
    rt: Runtime, other_rt: Runtime
) -> None:
    for n in range(ROUNDS):
        data = OrganisationIn(
            name=f"Biedrība {n}", reg_no=f"4000800{n:04d}", legal_form="association"
        )
        results = race(
            partial(registry.create_organisation, rt, COORDINATOR, data),
            partial(registry.create_organisation, other_rt, COORDINATOR, data),
        )
        (refused,) = [r for r in results if isinstance(r, Exception)]
        assert isinstance(refused, Conflict), refused
        assert (refused.code, str(refused)) == (
            "duplicate",
            f"an organisation with reg_no 4000800{n:04d} exists",
        )
    assert len(registry.list_organisations(rt)) == ROUNDS
