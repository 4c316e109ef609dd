"""Impact preview: exactly the open cases a candidate file changes, and nothing activated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import COORDINATOR, ROOT
from tests.policies.conftest import Files
from workflow import advance, rulepreview, rulestatus, ruleversions
from workflow.db import read_session
from workflow.errors import DefinitionError, PolicyError
from workflow.orm import AuditEvent, Case, RulesVersion
from workflow.rulepreview import TriggerOutcome
from workflow.runtime import Runtime

WITHDRAW = TriggerOutcome(
    "withdraw", "withdrawn", False, ("reason_given: a reason must be given in the comment",)
)


def consult(allowed: bool, needs: int, has: int, hours: str = "2") -> TriggerOutcome:
    reasons = (
        ()
        if allowed
        else (
            f"enough_consultations: needs at least {needs} "
            f"{'consultation' if needs == 1 else 'consultations'} and 2 mentor hours; "
            f"has {has} and {hours}",
        )
    )
    return TriggerOutcome("consult", "consulted", allowed, reasons)


def snapshot(rt: Runtime) -> tuple[object, ...]:
    with read_session(rt.engine) as s:
        return (
            [(c.id, c.state, c.version) for c in s.query(Case).order_by(Case.id)],
            s.query(AuditEvent).count(),
            s.query(RulesVersion).count(),
        )


def candidate(tmp_path: Path, name: str, old: str, new: str, source: str = "policies") -> Path:
    text = (ROOT / source / name).read_text("utf-8")
    assert old in text
    path = tmp_path / "candidate" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, new), "utf-8")
    return path


def test_raised_threshold_lists_exactly_the_cases_it_changes(
    rt: Runtime, tmp_path: Path, make_case: Callable[..., int], analysed_case: Callable[..., int]
) -> None:
    none = analysed_case(n=0)  # blocked before and after, but the reason changes
    one = analysed_case(n=1)  # allowed before, blocked after
    three = analysed_case(n=3)  # allowed before and after: unchanged
    fresh = make_case()  # enrolled: no consult trigger, unchanged
    gone = analysed_case(n=1)  # would change, but withdrawn: not an open case
    advance.fire(rt, COORDINATOR, gone, "withdraw", comment="Pārtrauc darbību")
    before = snapshot(rt)
    path = candidate(tmp_path, "programme.yaml", "min_consultations: 1", "min_consultations: 3")

    changes = rulepreview.preview(rt, path)

    assert three not in {c.case_id for c in changes}
    assert fresh not in {c.case_id for c in changes}
    assert [(c.case_id, c.state, c.new_state, c.changed) for c in changes] == [
        (none, "analysed", "analysed", ("consult",)),
        (one, "analysed", "analysed", ("consult",)),
    ]
    assert changes[0].before == (consult(False, 1, 0, "0"), WITHDRAW)
    assert changes[0].after == (consult(False, 3, 0, "0"), WITHDRAW)
    assert changes[1].before == (consult(True, 1, 1), WITHDRAW)
    assert changes[1].after == (consult(False, 3, 1), WITHDRAW)
    assert snapshot(rt) == before  # nothing written, nothing activated
    assert rt.rules.policy.spec.guards["consult"]["min_consultations"] == 1


def test_an_identical_file_changes_nothing(rt: Runtime, analysed_case: Callable[..., int]) -> None:
    analysed_case(n=1)
    assert rulepreview.preview(rt, ROOT / "policies" / "programme.yaml") == []


def test_preview_of_a_watched_runtime_leaves_the_files_in_force(
    watched_rt: Runtime, files: Files, tmp_path: Path, analysed_case: Callable[..., int]
) -> None:
    case_id = analysed_case(n=1)
    path = candidate(tmp_path, "programme.yaml", "min_consultations: 1", "min_consultations: 2")
    assert [c.case_id for c in rulepreview.preview(watched_rt, path)] == [case_id]
    assert rulestatus.status(watched_rt).policy_hash == watched_rt.rules.policy_hash
    assert len(ruleversions.history(watched_rt)) == 2
    assert "min_consultations: 1" in files.policy.read_text("utf-8")


def test_a_states_candidate_that_renames_a_state(
    watched_rt: Runtime, files: Files, tmp_path: Path, analysed_case: Callable[..., int]
) -> None:
    case_id = analysed_case(n=1)
    files.edit(files.policy, "  analysed: 30\n", "")  # the policy must not name it either
    unmapped = candidate(tmp_path, "incubation.yaml", "analysed", "assessed", source="states")
    with pytest.raises(DefinitionError, match="1 case\\(s\\) stand in state 'analysed'"):
        rulepreview.preview(watched_rt, unmapped)
    mapped = tmp_path / "candidate" / "incubation.yaml"
    mapped.write_text(mapped.read_text("utf-8") + "\nmigrations:\n  analysed: assessed\n", "utf-8")
    changes = rulepreview.preview(watched_rt, mapped)
    assert [(c.case_id, c.state, c.new_state, c.changed) for c in changes] == [
        (case_id, "analysed", "assessed", ())
    ]
    assert watched_rt.rules.states.state_ids[1] == "analysed"


def test_an_invalid_candidate_is_refused_with_its_problem(rt: Runtime, tmp_path: Path) -> None:
    bad = candidate(tmp_path, "programme.yaml", "min_consultations: 1", "min_consultations: -1")
    with pytest.raises(PolicyError) as exc:
        rulepreview.preview(rt, bad)
    assert exc.value.problems == [
        "policies/programme.yaml: line 12, column 5: guards.consult.min_consultations: "
        "Input should be greater than or equal to 0"
    ]
