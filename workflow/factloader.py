"""Loading the evidence guards need, one small query per kind, only the kinds asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from workflow.facts import (
    AnalysisFact,
    ApplicationFact,
    ConsultationTotals,
    Facts,
    SourceFact,
)
from workflow.orm import Application, Consultation, FundingSource, NeedsAnalysis, SourceSelection

_na = NeedsAnalysis.__table__
_co = Consultation.__table__
_ss = SourceSelection.__table__
_fs = FundingSource.__table__
_ap = Application.__table__
_case = bindparam("case_id")

LATEST_ANALYSIS = (
    select(_na.c.findings, _na.c.need_areas)
    .where(_na.c.case_id == _case)
    .order_by(_na.c.id.desc())
    .limit(1)
)
CONSULTATION_TOTALS = select(func.count(), func.coalesce(func.sum(_co.c.hours), 0)).where(
    _co.c.case_id == _case
)
SELECTED_SOURCES = (
    select(_fs.c.id, _fs.c.programme, _fs.c.call_opens, _fs.c.call_closes, _fs.c.max_grant_eur)
    .join_from(_ss, _fs, _ss.c.funding_source_id == _fs.c.id)
    .where(_ss.c.case_id == _case)
    .order_by(_ss.c.id)
)
APPLICATIONS = (
    select(
        _ap.c.id,
        _ap.c.title,
        _ap.c.domain,
        _ap.c.total_budget_eur,
        _ap.c.requested_eur,
        _ap.c.status,
        _ap.c.submitted_on,
        _ap.c.decision,
        _ap.c.awarded_eur,
        _fs.c.programme,
        _fs.c.call_opens,
        _fs.c.call_closes,
        _fs.c.max_grant_eur,
    )
    .join_from(_ap, _fs, _ap.c.funding_source_id == _fs.c.id)
    .where(_ap.c.case_id == _case)
    .order_by(_ap.c.id)
)


def _analysis(conn: Connection, case_id: int) -> Any:
    row = conn.execute(LATEST_ANALYSIS, {"case_id": case_id}).first()
    return None if row is None else AnalysisFact(row[0], tuple(row[1] or ()))


def _consultations(conn: Connection, case_id: int) -> Any:
    count, hours = conn.execute(CONSULTATION_TOTALS, {"case_id": case_id}).one()
    return ConsultationTotals(int(count), Decimal(hours))


def _sources(conn: Connection, case_id: int) -> Any:
    return tuple(SourceFact(*r) for r in conn.execute(SELECTED_SOURCES, {"case_id": case_id}))


def _applications(conn: Connection, case_id: int) -> Any:
    return tuple(ApplicationFact(*r) for r in conn.execute(APPLICATIONS, {"case_id": case_id}))


LOADERS: dict[str, Callable[[Connection, int], Any]] = {
    "analysis": _analysis,
    "consultations": _consultations,
    "sources": _sources,
    "applications": _applications,
}
ALL_KINDS = frozenset(LOADERS)


def load_facts(
    conn: Connection, case_id: int, needs: Iterable[str], today: date, comment: str = ""
) -> Facts:
    """Facts for ``case_id`` with exactly the kinds in ``needs`` loaded."""
    facts = Facts(today=today, comment=comment)
    kinds = frozenset(needs)
    for kind in kinds:
        setattr(facts, kind, LOADERS[kind](conn, case_id))
    facts.loaded = kinds
    return facts
