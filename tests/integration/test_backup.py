"""Backups while the service writes, and restores checked against their checkpoints.

Copying SQLite's file while the service wrote gave a corrupt copy about one time in 40;
here 40 online backups are taken while two threads write, and every one must pass
``integrity_check``, verify both chains and match the checkpoint written beside it.
On PostgreSQL the same round trip goes through pg_dump and pg_restore.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from inkubators.cli import main
from tests.conftest import COORDINATOR, IN_CI, Clock, make_runtime
from workflow import (
    accountlog,
    accounts,
    auditlog,
    backup,
    checkpointing,
    enrolment,
    recording,
    registry,
    signing,
)
from workflow.evidence.consultations import ConsultationIn
from workflow.pgbackup import BackupError
from workflow.rules import Rules
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, OrganisationIn, UserIn


def cli(url: str, *args: str, key: Path | None = None) -> Result:
    env = {"DATABASE_URL": url, "INKUBATORS_SIGNING_KEY_FILE": str(key) if key else None}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def consult(rt: Runtime, case_id: int, n: int) -> None:
    data = ConsultationIn(
        mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("1.5"), topic=f"Tēma {n}"
    )
    recording.record(rt, COORDINATOR, case_id, data)


@pytest.fixture
def signer(tmp_path: Path) -> signing.Signer:
    return signing.load_signer(signing.generate(tmp_path / "keys").private)


def sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


def check_copy(path: Path, result: backup.BackupResult) -> int:
    """integrity_check, both chains and the checkpoint, on the copy itself; its events."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert result.checkpoint is not None
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=NullPool)
    try:
        with checkpointing.snapshot(engine) as conn:
            chains = auditlog.verify_on(conn)
            assert chains.ok, chains.first_bad
            assert accountlog.verify_on(conn).ok
            held = checkpointing.compare(conn, result.checkpoint)
    finally:
        engine.dispose()
    assert held.ok, held.findings
    assert (held.newer_case_events, held.newer_account_events) == (0, 0)
    assert chains.checked == result.checkpoint.case_events
    return chains.checked


def test_forty_backups_under_two_writers_all_check_and_verify(
    sqlite_rt: Runtime,
    sqlite_url: str,
    signer: signing.Signer,
    tmp_path: Path,
    make_two_cases: tuple[int, int],
) -> None:
    rt = sqlite_rt
    stop = threading.Event()
    written = [0, 0]
    errors: list[BaseException] = []

    def write(slot: int, case_id: int) -> None:
        try:
            n = 0
            while not stop.is_set() and n < 2000:
                consult(rt, case_id, n)
                if n % 10 == 0:
                    accounts.add_user(rt, UserIn(name=f"m{slot}x{n}", role="mentor"))
                n += 1
                written[slot] = n
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i, c)) for i, c in enumerate(make_two_cases)]
    for t in threads:
        t.start()
    seen: list[int] = []
    try:
        for i in range(40):
            dest = tmp_path / f"b{i:02}.sqlite3"
            result = backup.backup(rt, dest, signer)
            assert result.checkpoint_path == tmp_path / f"b{i:02}.sqlite3.checkpoint.json"
            assert result.checkpoint is not None
            assert result.checkpoint.signature is not None
            seen.append(check_copy(dest, result))
            assert not Path(f"{dest}-wal").exists()  # one self-contained file
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert sum(written) > 0
    # the writers really wrote between backups: the copies hold different moments
    assert len(set(seen)) > 1, seen
    assert seen == sorted(seen)


@pytest.fixture
def make_two_cases(sqlite_rt: Runtime) -> tuple[int, int]:
    """Two enrolled cases on the SQLite runtime, for the writers."""
    cycle = registry.create_cycle(
        sqlite_rt,
        COORDINATOR,
        # a budget the writers' many consultations cannot exhaust (the budget check
        # would refuse them past EUR 10,000: tests/integration/test_workbench.py)
        CycleIn(
            name="Cikls",
            starts_on=date(2023, 3, 1),
            ends_on=date(2023, 12, 31),
            budget_eur=Decimal("900000"),
        ),
    ).id
    ids = []
    for n in (1, 2):
        org = registry.create_organisation(
            sqlite_rt,
            COORDINATOR,
            OrganisationIn(
                name=f"Biedrība {n}",
                reg_no=f"4000800000{n}",
                legal_form="association",
                fields=["social"],
            ),
        ).id
        ids.append(enrolment.enrol(sqlite_rt, COORDINATOR, org, cycle))
    return ids[0], ids[1]


def test_restore_round_trip_on_sqlite_and_what_a_backup_lacks(
    sqlite_rt: Runtime,
    sqlite_url: str,
    make_two_cases: tuple[int, int],
    tmp_path: Path,
) -> None:
    keys = signing.generate(tmp_path / "keys")
    a, _ = make_two_cases
    consult(sqlite_rt, a, 1)
    dump = tmp_path / "nightly.sqlite3"
    made = cli(sqlite_url, "backup", str(dump), key=keys.private)
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines()[1] == (
        f"checkpoint: {dump}.checkpoint.json (signed with key {keys.key_id[:16]}…); "
        "2 cases, 3 case events, account log at #0"
    )
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = cli(target, "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    lines = restored.stdout.splitlines()
    assert lines[0] == f"restored {dump} into {target} (SQLite online backup)"
    assert lines[1:3] == ["audit log OK: 3 events verified", "account log OK: 0 events verified"]
    assert lines[4] == (
        "checkpoint OK: all 2 cases it covers and the account log at #0 are intact; "
        "0 events in cases and 0 events in the account log are newer than the checkpoint"
    )
    # the service went on; tonight's checkpoint shows what the restored backup lacks
    consult(sqlite_rt, a, 2)
    consult(sqlite_rt, a, 3)
    newer = tmp_path / "tonight.json"
    assert cli(sqlite_url, "audit", "checkpoint", "-o", str(newer), key=keys.private).exit_code == 0
    behind = cli(
        target, "audit", "verify", "--checkpoint", str(newer), "--public-key", str(keys.public)
    )
    assert behind.exit_code == 1
    assert behind.stderr.splitlines()[-1] == (
        "checkpoint MISMATCH: 1 of 3 heads differ; the database lacks 2 of the 5 events the "
        "checkpoint covers; 0 events in cases and 0 events in the account log are newer than "
        "the checkpoint"
    )
    again = cli(target, "restore", str(dump))
    assert again.exit_code == 1
    assert re.match(rf"error: {re.escape(target)} is not empty \(it has \d+ tables: ", again.stderr)


def test_backup_never_overwrites_and_says_when_unsigned(
    sqlite_rt: Runtime, sqlite_url: str, make_two_cases: tuple[int, int], tmp_path: Path
) -> None:
    dest = tmp_path / "b.sqlite3"
    made = cli(sqlite_url, "backup", str(dest))
    assert made.exit_code == 0, made.output
    assert "(UNSIGNED: no INKUBATORS_SIGNING_KEY_FILE is configured" in made.stdout
    before = dest.read_bytes()
    again = cli(sqlite_url, "backup", str(dest))
    assert again.exit_code == 1
    assert again.stderr == f"error: {dest} exists; refusing to overwrite it (choose a new name)\n"
    assert dest.read_bytes() == before


def test_a_broken_log_is_backed_up_but_not_vouched_for(
    sqlite_rt: Runtime, sqlite_url: str, make_two_cases: tuple[int, int], tmp_path: Path
) -> None:
    with sqlite_rt.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    dest = tmp_path / "b.sqlite3"
    made = cli(sqlite_url, "backup", str(dest))
    assert made.exit_code == 1
    assert dest.exists()
    assert not backup.checkpoint_path(dest).exists()
    assert made.stderr.startswith(
        "NO checkpoint for this backup: refusing to checkpoint a broken audit log: event "
    )


def test_restore_refuses_what_it_cannot_restore(sqlite_url: str, tmp_path: Path) -> None:
    target = tmp_path / "new.sqlite3"
    url = f"sqlite:///{target}"
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a backup\n", encoding="utf-8")
    with pytest.raises(BackupError, match="is neither a SQLite backup nor a pg_dump -Fc archive"):
        backup.restore(url, text_file)
    dump = tmp_path / "pg.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
    with pytest.raises(
        BackupError, match="is a PostgreSQL dump; DATABASE_URL names a sqlite database"
    ):
        backup.restore(url, dump)
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE cases (id INTEGER)")
    with pytest.raises(
        BackupError,
        match="is a SQLite database but not an Inkubators backup "
        r"\(it lacks the tables account_events, alembic_version, audit_events\)",
    ):
        backup.restore(url, foreign)
    with pytest.raises(BackupError, match="is not a directory: create it first"):
        backup.restore(f"sqlite:///{tmp_path / 'no' / 'db.sqlite3'}", foreign)
    Path(f"{target}-wal").write_bytes(b"stale")
    with pytest.raises(BackupError, match="-wal is left over from another database"):
        backup.restore(url, sqlite_file(sqlite_url))
    assert not target.exists()


# --- PostgreSQL ---------------------------------------------------------------------


@pytest.fixture
def empty_pg(pg_server: str) -> Iterator[str]:
    """A new database with nothing in it, dropped after the test."""
    name = f"ink_r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def need_pg_tools() -> None:
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    if IN_CI:
        pytest.fail("CI=true but pg_dump/pg_restore are not on PATH (postgresql-client-15)")
    pytest.skip("pg_dump/pg_restore not on PATH")


@pytest.mark.postgres
def test_pg_dump_round_trip(
    pg_url: str, empty_pg: str, rules: Rules, clock: Clock, tmp_path: Path
) -> None:
    need_pg_tools()
    rt = make_runtime(pg_url, rules, clock)
    try:
        cycle = registry.create_cycle(
            rt, COORDINATOR, CycleIn(name="C", starts_on=date(2023, 3, 1), ends_on=date(2023, 9, 1))
        ).id
        org = registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(name="Fotast", reg_no="40008000099", legal_form="association"),
        ).id
        case_id = enrolment.enrol(rt, COORDINATOR, org, cycle)
        consult(rt, case_id, 1)
        accounts.add_user(rt, UserIn(name="liga", role="mentor"))
    finally:
        rt.engine.dispose()
    keys = signing.generate(tmp_path / "keys")
    dump = tmp_path / "nightly.dump"
    made = cli(pg_url, "backup", str(dump), key=keys.private)
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"backup written: {dump} (pg_dump -Fc, ")
    assert dump.read_bytes().startswith(b"PGDMP")
    restored = cli(empty_pg, "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.splitlines()[1:3] == [
        "audit log OK: 2 events verified",
        "account log OK: 1 events verified",
    ]
    assert "checkpoint OK: all 1 cases it covers and the account log at #1 are intact" in (
        restored.stdout
    )
    checked = cli(
        empty_pg,
        "audit",
        "verify",
        "--checkpoint",
        f"{dump}.checkpoint.json",
        "--public-key",
        str(keys.public),
    )
    assert checked.exit_code == 0, checked.output
    again = cli(empty_pg, "restore", str(dump))
    assert again.exit_code == 1
    assert re.search(r"is not empty \(it has \d+ tables: public.account_events", again.stderr)


@pytest.mark.postgres
def test_without_pg_dump_it_says_exactly_what_to_run(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workflow.pgbackup.shutil.which", lambda name: None)
    result = cli(pg_url, "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 1
    bare = make_url(pg_url).set(drivername="postgresql", password=None)
    uri = bare.render_as_string(hide_password=False)
    assert result.stderr == (
        "error: pg_dump is not on PATH (Debian: apt-get install postgresql-client-15). "
        f"Run instead: pg_dump -Fc -f {tmp_path / 'x.dump'} '{uri}', then: inkubators audit "
        f"checkpoint -o {tmp_path / 'x.dump'}.checkpoint.json (taken after the dump, it may "
        "cover a few newer events)\n"
    )
    assert not (tmp_path / "x.dump").exists()
