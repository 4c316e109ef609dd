"""A representative's reads on a scale fixture: their case page and lists, against staff's.

Run: ``.venv/bin/python benchmarks/representatives.py [--cases 2000] [--events 60000] [--notes 20000]``

Builds the scale fixture (:mod:`benchmarks.scale`) in a temporary SQLite file, adds
``--notes`` notes (every other one shared with the organisation; a quarter on one case),
binds a representative to that case's organisation, then times, each the best of 5 runs:
the organisation's view of the case (``orgview.case_overview``) beside the staff's case
document (``views.case_detail``), the case list (scoped to one organisation, and all),
the first page of notes (shared only, and all), and the list's search by a word of the
notes (shared only, and all). Prints one line per figure; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.reminders import best
from benchmarks.scale import build, settings_for
from workflow import notelist, orgview, views
from workflow.actors import Actor
from workflow.bootstrap import build_runtime
from workflow.orm import Case, Note, User


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--notes", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        build(url, args.cases, args.events)
        rt = build_runtime(settings_for(url))
        rng = random.Random(13)
        with rt.engine.begin() as conn:
            case_ids = list(conn.scalars(select(Case.id)))
            heavy = case_ids[0]
            org = conn.scalar(select(Case.organisation_id).where(Case.id == heavy))
            rows = [
                {
                    "case_id": heavy if i % 4 == 0 else rng.choice(case_ids),
                    "note_type": "email",
                    "noted_on": date(2024, 1, 1) + timedelta(days=i % 300),
                    "text": f"Vēstule nr. {i}: valde apsprieda budžetu",
                    "recorded_by": "bench",
                    "internal": i % 2 == 0,
                }
                for i in range(args.notes)
            ]
            conn.execute(insert(Note), rows)
            coordinator = next(
                Actor(n, r, i)
                for i, n, r in conn.execute(select(User.id, User.name, User.role))
                if r == "coordinator"
            )
        rep = Actor("bench.valde", "representative", None, org)
        print(f"{args.cases:,} cases, {args.notes:,} notes ({args.notes // 4:,} on case {heavy})")
        for label, fn in (
            ("organisation's view of the case", lambda: orgview.case_overview(rt, rep, heavy)),
            ("staff's case document", lambda: views.case_detail(rt, coordinator, heavy)),
            ("case list, a representative", lambda: views.list_cases(rt, rep)),
            ("case list, the coordinator (page of 50)", lambda: views.list_cases(rt, coordinator)),
            ("first page of notes, shared only", lambda: notelist.list_notes(rt, rep, heavy)),
            ("first page of notes, all", lambda: notelist.list_notes(rt, coordinator, heavy)),
            (
                "search by a word of the notes, shared only",
                lambda: views.list_cases(rt, rep, search="apsprieda"),
            ),
            (
                "search by a word of the notes, all",
                lambda: views.list_cases(rt, coordinator, search="apsprieda"),
            ),
        ):
            print(f"{label}: {best(fn):,.2f} ms")
        rt.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
