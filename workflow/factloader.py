"""Loading the evidence guards need, only the kinds asked for, by each kind's own loader
(its :class:`~workflow.evidence.registry.FactSource`).

Two paths: :func:`load_facts` (one small query per kind, for views) and
:func:`load_head_and_facts`, the transition's hot path, which reads the case head and the
single-row kinds (latest analysis, consultation totals: kinds that declare ``columns``)
in **one** SELECT built once per set of kinds; only multi-row kinds (sources,
applications) cost a query of their own. Every statement is built once, so SQLAlchemy
compiles it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Connection, FromClause, Select, bindparam, select

from workflow.chain import HEAD_COLUMNS, HEAD_WIDTH, CaseHead, cases, head_from_row
from workflow.errors import NotFound
from workflow.evidence.registry import FactSource, fact_source
from workflow.facts import Facts
from workflow.hotstatement import HotStatement

_case: BindParameter[Any] = bindparam("case_id")


def source(kind: str) -> FactSource[Any]:
    """The facts loader of ``kind``; a kind that feeds no guard has none (KeyError)."""
    facts = fact_source(kind)
    if facts is None:
        raise KeyError(f"evidence kind {kind!r} feeds no guard")
    return facts


def load_facts(
    conn: Connection, case_id: int, needs: Iterable[str], today: date, comment: str = ""
) -> Facts:
    """Facts for ``case_id`` with exactly the kinds in ``needs`` loaded."""
    facts = Facts(today=today, comment=comment)
    for kind in frozenset(needs):
        facts.loaded[kind] = source(kind).load(conn, case_id)
    return facts


# --- the hot path: head + single-row facts in one SELECT ----------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one set of needed kinds is read: the head SELECT with the single-row kinds'
    columns (in name order, each with its width), then a query per multi-row kind."""

    head: HotStatement
    scalar: tuple[tuple[str, FactSource[Any], int], ...]
    rows: tuple[tuple[str, FactSource[Any]], ...]


_PLANS: dict[frozenset[str], _Plan] = {}


def _head_statement(scalar: list[tuple[str, FactSource[Any]]]) -> Select[Any]:
    """The head SELECT with the columns (and joins) of the ``scalar`` kinds."""
    frm: FromClause = cases
    for _, src in scalar:
        if src.join is not None:
            frm = src.join(frm)
    extra = [c for _, src in scalar for c in src.columns]
    return select(*HEAD_COLUMNS, *extra).select_from(frm).where(cases.c.id == _case)


def _plan(needs: frozenset[str]) -> _Plan:
    """The plan for ``needs``, built and compiled once per set of kinds."""
    plan = _PLANS.get(needs)
    if plan is None:
        sources = sorted(((kind, source(kind)) for kind in needs), key=lambda p: p[0])
        scalar = [(k, s) for k, s in sources if s.columns]
        plan = _PLANS[needs] = _Plan(
            head=HotStatement(_head_statement(scalar)),
            scalar=tuple((k, s, len(s.columns)) for k, s in scalar),
            rows=tuple((k, s) for k, s in sources if not s.columns),
        )
    return plan


def load_head_and_facts(
    conn: Connection, case_id: int, needs: frozenset[str], today: date, comment: str = ""
) -> tuple[CaseHead, Facts]:
    """The case head and the facts of ``needs``, read in the caller's transaction.

    Raises :class:`NotFound` for an unknown case, like :func:`workflow.chain.load_head`.
    """
    plan = _plan(needs)
    row = plan.head.run(conn, {"case_id": case_id})[0]
    if row is None:
        raise NotFound("case", case_id)
    head = head_from_row(row)
    facts = Facts(today=today, comment=comment)
    i = HEAD_WIDTH
    for kind, src, width in plan.scalar:
        assert src.from_columns is not None  # the registry refuses columns without it
        facts.loaded[kind] = src.from_columns(row[i : i + width])
        i += width
    for kind, src in plan.rows:
        facts.loaded[kind] = src.load(conn, case_id)
    return head, facts
