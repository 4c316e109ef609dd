"""The tamper matrix's fast sample: 42 random tamperings and clean copies of the demo,
every kind at least twice, on SQLite and PostgreSQL (``benchmarks/tamper_matrix.py --n
1000`` is the full run): every tampering detected, no clean copy flagged."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _matrix() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tamper_matrix", ROOT / "benchmarks" / "tamper_matrix.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def test_every_kind_of_tampering_is_detected_and_clean_copies_verify(db_url: str) -> None:
    matrix = _matrix()
    missed: list[str] = []
    runs, right = matrix.run(42, seed=7, url=db_url, out=missed.append)
    assert set(runs) == {*matrix.KINDS, matrix.CLEAN}
    assert all(runs[k] >= 2 for k in matrix.KINDS), runs
    assert missed == []
    assert right == runs
