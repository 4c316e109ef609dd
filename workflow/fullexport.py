"""The complete export: everything an outside verifier needs, as JSON Lines, from one snapshot.

Why a second JSONL shape: the ordinary export lists (filtered) case events, which is what
people read. Checking the log *without this software* (``tools/verify_export.py``, or any
implementation of ``docs/audit-format.md``) also needs each case's head, to see a tail
deleted behind the engine's back, and the account log, whose head a checkpoint pins. The
lines come from one snapshot, and a header counts them, so a cut-off file is noticed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any, cast

from sqlalchemy import Table, func, select

from workflow.accountlog import HASHED as ACCOUNT_FIELDS
from workflow.chain import HASHED_FIELDS, utc_text
from workflow.checkpointing import snapshot
from workflow.orm import AccountEvent, AuditEvent, Case
from workflow.runtime import Runtime

FORMAT = "inkubators-export/1"
cases = cast(Table, Case.__table__)
events = cast(Table, AuditEvent.__table__)
account_events = cast(Table, AccountEvent.__table__)


def _line(record: str, row: Any, columns: tuple[str, ...]) -> str:
    out: dict[str, Any] = {"record": record}
    for k in columns:
        out[k] = getattr(row, k)
    if "at" in out:
        out["at"] = utc_text(out["at"])
    return json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n"


def export(rt: Runtime) -> Iterator[str]:
    """Stream the header, every case head, every case event, every account event."""
    with snapshot(rt.engine) as conn, ExitStack() as stack:
        counts = {
            "cases": conn.scalar(select(func.count()).select_from(cases)),
            "case_events": conn.scalar(select(func.count()).select_from(events)),
            "account_events": conn.scalar(select(func.count()).select_from(account_events)),
        }
        yield json.dumps({"record": "export", "format": FORMAT, **counts}, sort_keys=True) + "\n"
        head_columns = ("id", "state", "version", "head_hash")
        for row in conn.execute(select(*(cases.c[k] for k in head_columns)).order_by(cases.c.id)):
            yield _line("case", row, head_columns)
        streamed = conn.execution_options(yield_per=1000)
        event_columns = ("id", *HASHED_FIELDS, "hash")
        rows = stack.enter_context(
            streamed.execute(select(events).order_by(events.c.case_id, events.c.seq, events.c.id))
        )
        for row in rows:
            yield _line("case_event", row, event_columns)
        account_columns = ("id", *ACCOUNT_FIELDS, "hash")
        rows = stack.enter_context(
            streamed.execute(
                select(account_events).order_by(account_events.c.seq, account_events.c.id)
            )
        )
        for row in rows:
            yield _line("account_event", row, account_columns)
