"""Taking a checkpoint of the database, and holding the database against one.

A checkpoint is taken inside one snapshot (REPEATABLE READ on PostgreSQL, a read
transaction on SQLite's WAL): the chains are verified and the heads read from the same
state, so a checkpoint never vouches for a log that was already broken, nor mixes heads
from two moments. Comparing names, for everything the checkpoint covers, a case that is
gone, a case behind its checkpointed version (a tail cut and the head rolled back, or a
database restored from an older backup), and a chain whose event at the checkpointed
version has another hash (rewritten, even with every hash recomputed); and it counts the
events newer than the checkpoint. The file format is :mod:`workflow.checkpoint`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Engine, Table, func, select, tuple_

from workflow import accountlog, auditlog
from workflow.chain import utc_text
from workflow.checkpoint import AccountHead, CaseHead, Checkpoint, CheckpointError, make
from workflow.db import READ_ONLY
from workflow.orm import AccountEvent, AuditEvent, Case
from workflow.rules import Rules
from workflow.signing import Signer

cases = cast(Table, Case.__table__)
events = cast(Table, AuditEvent.__table__)
account_events = cast(Table, AccountEvent.__table__)

#: (case, seq) pairs looked up per query when comparing (well under any driver's limit)
BATCH = 500


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one state of the database across statements."""
    with engine.connect() as conn:
        options: dict[str, object] = {READ_ONLY: True}
        if conn.dialect.name == "postgresql":
            options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        conn = conn.execution_options(**options)
        with conn.begin():
            yield conn


def read_heads(conn: Connection) -> tuple[AccountHead, list[CaseHead]]:
    """Every case's (id, version, head hash) and the account log's last (seq, hash)."""
    heads = [
        CaseHead(r.id, r.version, r.head_hash or None)
        for r in conn.execute(
            select(cases.c.id, cases.c.version, cases.c.head_hash).order_by(cases.c.id)
        )
    ]
    last = conn.execute(
        select(account_events.c.seq, account_events.c.hash)
        .order_by(account_events.c.seq.desc())
        .limit(1)
    ).first()
    return (AccountHead(last.seq, last.hash) if last else AccountHead(0, None)), heads


def take(conn: Connection, rules: Rules, at: datetime, signer: Signer | None) -> Checkpoint:
    """Verify both logs in ``conn``'s snapshot and return a checkpoint of that snapshot.

    Raises :class:`CheckpointError` naming the first bad event rather than sign a log
    that does not verify.
    """
    chains = auditlog.verify_on(conn)
    if not chains.ok:
        bad = chains.first_bad or {}
        raise CheckpointError(
            "refusing to checkpoint a broken audit log: event "
            f"{bad.get('event_id')} (case {bad.get('case_id')}, #{bad.get('seq')}): "
            f"{bad.get('problem')}"
        )
    accounts = accountlog.verify_on(conn)
    if not accounts.ok:
        problem = accounts.problem.en if accounts.problem else "?"
        raise CheckpointError(
            f"refusing to checkpoint a broken account log: #{accounts.first_bad_seq}: {problem}"
        )
    account, heads = read_heads(conn)
    rules_hashes = {"policy": rules.policy_hash, "states": rules.states_hash}
    return make(utc_text(at), rules_hashes, account, heads, signer)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the checkpoint covers that the database no longer holds as it was.

    ``case_id`` is None for the account log; ``lacking`` counts the events the checkpoint
    covers that the database does not have (0 when they are there but different).
    """

    case_id: int | None
    problem: str
    lacking: int = 0


@dataclass(frozen=True, slots=True)
class Comparison:
    """The database held against a checkpoint."""

    cases_covered: int
    findings: tuple[Finding, ...]
    newer_case_events: int
    newer_account_events: int

    @property
    def ok(self) -> bool:
        """Whether everything the checkpoint covers is still there, unchanged."""
        return not self.findings

    @property
    def lacking(self) -> int:
        """Events the checkpoint covers that the database lacks."""
        return sum(f.lacking for f in self.findings)


def events_text(n: int) -> str:
    """``1 event``, ``2 events``: counts in findings and reports read as English."""
    return f"{n} event" if n == 1 else f"{n} events"


_OLDER = "a truncated tail rolled back, or a database restored from an older backup"


def compare(conn: Connection, cp: Checkpoint) -> Comparison:
    """Hold the database (in ``conn``'s snapshot) against ``cp``."""
    current = {r.id: r.version for r in conn.execute(select(cases.c.id, cases.c.version))}
    findings: list[Finding] = []
    to_check: dict[tuple[int, int], str] = {}
    newer = 0
    for c in cp.cases:
        now = current.pop(c.id, None)
        if now is None:
            findings.append(
                Finding(
                    c.id,
                    f"case {c.id} is gone, the checkpoint has it at #{c.version}: deleted, "
                    "or the database is older than the checkpoint",
                    c.version,
                )
            )
        elif now < c.version:
            findings.append(
                Finding(
                    c.id,
                    f"case {c.id} is at #{now} but the checkpoint has #{c.version}: "
                    f"{events_text(c.version - now)} missing ({_OLDER})",
                    c.version - now,
                )
            )
        else:
            newer += now - c.version
            if c.head is not None:
                to_check[(c.id, c.version)] = c.head
    newer += sum(current.values())  # cases the checkpoint does not know yet
    stored = _event_hashes(conn, list(to_check))
    for (case_id, seq), head in to_check.items():
        found = stored.get((case_id, seq))
        if found != head:
            what = "has no event" if found is None else f"has another event (hash {found[:12]}…)"
            findings.append(
                Finding(
                    case_id,
                    f"case {case_id} {what} at #{seq}, where the checkpoint recorded "
                    f"{head[:12]}…: its chain was rewritten",
                )
            )
    account_finding, newer_accounts = _compare_accounts(conn, cp.account_log)
    if account_finding is not None:
        findings.append(account_finding)
    findings.sort(key=lambda f: (f.case_id is None, f.case_id or 0))
    return Comparison(len(cp.cases), tuple(findings), newer, newer_accounts)


def _event_hashes(conn: Connection, keys: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for i in range(0, len(keys), BATCH):
        q = select(events.c.case_id, events.c.seq, events.c.hash).where(
            tuple_(events.c.case_id, events.c.seq).in_(keys[i : i + BATCH])
        )
        for r in conn.execute(q):
            out[(r.case_id, r.seq)] = r.hash
    return out


def _compare_accounts(conn: Connection, pinned: AccountHead) -> tuple[Finding | None, int]:
    last = conn.scalar(select(func.max(account_events.c.seq))) or 0
    if last < pinned.seq:
        return Finding(
            None,
            f"the account log ends at #{last} but the checkpoint has #{pinned.seq}: "
            f"{events_text(pinned.seq - last)} missing ({_OLDER})",
            pinned.seq - last,
        ), 0
    if pinned.seq:
        found = conn.scalar(
            select(account_events.c.hash).where(account_events.c.seq == pinned.seq).limit(1)
        )
        if found != pinned.head:
            return Finding(
                None,
                f"account event #{pinned.seq} is not the one the checkpoint recorded: "
                "the account log was rewritten",
            ), last - pinned.seq
    return None, last - pinned.seq
