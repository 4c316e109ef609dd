"""How long the council report takes: the read model and each file format, on the demo.

    .venv/bin/python benchmarks/council_report.py [--rounds 10]

Loads the demo programme into a fresh SQLite file, then builds the 2023 pilot's report as
of the council sitting (2023-10-19) ``--rounds`` times, and renders it as PDF, xlsx, HTML
and CSV in Latvian as often. Prints the median and worst time of each and each file's size.
The first PDF also pays for loading Pango and the fonts; it is printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package: keep this folder off
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inkubators.demo.loader import load_demo  # noqa: E402
from inkubators.demo.programme import PILOT  # noqa: E402
from web.councilreport import FORMATS, Format, Rendered, render  # noqa: E402
from workflow import registry  # noqa: E402
from workflow.bootstrap import build_runtime  # noqa: E402
from workflow.councilreport import council_report  # noqa: E402
from workflow.settings import Settings  # noqa: E402


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        rt = build_runtime(Settings(database_url=url, instance_dir=Path(tmp)), migrate=True)
        load_demo(rt)
        pilot = next(c.id for c in registry.list_cycles(rt) if c.name == PILOT)
        day = date(2023, 10, 19)
        times, report = _timed(lambda: council_report(rt, None, pilot, day), args.rounds)
        print(
            f"read model: median {statistics.median(times) * 1000:.1f} ms, worst {max(times) * 1000:.1f} ms"
        )
        first = time.perf_counter()
        render(report, rt.rules, "pdf", "lv")
        print(f"first pdf (loads Pango and fonts): {(time.perf_counter() - first) * 1000:.0f} ms")
        for fmt in FORMATS:

            def once(f: Format = fmt) -> Rendered:
                return render(report, rt.rules, f, "lv")

            times, out = _timed(once, args.rounds)
            print(
                f"{fmt}: median {statistics.median(times) * 1000:.1f} ms, "
                f"worst {max(times) * 1000:.1f} ms, {len(out.content):,} bytes"
            )
        rt.engine.dispose()


if __name__ == "__main__":
    main()
