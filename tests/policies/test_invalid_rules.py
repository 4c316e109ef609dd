"""Every file of the invalid-rules corpus is refused, as a candidate and as the file in force.

The corpus (``tests/data/invalid_rules``, written by ``tests/data/make_invalid_rules.py``)
holds files that cannot be decoded, parsed, nest too deep, repeat keys, bomb with aliases,
carry Python tags, give the wrong scalar types, strand a state with no way to a final
state, break the schema or name unknown guards, roles, states and triggers. Each must be
refused with a message naming the file, the line where the defect has one, and the
defect itself (the manifest's ``expect``); put in place of the declared file, none may
change the rules in force or store a version.
"""

from __future__ import annotations

import json
import runpy
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import ROOT, Clock
from workflow.checking import check_files
from workflow.db import make_engine
from workflow.errors import DefinitionError
from workflow.orm import RulesVersion
from workflow.rulestatus import status
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime

DATA = ROOT / "tests" / "data"
CORPUS = DATA / "invalid_rules"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
BY_FILE = {c["file"]: c for c in MANIFEST}


def _matches(case: dict[str, Any], problems: list[str], name: str, declared: bool) -> bool:
    """Whether one problem names the file, the defect's line (where it has one) and the
    defect: the manifest's ``expect`` (or, for the file in force, ``declared`` if given)."""
    expect = case["declared"] if declared and case["declared"] else case["expect"]
    line = case["line"] if not (declared and case["declared"]) else None
    return any(
        name in p and expect in p and (line is None or f"line {line}," in p) for p in problems
    )


def test_the_corpus_is_the_scripts_output_and_large_enough() -> None:
    """Regenerating gives the committed files byte for byte, so no file was hand-edited
    into passing; and there are at least 200 of them, of both kinds."""
    script = runpy.run_path(str(DATA / "make_invalid_rules.py"), run_name="make_invalid_rules")
    cases = script["build"]()
    assert len(cases) >= 200
    assert {c.kind for c in cases} == {"states", "policy"}
    on_disk = {p.name for p in CORPUS.iterdir()} - {"manifest.json"}
    assert on_disk == {c.file for c in cases}
    for c in cases:
        assert (CORPUS / c.file).read_bytes() == c.data, c.file
    assert [{k: v for k, v in vars(c).items() if k != "data"} for c in cases] == MANIFEST


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_refused_as_a_candidate(name: str) -> None:
    """``policy check FILE``'s rule: the candidate stands in among the repository's files."""
    case = BY_FILE[name]
    with pytest.raises(DefinitionError) as exc:
        check_files(ROOT / "states", ROOT / "policies", CORPUS / name)
    assert _matches(case, exc.value.problems, name, declared=False), exc.value.problems


# --- as the file in force ---------------------------------------------------------------


def _restore(states_dir: Path, policy_dir: Path) -> None:
    """The repository's own files, and nothing else, in both folders."""
    for folder, real in ((states_dir, "states"), (policy_dir, "policies")):
        folder.mkdir(exist_ok=True)
        for f in folder.glob("*.yaml"):
            f.unlink()
        for f in (ROOT / real).glob("*.yaml"):
            shutil.copy(f, folder / f.name)


@dataclass
class Watched:
    """One watcher over private copies of the declared files, for the whole module."""

    states_dir: Path
    policy_dir: Path
    runtime: Runtime

    def put(self, name: str, kind: str) -> None:
        """The corpus file alone in its folder, under its own name."""
        folder = self.states_dir if kind == "states" else self.policy_dir
        for f in folder.glob("*.yaml"):
            f.unlink()
        shutil.copy(CORPUS / name, folder / name)

    def restore(self) -> None:
        _restore(self.states_dir, self.policy_dir)

    def stored(self) -> int:
        """How many rules versions the database holds."""
        with self.runtime.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(RulesVersion)) or 0)


@pytest.fixture(scope="module")
def watched(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    tmp = tmp_path_factory.mktemp("invalid_rules")
    shutil.copy(sqlite_template, tmp / "db.sqlite3")
    engine = make_engine(f"sqlite:///{tmp / 'db.sqlite3'}")
    states_dir, policy_dir = tmp / "states", tmp / "policies"
    _restore(states_dir, policy_dir)
    clock = Clock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    source = WatchedRules(states_dir, policy_dir, engine, clock)
    yield Watched(states_dir, policy_dir, Runtime(engine=engine, rules_source=source, clock=clock))
    engine.dispose()


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_refused_in_force_and_the_rules_stay(watched: Watched, name: str) -> None:
    case = BY_FILE[name]
    before = watched.runtime.rules
    versions = watched.stored()
    watched.put(name, case["kind"])
    try:
        assert watched.runtime.rules is before
        st = status(watched.runtime)
        assert (st.states_hash, st.policy_hash) == (before.states_hash, before.policy_hash)
        folder = "states" if case["kind"] == "states" else "policies"
        assert _matches(case, st.errors, f"{folder}/{name}", declared=True), st.errors
        assert watched.stored() == versions
    finally:
        watched.restore()
    assert watched.runtime.rules is before
    assert status(watched.runtime).errors == []
