"""The race harness's fast sample: processes started together fire the same triggers on
the same cases with the versions they read, on SQLite and PostgreSQL
(``benchmarks/races.py --processes 8 --cases 134`` is the full run). Every (case, state)
pair has exactly one winner, every other attempt is a clear conflict, nothing else fails,
and the log verifies."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("races_harness", ROOT / "benchmarks" / "races.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved_path = list(sys.path)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path
        del sys.modules[spec.name]
    return module


@pytest.mark.slow
def test_every_case_state_pair_has_exactly_one_winner(db_url: str) -> None:
    races = _harness()
    result = races.run(db_url, 3, 6)
    lines: list[str] = []
    races.report("sample", result, out=lines.append)
    report = "\n".join(lines)
    assert result.pairs == 18, report
    assert result.one_winner == 18, report
    assert result.errors == [], report
    assert result.findings == [], report
    assert set(result.refused) <= {"StaleCase", "TransitionNotAllowed"}, report
