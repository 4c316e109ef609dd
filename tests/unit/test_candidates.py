"""A candidate file stands in for what it replaces, whatever it is called."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.candidates import substitute
from workflow.checking import check_files
from workflow.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
STATES = ("states/incubation.yaml", "id: x\ntransitions: []\n")
POLICY = [("policies/a.yaml", "roles: {}\n"), ("policies/b.yaml", "guards: {}\ndeadlines: {}\n")]


def test_a_policy_candidate_of_the_same_name_replaces_that_file() -> None:
    _, files = substitute(STATES, POLICY, ("b.yaml", "guards: {consult: {}}\n"))
    assert files == [POLICY[0], ("policies/b.yaml", "guards: {consult: {}}\n")]


def test_a_policy_candidate_of_another_name_replaces_the_files_holding_its_sections() -> None:
    _, files = substitute(STATES, POLICY, ("mine.yaml", "deadlines: {enrolled: 3}\n"))
    assert files == [POLICY[0], ("policies/mine.yaml", "deadlines: {enrolled: 3}\n")]


def test_a_candidate_declaring_transitions_replaces_the_states_file() -> None:
    states, files = substitute(STATES, POLICY, ("next.yaml", "transitions: []\n"))
    assert states == ("states/next.yaml", "transitions: []\n")
    assert files == POLICY


def test_policy_check_accepts_a_renamed_copy_and_names_the_problem_in_a_bad_one(
    tmp_path: Path,
) -> None:
    text = (ROOT / "policies" / "programme.yaml").read_text(encoding="utf-8")
    good = tmp_path / "candidate.yaml"
    good.write_text(text.replace("min_consultations: 1", "min_consultations: 2"), encoding="utf-8")
    assert check_files(ROOT / "states", ROOT / "policies", good).startswith("OK: 8 states")
    bad = tmp_path / "broken.yaml"
    bad.write_text(text.replace("min_consultations: 1", "min_consultations: -1"), encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        check_files(ROOT / "states", ROOT / "policies", bad)
    assert exc.value.problems == [
        "policies/broken.yaml: line 12, column 5: guards.consult.min_consultations: "
        "Input should be greater than or equal to 0"
    ]
