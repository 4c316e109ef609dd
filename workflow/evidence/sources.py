"""Funding sources selected for a case: the calls the organisation means to apply to.
Each source is selected once; guards look at whether a selected call is still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, bindparam, insert, select

from workflow.errors import Conflict
from workflow.evidence.common import funding_source, not_before_enrolment
from workflow.evidence.registry import (
    Create,
    EvidenceKind,
    FactSource,
    FieldSpec,
    WriteContext,
    Written,
)
from workflow.orm import FundingSource, SourceSelection
from workflow.schemas import Day, Id, Input
from workflow.vocabulary import Words


class SelectionIn(Input):
    """A funding source chosen for the case."""

    funding_source_id: Id
    selected_on: Day | None = None


@dataclass(frozen=True, slots=True)
class SourceFact:
    """A funding source selected for a case, with its call window."""

    source_id: int
    programme: str
    call_opens: date
    call_closes: date
    max_grant_eur: Decimal


_ss = SourceSelection.__table__
_fs = FundingSource.__table__
_SELECTED = (
    select(_fs.c.id, _fs.c.programme, _fs.c.call_opens, _fs.c.call_closes, _fs.c.max_grant_eur)
    .join_from(_ss, _fs, _ss.c.funding_source_id == _fs.c.id)
    .where(_ss.c.case_id == bindparam("case_id"))
    .order_by(_ss.c.id)
)


def _load(conn: Connection, case_id: int) -> tuple[SourceFact, ...]:
    return tuple(SourceFact(*r) for r in conn.execute(_SELECTED, {"case_id": case_id}))


def _write(ctx: WriteContext, data: SelectionIn) -> Written:
    src = funding_source(ctx.conn, data.funding_source_id, "funding_source_id")
    exists = ctx.conn.scalar(
        select(SourceSelection.id).where(
            SourceSelection.case_id == ctx.head.id,
            SourceSelection.funding_source_id == data.funding_source_id,
        )
    )
    if exists:
        raise Conflict(
            f"{src.programme} is already selected for case {ctx.head.id}",
            "duplicate",
            f"{src.programme} šai lietai jau ir izvēlēta.",
        )
    selected_on = data.selected_on or ctx.today
    not_before_enrolment(ctx, "selected_on", selected_on)
    new_id = ctx.conn.execute(
        insert(SourceSelection).returning(SourceSelection.id),
        {"case_id": ctx.head.id, "funding_source_id": src.id, "selected_on": selected_on},
    ).scalar_one()
    return new_id, {
        "selection_id": new_id,
        "funding_source_id": src.id,
        "programme": src.programme,
        "selected_on": selected_on.isoformat(),
    }


KIND = EvidenceKind(
    name="sources",
    create=Create(
        schema=SelectionIn,
        write=_write,
        summary="Select a funding source for the case (once per source).",
        title=Words("Izvēlēties finansējuma avotu", "Select a funding source"),
        done=Words("Izvēlēts finansējuma avots", "Funding source selected"),
        may=Words("izvēlēties finansējuma avotus", "select funding sources"),
        fields={
            "funding_source_id": FieldSpec(
                Words("Finansējuma avots", "Funding source"), choices="funding_sources"
            ),
            "selected_on": FieldSpec(Words("Datums", "Date")),
        },
    ),
    facts=FactSource(load=_load),
    former={"source_selection": "record"},
)
