"""Several hosts, each with its own copy of the rules files, on one database: every host
decides by the newest activation, whichever host's edit made it, and a host with stale
files neither reverts the rules at startup nor when its files are merely touched."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from tests.conftest import Clock
from tests.policies.conftest import Files
from workflow.db import make_engine
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime


def _copy(files: Files, into: Path) -> Files:
    other = Files(into / "states", into / "policies")
    shutil.copytree(files.states_dir, other.states_dir)
    shutil.copytree(files.policy_dir, other.policy_dir)
    return other


def _min_consultations(source: WatchedRules) -> int:
    return int(source.current().policy.spec.guards["consult"]["min_consultations"])


@pytest.fixture
def engine(rt: Runtime) -> Iterator[Engine]:
    """A second engine on the ``rt`` database (SQLite and PostgreSQL)."""
    e = make_engine(str(rt.engine.url.render_as_string(hide_password=False)))
    yield e
    e.dispose()


def _host(files: Files, engine: Engine, clock: Clock, follow: str = "database") -> WatchedRules:
    return WatchedRules(
        files.states_dir,
        files.policy_dir,
        engine,
        clock,
        follow=follow,  # type: ignore[arg-type]  # the two spellings are the test's subject
        poll_seconds=0,
    )


def test_an_edit_on_one_host_is_in_force_on_the_other(
    files: Files, tmp_path: Path, engine: Engine, clock: Clock
) -> None:
    b_files = _copy(files, tmp_path / "b")
    a, b = _host(files, engine, clock), _host(b_files, engine, clock)
    assert _min_consultations(a) == _min_consultations(b) == 1

    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    assert _min_consultations(a) == 3  # host A's own edit, activated
    assert _min_consultations(b) == 3  # host B follows, though its files still say 1
    assert b.current().policy_hash == a.current().policy_hash
    assert b.status().errors == []

    b_files.edit(b_files.policy, "min_consultations: 1", "min_consultations: 2")
    assert _min_consultations(b) == 2  # an edit on B is an activation too
    assert _min_consultations(a) == 2


def test_a_host_with_stale_files_starts_with_the_newest_activation(
    files: Files, tmp_path: Path, engine: Engine, clock: Clock
) -> None:
    stale = _copy(files, tmp_path / "stale")
    a = _host(files, engine, clock)
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    assert _min_consultations(a) == 3

    restarted = _host(stale, engine, clock)
    assert _min_consultations(restarted) == 3
    assert _min_consultations(a) == 3  # and nothing was reverted for the others

    # a deployment that copies the same stale files again changes their times, not
    # their content: that is not an edit
    text = stale.policy.read_text("utf-8")
    stale.policy.write_text(text, "utf-8")
    os.utime(stale.policy, (1, 1))
    assert _min_consultations(restarted) == 3
    assert _min_consultations(a) == 3


def test_following_the_files_a_stale_host_would_revert_everyone(
    files: Files, tmp_path: Path, engine: Engine, clock: Clock
) -> None:
    """Why several hosts must follow the database: with the one-host default, a host
    starting with stale files activates them, and every other host follows."""
    stale = _copy(files, tmp_path / "stale")
    a = _host(files, engine, clock, follow="files")
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    assert _min_consultations(a) == 3

    _host(stale, engine, clock, follow="files")
    assert _min_consultations(a) == 1


def test_broken_files_on_one_host_leave_every_host_on_the_last_good_rules(
    files: Files, tmp_path: Path, engine: Engine, clock: Clock
) -> None:
    b_files = _copy(files, tmp_path / "b")
    a, b = _host(files, engine, clock), _host(b_files, engine, clock)
    files.edit(files.policy, "min_consultations: 1", "min_consultations: 3")
    assert _min_consultations(a) == 3
    files.edit(files.policy, "min_consultations: 3", "min_consultations: [")
    assert _min_consultations(a) == 3
    assert _min_consultations(b) == 3
    assert any("invalid YAML" in e for e in a.status().errors)
    assert b.status().errors == []


def test_policy_activate_puts_this_hosts_files_in_force(
    files: Files,
    tmp_path: Path,
    engine: Engine,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Files edited while a host was down go live by ``inkubators policy activate``."""
    from inkubators import cli

    a = _host(files, engine, clock)
    edited_offline = _copy(files, tmp_path / "offline")
    edited_offline.edit(edited_offline.policy, "min_consultations: 1", "min_consultations: 4")
    offline_rt = Runtime(engine, _host(edited_offline, engine, clock), clock)
    assert _min_consultations(a) == 1  # starting did not activate the offline edit

    monkeypatch.setattr(cli, "runtime", lambda migrate=True: offline_rt)
    result = CliRunner().invoke(cli.main, ["policy", "activate"])
    assert result.exit_code == 0, result.output
    assert f"policy in force: {a.current().policy_hash}" in result.output
    assert _min_consultations(a) == 4

    edited_offline.edit(edited_offline.policy, "roles:", "rolez:")
    result = CliRunner().invoke(cli.main, ["policy", "activate"])
    assert result.exit_code == 1
    assert "rolez: unknown policy section" in result.output
    assert _min_consultations(a) == 4
