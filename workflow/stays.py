"""How long the cases of a cycle stayed in each state, replayed from their audit events.

The council report's funnel: for each declared state, how many cases reached it by a day,
how many stand in it at the end of that day, and the median number of days the finished
stays lasted (a stay is finished when the case moved on before the day ended; a case still
in a state has no length yet, so it is counted in ``now`` and not in the median). Days are
the programme's calendar days (``Europe/Riga``), as every deadline counts them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.orm import AuditEvent, Case
from workflow.runtime import local_day


class FunnelRow(BaseModel):
    """One state of the funnel."""

    state: str
    reached: int
    now: int
    finished_stays: int
    median_days: float | None


@dataclass
class Stay:
    """One case's time in one state: from entering it until leaving it (None: still there)."""

    case_id: int
    state: str
    entered: datetime
    left: datetime | None = None

    def days(self) -> int | None:
        """Whole programme days from entering to leaving; None while the case stays."""
        if self.left is None:
            return None
        return (local_day(self.left) - local_day(self.entered)).days


def stays(s: Session, cycle_id: int, end: datetime) -> list[Stay]:
    """Every stay of the cycle's cases in events before ``end``, in case and event order.

    A ``migrate`` event (a states change that mapped the case) renames the stay and keeps
    its start, as the deadline clock does (``workflow.rulemigrate``)."""
    rows = s.execute(
        select(AuditEvent.case_id, AuditEvent.kind, AuditEvent.from_state, AuditEvent.to_state)
        .add_columns(AuditEvent.at)
        .join(Case, Case.id == AuditEvent.case_id)
        .where(Case.cycle_id == cycle_id, AuditEvent.at < end)
        .order_by(AuditEvent.case_id, AuditEvent.seq)
    )
    out: list[Stay] = []
    current: dict[int, Stay] = {}
    for case_id, kind, from_state, to_state, at in rows:
        stay = current.get(case_id)
        if stay is not None and kind == "migrate":
            stay.state = to_state
        elif stay is None or from_state != to_state:
            if stay is not None:
                stay.left = at
            current[case_id] = Stay(case_id, to_state, at)
            out.append(current[case_id])
    return out


def funnel(state_ids: Iterable[str], all_stays: list[Stay]) -> list[FunnelRow]:
    """The declared states in order, then any state a case stood in that the rules in force
    no longer declare, each with its counts and the median of its finished stays."""
    order = list(dict.fromkeys([*state_ids, *(st.state for st in all_stays)]))
    rows = []
    for state in order:
        mine = [st for st in all_stays if st.state == state]
        lengths = [d for st in mine if (d := st.days()) is not None]
        rows.append(
            FunnelRow(
                state=state,
                reached=len({st.case_id for st in mine}),
                now=sum(1 for st in mine if st.left is None),
                finished_stays=len(lengths),
                median_days=float(statistics.median(lengths)) if lengths else None,
            )
        )
    return rows


def state_since(all_stays: list[Stay]) -> dict[int, tuple[str, date]]:
    """Each case's state at the end and the programme day it entered it."""
    return {st.case_id: (st.state, local_day(st.entered)) for st in all_stays if st.left is None}
