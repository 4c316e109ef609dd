"""Reminders, calendar feeds and notes on a scale fixture: what they cost as a programme grows.

Run: ``.venv/bin/python benchmarks/reminders.py [--cases 5000] [--events 150000] [--notes 20000]``

Builds the scale fixture (:mod:`benchmarks.scale`) in a temporary SQLite file, adds
``--notes`` notes spread over the cases (bulk rows: the figures are about reading them),
then times, each the best of 5 runs:

- ``inkubators remind --dry-run`` for every coordinator and mentor (what a daily run reads);
- one coordinator's calendar feed (every open case) and one mentor's;
- the case list's search by a word from the notes, and by an organisation's name;
- a case's first page of notes, for the case with the most notes and for one with one.

Prints one line per figure; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from benchmarks.scale import build, settings_for
from workflow import notelist, reminders, views
from workflow.actors import Actor
from workflow.bootstrap import build_runtime
from workflow.calfeed import feed
from workflow.mail import Mailer, MailSettings
from workflow.orm import Case, Note, User


def best(fn: Callable[[], object], runs: int = 5) -> float:
    """The fastest of ``runs`` calls, in milliseconds."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return min(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--events", type=int, default=150_000)
    parser.add_argument("--notes", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        build(url, args.cases, args.events)
        rt = build_runtime(settings_for(url))
        rng = random.Random(5)
        with rt.engine.begin() as conn:
            case_ids = list(conn.scalars(select(Case.id)))
            heavy = case_ids[0]
            rows = [
                {
                    "case_id": heavy if i % 4 == 0 else rng.choice(case_ids),
                    "note_type": rng.choice(["phone", "meeting", "email", "other"]),
                    "noted_on": date(2024, 1, 1) + timedelta(days=i % 300),
                    "text": f"Zvans nr. {i}: valde apsprieda budžetu un termiņus",
                    "recorded_by": "bench",
                }
                for i in range(args.notes)
            ]
            conn.execute(insert(Note), rows)
            users = conn.execute(select(User.id, User.name, User.role)).all()
            light = conn.scalar(
                select(Note.case_id).group_by(Note.case_id).having(func.count() == 1).limit(1)
            )
        coordinator = next(Actor(n, r, i) for i, n, r in users if r == "coordinator")
        mentor = next(Actor(n, r, i) for i, n, r in users if r == "mentor")
        as_of = rt.today()
        mailer = Mailer(MailSettings(smtp_host=""))
        digests = reminders.remind(rt, mailer, as_of=as_of, dry_run=True)
        items = sum(len(d.items) for d in digests)
        print(f"{args.cases:,} cases, {args.notes:,} notes ({args.notes // 4:,} on case {heavy})")
        ms = best(lambda: reminders.remind(rt, mailer, as_of=as_of, dry_run=True), runs=3)
        print(f"remind --dry-run: {len(digests)} digests, {items:,} items: {ms:,.0f} ms")
        size = len(feed(rt, coordinator, "lv"))
        print(
            f"coordinator's feed ({size:,} bytes): {best(lambda: feed(rt, coordinator, 'lv')):,.0f} ms"
        )
        size = len(feed(rt, mentor, "lv"))
        print(f"a mentor's feed ({size:,} bytes): {best(lambda: feed(rt, mentor, 'lv')):,.0f} ms")
        ms = best(lambda: views.list_cases(rt, coordinator, search="apsprieda"))
        print(f"case list search by a word of the notes (first page of 50): {ms:,.1f} ms")
        ms = best(lambda: views.list_cases(rt, coordinator, search="no such words anywhere"))
        print(f"case list search that matches nothing (reads every note): {ms:,.1f} ms")
        ms = best(lambda: notelist.list_notes(rt, coordinator, heavy))
        print(f"first page of notes, case with {args.notes // 4:,} notes: {ms:,.2f} ms")
        if light is not None:
            ms = best(lambda: notelist.list_notes(rt, coordinator, light))
            print(f"first page of notes, case with 1 note: {ms:,.2f} ms")
        rt.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
