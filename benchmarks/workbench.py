"""How long "My work" and a cycle's budget take on a large programme, and what the budget
check adds to recording a consultation.

Run: ``DATABASE_URL=… .venv/bin/python benchmarks/workbench.py [--cases 10000]
[--events 1000000] [--reuse]``: builds (or reuses) the ``scale.py`` fixture at that URL,
then prints the median of repeated calls of :func:`workflow.mywork.my_work` (the
coordinator, every open case; a mentor, their own), :func:`workflow.budget.cycle_budget`
(the biggest cycle) and one consultation recorded through the service, with the
budget check and with it switched off (``allow_overrun``), on the same case.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import scale  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from workflow import budget, mywork, recording  # noqa: E402
from workflow.accounts import acting_user  # noqa: E402
from workflow.bootstrap import build_runtime  # noqa: E402
from workflow.errors import InvalidInput  # noqa: E402
from workflow.evidence.consultations import ConsultationIn  # noqa: E402
from workflow.orm import Case, User  # noqa: E402
from workflow.rules import Rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402


def median_ms(fn: Callable[[], Any], n: int) -> float:
    """The median wall time of ``n`` calls, in milliseconds."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def without_budget_check(rules: Rules) -> Rules:
    """The same rules with ``allow_overrun: true`` (the check returns at once)."""
    assert rules.policy.spec.budget is not None
    spec = rules.policy.spec.model_copy(
        update={"budget": rules.policy.spec.budget.model_copy(update={"allow_overrun": True})}
    )
    return dataclasses.replace(rules, policy=dataclasses.replace(rules.policy, spec=spec))


def main() -> int:
    """Build or reuse the fixture, then time the workbench's reads and the write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        parser.error("set DATABASE_URL to the (empty or fixture) database")
    scale.prepare(url, args.cases, args.events, reuse=args.reuse)
    rt = build_runtime(scale.settings_for(url))
    try:
        with rt.engine.connect() as conn:
            cycle_id, n = conn.execute(
                select(Case.cycle_id, func.count())
                .group_by(Case.cycle_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            mentor = conn.scalar(select(User.name).where(User.role == "mentor").limit(1))
        coordinator = acting_user(rt, scale.COORDINATOR)
        mentor_actor = acting_user(rt, str(mentor))
        open_cases = mywork.my_work(rt, coordinator, limit=500)
        print(f"{args.cases:,} cases; the coordinator's open cases: listed up to 500")
        for label, who, limit in (
            ("my_work coordinator, limit 100", coordinator, 100),
            ("my_work coordinator, limit 500", coordinator, 500),
            (f"my_work mentor {mentor}", mentor_actor, 100),
        ):
            ms = median_ms(functools.partial(mywork.my_work, rt, who, limit=limit), args.repeat)
            print(f"  {label:<40} {ms:8.1f} ms")
        ms = median_ms(lambda: budget.cycle_budget(rt, cycle_id), args.repeat)
        print(f"  cycle_budget (cycle {cycle_id}, {n} cases)      {ms:8.1f} ms")
        item = open_cases[0]
        unchecked = Runtime(rt.engine, FixedRules(without_budget_check(rt.rules)), clock=rt.clock)

        def check() -> None:
            # the check a consultation runs in its transaction (refused or not, same work)
            with rt.engine.begin() as conn:
                try:
                    budget.check_hours(conn, rt.rules.policy, item.cycle_id, Decimal("0.01"))
                except InvalidInput:
                    pass

        def consult() -> None:
            data = ConsultationIn(
                mentor="bench", held_on=date.today(), hours=Decimal("0.01"), topic="b"
            )
            recording.record(unchecked, coordinator, item.case_id, data)

        ms = median_ms(check, args.repeat)
        print(f"  {'budget check of a consultation':<40} {ms:8.1f} ms")
        ms = median_ms(consult, args.repeat)
        print(f"  {'consultation recorded, without check':<40} {ms:8.1f} ms")
    finally:
        rt.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
