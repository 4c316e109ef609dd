"""Firing triggers on both databases: who may, from where, behind which guards, on which
version; a refused attempt writes nothing, a successful one exactly one chained event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import ADMIN, AUDITOR, COORDINATOR, ROOT, Clock, make_runtime
from tests.integration.conftest import Stored, stored
from workflow import accounts, advance, auditlog, enrolment, mentors, recording, views
from workflow.definitions import parse_states
from workflow.errors import (
    FailedGuard,
    Forbidden,
    GuardRejected,
    InvalidInput,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
)
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.policies import load_policy
from workflow.rules import compile_rules
from workflow.runtime import Runtime
from workflow.schemas import UserIn

ANALYSIS = AnalysisIn(findings="Nav stratēģijas", need_areas=["strategy"])


def test_successful_fire_moves_the_state_and_chains_one_event(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    rec = recording.record(rt, COORDINATOR, case_id, ANALYSIS)
    before = stored(rt, case_id)
    result = advance.fire(rt, COORDINATOR, case_id, "analyse", expected_version=2, comment="labi")
    assert (result.from_state, result.to_state, result.version) == ("enrolled", "analysed", 3)
    assert stored(rt, case_id) == Stored("analysed", 3, 3, before.all_events + 1)
    ev = result.event
    assert ev["seq"] == 3
    assert ev["kind"] == "transition"
    assert (ev["trigger"], ev["from_state"], ev["to_state"]) == ("analyse", "enrolled", "analysed")
    assert (ev["actor"], ev["role"], ev["comment"]) == ("ilze", "coordinator", "labi")
    assert ev["guards"] == [
        {
            "guard": "needs_analysis_recorded",
            "passed": True,
            "message": "needs analysis recorded (strategy)",
        }
    ]
    assert ev["prev_hash"] == rec.event["hash"]
    assert ev["policy_hash"] == rt.rules.policy_hash
    assert ev["states_hash"] == rt.rules.states_hash
    assert auditlog.verify(rt).ok


def test_trigger_not_declared_from_the_state(rt: Runtime, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    before = stored(rt, case_id)
    with pytest.raises(TransitionNotAllowed) as exc:
        advance.fire(rt, COORDINATOR, case_id, "submit")
    assert (exc.value.trigger, exc.value.state) == ("submit", "enrolled")
    assert str(exc.value) == "trigger 'submit' is not allowed from state 'enrolled'"
    assert stored(rt, case_id) == before


def test_nothing_leaves_a_final_state(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None]
) -> None:
    case_id = make_case()
    walk(case_id, "consulted")
    advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="Valde nolēma")
    assert stored(rt, case_id).state == "withdrawn"
    for trigger in ("withdraw", "analyse", "select_sources"):
        with pytest.raises(TransitionNotAllowed):
            advance.fire(rt, COORDINATOR, case_id, trigger, comment="vēlreiz")
    assert stored(rt, case_id).state == "withdrawn"


@pytest.mark.parametrize("state", ["enrolled", "sources_selected", "submitted"])
def test_withdraw_from_any_open_state_needs_a_reason(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None], state: str
) -> None:
    case_id = make_case()
    walk(case_id, state)
    before = stored(rt, case_id)
    with pytest.raises(GuardRejected) as exc:
        advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="  ")
    assert exc.value.failures == [
        FailedGuard(
            "reason_given", "a reason must be given in the comment", "komentārā jānorāda iemesls"
        )
    ]
    assert stored(rt, case_id) == before
    advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="Pārcēlās uz Rīgu")
    assert stored(rt, case_id).state == "withdrawn"


def test_guard_rejection_writes_nothing_and_says_why(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    before = stored(rt, case_id)
    with pytest.raises(GuardRejected) as exc:
        advance.fire(rt, COORDINATOR, case_id, "analyse")
    assert exc.value.trigger == "analyse"
    assert exc.value.failures == [
        FailedGuard(
            "needs_analysis_recorded",
            "no needs analysis recorded yet",
            "vajadzību analīze vēl nav reģistrēta",
        )
    ]
    assert (
        str(exc.value)
        == "analyse is blocked: needs_analysis_recorded: no needs analysis recorded yet"
    )
    assert stored(rt, case_id) == before


def test_guard_rejection_lists_every_failing_guard(
    db_url: str, clock: Clock, make_case: Callable[..., int]
) -> None:
    """With two guards on ``analyse`` both reasons come back, not just the first."""
    text = (ROOT / "states" / "incubation.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "guards: [needs_analysis_recorded]", "guards: [needs_analysis_recorded, reason_given]"
    )
    rules = compile_rules(
        parse_states(text, "states/incubation.yaml"), load_policy(ROOT / "policies")
    )
    two = make_runtime(db_url, rules, clock)
    try:
        case_id = make_case()
        with pytest.raises(GuardRejected) as exc:
            advance.fire(two, COORDINATOR, case_id, "analyse")
        assert [f.guard for f in exc.value.failures] == ["needs_analysis_recorded", "reason_given"]
        assert str(exc.value) == (
            "analyse is blocked: needs_analysis_recorded: no needs analysis recorded yet; "
            "reason_given: a reason must be given in the comment"
        )
        recording.record(two, COORDINATOR, case_id, ANALYSIS)
        with pytest.raises(GuardRejected) as exc:
            advance.fire(two, COORDINATOR, case_id, "analyse")
        assert [f.guard for f in exc.value.failures] == ["reason_given"]
        advance.fire(two, COORDINATOR, case_id, "analyse", comment="analīze apspriesta")
        assert stored(two, case_id).state == "analysed"
    finally:
        two.engine.dispose()


def test_stale_expected_version_is_refused_and_writes_nothing(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    recording.record(rt, COORDINATOR, case_id, ANALYSIS, expected_version=1)
    before = stored(rt, case_id)
    with pytest.raises(StaleCase) as exc:
        advance.fire(rt, COORDINATOR, case_id, "analyse", expected_version=1)
    assert (exc.value.case_id, exc.value.expected, exc.value.actual) == (case_id, 1, 2)
    assert str(exc.value) == (
        f"case {case_id} has changed: expected version 1, found 2; reload it and try again"
    )
    assert stored(rt, case_id) == before
    with pytest.raises(StaleCase):
        recording.record(rt, COORDINATOR, case_id, ANALYSIS, expected_version=1)
    assert stored(rt, case_id) == before


@pytest.mark.parametrize("trigger", ["analyse", "withdraw"])
def test_auditor_may_not_fire_and_nothing_is_written(
    rt: Runtime, make_case: Callable[..., int], trigger: str
) -> None:
    case_id = make_case()
    recording.record(rt, COORDINATOR, case_id, ANALYSIS)
    before = stored(rt, case_id)
    with pytest.raises(Forbidden) as exc:
        advance.fire(rt, AUDITOR, case_id, trigger, comment="x")
    assert str(exc.value) == f"{trigger!r} is not allowed for role 'auditor'"
    assert stored(rt, case_id) == before


def test_mentor_records_consultations_on_assigned_cases_only_and_fires_nothing(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    mentor = accounts.add_user(rt, UserIn(name="anna", role="mentor")).actor()
    mine, other = make_case(), make_case()
    mentors.assign_mentor(rt, COORDINATOR, mine, "anna")
    consultation = ConsultationIn(
        mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("1.5"), topic="Stratēģija"
    )
    before = stored(rt, other)
    with pytest.raises(Forbidden) as exc:
        recording.record(rt, mentor, other, consultation)
    assert str(exc.value) == "'access a case not assigned to you' is not allowed for role 'mentor'"
    assert stored(rt, other) == before
    rec = recording.record(rt, mentor, mine, consultation)
    assert rec.version == 3
    before = stored(rt, mine)
    with pytest.raises(Forbidden):
        recording.record(rt, mentor, mine, ANALYSIS)
    with pytest.raises(Forbidden) as exc:
        advance.fire(rt, mentor, mine, "analyse")
    assert str(exc.value) == "'analyse' is not allowed for role 'mentor'"
    assert stored(rt, mine) == before


def test_unknown_case(rt: Runtime) -> None:
    with pytest.raises(NotFound) as exc:
        advance.fire(rt, COORDINATOR, 424242, "analyse")
    assert str(exc.value) == "case 424242 not found"


def test_case_view_explains_each_trigger(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None]
) -> None:
    case_id = make_case()
    walk(case_id, "analysed")
    detail = views.case_detail(rt, COORDINATOR, case_id)
    by_trigger = {t.trigger: t for t in detail.triggers}
    consult = by_trigger["consult"]
    assert consult.allowed is False
    assert consult.role_allowed is True
    assert [(b.guard, b.message, b.message_lv) for b in consult.blocked_by] == [
        (
            "enough_consultations",
            "needs at least 1 consultation and 2 mentor hours; has 0 and 0",
            "vajag vismaz 1 konsultāciju un 2 mentoru stundas; ir 0 un 0",
        )
    ]
    assert by_trigger["withdraw"].allowed is False  # no reason in a view
    assert by_trigger["submit"].allowed is False
    assert by_trigger["submit"].blocked_by[0].guard == "state"
    auditor_view = views.case_detail(rt, AUDITOR, case_id)
    assert not any(t.role_allowed for t in auditor_view.triggers)
    # the view promises what fire does: the blocked trigger is refused for that reason
    with pytest.raises(GuardRejected) as exc:
        advance.fire(rt, COORDINATOR, case_id, "consult")
    assert exc.value.failures[0].message_en == consult.blocked_by[0].message


def test_walk_through_every_state_keeps_version_equal_to_events(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None]
) -> None:
    case_id = make_case()
    walk(case_id, "submitted")
    s = stored(rt, case_id)
    assert s.state == "submitted"
    assert s.version == s.events
    history = views.case_detail(rt, COORDINATOR, case_id).history
    assert [e.seq for e in history] == list(range(1, s.version + 1))
    transitions = [e.trigger for e in history if e.kind == "transition"]
    assert transitions == ["analyse", "consult", "select_sources", "draft_application", "submit"]
    assert auditlog.verify(rt).ok


def test_actor_is_recorded_as_given(rt: Runtime, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    recording.record(rt, ADMIN, case_id, ANALYSIS)
    r = advance.fire(rt, ADMIN, case_id, "analyse")
    assert (r.event["actor"], r.event["role"]) == ("admins", "admin")


def test_an_unknown_trigger_is_named_as_such_not_as_a_role_refusal(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    with pytest.raises(InvalidInput) as exc:
        advance.fire(rt, COORDINATOR, case_id, "aprove")
    assert exc.value.errors == {
        "trigger": "'aprove' is not a declared trigger (analyse, consult, select_sources, "
        "draft_application, submit, record_outcome, withdraw)"
    }


def test_a_comment_longer_than_the_bound_is_refused_and_nothing_is_written(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    from workflow.schemas import COMMENT_MAX

    case_id = make_case()
    before = views.case_detail(rt, None, case_id).version
    with pytest.raises(InvalidInput) as exc:
        advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="x" * (COMMENT_MAX + 1))
    assert exc.value.errors == {"comment": "at most 2000 characters"}
    assert exc.value.errors_lv == {"comment": "ne vairāk kā 2000 rakstzīmes"}
    assert views.case_detail(rt, None, case_id).version == before
    result = advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="x" * COMMENT_MAX)
    assert result.to_state == "withdrawn"


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("Valde\x00nolēma", "must not contain NUL characters"),
        ("x" * 2001, "at most 2000 characters"),
    ],
    ids=["nul", "too_long"],
)
def test_a_bad_comment_is_refused_by_the_service_whoever_calls_it(
    rt: Runtime,
    make_case: Callable[..., int],
    make_org: Callable[..., int],
    comment: str,
    problem: str,
) -> None:
    """The CLI passes comments straight through; the service refuses them naming the field,
    on PostgreSQL too (whose text columns cannot hold NUL), and writes nothing."""
    case_id = make_case()
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        advance.fire(rt, COORDINATOR, case_id, "withdraw", comment=comment)
    assert set(exc.value.errors) == {"comment"}
    assert problem in exc.value.errors["comment"]
    assert stored(rt, case_id) == before
    cycle_id = views.case_detail(rt, None, case_id).cycle_id
    with pytest.raises(InvalidInput) as exc:
        enrolment.enrol(rt, COORDINATOR, make_org(), cycle_id, comment=comment)
    assert problem in exc.value.errors["comment"]
    assert stored(rt, case_id).all_events == before.all_events


def test_a_comment_is_stored_without_surrounding_spaces(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    result = advance.fire(rt, COORDINATOR, make_case(), "withdraw", comment="  Pārcēlās uz Rīgu \n")
    assert result.event["comment"] == "Pārcēlās uz Rīgu"
