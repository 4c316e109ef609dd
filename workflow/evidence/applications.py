"""Project applications: drafted for one of the case's selected sources, then submitted
and decided. Writing to an application is one kind with two operations, adding one and
recording its submission or decision, granted together by the policy word
``applications``: both change the same record, feed the same facts and were always
granted to the same roles. The rules of a submission and a decision are in
:mod:`workflow.evidence.applicationrules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import Connection, bindparam, insert, select, update

from workflow.errors import InvalidInput
from workflow.evidence import applicationrules
from workflow.evidence.common import funding_source, not_before_enrolment, payload
from workflow.evidence.registry import (
    Create,
    EvidenceKind,
    FactSource,
    FieldSpec,
    Update,
    WriteContext,
    Written,
)
from workflow.orm import Application, FundingSource, SourceSelection
from workflow.schemas import Day, Id, Input, Money, PositiveMoney, Tag, Text
from workflow.vocabulary import Words


class ApplicationIn(Input):
    """A project application prepared for a funding source."""

    funding_source_id: Id
    title: Text
    domain: Tag
    total_budget_eur: PositiveMoney
    requested_eur: PositiveMoney
    prepared_on: Day | None = None


class ApplicationUpdate(Input):
    """Submission and decision of an application; omitted fields stay as they are."""

    submitted_on: Day | None = None
    decision: Literal["awarded", "rejected"] | None = None
    decided_on: Day | None = None
    awarded_eur: Money | None = None


@dataclass(frozen=True, slots=True)
class ApplicationFact:
    """An application of a case with the call window of its funding source."""

    application_id: int
    title: str
    domain: str
    total_budget_eur: Decimal
    requested_eur: Decimal
    status: str
    submitted_on: date | None
    decision: str | None
    awarded_eur: Decimal | None
    programme: str
    call_opens: date
    call_closes: date
    max_grant_eur: Decimal


_ap = Application.__table__
_fs = FundingSource.__table__
_OF_CASE = (
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
    .where(_ap.c.case_id == bindparam("case_id"))
    .order_by(_ap.c.id)
)


def _load(conn: Connection, case_id: int) -> tuple[ApplicationFact, ...]:
    rows = conn.execute(_OF_CASE, {"case_id": case_id})
    return tuple(ApplicationFact(*r) for r in rows)  # type: ignore[call-arg]  # 13 columns: untyped Row


def _add(ctx: WriteContext, data: ApplicationIn) -> Written:
    src = funding_source(ctx.conn, data.funding_source_id, "funding_source_id")
    selected = ctx.conn.scalar(
        select(SourceSelection.id).where(
            SourceSelection.case_id == ctx.head.id, SourceSelection.funding_source_id == src.id
        )
    )
    if selected is None:
        raise InvalidInput(
            {
                "funding_source_id": f"{src.programme} is not selected for this case; select it first"
            },
            {
                "funding_source_id": f"„{src.programme}” šai lietai nav izvēlēts; "
                "vispirms izvēlieties to"
            },
        )
    values = data.model_dump()
    values["prepared_on"] = data.prepared_on or ctx.today
    not_before_enrolment(ctx, "prepared_on", values["prepared_on"])
    new_id = ctx.conn.execute(
        insert(Application).returning(Application.id),
        {**values, "case_id": ctx.head.id, "status": "drafted"},
    ).scalar_one()
    return new_id, {"application_id": new_id, **payload(values)}


def _case_of(conn: Connection, application_id: int) -> int | None:
    return conn.scalar(select(Application.case_id).where(Application.id == application_id))


def _change(ctx: WriteContext, application_id: int, data: ApplicationUpdate) -> Written:
    row = ctx.conn.execute(select(_ap).where(_ap.c.id == application_id)).one()
    src = funding_source(ctx.conn, row.funding_source_id, "funding_source_id")
    changes = data.model_dump(exclude_unset=True)
    merged = {k: getattr(row, k) for k in applicationrules.FIELDS}
    merged.update(changes)
    applicationrules.check(merged, row, src, ctx.today).refuse()
    if merged["decision"] == "rejected":
        merged["awarded_eur"] = None
    merged["status"] = applicationrules.application_status(
        merged["submitted_on"], merged["decision"]
    )
    ctx.conn.execute(update(Application).where(Application.id == application_id).values(**merged))
    return application_id, {"application_id": application_id, **payload(changes)}


_DECISIONS = {"awarded": Words("piešķirts", "awarded"), "rejected": Words("noraidīts", "rejected")}

KIND = EvidenceKind(
    name="applications",
    create=Create(
        schema=ApplicationIn,
        write=_add,
        summary="Record a drafted application for one of the case's selected sources.",
        title=Words("Pievienot pieteikumu", "Add an application"),
        done=Words("Pievienots pieteikums", "Application added"),
        may=Words("pievienot pieteikumus", "add applications"),
        fields={
            "funding_source_id": FieldSpec(
                Words("Finansējuma avots", "Funding source"), choices="selected_sources"
            ),
            "title": FieldSpec(Words("Nosaukums", "Title")),
            "domain": FieldSpec(
                Words("Joma", "Domain"),
                choices="fields",
                other=Words("Vai cita joma (kods)", "Or another domain (code)"),
            ),
            "total_budget_eur": FieldSpec(Words("Kopējais budžets (EUR)", "Total budget (EUR)")),
            "requested_eur": FieldSpec(Words("Pieprasīts (EUR)", "Requested (EUR)")),
            "prepared_on": FieldSpec(Words("Sagatavots", "Prepared on")),
        },
    ),
    update=Update(
        schema=ApplicationUpdate,
        record="application",
        case_of=_case_of,
        write=_change,
        summary="Record an application's submission and/or decision, checked against its call.",
        title=Words("Reģistrēt iesniegšanu vai lēmumu", "Record submission or decision"),
        done=Words(
            "Reģistrēta pieteikuma iesniegšana vai lēmums",
            "Application submission or decision recorded",
        ),
        may=Words("reģistrēt iesniegšanu un lēmumus", "record submissions and decisions"),
        fields={
            "submitted_on": FieldSpec(Words("Iesniegts", "Submitted on")),
            "decision": FieldSpec(Words("Lēmums", "Decision"), options=_DECISIONS),
            "decided_on": FieldSpec(Words("Lēmuma datums", "Decided on")),
            "awarded_eur": FieldSpec(Words("Piešķirts (EUR)", "Awarded (EUR)")),
        },
    ),
    facts=FactSource(load=_load),
    former={"application": "record", "application_update": "update"},
)
