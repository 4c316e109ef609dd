"""The crash harness's fast sample: writer processes doing enrolments, evidence writes and
transitions through the services, killed with SIGKILL at random moments, on SQLite and
PostgreSQL (``benchmarks/crash.py --kills 200`` is the full run). Every acknowledged write
is still there with the hash it was acknowledged with, each write a kill interrupted
committed whole or not at all, and ``audit verify`` (chains, case heads, evidence rows,
accounts) and SQLite's integrity check pass."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crash_harness", ROOT / "benchmarks" / "crash.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved_path, saved_modules = list(sys.path), dict(sys.modules)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path
        if spec.name not in saved_modules:
            del sys.modules[spec.name]
    return module


@pytest.mark.slow
def test_kill_nine_loses_no_acknowledged_write_and_tears_no_case(db_url: str) -> None:
    crash = _harness()
    lines: list[str] = []
    result = crash.run(db_url, 10, writers=3, max_alive=0.6, seed=11, out=lines.append)
    crash.report("sample", result, out=lines.append)
    report = "\n".join(lines)
    assert result.kills >= 10, report
    assert result.acked > 0, report
    assert result.in_flight >= 1, report  # the kills did land in the middle of writes
    assert result.lost == [], report
    assert result.torn == [], report
    assert result.findings == [], report
    assert result.cases >= 1, report
