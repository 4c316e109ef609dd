"""The needs analysis: the in-depth analysis of the organisation's activity that every
later step builds on. A case may have several; the latest one counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from sqlalchemy import Connection, FromClause, bindparam, func, insert, select

from workflow.chain import cases
from workflow.evidence.common import not_before_enrolment, payload
from workflow.evidence.registry import (
    Create,
    EvidenceKind,
    FactSource,
    FieldSpec,
    WriteContext,
    Written,
)
from workflow.limits import CODES_PER_LIST
from workflow.orm import NeedsAnalysis
from workflow.schemas import Day, Input, LongText, Tag
from workflow.vocabulary import Words


class AnalysisIn(Input):
    """The in-depth analysis of the organisation's activity."""

    findings: LongText
    need_areas: list[Tag] = Field(min_length=1, max_length=CODES_PER_LIST)
    recorded_on: Day | None = None


@dataclass(frozen=True, slots=True)
class AnalysisFact:
    """The latest needs analysis of a case."""

    findings: str
    need_areas: tuple[str, ...]


_na = NeedsAnalysis.__table__
_LATEST = (
    select(_na.c.findings, _na.c.need_areas)
    .where(_na.c.case_id == bindparam("case_id"))
    .order_by(_na.c.id.desc())
    .limit(1)
)
_inner = _na.alias("na_latest")
#: The latest analysis joined to the case row (none: NULL columns).
_LATEST_ON = _na.c.id == (
    select(func.max(_inner.c.id))
    .where(_inner.c.case_id == cases.c.id)
    .correlate(cases)
    .scalar_subquery()
)


def _fact(values: Sequence[Any]) -> AnalysisFact | None:
    findings, areas = values
    return None if findings is None else AnalysisFact(findings, tuple(areas or ()))


def _load(conn: Connection, case_id: int) -> AnalysisFact | None:
    row = conn.execute(_LATEST, {"case_id": case_id}).first()
    return None if row is None else _fact(row)


def _join(source: FromClause) -> FromClause:
    return source.outerjoin(_na, _LATEST_ON)


def _write(ctx: WriteContext, data: AnalysisIn) -> Written:
    values = data.model_dump()
    values["recorded_on"] = data.recorded_on or ctx.today
    not_before_enrolment(ctx, "recorded_on", values["recorded_on"])
    new_id = ctx.conn.execute(
        insert(NeedsAnalysis).returning(NeedsAnalysis.id),
        {**values, "case_id": ctx.head.id, "recorded_by": ctx.actor.name},
    ).scalar_one()
    return new_id, {"analysis_id": new_id, **payload(values)}


KIND = EvidenceKind(
    name="analysis",
    create=Create(
        schema=AnalysisIn,
        write=_write,
        summary="Record the needs analysis of the organisation (the latest one counts).",
        title=Words("Reģistrēt vajadzību analīzi", "Record the needs analysis"),
        done=Words("Reģistrēta vajadzību analīze", "Needs analysis recorded"),
        may=Words("reģistrēt vajadzību analīzi", "record the needs analysis"),
        fields={
            "findings": FieldSpec(Words("Secinājumi", "Findings")),
            "need_areas": FieldSpec(
                Words("Vajadzību jomas", "Need areas"),
                choices="need_areas",
                other=Words(
                    "Citas vajadzību jomas (kodi, atdalīti ar komatu)",
                    "Other need areas (codes, comma-separated)",
                ),
            ),
            "recorded_on": FieldSpec(Words("Datums", "Date")),
        },
    ),
    facts=FactSource(
        load=_load,
        columns=(_na.c.findings, _na.c.need_areas),
        from_columns=_fact,
        join=_join,
    ),
)
