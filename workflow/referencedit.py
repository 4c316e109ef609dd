"""Editing the programme's reference data: an organisation's details, a funding call's
dates, a cycle's dates and budget. Each edit is one transaction with its audit record.

The edits are not on a case, so their record is an event of the account log
(:mod:`workflow.accountlog`, actions ``organisation_changed``, ``cycle_changed``,
``funding_source_changed``): who changed which row, each changed field's old and new
value, and the SHA-256 of the row as stored (:func:`workflow.contentbind.row_hash`).
``audit verify`` replays them (:mod:`workflow.referencebind`): a row that an edit
recorded must still hash to what its last edit stored, so a later change behind the
engine's back is named by table and id.

A change is given as a partial model (only the fields sent); it is merged with the row
and the whole checked again by the model that creates such rows (``CycleIn`` …), so the
rules of a new row (a call closes on or after it opens) hold for an edited one, and each
error names its field. Sending the values a row already has changes and records nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, Table, func, select, update
from sqlalchemy.exc import IntegrityError

from workflow import accountlog
from workflow.actors import Actor
from workflow.contentbind import row_hash
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.limits import CODES_PER_LIST
from workflow.orm import Case, Cycle, FundingSource, Organisation
from workflow.permissions import require_action
from workflow.runtime import Runtime
from workflow.schemas import (
    CycleIn,
    Day,
    FundingSourceIn,
    Input,
    Money,
    Name,
    OrganisationIn,
    PositiveMoney,
    Tag,
)

organisations = cast(Table, Organisation.__table__)
cycles = cast(Table, Cycle.__table__)
sources = cast(Table, FundingSource.__table__)
cases = cast(Table, Case.__table__)


class OrganisationPatch(Input):
    """An organisation's details to change (only the fields sent)."""

    name: Name | None = None
    reg_no: str | None = Field(default=None, max_length=20, description="Latvian register number")
    legal_form: Tag | None = None
    fields: list[Tag] | None = Field(default=None, max_length=CODES_PER_LIST)


class CyclePatch(Input):
    """A cycle's name, dates, budget or capacity to change."""

    name: Name | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    budget_eur: Money | None = None
    capacity: int | None = Field(default=None, ge=1, le=1000)


class FundingSourcePatch(Input):
    """A funding call's details to change: its dates above all."""

    funder: Name | None = None
    programme: Name | None = None
    call_opens: Day | None = None
    call_closes: Day | None = None
    max_grant_eur: PositiveMoney | None = None
    domains: list[Tag] | None = Field(default=None, max_length=CODES_PER_LIST)


#: table -> (account log action, the model a whole row must satisfy, the permission)
KINDS: dict[str, tuple[str, type[BaseModel], str]] = {
    "organisations": ("organisation_changed", OrganisationIn, "manage_organisations"),
    "cycles": ("cycle_changed", CycleIn, "manage_cycles"),
    "funding_sources": ("funding_source_changed", FundingSourceIn, "manage_funding_sources"),
}
_WORD = {"organisations": "organisation", "cycles": "cycle", "funding_sources": "funding source"}


def edit_organisation(
    rt: Runtime, actor: Actor, org_id: int, patch: OrganisationPatch, at: datetime | None = None
) -> dict[str, Any]:
    """Change an organisation's details; its register number must stay unique."""
    return _edit(rt, actor, organisations, org_id, patch, at)


def edit_cycle(
    rt: Runtime, actor: Actor, cycle_id: int, patch: CyclePatch, at: datetime | None = None
) -> dict[str, Any]:
    """Change a cycle; its capacity may not fall below the cases already enrolled."""
    return _edit(rt, actor, cycles, cycle_id, patch, at)


def edit_funding_source(
    rt: Runtime, actor: Actor, source_id: int, patch: FundingSourcePatch, at: datetime | None = None
) -> dict[str, Any]:
    """Change a funder's programme or its call window."""
    return _edit(rt, actor, sources, source_id, patch, at)


def _plain(value: Any) -> Any:
    """A value as the log's details hold it (JSON: text for days and amounts)."""
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _merged(table: Table, row: dict[str, Any], patch: BaseModel) -> dict[str, Any]:
    """The row with the patch applied, checked whole by the creating model."""
    model = KINDS[table.name][1]
    sent = patch.model_dump(exclude_unset=True)
    nulls = sorted(k for k, v in sent.items() if v is None)
    if nulls:
        raise InvalidInput(
            {k: "may not be emptied" for k in nulls}, {k: "nedrīkst būt tukšs" for k in nulls}
        )
    names = [n for n in model.model_fields if n in row]
    whole = {n: row[n] for n in names} | sent
    try:
        checked = model.model_validate(whole)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(body)"
            errors.setdefault(field, err["msg"])
        # pydantic words its messages in English only; the Latvian says which field
        errors_lv = {f: f"nederīga vērtība ({m})" for f, m in errors.items()}
        raise InvalidInput(errors, errors_lv) from None
    return {n: getattr(checked, n) for n in names if n in sent}


def _edit(
    rt: Runtime, actor: Actor, table: Table, row_id: int, patch: BaseModel, at: datetime | None
) -> dict[str, Any]:
    action, _model, permission = KINDS[table.name]
    rules = rt.rules
    require_action(rules, actor, permission)
    at = at or rt.now()
    try:
        with rt.engine.begin() as conn:
            row = _load(conn, table, row_id)
            wanted = _merged(table, row, patch)
            changes = {
                k: {"from": _plain(row[k]), "to": _plain(v)}
                for k, v in wanted.items()
                if _plain(v) != _plain(row[k])
            }
            if not changes:
                return row
            if table is cycles and "capacity" in changes:
                _check_capacity(conn, row_id, int(wanted["capacity"]))
            conn.execute(
                update(table).where(table.c.id == row_id).values({k: wanted[k] for k in changes})
            )
            stored = _load(conn, table, row_id)
            details = {
                "table": table.name,
                "id": row_id,
                "changes": changes,
                "row_sha256": row_hash(table, stored),
            }
            subject = f"{_WORD[table.name]} {row_id}"
            accountlog.append(conn, actor, action, subject, at, details)
    except IntegrityError:
        raise Conflict(
            f"another organisation has reg_no {wanted.get('reg_no')}",
            "duplicate",
            f"Cita organizācija jau ir ar reģistrācijas numuru {wanted.get('reg_no')}.",
        ) from None
    return stored


def _load(conn: Connection, table: Table, row_id: int) -> dict[str, Any]:
    q = select(table).where(table.c.id == row_id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    if row is None:
        raise NotFound(_WORD[table.name], row_id)
    return dict(row._mapping)


def _check_capacity(conn: Connection, cycle_id: int, capacity: int) -> None:
    enrolled = conn.execute(
        select(func.count()).select_from(cases).where(cases.c.cycle_id == cycle_id)
    ).scalar_one()
    if capacity < enrolled:
        raise InvalidInput(
            {"capacity": f"{enrolled} cases are enrolled in this cycle; at least {enrolled}"},
            {"capacity": f"ciklā uzņemtas {enrolled} lietas; vismaz {enrolled}"},
        )
