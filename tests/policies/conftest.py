"""Fixtures for the policy tests: private copies of the declared files, a runtime that
watches them, and a helper that brings a case to ``analysed`` with some consultations."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import COORDINATOR, ROOT, Clock
from workflow import advance, recording
from workflow.db import make_engine
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.rulestore import WatchedRules
from workflow.runtime import Runtime


@dataclass
class Files:
    """Private copies of ``states/`` and ``policies/`` that a test edits."""

    states_dir: Path
    policy_dir: Path

    @property
    def states(self) -> Path:
        """The states file."""
        return self.states_dir / "incubation.yaml"

    @property
    def policy(self) -> Path:
        """The policy file."""
        return self.policy_dir / "programme.yaml"

    def edit(self, path: Path, old: str, new: str) -> str:
        """Replace ``old`` (which must be there) by ``new``; return the previous text."""
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return text


@pytest.fixture
def files(tmp_path: Path) -> Files:
    """Copies of the repository's declared files in a temporary folder."""
    f = Files(tmp_path / "states", tmp_path / "policies")
    shutil.copytree(ROOT / "states", f.states_dir)
    shutil.copytree(ROOT / "policies", f.policy_dir)
    return f


@pytest.fixture
def watched_rt(rt: Runtime, files: Files, clock: Clock) -> Iterator[Runtime]:
    """The ``rt`` database (SQLite and PostgreSQL) with rules watched from ``files``."""
    engine = make_engine(str(rt.engine.url.render_as_string(hide_password=False)))
    source = WatchedRules(files.states_dir, files.policy_dir, engine, clock)
    yield Runtime(engine=engine, rules_source=source, clock=clock)
    engine.dispose()


@pytest.fixture
def analysed_case(rt: Runtime, make_case: Callable[..., int]) -> Callable[..., int]:
    """A new case in ``analysed`` with ``n`` consultations of ``hours`` each, held on the
    day it was enrolled (evidence is never dated before enrolment)."""

    def make(n: int = 1, hours: str = "2") -> int:
        case_id = make_case()
        recording.record(
            rt, COORDINATOR, case_id, AnalysisIn(findings="Vāja plānošana", need_areas=["x"])
        )
        advance.fire(rt, COORDINATOR, case_id, "analyse")
        for i in range(n):
            recording.record(
                rt,
                COORDINATOR,
                case_id,
                ConsultationIn(
                    mentor="anna",
                    held_on=rt.now().date(),  # the day of enrolment: not before it
                    hours=Decimal(hours),
                    topic=f"Tēma {i}",
                ),
            )
        return case_id

    return make
