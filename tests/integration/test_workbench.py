"""The workbench's engine on SQLite and PostgreSQL: the budget's last hours raced by two
cases of one cycle, a policy that allows an overrun or has no budget section, the
budget section's validation, and a submitted case's due day as a decision expected."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import COORDINATOR, ROOT, Clock, make_runtime
from workflow import budget, mywork, recording
from workflow.casewrite import Recorded
from workflow.errors import Conflict, InvalidInput, PolicyError
from workflow.evidence import consultations
from workflow.evidence.consultations import ConsultationIn
from workflow.policies import parse_policy
from workflow.rules import Rules, load_rules
from workflow.runtime import FixedRules, Runtime

POLICY = ROOT / "policies" / "programme.yaml"


def _consult(hours: str) -> ConsultationIn:
    return ConsultationIn(
        mentor="anna", held_on=date(2023, 3, 1), hours=Decimal(hours), topic="Budžets"
    )


def _rules_with(tmp_path: Path, old: str, new: str) -> Rules:
    """The repository's rules with one edit in a copy of the policy file."""
    states, policies = tmp_path / "states", tmp_path / "policies"
    shutil.copytree(ROOT / "states", states)
    shutil.copytree(ROOT / "policies", policies)
    text = (policies / "programme.yaml").read_text("utf-8")
    assert old in text
    (policies / "programme.yaml").write_text(text.replace(old, new), "utf-8")
    return load_rules(states, policies)


@pytest.fixture
def other_rt(db_url: str, rules: Rules, clock: Clock) -> Iterator[Runtime]:
    """A second runtime on the same database, with its own engine (a second worker)."""
    runtime = make_runtime(db_url, rules, clock)
    yield runtime
    runtime.engine.dispose()


def test_two_cases_racing_for_the_last_of_the_budget_exactly_one_is_paid(
    rt: Runtime,
    other_rt: Runtime,
    make_cycle: Callable[..., int],
    make_case: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2,000.00: 2 x 150 + 1,000 in cost lines leave 700.00, 14 hours at 50.00
    cycle = make_cycle(budget_eur=Decimal("2000"))
    a, b = make_case(cycle_id=cycle), make_case(cycle_id=cycle)
    recording.record(rt, COORDINATOR, a, _consult("6"))  # 400.00 left: 8 hours
    # The first writer stops right after its budget check, inside its transaction, until
    # the second has had a second to check too: it must wait, not count on stale figures.
    checked, release = threading.Event(), threading.Event()
    real_check = budget.check_hours

    def check_then_pause(*args: Any) -> None:
        real_check(*args)
        if threading.current_thread().name == "first":
            checked.set()
            release.wait(30)

    monkeypatch.setattr(consultations, "check_hours", check_then_pause)
    results: dict[str, Any] = {}

    def record(name: str, runtime: Runtime, case_id: int) -> None:
        try:
            results[name] = recording.record(runtime, COORDINATOR, case_id, _consult("5"))
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
            results[name] = exc

    first = threading.Thread(target=record, args=("first", rt, a), name="first")
    second = threading.Thread(target=record, args=("second", other_rt, b), name="second")
    first.start()
    assert checked.wait(30)
    second.start()
    second.join(1.0)
    second_waited = second.is_alive()
    release.set()
    first.join(30)
    second.join(30)

    assert second_waited, results
    assert isinstance(results["first"], Recorded), results
    refused = results["second"]
    assert isinstance(refused, InvalidInput), results
    assert "(150.00 EUR remains)" in refused.errors["hours"]
    figures = budget.cycle_budget(rt, cycle)
    assert (figures.mentor_hours, figures.spent_eur) == (Decimal(11), Decimal("1850.00"))


def test_a_policy_allowing_an_overrun_takes_the_hours_and_warns(
    rt: Runtime,
    make_cycle: Callable[..., int],
    make_case: Callable[..., int],
    tmp_path: Path,
) -> None:
    cycle = make_cycle(budget_eur=Decimal("1500"))
    case = make_case(cycle_id=cycle)
    with pytest.raises(InvalidInput, match="the policy allows no overrun"):
        recording.record(rt, COORDINATOR, case, _consult("8"))  # 1,150 + 400 > 1,500
    assert isinstance(rt.rules_source, FixedRules)
    rt.rules_source.rules = _rules_with(tmp_path, "allow_overrun: false", "allow_overrun: true")
    recording.record(rt, COORDINATOR, case, _consult("8"))
    figures = budget.cycle_budget(rt, cycle)
    assert (figures.spent_eur, figures.remaining_eur) == (Decimal("1550.00"), Decimal("-50.00"))
    # and the plan (12 h x 50 + 150 + 1,000 = 1,750.00) is over the budget too
    assert [(w.code, w.percent) for w in figures.warnings] == [("spent", 100), ("committed", None)]
    assert figures.used_percent == Decimal("103.33")


def test_without_a_budget_section_nothing_is_counted_or_refused(
    rt: Runtime,
    make_cycle: Callable[..., int],
    make_case: Callable[..., int],
    tmp_path: Path,
) -> None:
    text = POLICY.read_text("utf-8")
    section = text[text.index("budget:\n") :]
    assert isinstance(rt.rules_source, FixedRules)
    rt.rules_source.rules = _rules_with(tmp_path, section, "")
    cycle = make_cycle(budget_eur=Decimal("0"))
    case = make_case(cycle_id=cycle)
    recording.record(rt, COORDINATOR, case, _consult("24"))
    with pytest.raises(Conflict, match="no budget: section"):
        budget.cycle_budget(rt, cycle)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("warn_at_percent: [80, 100]", "warn_at_percent: [100, 80]", "thresholds go up, each once"),
        ("warn_at_percent: [80, 100]", "warn_at_percent: [0]", "a percentage from 1 to 1000"),
        ("mentor_hour_eur: 50.00", "mentor_hour_eur: -1", "greater than or equal to 0"),
        ("per: cycle", "per: month", "Input should be 'case' or 'cycle'"),
        ("allow_overrun: false", "allow_overrun: 'no'", "Input should be a valid boolean"),
    ],
)
def test_a_bad_budget_section_is_refused_naming_its_line(old: str, new: str, problem: str) -> None:
    text = POLICY.read_text("utf-8").replace(old, new)
    with pytest.raises(PolicyError) as exc:
        parse_policy([("policies/programme.yaml", text)])
    (message,) = exc.value.problems
    line = next(n for n, row in enumerate(text.splitlines(), 1) if new in row)
    assert message.startswith(f"policies/programme.yaml: line {line}"), message
    assert "budget." in message
    assert problem in message


def test_a_submitted_case_is_due_when_its_decision_is_expected(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None], clock: Clock
) -> None:
    case = make_case()
    walk(case, "submitted")
    (item,) = mywork.my_work(rt, COORDINATOR)
    # the policy's reminders.decision_days (90) after the submission, before the 180 days
    # the policy gives a submitted case
    assert (item.state, item.next_trigger, item.due_kind) == (
        "submitted",
        "record_outcome",
        "decision_expected",
    )
    assert item.due_on == date(2023, 3, 1) + timedelta(days=90)
    assert item.due_text is not None
    assert "is expected by" in item.due_text
    assert item.reason is not None
    assert "awaits a decision" in item.reason
    clock.set(item.due_on + timedelta(days=1))
    (late,) = mywork.my_work(rt, COORDINATOR)
    assert (late.overdue, late.days_left) == (True, -1)
