"""What an ``Idempotency-Key`` costs an API write, and what a replay costs.

Run: ``.venv/bin/python benchmarks/idempotency.py [--n N] [--skip-pg]``.

Why: a keyed write pays two short extra transactions (claim the key, store the answer)
around the write itself; a retry pays the claim and one read instead of the write. This
script sends the same kind of write (``POST /cases/{id}/consultations``, one audit event
each) through the whole Flask app in-process, alternating rounds without a key and with a
fresh key per request, then replays one stored key N times, on SQLite (WAL,
``synchronous=FULL``) and PostgreSQL (``TEST_POSTGRES_URL``; skipped with a note when
unreachable). The last line is ``keyed/plain: sqlite=R pg=R`` (``-`` when skipped).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/transitions.py would shadow the ``transitions`` package the engine imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from web import create_app  # noqa: E402
from workflow import enrolment, registry  # noqa: E402
from workflow.accounts import add_user  # noqa: E402
from workflow.actors import Actor  # noqa: E402
from workflow.db import make_engine, upgrade  # noqa: E402
from workflow.rules import load_rules  # noqa: E402
from workflow.runtime import FixedRules, Runtime  # noqa: E402
from workflow.schemas import CycleIn, OrganisationIn, UserIn  # noqa: E402
from workflow.settings import Settings  # noqa: E402
from workflow.tokens import create_token  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN = Actor("bench", "admin")
ROUNDS = 6


def _client(url: str, instance: Path) -> tuple[FlaskClient, dict[str, str], int]:
    """The app on a migrated database with one case and a coordinator's token."""
    upgrade(url)
    clock = datetime(2023, 3, 1, 10, tzinfo=UTC)
    rt = Runtime(make_engine(url), FixedRules(load_rules(ROOT / "states", ROOT / "policies")))
    rt.clock = lambda: clock
    add_user(rt, UserIn(name="ilze", role="coordinator"))
    cycle = registry.create_cycle(
        rt, ADMIN, CycleIn(name="C", starts_on=date(2023, 3, 1), ends_on=date(2023, 12, 31))
    )
    org = registry.create_organisation(
        rt, ADMIN, OrganisationIn(name="O", reg_no="40008000001", legal_form="association")
    )
    case = enrolment.enrol(rt, ADMIN, org.id, cycle.id)
    settings = Settings(mode="test", database_url=url, secret_key="b" * 40, instance_dir=instance)
    app = create_app(settings, runtime=rt)
    headers = {"Authorization": f"Bearer {create_token(rt, 'ilze')}"}
    return app.test_client(), headers, case


def _rate(n: int, send: Callable[[], int], status: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        got = send()
        assert got == status, got
    return n / (time.perf_counter() - start)


def measure(url: str, n: int, instance: Path) -> float:
    """Print writes/s without and with a key, and replays/s; return keyed/plain."""
    client, auth, case = _client(url, instance)
    body = {"mentor": "anna", "held_on": "2023-03-01", "hours": "1", "topic": "T"}
    path = f"/api/v1/cases/{case}/consultations"

    def plain() -> int:
        return client.post(path, json=body, headers=auth).status_code

    def keyed() -> int:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return client.post(path, json=body, headers={**auth, **key}).status_code

    stored = {"Idempotency-Key": "replayed"}
    assert client.post(path, json=body, headers={**auth, **stored}).status_code == 201

    def replay() -> int:
        return client.post(path, json=body, headers={**auth, **stored}).status_code

    rates: dict[str, list[float]] = {"plain": [], "keyed": [], "replay": []}
    for _ in range(ROUNDS):
        rates["plain"].append(_rate(n // ROUNDS, plain, 201))
        rates["keyed"].append(_rate(n // ROUNDS, keyed, 201))
        rates["replay"].append(_rate(n // ROUNDS, replay, 201))
    best = {k: sorted(v)[len(v) // 2] for k, v in rates.items()}  # the median round
    print(
        f"  writes without a key {best['plain']:8.0f}/s   with a new key {best['keyed']:8.0f}/s"
        f"   replays of a stored key {best['replay']:8.0f}/s"
    )
    return best["keyed"] / best["plain"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="requests per variant")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"SQLite, {args.n} requests per variant, median of {ROUNDS} rounds")
        sqlite = measure(f"sqlite:///{tmp}/bench.sqlite3", args.n, Path(tmp))
        pg: float | None = None
        if not args.skip_pg:
            pg = _postgres(args.n, Path(tmp))
    print(f"keyed/plain: sqlite={sqlite:.2f} pg={f'{pg:.2f}' if pg is not None else '-'}")


def _postgres(n: int, instance: Path) -> float | None:
    import os

    server = os.environ.get("TEST_POSTGRES_URL", PG_DEFAULT)
    name = f"ink_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to connect: skip, saying why
        print(f"PostgreSQL skipped: {exc.__class__.__name__}: {exc}".splitlines()[0])
        return None
    try:
        print(f"PostgreSQL 1 client, {n} requests per variant, median of {ROUNDS} rounds")
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        return measure(url, n, instance)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
