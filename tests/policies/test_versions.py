"""Versioned history: every activated version is stored, and each decision names its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, Clock
from tests.policies.conftest import Files
from workflow import advance, recording, rulestore, ruleversions
from workflow.db import read_session
from workflow.errors import InvalidInput, NotFound
from workflow.evidence.consultations import ConsultationIn
from workflow.orm import AuditEvent
from workflow.runtime import Runtime


def test_startup_stores_both_kinds_once(watched_rt: Runtime, files: Files, clock: Clock) -> None:
    first = ruleversions.history(watched_rt)
    assert [(v.kind, v.activated_by) for v in first] == [
        ("policy", "startup"),
        ("states", "startup"),
    ]
    assert first[0].sha256 == watched_rt.rules.policy_hash
    assert first[1].sha256 == watched_rt.rules.states_hash
    rulestore.WatchedRules(files.states_dir, files.policy_dir, watched_rt.engine, clock)
    files.policy.touch()  # same content: nothing new is in force
    watched_rt.rules  # noqa: B018
    assert ruleversions.history(watched_rt) == first


def test_history_show_diff_and_a_revert(watched_rt: Runtime, files: Files, clock: Clock) -> None:
    v1 = watched_rt.rules.policy_hash
    clock.set("2023-03-02")
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    v2 = watched_rt.rules.policy_hash
    clock.set("2023-03-03")
    files.edit(files.policy, "min_consultations: 3", "min_consultations: 1")
    assert watched_rt.rules.policy_hash == v1

    policy_versions = ruleversions.history(watched_rt, "policy")
    assert [(v.sha256, v.activated_by, v.activated_at.date()) for v in policy_versions] == [
        (v1, "file change", date(2023, 3, 3)),
        (v2, "file change", date(2023, 3, 2)),
        (v1, "startup", date(2023, 3, 1)),
    ]
    assert [v.kind for v in ruleversions.history(watched_rt, "states")] == ["states"]

    shown = ruleversions.show(watched_rt, v2[:8])
    assert shown.sha256 == v2
    assert shown.files == (
        (
            "policies/programme.yaml",
            files.policy.read_text("utf-8").replace("min_consultations: 1", "min_consultations: 3"),
        ),
    )

    d = ruleversions.diff(watched_rt, v1, v2)
    assert f"--- policies/programme.yaml@{v1[:12]}" in d
    assert f"+++ policies/programme.yaml@{v2[:12]}" in d
    changed = [ln for ln in d.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == ["-    min_consultations: 1", "+    min_consultations: 3"]
    assert ruleversions.diff(watched_rt, v1, v1) == ""


def test_show_refuses_unknown_malformed_and_mixed_kinds(watched_rt: Runtime) -> None:
    with pytest.raises(NotFound):
        ruleversions.show(watched_rt, "0000000")
    with pytest.raises(InvalidInput) as exc:
        ruleversions.show(watched_rt, "xyz")
    assert "hash" in exc.value.errors
    with pytest.raises(InvalidInput, match="is states, .* is policy"):
        ruleversions.diff(watched_rt, watched_rt.rules.states_hash, watched_rt.rules.policy_hash)


def test_each_decision_points_at_the_rules_it_was_made_under(
    watched_rt: Runtime, files: Files, analysed_case: Callable[..., int]
) -> None:
    """Two policy versions; the audit events of each decision name the right one."""
    case_id = analysed_case(n=1)
    advance.fire(watched_rt, COORDINATOR, case_id, "consult")  # under min 1
    v1 = watched_rt.rules.policy_hash
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 2")
    other = analysed_case(n=2)
    recording.record(  # evidence under v2 as well
        watched_rt,
        COORDINATOR,
        other,
        ConsultationIn(mentor="anna", held_on=date(2023, 3, 1), hours=Decimal(1), topic="x"),
    )
    advance.fire(watched_rt, COORDINATOR, other, "consult")  # under min 2
    v2 = watched_rt.rules.policy_hash
    assert v1 != v2

    with read_session(watched_rt.engine) as s:
        decided = {
            e.case_id: e.policy_hash
            for e in s.scalars(select(AuditEvent).where(AuditEvent.trigger == "consult"))
        }
    assert decided == {case_id: v1, other: v2}
    assert "min_consultations: 1" in ruleversions.show(watched_rt, decided[case_id]).files[0][1]
    assert "min_consultations: 2" in ruleversions.show(watched_rt, decided[other]).files[0][1]
