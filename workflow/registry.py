"""Registering the programme's reference data: organisations, cycles, funding sources."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow import writefence
from workflow.actors import Actor
from workflow.collation import latvian_key
from workflow.db import read_session
from workflow.errors import Conflict, NotFound
from workflow.orm import Cycle, FundingSource, Organisation
from workflow.permissions import acts_for_organisation, require_action
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn


def create_organisation(
    rt: Runtime, actor: Actor, data: OrganisationIn, at: datetime | None = None
) -> Organisation:
    """Register an NGO; its register number must be new."""
    require_action(rt.rules, actor, "manage_organisations")
    org = Organisation(**data.model_dump(), created_at=at or rt.now())
    _add_unique(
        rt,
        org,
        Conflict(
            f"an organisation with reg_no {data.reg_no} exists",
            "duplicate",
            f"Organizācija ar reģistrācijas numuru {data.reg_no} jau ir reģistrēta.",
        ),
    )
    return org


def _add_unique(rt: Runtime, row: Organisation | Cycle, duplicate: Conflict) -> None:
    """Insert a row whose one unique key (a register number, a cycle's name) must be new.

    The database's unique index decides, so two registrations racing each other get the
    same clear ``duplicate`` conflict as one meeting an older row; nothing is written.
    """
    try:
        with Session(rt.engine, expire_on_commit=False) as s, s.begin():
            writefence.mark(s.connection(), row.created_at)  # a keyed request: "written"
            s.add(row)
    except IntegrityError:
        raise duplicate from None


def create_cycle(rt: Runtime, actor: Actor, data: CycleIn, at: datetime | None = None) -> Cycle:
    """Open a cycle; budget and capacity default from the policy's ``cycle_defaults``."""
    rules = rt.rules  # once: the permission and the defaults from one version
    require_action(rules, actor, "manage_cycles")
    defaults = rules.policy.spec.cycle_defaults
    cycle = Cycle(
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        budget_eur=data.budget_eur if data.budget_eur is not None else defaults.budget_eur,
        capacity=data.capacity if data.capacity is not None else defaults.capacity,
        created_at=at or rt.now(),
    )
    _add_unique(
        rt,
        cycle,
        Conflict(
            f"a cycle named {data.name!r} exists",
            "duplicate",
            f"Cikls ar nosaukumu {data.name} jau pastāv.",
        ),
    )
    return cycle


def create_funding_source(
    rt: Runtime, actor: Actor, data: FundingSourceIn, at: datetime | None = None
) -> FundingSource:
    """Register a funder's programme and its call window."""
    require_action(rt.rules, actor, "manage_funding_sources")
    with Session(rt.engine, expire_on_commit=False) as s, s.begin():
        src = FundingSource(**data.model_dump(), created_at=at or rt.now())
        writefence.mark(s.connection(), src.created_at)  # a keyed request: "written"
        s.add(src)
    return src


def list_organisations(rt: Runtime, actor: Actor | None = None) -> list[Organisation]:
    """Every organisation, by name in Latvian order (:mod:`workflow.collation`); an
    organisation's representative sees only their own (``actor=None``: the engine's own
    callers and the command line)."""
    q = select(Organisation)
    if acts_for_organisation(rt.rules, actor):
        assert actor is not None
        q = q.where(Organisation.id == (actor.organisation_id or -1))
    with read_session(rt.engine) as s:
        rows = list(s.scalars(q))
    return sorted(rows, key=lambda o: (latvian_key(o.name), o.id))


def list_cycles(rt: Runtime) -> list[Cycle]:
    """Every cycle, newest first."""
    with read_session(rt.engine) as s:
        return list(s.scalars(select(Cycle).order_by(Cycle.starts_on.desc(), Cycle.id.desc())))


Row = TypeVar("Row", Organisation, Cycle, FundingSource)


def _get(rt: Runtime, model: type[Row], row_id: int, what: str) -> Row:
    with read_session(rt.engine) as s:
        row = s.get(model, row_id)
    if row is None:
        raise NotFound(what, row_id)
    return row


def get_cycle(rt: Runtime, cycle_id: int) -> Cycle:
    """One cycle or NotFound."""
    return _get(rt, Cycle, cycle_id, "cycle")


def get_organisation(rt: Runtime, org_id: int) -> Organisation:
    """One organisation or NotFound (its edit form reads one row, not the whole list)."""
    return _get(rt, Organisation, org_id, "organisation")


def get_funding_source(rt: Runtime, source_id: int) -> FundingSource:
    """One funding source or NotFound."""
    return _get(rt, FundingSource, source_id, "funding source")


def list_funding_sources(rt: Runtime) -> list[FundingSource]:
    """Every funding source, by call opening."""
    with read_session(rt.engine) as s:
        return list(
            s.scalars(select(FundingSource).order_by(FundingSource.call_opens, FundingSource.id))
        )
