"""How long refusing a bad rules file takes: prints figures, asserts nothing.

    .venv/bin/python benchmarks/rules_files.py [--repeat 5]

- a 20 MB policy file, through ``policy check FILE``'s function and through the watcher
  a request goes through (the file is refused on its size, before it is read);
- the largest files the bounds let through to the parser (1 MB of the costliest shapes);
- every file of the invalid-rules corpus, as ``policy check``'s candidate: total, median
  and slowest.

Each figure is the best of ``--repeat`` runs (the least disturbed by other processes).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package: keep this folder off
# the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from workflow.checking import check_files  # noqa: E402
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.errors import DefinitionError  # noqa: E402
from workflow.rulestore import WatchedRules  # noqa: E402
from workflow.yamlfiles import MAX_BYTES, RulesFileError, parse_yaml  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "invalid_rules"


def best(fn: Callable[[], object], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def refused(fn: Callable[[], object]) -> Callable[[], None]:
    def call() -> None:
        try:
            fn()
        except (DefinitionError, RulesFileError):
            return
        raise AssertionError("accepted")

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    logging.getLogger("workflow.rulestore").setLevel(logging.CRITICAL)  # refusals are expected
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        shutil.copytree(ROOT / "states", tmp / "states")
        shutil.copytree(ROOT / "policies", tmp / "policies")
        big = tmp / "big.yaml"
        big.write_bytes((b"# " + b"x" * 97 + b"\n") * 209_716)  # 20 MB of comments
        size = big.stat().st_size
        check = best(refused(lambda: check_files(tmp / "states", tmp / "policies", big)), repeat)
        print(f"20 MB file ({size:,} bytes), policy check FILE: {check * 1000:.2f} ms")

        upgrade(f"sqlite:///{tmp / 'db.sqlite3'}")
        engine = make_engine(f"sqlite:///{tmp / 'db.sqlite3'}")
        watcher = WatchedRules(tmp / "states", tmp / "policies", engine, lambda: datetime.now(UTC))
        good = (tmp / "policies" / "programme.yaml").read_bytes()
        in_force = watcher.current()

        refusals = []
        for _ in range(repeat):
            shutil.copy(big, tmp / "policies" / "programme.yaml")
            t = time.perf_counter()
            assert watcher.current() is in_force
            refusals.append(time.perf_counter() - t)
            (tmp / "policies" / "programme.yaml").write_bytes(good)
            assert watcher.current() is in_force
        print(
            f"20 MB file in force, the request that meets it: {min(refusals) * 1000:.1f} ms "
            "(stat, refuse, re-read the last good version from the database)"
        )
        engine.dispose()

    shapes = {
        "1 MB flow list [1,1,...] (stops at 10,000 values)": "["
        + "1," * (MAX_BYTES // 2 - 2)
        + "]",
        "1 MB block mapping k: v (stops at 10,000 values)": "".join(
            f"k{i}: {i}\n" for i in range(120_000)
        )[: MAX_BYTES - 1],
        "1 MB of [ (stops at 51 levels)": "[" * (MAX_BYTES - 1),
        "1 MB quoted string": 'a: "' + "x" * (MAX_BYTES - 10) + '"\n',
        "1 MB of 4,900 long plain values": "".join(
            f"k{i}: " + "x" * 190 + "\n" for i in range(4_900)
        ),
    }
    for label, text in shapes.items():
        assert len(text.encode()) <= MAX_BYTES, label

        def parse(text: str = text) -> None:
            try:
                parse_yaml(text, "p")
            except RulesFileError:
                pass

        print(f"{label}: {best(parse, repeat) * 1000:.0f} ms")

    manifest = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
    times: dict[str, float] = {}
    for case in manifest:
        path: Path = CORPUS / case["file"]

        def check_one(path: Path = path) -> None:
            check_files(ROOT / "states", ROOT / "policies", path)

        times[case["file"]] = best(refused(check_one), max(1, repeat // 2))
    slowest = max(times, key=lambda k: times[k])
    print(
        f"corpus: {len(times)} files all refused in {sum(times.values()):.2f} s "
        f"(median {statistics.median(times.values()) * 1000:.1f} ms, "
        f"slowest {slowest} {times[slowest] * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
