"""Checks and helpers the kinds' writers share: evidence describes work done in the
programme, on days that have happened, about funding sources that exist."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from workflow.errors import InvalidInput
from workflow.evidence.registry import WriteContext
from workflow.localformat import day as fmt_day
from workflow.orm import Case, FundingSource
from workflow.runtime import local_day


def not_before_enrolment(ctx: WriteContext, field: str, day: date) -> None:
    """Nothing dated before the case began counts (a consultation from before enrolment
    would otherwise pass the consult guard)."""
    at = ctx.conn.scalar(select(Case.enrolled_at).where(Case.id == ctx.head.id))
    assert at is not None  # the case head is loaded and locked
    enrolled_on = local_day(at)
    if day < enrolled_on:
        raise InvalidInput(
            {
                field: f"{fmt_day(day, 'en')} is before the case was enrolled on "
                f"{fmt_day(enrolled_on, 'en')}"
            },
            {
                field: f"{fmt_day(day, 'lv')} ir pirms lietas uzņemšanas dienas "
                f"({fmt_day(enrolled_on, 'lv')})"
            },
        )


def not_in_future(field: str, day: date, today: date) -> None:
    """Evidence records what happened: a day after today is refused, naming the field."""
    if day > today:
        raise InvalidInput(
            {field: f"{fmt_day(day, 'en')} is in the future"},
            {field: f"{fmt_day(day, 'lv')} ir nākotnē"},
        )


def funding_source(conn: Connection, source_id: int, field: str) -> Any:
    """The funding source row ``source_id``, or a refusal naming ``field``."""
    row = conn.execute(select(FundingSource.__table__).where(FundingSource.id == source_id)).first()
    if row is None:
        raise InvalidInput(
            {field: f"funding source {source_id} does not exist"},
            {field: f"finansējuma avots {source_id} nav atrasts"},
        )
    return row


def payload(values: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals as strings, so the payload hashes the same after a round trip."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, date):
            out[k] = v.isoformat()
        elif isinstance(v, (list, tuple)):
            out[k] = list(v)
        elif v is None or isinstance(v, (str, int, bool)):
            out[k] = v
        else:
            out[k] = str(v)
    return out
