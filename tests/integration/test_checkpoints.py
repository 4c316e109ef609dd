"""Signed checkpoints against tampering that the hash chains alone cannot see, on both
databases; and the independent verifier (tools/verify_export.py) agreeing with
``inkubators audit verify`` on every tampering.

An attacker with database rights drops the append-only triggers first, as here. Then:
edit a field, delete an event, swap two, truncate a tail and roll the head back,
rewrite a chain recomputing every hash, delete a case, cut or rewrite the account log.
The last four leave every chain internally valid; only the checkpoint shows them. And the
rows the engine reads, bound to the logs with no checkpoint needed: an evidence row edited,
deleted or inserted, a role raised, a forged token (the export carries those rows).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, Table, select, text

from inkubators.cli import main
from tests.conftest import COORDINATOR, ROOT, Clock
from workflow import accounts, checkpoint, fullexport, recording, signing
from workflow.accountlog import HASHED as ACCOUNT_FIELDS
from workflow.chain import HASHED_FIELDS, canonical_hash, event_hash
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.notes import NoteIn
from workflow.orm import AccountEvent, AuditEvent
from workflow.runtime import Runtime
from workflow.schemas import UserIn

events = cast(Table, AuditEvent.__table__)
account_events = cast(Table, AccountEvent.__table__)
TOOL = ROOT / "tools" / "verify_export.py"
VECTORS = ROOT / "tests" / "data" / "audit-vectors"


@dataclass
class World:
    """Cases a (5 events), b (3) and c (2), two account events, a key pair, a CLI."""

    rt: Runtime
    url: str
    a: int
    b: int
    c: int
    keys: signing.KeyPair
    tmp: Path

    def cli(self, *args: str) -> Result:
        env = {"DATABASE_URL": self.url, "INKUBATORS_SIGNING_KEY_FILE": str(self.keys.private)}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    def verify(self, cp: Path) -> Result:
        return self.cli("audit", "verify", "--checkpoint", str(cp), "--public-key", str(self.pub))

    @property
    def pub(self) -> Path:
        return self.keys.public

    def tool(self, cp: Path) -> subprocess.CompletedProcess[str]:
        exported = self.cli("audit", "export", "--format", "jsonl", "--complete")
        assert exported.exit_code == 0, exported.output
        path = self.tmp / "export.jsonl"
        path.write_text(exported.stdout, encoding="utf-8")
        args = [str(TOOL), str(path), "--checkpoint", str(cp), "--public-key", str(self.pub)]
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)


@pytest.fixture
def world(
    rt: Runtime,
    db_url: str,
    make_case: Callable[..., int],
    walk: Callable[..., int | None],
    tmp_path: Path,
) -> World:
    a, b, c = make_case(), make_case(), make_case()
    walk(a, "consulted")
    walk(b, "analysed")
    recording.record(rt, COORDINATOR, c, AnalysisIn(findings="Jauna", need_areas=["planning"]))
    accounts.add_user(rt, UserIn(name="liga", role="mentor"))
    accounts.add_user(rt, UserIn(name="peteris", role="auditor"))
    keys = signing.generate(tmp_path / "keys")
    return World(rt, db_url, a, b, c, keys, tmp_path)


@pytest.fixture
def cp(world: World) -> Path:
    path = world.tmp / "cp.json"
    made = world.cli("audit", "checkpoint", "-o", str(path))
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"checkpoint {path}: 3 cases (10 events), account log at #2")
    return path


def drop_protection(conn: Connection) -> None:
    """What an attacker with database rights does first."""
    if conn.dialect.name == "sqlite":
        for table in ("audit_events", "account_events"):
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
    else:
        for table in ("audit_events", "account_events"):
            conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))


def rehash_case(conn: Connection, case_id: int, from_seq: int) -> None:
    """Recompute the hashes and links of a case's chain from ``from_seq`` on, and its head."""
    rows = conn.execute(
        select(events).where(events.c.case_id == case_id).order_by(events.c.seq)
    ).all()
    prev = None
    for row in rows:
        fields = {k: getattr(row, k) for k in HASHED_FIELDS}
        if row.seq >= from_seq:
            fields["prev_hash"] = prev
            new = event_hash(fields)
            conn.execute(
                events.update().where(events.c.id == row.id).values(prev_hash=prev, hash=new)
            )
            prev = new
        else:
            prev = row.hash
    last = rows[-1]
    conn.execute(
        text("UPDATE cases SET version = :v, head_hash = :h, state = :s WHERE id = :id"),
        {"v": last.seq, "h": prev, "s": last.to_state, "id": case_id},
    )


def edit_field(w: World, conn: Connection) -> int | None:
    conn.execute(
        text("UPDATE audit_events SET comment = 'labots' WHERE case_id = :c AND seq = 2"),
        {"c": w.a},
    )
    return w.a


def delete_event(w: World, conn: Connection) -> int | None:
    conn.execute(text("DELETE FROM audit_events WHERE case_id = :c AND seq = 3"), {"c": w.a})
    return w.a


def swap_two(w: World, conn: Connection) -> int | None:
    for old, new in ((2, -1), (3, 2), (-1, 3)):
        conn.execute(
            text("UPDATE audit_events SET seq = :new WHERE case_id = :c AND seq = :old"),
            {"c": w.b, "old": old, "new": new},
        )
    return w.b


def truncate_and_roll_back(w: World, conn: Connection) -> int | None:
    conn.execute(text("DELETE FROM audit_events WHERE case_id = :c AND seq > 1"), {"c": w.b})
    rehash_case(conn, w.b, from_seq=99)
    return w.b


def recompute_chain(w: World, conn: Connection) -> int | None:
    conn.execute(
        text("UPDATE audit_events SET actor = 'mallory' WHERE case_id = :c AND seq = 2"),
        {"c": w.a},
    )
    rehash_case(conn, w.a, from_seq=2)
    return w.a


def delete_case(w: World, conn: Connection) -> int | None:
    for table in ("needs_analyses", "consultations", "source_selections", "applications"):
        conn.execute(text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": w.c})
    conn.execute(text("DELETE FROM audit_events WHERE case_id = :c"), {"c": w.c})
    conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": w.c})
    return w.c


def cut_account_log(w: World, conn: Connection) -> int | None:
    conn.execute(text("DELETE FROM account_events WHERE seq = 2"))
    return None


def rewrite_account_log(w: World, conn: Connection) -> int | None:
    rows = conn.execute(select(account_events).order_by(account_events.c.seq)).all()
    prev = None
    for row in rows:
        fields = {k: getattr(row, k) for k in ACCOUNT_FIELDS}
        fields.update(prev_hash=prev, details={**row.details, "role": "admin"})
        new = canonical_hash(fields)
        conn.execute(
            account_events.update()
            .where(account_events.c.id == row.id)
            .values(details=fields["details"], prev_hash=prev, hash=new)
        )
        prev = new
    return None


def edit_evidence(w: World, conn: Connection) -> int | None:
    conn.execute(text("UPDATE consultations SET hours = hours + 5 WHERE case_id = :c"), {"c": w.a})
    return w.a


def delete_evidence(w: World, conn: Connection) -> int | None:
    conn.execute(text("DELETE FROM needs_analyses WHERE case_id = :c"), {"c": w.c})
    return w.c


def insert_evidence(w: World, conn: Connection) -> int | None:
    conn.execute(
        text(
            "INSERT INTO consultations (case_id, mentor, held_on, hours, topic, recorded_by)"
            " SELECT :b, mentor, held_on, hours, topic, recorded_by FROM consultations"
            " WHERE case_id = :a"
        ),
        {"a": w.a, "b": w.b},
    )
    return w.b


def raise_role(w: World, conn: Connection) -> int | None:
    conn.execute(text("UPDATE users SET role = 'admin' WHERE name = 'liga'"))
    return None


def forge_token(w: World, conn: Connection) -> int | None:
    conn.execute(
        text(
            "INSERT INTO api_tokens (user_id, token_hash, created_at)"
            " SELECT id, :h, created_at FROM users WHERE name = 'peteris'"
        ),
        {"h": "e" * 64},
    )
    return None


def named(output: str) -> str:
    """What the first failing line names: ``case N`` or ``account log``."""
    line = next(x for x in output.splitlines() if "BROKEN" in x or "MISMATCH" in x)
    found = re.search(r"case (\d+)", line)
    return f"case {found.group(1)}" if found else ("account log" if "account" in line else line)


TAMPERINGS = [
    edit_field,
    delete_event,
    swap_two,
    truncate_and_roll_back,
    recompute_chain,
    delete_case,
    cut_account_log,
    rewrite_account_log,
    # rows the engine reads, bound to the logs (no checkpoint needed)
    edit_evidence,
    delete_evidence,
    insert_evidence,
    raise_role,
    forge_token,
]
# after these every chain and every binding still verifies: only the checkpoint tells
# (a rolled-back tail leaves evidence rows no event recorded; a rewritten or cut account
# log no longer replays to the users' rows)
INVISIBLE_TO_CHAINS = {recompute_chain, delete_case}


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__)
def test_verify_and_the_independent_verifier_both_name_the_tampering(
    world: World, cp: Path, tamper: Callable[[World, Connection], int | None]
) -> None:
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        victim = tamper(world, conn)
    expected = f"case {victim}" if victim is not None else "account log"
    plain = world.cli("audit", "verify")
    assert (plain.exit_code == 0) == (tamper in INVISIBLE_TO_CHAINS), plain.output
    ours = world.verify(cp)
    assert ours.exit_code == 1, ours.output
    assert named(ours.stderr) == expected
    theirs = world.tool(cp)
    assert theirs.returncode == 1, theirs.stdout + theirs.stderr
    assert named(theirs.stdout) == expected


def test_an_untouched_database_holds_and_newer_events_are_counted_alike(
    world: World, cp: Path
) -> None:
    recording.record(
        world.rt, COORDINATOR, world.c, AnalysisIn(findings="Otrā", need_areas=["planning"])
    )
    accounts.add_user(world.rt, UserIn(name="ilga", role="mentor"))
    ours = world.verify(cp)
    assert ours.exit_code == 0, ours.output
    key_id = world.keys.key_id
    assert ours.stdout.splitlines() == [
        f"checkpoint {cp} of {checkpoint.read(cp).created_at}: signature valid "
        f"(key {key_id[:16]}…)",
        "audit log OK: 11 events verified",
        "account log OK: 3 events verified",
        "checkpoint OK: all 3 cases it covers and the account log at #2 are intact; "
        "1 event in cases and 1 event in the account log are newer than the checkpoint",
    ]
    theirs = world.tool(cp)
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    assert theirs.stdout.splitlines()[-1] == "checkpoint OK; events newer than the checkpoint: 2"


def test_a_truncated_tail_is_named_with_what_is_missing(world: World, cp: Path) -> None:
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        truncate_and_roll_back(world, conn)
    result = world.verify(cp)
    broken, *mismatches = result.stderr.splitlines()
    # the analysis the dropped tail recorded is still there: no event binds it any more
    assert broken.startswith("audit log BROKEN: needs_analyses "), broken
    assert broken.endswith(
        f"no audit event recorded it (case {world.b}): inserted behind the engine's back"
    )
    assert mismatches == [
        f"checkpoint MISMATCH: case {world.b} is at #1 but the checkpoint has #3: 2 events "
        "missing (a truncated tail rolled back, or a database restored from an older backup)",
        "checkpoint MISMATCH: 1 of 4 heads differ; the database lacks 2 of the 12 events "
        "the checkpoint covers; 0 events in cases and 0 events in the account log are newer "
        "than the checkpoint",
    ]


def test_a_rewritten_chain_is_named(world: World, cp: Path) -> None:
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        recompute_chain(world, conn)
    line = world.verify(cp).stderr.splitlines()[0]
    assert re.fullmatch(
        rf"checkpoint MISMATCH: case {world.a} has another event \(hash [0-9a-f]{{12}}…\) at "
        r"#5, where the checkpoint recorded [0-9a-f]{12}…: its chain was rewritten",
        line,
    )


def test_a_deleted_case_is_named(world: World, cp: Path) -> None:
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        delete_case(world, conn)
    assert world.verify(cp).stderr.splitlines()[0] == (
        f"checkpoint MISMATCH: case {world.c} is gone, the checkpoint has it at #2: deleted, "
        "or the database is older than the checkpoint"
    )


def edit_checkpoint(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["cases"][0].__setitem__(2, "0" * 64),
            "merkle_root: does not match the listed heads: the file was edited",
        ),
        (
            lambda d: d.__setitem__("created_at", "2030-01-01T00:00:00.000000Z"),
            "the signature does not match: the checkpoint was altered after signing",
        ),
        (lambda d: d["cases"].pop(), "tree_size: 4, but the file lists 3 leaves"),
        (lambda d: d.__setitem__("signature", None), "is unsigned (made without a signing key)"),
    ],
    ids=["head", "time", "case-removed", "unsigned"],
)
def test_an_edited_checkpoint_is_refused(
    world: World, cp: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    edit_checkpoint(cp, change)
    result = world.verify(cp)
    assert result.exit_code == 1
    assert message in result.stderr
    assert world.tool(cp).returncode == 1


def test_a_checkpoint_signed_by_another_key_is_refused(world: World, cp: Path) -> None:
    other = signing.generate(world.tmp / "other")
    result = world.cli(
        "audit", "verify", "--checkpoint", str(cp), "--public-key", str(other.public)
    )
    assert result.exit_code == 1
    assert f"was signed by key {world.keys.key_id[:16]}…, not by the public key given" in (
        result.stderr
    )


def test_no_checkpoint_over_a_broken_log(world: World) -> None:
    with world.rt.engine.begin() as conn:
        drop_protection(conn)
        edit_field(world, conn)
    out = world.tmp / "cp.json"
    result = world.cli("audit", "checkpoint", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: refusing to checkpoint a broken audit log: event ")
    assert not out.exists()


def test_without_a_key_only_an_explicitly_unsigned_checkpoint(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": world.url}
    out = tmp_path / "unsigned.json"
    refused = runner.invoke(main, ["audit", "checkpoint", "-o", str(out)], env=env)
    assert refused.exit_code == 2
    assert "no signing key: set INKUBATORS_SIGNING_KEY_FILE" in refused.stderr
    made = runner.invoke(main, ["audit", "checkpoint", "-o", str(out), "--unsigned"], env=env)
    assert made.exit_code == 0, made.output
    assert made.stdout.rstrip().endswith("UNSIGNED")
    checked = runner.invoke(main, ["audit", "verify", "--checkpoint", str(out)], env=env)
    assert checked.exit_code == 0
    assert "UNSIGNED (shows no origin)" in checked.stdout


def test_the_complete_export_of_the_vector_events_is_the_vector_export(
    rt: Runtime,
    db_url: str,
    clock: Clock,
    make_cycle: Callable[..., int],
    make_org: Callable[..., int],
) -> None:
    """Stored as the published events, the database exports the published file, byte for
    byte, and verifies: the vectors describe what this software really writes."""
    chains = json.loads((VECTORS / "chains.json").read_text(encoding="utf-8"))
    published = (VECTORS / "export.jsonl").read_text("utf-8")
    # lines end at LF only: str.splitlines() would also split at the U+2028 in a comment
    lines = [json.loads(x) for x in published.split("\n") if x]
    cycle, orgs = make_cycle(), {1: make_org(), 2: make_org()}
    with rt.engine.begin() as conn:
        for head in (x for x in lines if x["record"] == "case"):
            conn.execute(
                text(
                    "INSERT INTO cases (id, organisation_id, cycle_id, state, version, head_hash,"
                    " state_since, enrolled_at) VALUES (:id, :o, :c, :s, :v, :h, :t, :t)"
                ),
                {"id": head["id"], "o": orgs[head["id"]], "c": cycle, "s": head["state"]}
                | {"v": head["version"], "h": head["head_hash"], "t": clock.now},
            )
        for x in (x for x in lines if x["record"] == "case_event"):
            row = {k: v for k, v in x.items() if k != "record"}
            conn.execute(events.insert().values({**row, "at": datetime.fromisoformat(x["at"])}))
        for x in (x for x in lines if x["record"] == "account_event"):
            row = {k: v for k, v in x.items() if k != "record"}
            at = datetime.fromisoformat(x["at"])
            conn.execute(account_events.insert().values({**row, "at": at}))
        # the one account the log adds, as its replay leaves it (verify binds users to it)
        conn.execute(
            text(
                "INSERT INTO users (name, role, locale, active, session_epoch, created_at)"
                " VALUES ('admins', 'admin', 'lv', :t, 0, :at)"
            ),
            {"t": True, "at": clock.now},
        )
    assert len(chains["case_events"]) == 4
    assert "".join(fullexport.export(rt)) == published
    result = CliRunner().invoke(main, ["audit", "verify"], env={"DATABASE_URL": db_url})
    assert result.stdout == "audit log OK: 4 events verified\naccount log OK: 2 events verified\n"


def test_an_edited_note_is_named_by_verify_and_the_independent_verifier(world: World) -> None:
    """Notes (and documents) are evidence rows like the others, in the export too."""
    recording.record(
        world.rt, COORDINATOR, world.b, NoteIn(note_type="phone", text="Zvanīja priekšsēdētāja")
    )
    cp = world.tmp / "cp-note.json"
    assert world.cli("audit", "checkpoint", "-o", str(cp)).exit_code == 0
    assert world.tool(cp).returncode == 0
    with world.rt.engine.begin() as conn:
        conn.execute(text("UPDATE notes SET text = 'Nekas' WHERE case_id = :c"), {"c": world.b})
    ours = world.cli("audit", "verify")
    assert ours.exit_code == 1
    assert "notes" in ours.stderr
    theirs = world.tool(cp)
    assert theirs.returncode == 1, theirs.stdout + theirs.stderr
    assert "notes" in theirs.stdout
    assert "edited" in theirs.stdout
