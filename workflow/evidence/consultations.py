"""Mentor consultations, the programme's core: who met the organisation, when, for how
long and about what. Guards count them and their hours against the policy's minimum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import Connection, bindparam, func, insert, select

from workflow.actors import Actor
from workflow.budget import check_hours
from workflow.chain import cases
from workflow.errors import Forbidden
from workflow.evidence.common import not_before_enrolment, not_in_future, payload
from workflow.evidence.registry import (
    Create,
    EvidenceKind,
    FactSource,
    FieldSpec,
    WriteContext,
    Written,
)
from workflow.orm import Consultation
from workflow.policies import Policy
from workflow.schemas import Day, Input, PersonName, Text
from workflow.vocabulary import Words


class ConsultationIn(Input):
    """One mentor consultation (held on or after the day the case was enrolled)."""

    mentor: PersonName = Field(
        description="the mentor's name as written: mentors may be people from outside the "
        "programme without a user account, so it is free text, not a user reference"
    )
    held_on: Day = Field(description="not in the future, not before the case's enrolment")
    hours: Annotated[Decimal, Field(gt=0, le=24, max_digits=4, decimal_places=2)]
    topic: Text


@dataclass(frozen=True, slots=True)
class ConsultationTotals:
    """How many mentor consultations a case has had and how many hours they took."""

    count: int
    hours: Decimal


_co = Consultation.__table__
_TOTALS = select(func.count(), func.coalesce(func.sum(_co.c.hours), 0)).where(
    _co.c.case_id == bindparam("case_id")
)


def _totals(values: Sequence[Any]) -> ConsultationTotals:
    count, hours = values
    return ConsultationTotals(int(count), Decimal(hours))


def _load(conn: Connection, case_id: int) -> ConsultationTotals:
    return _totals(conn.execute(_TOTALS, {"case_id": case_id}).one())


#: The policy action that lets a role record a consultation in another mentor's name.
FOR_OTHERS = "record_for_others"


def may_record_for_others(policy: Policy, actor: Actor) -> bool:
    """Whether the actor may name another mentor than themself (a coordinator entering a
    mentor's hours); everyone else records consultations only as themself."""
    return FOR_OTHERS in policy.role(actor.role).actions


def _write(ctx: WriteContext, data: ConsultationIn) -> Written:
    if data.mentor != ctx.actor.name and (
        ctx.policy is None or not may_record_for_others(ctx.policy, ctx.actor)
    ):
        raise Forbidden(ctx.actor.role, FOR_OTHERS)
    not_in_future("held_on", data.held_on, ctx.today)
    not_before_enrolment(ctx, "held_on", data.held_on)
    check_hours(ctx.conn, ctx.policy, ctx.head.cycle_id, data.hours)
    values = data.model_dump()
    new_id = ctx.conn.execute(
        insert(Consultation).returning(Consultation.id),
        {**values, "case_id": ctx.head.id, "recorded_by": ctx.actor.name},
    ).scalar_one()
    # who entered it (the event's actor) for whom (``mentor``), said in the event itself
    return new_id, {"consultation_id": new_id, **payload(values), "entered_by": ctx.actor.name}


KIND = EvidenceKind(
    name="consultations",
    create=Create(
        schema=ConsultationIn,
        write=_write,
        summary="Record one mentor consultation (held on a day not in the future).\n\n"
        "A user records consultations only in their own name (another mentor's: 403) unless "
        "their role may `record_for_others`; hours the cycle's budget cannot pay are a 422 on "
        "`hours` unless the policy's `budget: allow_overrun` is true.",
        title=Words("Reģistrēt konsultāciju", "Record a consultation"),
        done=Words("Reģistrēta konsultācija", "Consultation recorded"),
        may=Words("reģistrēt konsultācijas", "record consultations"),
        fields={
            "mentor": FieldSpec(
                Words("Mentors", "Mentor"),
                choices="mentors",
                other=Words("Vai ārējs mentors (vārds)", "Or an external mentor (name)"),
            ),
            "held_on": FieldSpec(Words("Datums", "Held on")),
            "hours": FieldSpec(Words("Stundas", "Hours")),
            "topic": FieldSpec(Words("Tēma", "Topic")),
        },
    ),
    facts=FactSource(
        load=_load,
        columns=(
            select(func.count(_co.c.id))
            .where(_co.c.case_id == cases.c.id)
            .correlate(cases)
            .scalar_subquery(),
            select(func.coalesce(func.sum(_co.c.hours), 0))
            .where(_co.c.case_id == cases.c.id)
            .correlate(cases)
            .scalar_subquery(),
        ),
        from_columns=_totals,
    ),
    former={"consultation": "record"},
)
