"""Loading the evidence guards need, only the kinds asked for.

Two paths: :func:`load_facts` (one small query per kind, for views) and
:func:`load_head_and_facts`, the transition's hot path, which reads the case head and the
single-row kinds (latest analysis, consultation totals) in **one** SELECT of scalar
subqueries built once per set of kinds; only multi-row kinds (sources, applications)
cost a query of their own. Every statement is built once, so SQLAlchemy compiles it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, Connection, FromClause, Select, bindparam, func, select

from workflow.chain import HEAD_COLUMNS, HEAD_WIDTH, CaseHead, cases, head_from_row
from workflow.errors import NotFound
from workflow.facts import (
    AnalysisFact,
    ApplicationFact,
    ConsultationTotals,
    Facts,
    SourceFact,
)
from workflow.hotstatement import HotStatement
from workflow.orm import Application, Consultation, FundingSource, NeedsAnalysis, SourceSelection

_na = NeedsAnalysis.__table__
_co = Consultation.__table__
_ss = SourceSelection.__table__
_fs = FundingSource.__table__
_ap = Application.__table__
_case: BindParameter[Any] = bindparam("case_id")

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
    rows = conn.execute(APPLICATIONS, {"case_id": case_id})
    return tuple(ApplicationFact(*r) for r in rows)  # type: ignore[call-arg]  # 13 columns: untyped Row


LOADERS: dict[str, Callable[[Connection, int], Any]] = {
    "analysis": _analysis,
    "consultations": _consultations,
    "sources": _sources,
    "applications": _applications,
}


def load_facts(
    conn: Connection, case_id: int, needs: Iterable[str], today: date, comment: str = ""
) -> Facts:
    """Facts for ``case_id`` with exactly the kinds in ``needs`` loaded."""
    facts = Facts(today=today, comment=comment)
    kinds = frozenset(needs)
    for kind in kinds:
        setattr(facts, kind, LOADERS[kind](conn, case_id))
    return facts


# --- the hot path: head + single-row facts in one SELECT ----------------------------------

_na_inner = _na.alias("na_latest")
#: The latest analysis joined to the case row (none: NULL columns).
_LATEST_ANALYSIS_ON = _na.c.id == (
    select(func.max(_na_inner.c.id))
    .where(_na_inner.c.case_id == cases.c.id)
    .correlate(cases)
    .scalar_subquery()
)
#: Single-row kinds: columns of the one head SELECT.
_SCALAR_COLUMNS = {
    "analysis": (_na.c.findings, _na.c.need_areas),
    "consultations": (
        select(func.count(_co.c.id))
        .where(_co.c.case_id == cases.c.id)
        .correlate(cases)
        .scalar_subquery(),
        select(func.coalesce(func.sum(_co.c.hours), 0))
        .where(_co.c.case_id == cases.c.id)
        .correlate(cases)
        .scalar_subquery(),
    ),
}
_SCALAR_ORDER = ("analysis", "consultations")
_SCALAR_KINDS = frozenset(_SCALAR_ORDER)
_ROW_LOADERS = {"sources": _sources, "applications": _applications}
_HEAD_WITH: dict[frozenset[str], HotStatement] = {}


def _head_statement(scalar_kinds: frozenset[str]) -> Select[Any]:
    """The head SELECT with the columns of ``scalar_kinds``."""
    extra = [c for k in _SCALAR_ORDER if k in scalar_kinds for c in _SCALAR_COLUMNS[k]]
    source: FromClause = cases
    if "analysis" in scalar_kinds:
        source = cases.outerjoin(_na, _LATEST_ANALYSIS_ON)
    return select(*HEAD_COLUMNS, *extra).select_from(source).where(cases.c.id == _case)


def _hot_head(scalar_kinds: frozenset[str]) -> HotStatement:
    """:func:`_head_statement` built and compiled once per set of kinds."""
    stmt = _HEAD_WITH.get(scalar_kinds)
    if stmt is None:
        stmt = _HEAD_WITH[scalar_kinds] = HotStatement(_head_statement(scalar_kinds))
    return stmt


def load_head_and_facts(
    conn: Connection, case_id: int, needs: frozenset[str], today: date, comment: str = ""
) -> tuple[CaseHead, Facts]:
    """The case head and the facts of ``needs``, read in the caller's transaction.

    Raises :class:`NotFound` for an unknown case, like :func:`workflow.chain.load_head`.
    """
    scalar = needs & _SCALAR_KINDS
    row = _hot_head(scalar).run(conn, {"case_id": case_id})[0]
    if row is None:
        raise NotFound("case", case_id)
    head = head_from_row(row)
    facts = Facts(today=today, comment=comment)
    i = HEAD_WIDTH
    if "analysis" in scalar:
        findings, areas = row[i], row[i + 1]
        facts.analysis = None if findings is None else AnalysisFact(findings, tuple(areas or ()))
        i += 2
    if "consultations" in scalar:
        facts.consultations = ConsultationTotals(int(row[i]), Decimal(row[i + 1]))
    for kind in needs - scalar:
        setattr(facts, kind, _ROW_LOADERS[kind](conn, case_id))
    return head, facts
