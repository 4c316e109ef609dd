"""The complete export: everything an outside verifier needs, as JSON Lines, from one snapshot.

Why a second JSONL shape: the ordinary export lists (filtered) case events, which is what
people read. Checking the log *without this software* (``tools/verify_export.py``, or any
implementation of ``docs/audit-format.md``) also needs each case's head, to see a tail
deleted behind the engine's back, and the account log, whose head a checkpoint pins; and,
to check the rows the engine reads as ``audit verify`` does (:mod:`workflow.bindings`,
:mod:`workflow.accountbind`), each case's mentor, every evidence row spelt as its content
hash spells it, the users and the API tokens (their SHA-256, never a token). The lines
come from one snapshot, and a header counts them, so a cut-off file is noticed.
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
from workflow.contentbind import RECORD_KEYS, canonical_row
from workflow.orm import AccountEvent, ApiToken, AuditEvent, Case, User
from workflow.runtime import Runtime

FORMAT = "inkubators-export/2"
cases = cast(Table, Case.__table__)
events = cast(Table, AuditEvent.__table__)
account_events = cast(Table, AccountEvent.__table__)
users = cast(Table, User.__table__)
tokens = cast(Table, ApiToken.__table__)


def _line(record: str, row: Any, columns: tuple[str, ...]) -> str:
    out: dict[str, Any] = {"record": record}
    for k in columns:
        out[k] = getattr(row, k)
    if "at" in out:
        out["at"] = utc_text(out["at"])
    return json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n"


def _count(conn: Any, table: Table) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def export(rt: Runtime) -> Iterator[str]:
    """Stream the header, every case head, every case event, every account event, then
    every evidence row, user and API token (docs/audit-format.md, section 5)."""
    with snapshot(rt.engine) as conn, ExitStack() as stack:
        counts = {
            "cases": _count(conn, cases),
            "case_events": _count(conn, events),
            "account_events": _count(conn, account_events),
            "rows": sum(_count(conn, t) for t in RECORD_KEYS.values()),
            "users": _count(conn, users),
            "api_tokens": _count(conn, tokens),
        }
        yield json.dumps({"record": "export", "format": FORMAT, **counts}, sort_keys=True) + "\n"
        head_columns = ("id", "state", "version", "head_hash")
        heads = select(*(cases.c[k] for k in head_columns), users.c.name.label("mentor"))
        heads = heads.select_from(cases.outerjoin(users, users.c.id == cases.c.mentor_id))
        for row in conn.execute(heads.order_by(cases.c.id)):
            yield _line("case", row, (*head_columns, "mentor"))
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
        for table in RECORD_KEYS.values():
            rows = stack.enter_context(streamed.execute(select(table).order_by(table.c.id)))
            for row in rows:
                values = canonical_row(table, dict(row._mapping))
                line = {"record": "row", "table": table.name, "row": values}
                yield json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
        for row in conn.execute(select(users).order_by(users.c.id)):
            user = {"record": "user", "id": row.id, "name": row.name, "role": row.role}
            yield (
                json.dumps({**user, "active": bool(row.active)}, ensure_ascii=False, sort_keys=True)
                + "\n"
            )
        owned = select(tokens, users.c.name.label("user")).select_from(
            tokens.outerjoin(users, users.c.id == tokens.c.user_id)
        )
        for row in conn.execute(owned.order_by(tokens.c.id)):
            token = {"record": "api_token", "id": row.id, "user": row.user}
            token |= {"token_hash": row.token_hash, "revoked": row.revoked_at is not None}
            yield json.dumps(token, ensure_ascii=False, sort_keys=True) + "\n"
