"""Binding edited reference rows to the account log's edit events.

An edit of an organisation, a cycle or a funding source (:mod:`workflow.referencedit`)
appends an account event carrying the edited row's hash. ``audit verify`` replays those
events and names the first row whose content differs from its last edit (changed behind
the engine's back afterwards) or that an edit recorded and is gone. Rows never edited
through the engine carry no hash and are not bound here.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, select

from workflow.bindings import Breach
from workflow.contentbind import row_hash
from workflow.orm import AccountEvent, Cycle, FundingSource, Organisation

account_events = cast(Table, AccountEvent.__table__)
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        cast(Table, Organisation.__table__),
        cast(Table, Cycle.__table__),
        cast(Table, FundingSource.__table__),
    )
}
ACTIONS = ("organisation_changed", "cycle_changed", "funding_source_changed")


def check(conn: Connection) -> Breach | None:
    """The first edited row that does not hash to its last edit event, or is gone."""
    last: dict[tuple[str, int], tuple[int, str]] = {}
    q = (
        select(account_events.c.seq, account_events.c.details)
        .where(account_events.c.action.in_(ACTIONS))
        .order_by(account_events.c.seq)
    )
    for seq, details in conn.execute(q):
        d = dict(details or {})
        table, row_id, digest = d.get("table"), d.get("id"), d.get("row_sha256")
        if table in TABLES and isinstance(row_id, int) and isinstance(digest, str):
            last[(str(table), row_id)] = (seq, digest)
    for (name, row_id), (seq, digest) in sorted(last.items()):
        table = TABLES[name]
        row = conn.execute(select(table).where(table.c.id == row_id)).first()
        if row is None:
            return Breach(
                name,
                row_id,
                f"account event #{seq} recorded an edit of it but the row is gone",
                f"kontu notikums #{seq} reģistrēja tā labojumu, bet ieraksta vairs nav",
            )
        if row_hash(table, row) != digest:
            return Breach(
                name,
                row_id,
                f"its content differs from what account event #{seq} recorded: "
                "changed behind the engine's back",
                f"tā saturs atšķiras no kontu notikumā #{seq} reģistrētā: mainīts, apejot sistēmu",
            )
    return None
