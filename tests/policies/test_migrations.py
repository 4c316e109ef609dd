"""A states change never strands a case: refused without a mapping, applied with one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from tests.conftest import COORDINATOR, Clock
from tests.policies.conftest import Files
from workflow import advance, auditlog, rulestatus, ruleversions, views
from workflow.db import read_session
from workflow.orm import AuditEvent, Case
from workflow.runtime import Runtime


def case_row(rt: Runtime, case_id: int) -> tuple[str, int, datetime]:
    with read_session(rt.engine) as s:
        c = s.get(Case, case_id)
        assert c is not None
        return c.state, c.version, c.state_since


def rename_analysed(files: Files, mapping: bool) -> None:
    """Rename ``analysed`` to ``assessed`` in the states file (and its deadline)."""
    text = files.states.read_text("utf-8").replace("analysed", "assessed")
    if mapping:
        text += "\nmigrations:\n  analysed: assessed\n"
    files.states.write_text(text, "utf-8")
    files.edit(files.policy, "  analysed: 30", "  assessed: 30")


def test_rename_without_mapping_is_refused_and_changes_nothing(
    watched_rt: Runtime,
    files: Files,
    analysed_case: Callable[..., int],
    make_case: Callable[..., int],
) -> None:
    case_id = analysed_case(n=1)
    before_rules = watched_rt.rules
    before_case = case_row(watched_rt, case_id)

    rename_analysed(files, mapping=False)

    assert watched_rt.rules is before_rules
    assert case_row(watched_rt, case_id) == before_case
    assert rulestatus.status(watched_rt).errors == [
        "states/incubation.yaml: migrations: 1 case(s) stand in state 'analysed', which this "
        "file no longer declares; map it to a declared state (migrations: {analysed: …})"
    ]
    assert [v.kind for v in ruleversions.history(watched_rt)] == ["policy", "states"]
    advance.fire(watched_rt, COORDINATOR, case_id, "consult")  # the old rules still work


def test_rename_with_mapping_moves_the_cases_in_one_audited_step(
    watched_rt: Runtime,
    files: Files,
    analysed_case: Callable[..., int],
    make_case: Callable[..., int],
    clock: Clock,
) -> None:
    moved = analysed_case(n=1)
    stays = make_case()
    state_before, version_before, since_before = case_row(watched_rt, moved)
    untouched = case_row(watched_rt, stays)
    clock.set("2023-03-05")

    rename_analysed(files, mapping=True)
    rules = watched_rt.rules

    assert rules.states.state_ids[1] == "assessed"
    assert case_row(watched_rt, moved) == ("assessed", version_before + 1, since_before)
    assert case_row(watched_rt, stays) == untouched
    with read_session(watched_rt.engine) as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.kind == "migrate")))
    assert [
        (e.case_id, e.trigger, e.from_state, e.to_state, e.actor, e.role, e.states_hash)
        for e in events
    ] == [(moved, "migrate", "analysed", "assessed", "system", "admin", rules.states_hash)]
    assert auditlog.verify(watched_rt).ok
    assert rulestatus.status(watched_rt).errors == []
    assert [v.kind for v in ruleversions.history(watched_rt)][:2] == ["policy", "states"]
    assert ruleversions.history(watched_rt, "states")[0].sha256 == rules.states_hash

    # The case carries on under the new name; the deadline clock did not restart.
    detail = views.case_detail(watched_rt, None, moved)
    assert (detail.state, detail.state_since) == ("assessed", since_before)
    advance.fire(watched_rt, COORDINATOR, moved, "consult")
    assert case_row(watched_rt, moved)[0] == "consulted"
    assert auditlog.verify(watched_rt).ok


def test_states_edited_before_the_policy_applies_once_both_agree(
    watched_rt: Runtime, files: Files, analysed_case: Callable[..., int]
) -> None:
    case_id = analysed_case(n=1)
    text = files.states.read_text("utf-8").replace("analysed", "assessed")
    files.states.write_text(text + "\nmigrations:\n  analysed: assessed\n", "utf-8")

    assert watched_rt.rules.states.state_ids[1] == "analysed"  # the policy still names it
    line = files.policy.read_text("utf-8").splitlines().index("  analysed: 30") + 1
    assert rulestatus.status(watched_rt).errors == [
        f"policies/programme.yaml: line {line}, column 3: deadlines.analysed: "
        "'analysed' is not a declared state"
    ]
    files.edit(files.policy, "  analysed: 30", "  assessed: 30")
    assert watched_rt.rules.states.state_ids[1] == "assessed"
    assert case_row(watched_rt, case_id)[0] == "assessed"
