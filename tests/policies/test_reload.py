"""Live reload: an edited file is in force on the next call, a broken one never is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import pytest
from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import OperationalError

from tests.conftest import COORDINATOR, Clock
from tests.policies.conftest import Files
from workflow import advance, rulefollow, rulestatus, views
from workflow.db import make_engine
from workflow.errors import DefinitionError, GuardRejected
from workflow.orm import RulesVersion
from workflow.rules import Rules, load_rules
from workflow.rulestore import WatchedRules
from workflow.runtime import FixedRules, Runtime
from workflow.viewmodels import TriggerView

RAISED = "needs at least 3 consultations and 2 mentor hours; has 1 and 2"  # the guard's own words


def consult_view(rt: Runtime, case_id: int) -> TriggerView:
    return next(t for t in views.case_detail(rt, None, case_id).triggers if t.trigger == "consult")


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record each parse of the declared files (``load_rules`` as the watcher calls it)."""
    calls: list[object] = []

    def counting(*args: Any) -> Rules:
        calls.append(args)
        return load_rules(*args)

    monkeypatch.setattr("workflow.rulestore.load_rules", counting)
    return calls


def test_raised_threshold_blocks_the_next_request(
    watched_rt: Runtime, files: Files, analysed_case: Callable[..., int]
) -> None:
    case_id = analysed_case(n=1)
    assert consult_view(watched_rt, case_id).allowed

    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")

    view = consult_view(watched_rt, case_id)
    assert not view.allowed
    assert [b.message for b in view.blocked_by] == [RAISED]
    with pytest.raises(GuardRejected) as exc:
        advance.fire(watched_rt, COORDINATOR, case_id, "consult")
    assert exc.value.failures[0].message_en == RAISED
    assert rulestatus.status(watched_rt).errors == []


def test_unchanged_files_are_not_parsed_again(
    watched_rt: Runtime, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_loads(monkeypatch)
    for _ in range(50):
        watched_rt.rules  # noqa: B018 - the property is the hot path under test
    assert calls == []
    files.edit(files.policy, "capacity: 15", "capacity: 12")
    assert watched_rt.rules.policy.spec.cycle_defaults.capacity == 12
    watched_rt.rules  # noqa: B018
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("which", "old", "new", "problem"),
    [
        (
            "policy",
            "  consult:\n",
            "  consult: [\n",
            "policies/programme.yaml: line 13, column 14: invalid YAML: expected ',' or ']', but got ':'",
        ),
        (
            "policy",
            "  auditor:\n",
            "  controller:\n",
            "policies/programme.yaml: line 28, column 3: roles.controller: Input should be 'coordinator', 'mentor', "
            "'auditor' or 'admin'",
        ),
        (
            "states",
            "guards: [enough_consultations]",
            "guards: [enough_meetings]",
            "states/incubation.yaml: line 38, column 14: transitions[1].guards[0]: unknown guard 'enough_meetings'",
        ),
        (
            "policy",
            "min_hours: 2",
            "min_hours: 2\n    min_minutes: 5",
            "policies/programme.yaml: line 14, column 5: guards.consult.min_minutes: no guard of 'consult' takes "
            "this parameter",
        ),
    ],
)
def test_bad_edit_keeps_last_good_rules_and_shows_the_error(
    watched_rt: Runtime,
    files: Files,
    analysed_case: Callable[..., int],
    which: str,
    old: str,
    new: str,
    problem: str,
) -> None:
    case_id = analysed_case(n=1)
    before = watched_rt.rules
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    path = files.policy if which == "policy" else files.states
    files.edit(path, old, new)

    assert watched_rt.rules is before  # neither the good nor the bad part applied
    st = rulestatus.status(watched_rt)
    assert (st.states_hash, st.policy_hash) == (before.states_hash, before.policy_hash)
    assert any(e.startswith(problem) for e in st.errors), st.errors
    assert st.errors_since is not None
    assert consult_view(watched_rt, case_id).allowed  # still the old threshold

    files.edit(path, new, old)  # fixed: the raised threshold now applies
    assert not consult_view(watched_rt, case_id).allowed
    assert rulestatus.status(watched_rt).errors == []


def test_undoing_a_broken_edit_clears_the_error(watched_rt: Runtime, files: Files) -> None:
    """The files are valid again and the same as the rules in force: nothing is
    activated, and the error is gone."""
    before = watched_rt.rules
    old = files.edit(files.policy, "roles:", "rolez:")
    assert rulestatus.status(watched_rt).errors
    files.policy.write_text(old, "utf-8")
    assert watched_rt.rules is before
    st = rulestatus.status(watched_rt)
    assert (st.errors, st.errors_since) == ([], None)


def test_startup_with_a_broken_file_uses_the_stored_version(
    watched_rt: Runtime, files: Files, clock: Clock
) -> None:
    good = watched_rt.rules
    files.edit(files.policy, "roles:", "rolez:")
    again = WatchedRules(files.states_dir, files.policy_dir, watched_rt.engine, clock)
    assert again.current().policy_hash == good.policy_hash
    assert any("rolez: unknown policy section" in e for e in again.status().errors)


def test_a_worker_that_missed_a_good_edit_takes_it_when_the_file_breaks(
    watched_rt: Runtime, files: Files, clock: Clock
) -> None:
    """Two workers on one database: only the first serves a request between the good
    edit and the broken one; the second then keeps the newest good rules, not its own."""
    other = WatchedRules(files.states_dir, files.policy_dir, watched_rt.engine, clock)
    assert other.current().policy.spec.guards["consult"]["min_consultations"] == 1

    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    raised = watched_rt.rules
    assert raised.policy.spec.guards["consult"]["min_consultations"] == 3
    files.edit(files.policy, "min_consultations: 3", "min_consultations: [")

    assert watched_rt.rules.policy_hash == raised.policy_hash
    assert other.current().policy_hash == raised.policy_hash
    assert other.current().policy.spec.guards["consult"]["min_consultations"] == 3
    assert any("invalid YAML" in e for e in other.status().errors)


def test_startup_with_a_broken_file_and_no_stored_version_refuses(
    sqlite_url: str, files: Files, clock: Clock
) -> None:
    files.edit(files.policy, "roles:", "rolez:")
    engine = make_engine(sqlite_url)
    with pytest.raises(DefinitionError, match="rolez: unknown policy section"):
        WatchedRules(files.states_dir, files.policy_dir, engine, clock)
    engine.dispose()


def test_a_policy_section_moved_to_a_new_file_is_picked_up(
    watched_rt: Runtime, files: Files
) -> None:
    text = files.policy.read_text("utf-8")
    head, _, deadlines = text.partition("deadlines:")
    files.policy.write_text(head, "utf-8")
    (files.policy_dir / "deadlines.yaml").write_text(
        "deadlines:" + deadlines.replace("enrolled: 21", "enrolled: 7"), "utf-8"
    )
    rules = watched_rt.rules
    assert rules.policy.spec.deadlines["enrolled"] == 7
    assert rules.policy.origins["deadlines"] == "policies/deadlines.yaml"


def test_status_of_fixed_rules(rt: Runtime, rules: Rules) -> None:
    st = rulestatus.status(Runtime(rt.engine, FixedRules(rules)))
    assert (st.states_hash, st.policy_hash, st.errors) == (rules.states_hash, rules.policy_hash, [])


def test_threads_see_the_old_or_the_new_rules_and_reload_once(
    watched_rt: Runtime, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    calls = count_loads(monkeypatch)
    old = watched_rt.rules
    files.edit(files.policy, "capacity: 15", "capacity: 12")
    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(lambda _: watched_rt.rules, range(64)))
    capacities = {r.policy.spec.cycle_defaults.capacity for r in seen}
    assert capacities == {12}
    assert old.policy.spec.cycle_defaults.capacity == 15
    assert len(calls) == 1


def _store_uncompilable_policy(engine: Engine) -> None:
    """Overwrite the newest stored policy with a text this code does not accept."""
    with engine.begin() as conn:
        newest = conn.scalar(select(func.max(RulesVersion.id)).where(RulesVersion.kind == "policy"))
        conn.execute(
            update(RulesVersion)
            .where(RulesVersion.id == newest)
            .values(files=[["policies/programme.yaml", "retired_section: {}\n"]])
        )


def test_startup_with_a_broken_file_and_an_uncompilable_stored_version_refuses(
    watched_rt: Runtime, files: Files, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The files' own problem is raised, not the stored text's; the latter is logged."""
    _store_uncompilable_policy(watched_rt.engine)
    files.edit(files.policy, "roles:", "rolez:")
    with pytest.raises(DefinitionError, match="rolez: unknown policy section"):
        WatchedRules(files.states_dir, files.policy_dir, watched_rt.engine, clock)
    said = [r.getMessage() for r in caplog.records if r.name == "workflow.rulefollow"]
    assert any("newest stored rules do not compile" in m and "retired_section" in m for m in said)


def test_a_broken_file_on_reload_with_an_uncompilable_stored_version_keeps_the_rules(
    watched_rt: Runtime, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = watched_rt.rules
    _store_uncompilable_policy(watched_rt.engine)
    files.edit(files.policy, "roles:", "rolez:")
    calls = count_loads(monkeypatch)

    assert watched_rt.rules is before
    assert any("rolez: unknown policy section" in e for e in rulestatus.status(watched_rt).errors)
    watched_rt.rules  # noqa: B018
    assert len(calls) == 1  # remembered: the broken files are not parsed again


def test_a_broken_file_while_the_database_is_unreadable_is_retried(
    watched_rt: Runtime, files: Files, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files broken and the stored versions unreadable: the rules in force stay, and the
    next call tries again, so the newest stored version is adopted once readable."""
    other = WatchedRules(files.states_dir, files.policy_dir, watched_rt.engine, clock)
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    raised = watched_rt.rules  # activated and stored by the first worker only
    files.edit(files.policy, "min_consultations: 3", "min_consultations: [")

    def unreadable(conn: Connection) -> NoReturn:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    calls = count_loads(monkeypatch)
    monkeypatch.setattr(rulefollow, "latest_files", unreadable)
    kept = other.current()
    assert kept.policy.spec.guards["consult"]["min_consultations"] == 1
    assert any("invalid YAML" in e for e in other.status().errors)
    assert other.current() is kept
    assert len(calls) == 3  # not remembered: every call reads the files again

    monkeypatch.undo()
    assert other.current().policy_hash == raised.policy_hash
    assert any("invalid YAML" in e for e in other.status().errors)
