"""The policy's ``reminders`` section: optional with defaults, and a wrong value refused
naming the file, line and path, like every other section."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from workflow.errors import PolicyError
from workflow.policies import parse_policy

TEXT = (ROOT / "policies" / "programme.yaml").read_text(encoding="utf-8")
HEAD, _, _ = TEXT.partition("\nreminders:")


def test_the_programme_sets_reminders_and_a_policy_without_them_gets_defaults() -> None:
    spec = parse_policy([("policies/programme.yaml", TEXT)]).spec.reminders
    assert (spec.roles, spec.lead_days, spec.decision_days) == (["coordinator", "mentor"], 45, 90)
    bare = parse_policy([("policies/programme.yaml", HEAD)]).spec.reminders
    assert (bare.roles, bare.lead_days, bare.decision_days) == (["coordinator", "mentor"], 30, 90)


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ("reminders:\n  lead_days: '45'\n", "reminders.lead_days"),
        ("reminders:\n  lead_days: -1\n", "reminders.lead_days"),
        ("reminders:\n  roles: [coordinator, boss]\n", "reminders.roles.1"),
        ("reminders:\n  decision_days: 0\n", "reminders.decision_days"),
        ("reminders:\n  lead_day: 10\n", "reminders.lead_day"),
    ],
)
def test_a_wrong_reminders_value_is_named(section: str, where: str) -> None:
    with pytest.raises(PolicyError) as exc:
        parse_policy([("policies/programme.yaml", HEAD + "\n" + section)])
    [problem] = exc.value.problems
    assert problem.startswith("policies/programme.yaml: line ")
    assert f": {where}" in problem.replace("[", ".").replace("]", "")
