"""Enter the demo programme through the service layer, each record with its historical
date, so the audit log, the guards and the cycle report treat it exactly like real use."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from inkubators.demo.pilots import PILOTS
from inkubators.demo.programme import DEMO_PASSWORD, NEXT, PILOT, SOURCES, USERS, Pilot
from inkubators.demo.register import FILE_NAME, sample_extract
from workflow import advance, enrolment, mentors, recording, registerimport, registry
from workflow.accounts import add_user
from workflow.actors import Actor
from workflow.db import read_session
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn, ApplicationUpdate
from workflow.evidence.consultations import ConsultationIn
from workflow.evidence.sources import SelectionIn
from workflow.orm import Cycle
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn, UserIn


def _d(s: str) -> date:
    return date.fromisoformat(s)


def _at(s: str, hour: int = 10) -> datetime:
    return datetime.combine(_d(s), time(hour), tzinfo=UTC)


def is_loaded(rt: Runtime) -> bool:
    """Whether the demo programme is already in the database."""
    with read_session(rt.engine) as s:
        return s.scalar(select(Cycle.id).where(Cycle.name == PILOT)) is not None


def load_demo(rt: Runtime) -> bool:
    """Load the demo programme; return False (changing nothing) if it is already there."""
    if is_loaded(rt):
        return False
    setup = _at("2023-02-27", 9)
    for name, role in USERS:
        add_user(rt, UserIn.model_validate({"name": name, "role": role}), DEMO_PASSWORD, at=setup)
    ilze = Actor("ilze", "coordinator")
    src_ids = {}
    for key, funder, programme, opens, closes, grant, domains in SOURCES:
        src = registry.create_funding_source(
            rt,
            ilze,
            FundingSourceIn(
                funder=funder,
                programme=programme,
                call_opens=_d(opens),
                call_closes=_d(closes),
                max_grant_eur=Decimal(grant),
                domains=domains,
            ),
            at=setup,
        )
        src_ids[key] = src.id
    pilot = registry.create_cycle(
        rt,
        ilze,
        CycleIn(
            name=PILOT,
            starts_on=_d("2023-03-01"),
            ends_on=_d("2023-06-30"),
            budget_eur=Decimal("10000.00"),
            capacity=11,
        ),
        at=setup,
    )
    for p in PILOTS:
        _walk(rt, ilze, pilot.id, p, src_ids)
    registry.create_cycle(
        rt,
        ilze,
        CycleIn(name=NEXT, starts_on=_d("2024-01-15"), ends_on=_d("2024-12-15")),
        at=_at("2023-10-20"),
    )
    # the city's NGO landscape, from a generated sample of the register's extract
    registerimport.import_register(
        rt, ilze, io.BytesIO(sample_extract()), FILE_NAME, at=_at("2023-10-20", 9)
    )
    return True


def _walk(rt: Runtime, who: Actor, cycle_id: int, p: Pilot, src_ids: dict[str, int]) -> None:
    org = registry.create_organisation(
        rt,
        who,
        OrganisationIn(name=p.name, reg_no=p.reg_no, legal_form=p.legal_form, fields=p.fields),
        at=_at("2023-02-27", 9),
    )
    case_id = enrolment.enrol(rt, who, org.id, cycle_id, at=_at(p.enrolled))
    mentors.assign_mentor(rt, who, case_id, p.mentor, at=_at(p.enrolled, 11))
    recording.record(
        rt,
        who,
        case_id,
        AnalysisIn(
            findings=f"{p.name}: darbības analīze, stiprās puses un attīstības vajadzības.",
            need_areas=p.needs,
            recorded_on=_d(p.analysed),
        ),
        at=_at(p.analysed),
    )
    advance.fire(rt, who, case_id, "analyse", at=_at(p.analysed, 12))
    for held_on, hours, topic in p.consultations:
        recording.record(
            rt,
            who,
            case_id,
            ConsultationIn(mentor=p.mentor, held_on=_d(held_on), hours=Decimal(hours), topic=topic),
            at=_at(held_on, 15),
        )
    last_consult = p.consultations[-1][0]
    advance.fire(rt, who, case_id, "consult", at=_at(last_consult, 16))
    for key, selected_on in p.sources:
        recording.record(
            rt,
            who,
            case_id,
            SelectionIn(funding_source_id=src_ids[key], selected_on=_d(selected_on)),
            at=_at(selected_on),
        )
    advance.fire(rt, who, case_id, "select_sources", at=_at(p.sources[-1][1], 12))
    app_ids = []
    for a in p.apps:
        rec = recording.record(
            rt,
            who,
            case_id,
            ApplicationIn(
                funding_source_id=src_ids[a.source],
                title=a.title,
                domain=a.domain,
                total_budget_eur=Decimal(a.total),
                requested_eur=Decimal(a.requested),
                prepared_on=_d(a.prepared),
            ),
            at=_at(a.prepared),
        )
        app_ids.append(rec.id)
    if p.drafted:
        advance.fire(rt, who, case_id, "draft_application", at=_at(p.drafted, 14))
    for a, app_id in zip(p.apps, app_ids, strict=True):
        if a.submitted:
            recording.update(
                rt,
                who,
                app_id,
                ApplicationUpdate(submitted_on=_d(a.submitted)),
                at=_at(a.submitted, 17),
            )
    if p.submitted:
        advance.fire(rt, who, case_id, "submit", at=_at(p.submitted))
    for a, app_id in zip(p.apps, app_ids, strict=True):
        if a.decided:
            recording.update(
                rt,
                who,
                app_id,
                ApplicationUpdate(
                    decision="awarded" if a.awarded else "rejected",
                    decided_on=_d(a.decided),
                    awarded_eur=Decimal(a.awarded) if a.awarded else None,
                ),
                at=_at(a.decided, 17),
            )
    if p.outcome:
        advance.fire(
            rt, who, case_id, "record_outcome", comment="Finansējums piešķirts", at=_at(p.outcome)
        )
