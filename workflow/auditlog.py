"""Reading the audit log: verifying every case's hash chain, filtering and exporting.

Verification recomputes each event's hash from its stored fields, checks that each
event names its predecessor's hash, that sequence numbers run 1, 2, 3 … without gaps or
repeats, and that each case's head (version and hash) is its chain's last event. It names
the first event (by case, then sequence) where any of that fails.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, select

from workflow import csvsafe
from workflow.chain import HASHED_FIELDS, event_hash, utc_text
from workflow.db import read
from workflow.orm import AuditEvent, Case
from workflow.runtime import Runtime
from workflow.signals import audit_verified, reports_result

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

    def as_dict(self) -> dict[str, Any]:
        """JSON shape for the API and CLI."""
        return {"ok": self.ok, "checked": self.checked, "first_bad": self.first_bad}


class Finding(NamedTuple):
    """What is wrong with an event, in English (API, CLI, logs) and Latvian (the screens)."""

    en: str
    lv: str


# The two findings every hash chain shares (the case chains here, the account log in
# :mod:`workflow.accountlog`).
UNLINKED = Finding(
    "does not name the previous event's hash: events were inserted, removed or reordered",
    "tas nenorāda iepriekšējā notikuma jaucējvērtību: notikumi ir ievietoti, dzēsti vai pārkārtoti",
)
EDITED = Finding(
    "its content does not match its hash: the event was edited",
    "tā saturs neatbilst tā jaucējvērtībai: notikums ir labots",
)


def _broken(checked: int, row: Any, finding: Finding) -> VerifyResult:
    bad = {"event_id": row.id, "case_id": row.case_id, "seq": row.seq, "problem": finding.en}
    return VerifyResult(False, checked, bad, finding.lv)


def _event_problem(row: Any, prev: Any) -> Finding | None:
    """What breaks the chain at ``row`` given the case's previous event (None: the first)."""
    if prev is None:
        if row.seq != 1:
            return Finding(
                f"case {row.case_id} starts at #{row.seq}, not #1: earlier events are missing",
                f"lieta {row.case_id} sākas ar #{row.seq}, nevis #1: trūkst agrāku notikumu",
            )
        if row.prev_hash is not None:
            return Finding(
                "the first event names a predecessor",
                "pirmais notikums norāda uz priekšgājēju",
            )
    elif row.seq == prev.seq:
        return Finding(
            f"a second event #{row.seq}: an event was inserted",
            f"otrs notikums #{row.seq}: ir ievietots notikums",
        )
    elif row.seq != prev.seq + 1:
        return Finding(
            f"#{row.seq} follows #{prev.seq}: an event is missing",
            f"#{row.seq} seko #{prev.seq}: trūkst notikuma",
        )
    elif row.prev_hash != prev.hash:
        return UNLINKED
    if event_hash({k: getattr(row, k) for k in HASHED_FIELDS}) != row.hash:
        return EDITED
    return None


@reports_result(audit_verified)
def verify(rt: Runtime) -> VerifyResult:
    """Recompute every case's chain; stop at the first event that does not match."""
    with read(rt.engine) as conn:
        return verify_on(conn)


def verify_on(conn: Connection) -> VerifyResult:
    """:func:`verify` inside the caller's transaction (a checkpoint or a backup verifies
    the very snapshot it records)."""
    checked = 0
    # The rows come through a server-side cursor on PostgreSQL; the exit stack closes it
    # when verification stops early at a bad event, not just when it reads to the end.
    with ExitStack() as stack:
        heads = {
            r.id: (r.version, r.head_hash)
            for r in conn.execute(select(cases.c.id, cases.c.version, cases.c.head_hash))
        }
        seen_cases: set[int] = set()
        prev: Any = None
        rows = stack.enter_context(
            conn.execution_options(yield_per=1000).execute(
                select(events).order_by(events.c.case_id, events.c.seq, events.c.id)
            )
        )
        for row in rows:
            checked += 1
            if prev is not None and prev.case_id != row.case_id:
                if found := _head_problem(prev, heads):
                    return _broken(checked, prev, found)
                prev = None
            if prev is None:
                seen_cases.add(row.case_id)
            if found := _event_problem(row, prev):
                return _broken(checked, row, found)
            prev = row
        if prev is not None and (found := _head_problem(prev, heads)):
            return _broken(checked, prev, found)
        for case_id, (version, _) in sorted(heads.items()):
            if case_id not in seen_cases and version:
                return VerifyResult(
                    False,
                    checked,
                    {
                        "event_id": None,
                        "case_id": case_id,
                        "seq": None,
                        "problem": f"case {case_id} has version {version} but no events: "
                        "its events were deleted",
                    },
                    f"lietai {case_id} ir versija {version}, bet nav notikumu: "
                    "tās notikumi ir dzēsti",
                )
    return VerifyResult(True, checked, None)


def _head_problem(last: Any, heads: dict[int, tuple[int, str]]) -> Finding | None:
    version, head_hash = heads.get(last.case_id, (None, None))
    if version is None:
        return Finding(
            f"events of case {last.case_id}, which does not exist",
            f"neesošas lietas {last.case_id} notikumi",
        )
    if version != last.seq or head_hash != last.hash:
        return Finding(
            f"case {last.case_id}'s chain ends at #{last.seq} but the case's head is "
            f"#{version}: events were deleted or appended behind the engine's back",
            f"lietas {last.case_id} ķēde beidzas ar #{last.seq}, bet lietas galva ir "
            f"#{version}: notikumi ir dzēsti vai pievienoti, apejot sistēmu",
        )
    return None


def event_query(
    *,
    case_id: int | None = None,
    actor: str | None = None,
    trigger: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
) -> Select[Any]:
    """Events matching the filters, oldest first."""
    q = select(AuditEvent).order_by(AuditEvent.id)
    if case_id is not None:
        q = q.where(AuditEvent.case_id == case_id)
    if actor:
        q = q.where(AuditEvent.actor == actor)
    if trigger:
        q = q.where(AuditEvent.trigger == trigger)
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


def export(rt: Runtime, fmt: str, **filters: Any) -> Iterator[str]:
    """Stream the log as ``csv`` or ``jsonl`` text chunks, in batches (constant memory)."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
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
                d = _export_row(row)
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
                yield json.dumps(_export_row(row), ensure_ascii=False, sort_keys=True) + "\n"
