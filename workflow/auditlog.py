"""Reading the audit log: verifying every case's hash chain, filtering and exporting.

Verification recomputes each event's hash from its stored fields, checks that each
event names its predecessor's hash, that sequence numbers run 1, 2, 3 … without gaps or
repeats, and that each case's head (version and hash) is its chain's last event. It names
the first event (by case, then sequence) where any of that fails. The chains are walked
by :mod:`workflow.chainwalk` (in worker processes by ranges of cases,
:mod:`workflow.verifyrun`), which also checks each case's state, creation event and
state continuity; once every chain holds, the rest of :mod:`workflow.bindings` runs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from workflow import bindings, chainwalk, csvsafe, verifyrun
from workflow.chain import HASHED_FIELDS, utc_text
from workflow.checkpoint import Checkpoint
from workflow.db import read
from workflow.evidence.registry import trigger_spellings
from workflow.orm import AuditEvent, Case
from workflow.runtime import Runtime
from workflow.signals import audit_verified, reports_result
from workflow.verifyrun import Progress

events = AuditEvent.__table__
cases = Case.__table__


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of ``audit verify``."""

    ok: bool
    checked: int
    first_bad: dict[str, Any] | None
    #: the first bad event's problem in Latvian, for the screens
    problem_lv: str | None = None
    #: what verify could not bind, without it being tampering (:mod:`workflow.bindings`)
    notes: tuple[str, ...] = ()
    #: events a checkpoint vouched for and the walk did not read (``--since-checkpoint``)
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON shape for the API and CLI."""
        out = {"ok": self.ok, "checked": self.checked, "first_bad": self.first_bad}
        return {**out, "notes": list(self.notes)} if self.notes else out


@reports_result(audit_verified)
def verify(
    rt: Runtime,
    *,
    workers: int | None = None,
    since: Checkpoint | None = None,
    progress: Progress | None = None,
) -> VerifyResult:
    """Recompute every case's chain; name the first event (by case, then sequence) that
    does not match, then the first row the log does not bind. Chains are walked in
    ``workers`` processes (default: one per CPU); ``since``: start each case at the
    checkpoint's head instead of its first event, so a nightly run reads only what is
    new; ``progress`` hears (events done, events in all)."""
    floors = {c.id: (c.version, c.head or "") for c in since.cases} if since else None
    found: list[bindings.Bindings] = []

    def check_bindings() -> None:
        with read(rt.engine) as conn:
            if conn.dialect.name == "postgresql":  # its several queries, one snapshot
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            found.append(bindings.check(conn))

    walked = verifyrun.run(
        rt.engine, workers=workers, floors=floors, progress=progress, alongside=check_bindings
    )
    if (result := _walk_result(walked)) is not None:
        return result
    if not found:  # the walk ran in this process: the bindings follow it
        check_bindings()
    return bound(walked.checked, found[0], walked.skipped)


def verify_on(conn: Connection) -> VerifyResult:
    """:func:`verify` inside the caller's transaction (a checkpoint or a backup verifies
    the very snapshot it records), in this process."""
    walked = chainwalk.walk(conn)
    if (found := _walk_result(walked)) is not None:
        return found
    return bound(walked.checked, bindings.check(conn))


def _walk_result(w: chainwalk.Walk) -> VerifyResult | None:
    """The verdict the walk alone gives (a broken chain, a case whose events are gone, a
    per-case binding), or None: the remaining bindings decide."""
    if w.bad is not None:
        return VerifyResult(False, w.checked, w.bad, w.problem_lv, skipped=w.skipped)
    for case_id, version in w.empty:
        return VerifyResult(
            False,
            w.checked,
            {
                "event_id": None,
                "case_id": case_id,
                "seq": None,
                "problem": f"case {case_id} has version {version} but no events: "
                "its events were deleted",
            },
            f"lietai {case_id} ir versija {version}, bet nav notikumu: tās notikumi ir dzēsti",
            skipped=w.skipped,
        )
    if (breach := w.breach()) is not None:
        return bound(w.checked, bindings.Bindings(breach), w.skipped)
    return None


def bound(checked: int, found: bindings.Bindings, skipped: int = 0) -> VerifyResult:
    """The result once the chains hold: the first row the log does not bind, if any."""
    notes = (f"{found.unbound} evidence rows {bindings.UNBOUND_NOTE}",) if found.unbound else ()
    if (b := found.breach) is None:
        return VerifyResult(True, checked, None, notes=notes, skipped=skipped)
    bad = {
        "event_id": b.id if b.table == "audit_events" else None,
        "case_id": b.case_id,
        "seq": None,
        "problem": b.text,
        "table": b.table,
        "id": b.id,
    }
    return VerifyResult(False, checked, bad, f"{b.table} {b.id}: {b.lv}", notes, skipped)


def event_query(
    *,
    case_id: int | None = None,
    actor: str | None = None,
    trigger: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
) -> Select[Any]:
    """Events matching the filters, oldest first; ``trigger`` in any of its spellings."""
    q = select(AuditEvent).order_by(AuditEvent.id)
    if case_id is not None:
        q = q.where(AuditEvent.case_id == case_id)
    if actor:
        q = q.where(AuditEvent.actor == actor)
    if trigger:  # a renamed trigger finds the events stored under its earlier spellings
        q = q.where(AuditEvent.trigger.in_(trigger_spellings(trigger)))
    if kind:
        q = q.where(AuditEvent.kind == kind)
    if since is not None:
        q = q.where(AuditEvent.at >= since)
    if until is not None:
        q = q.where(AuditEvent.at < until)
    return q


EXPORT_COLUMNS = ("id", *HASHED_FIELDS, "hash")


def _export_row(e: Any) -> dict[str, Any]:
    out = {k: getattr(e, k) for k in EXPORT_COLUMNS}
    out["at"] = utc_text(out["at"])
    return out


def export(
    rt: Runtime,
    fmt: str,
    *,
    redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    **filters: Any,
) -> Iterator[str]:
    """Stream the log as ``csv`` or ``jsonl`` text chunks, in batches (constant memory);
    ``redact`` rewrites each event first (:mod:`workflow.redaction`)."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
    shape = _export_row if redact is None else (lambda row: redact(_export_row(row)))
    q = event_query(**filters)
    with read(rt.engine) as conn, ExitStack() as stack:
        result = stack.enter_context(
            conn.execution_options(yield_per=500).execute(q.with_only_columns(*events.c))
        )
        if fmt == "csv":
            buf = io.StringIO()
            writer = csvsafe.SafeWriter(buf, EXPORT_COLUMNS)  # no formulas in a spreadsheet
            writer.writeheader()
            for row in result:
                d = shape(row)
                d["guards"] = json.dumps(d["guards"], ensure_ascii=False, sort_keys=True)
                d["payload"] = json.dumps(d["payload"], ensure_ascii=False, sort_keys=True)
                writer.writerow(d)
                if buf.tell() > 64_000:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue()
        else:
            for row in result:
                yield json.dumps(shape(row), ensure_ascii=False, sort_keys=True) + "\n"
