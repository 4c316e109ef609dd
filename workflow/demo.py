"""The demo programme: the 2023 pilot cycle with its 11 NGOs, and the new cycle.

Every record is entered through the service layer with its historical date, so the audit
log, the guards and the cycle report treat it exactly like real use. As of the council
sitting on 2023-10-19 the report shows the article's figures: three organisations
awarded a little over EUR 100,000, three applications submitted and awaiting decisions,
seven prepared and waiting for calls that open in early 2024, a total budget over
EUR 500,000 and one project over EUR 1 million.

Organisation names come from the article; register numbers, amounts, dates, mentors and
funding calls are ILLUSTRATIVE (the article gives none), chosen to be realistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from workflow import advance, enrolment, mentors, recording, registry
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

PILOT = "NVO izaugsmes inkubators 2023 (pilots)"
NEXT = "NVO izaugsmes inkubators 2024"
DEMO_PASSWORD = "inkubators-demo"
USERS = [
    ("ilze", "coordinator"),
    ("janis", "mentor"),
    ("anna", "mentor"),
    ("revidents", "auditor"),
    ("admins", "admin"),
]

# (key, funder, programme, call opens, call closes, max grant, domains) — illustrative
SOURCES = [
    (
        "sif",
        "Sabiedrības integrācijas fonds",
        "NVO fonds 2023",
        "2023-02-01",
        "2023-03-31",
        40000,
        ["social", "ngo_strengthening"],
    ),
    (
        "liaa",
        "Latvijas Investīciju un attīstības aģentūra",
        "Klasteru programma 2023",
        "2023-03-01",
        "2023-04-14",
        50000,
        ["technology", "networking"],
    ),
    (
        "vkkf",
        "Valsts kultūrkapitāla fonds",
        "Kultūras projektu konkurss 2023, 2. kārta",
        "2023-04-15",
        "2023-05-20",
        25000,
        ["culture"],
    ),
    (
        "acf",
        "Aktīvo iedzīvotāju fonds (EEZ un Norvēģijas granti)",
        "Lielie projekti 2023",
        "2023-09-01",
        "2023-10-10",
        80000,
        ["social", "ngo_strengthening", "networking"],
    ),
    (
        "esf",
        "Eiropas Sociālais fonds Plus (CFLA)",
        "Sociālās iekļaušanas projekti 2024",
        "2024-02-01",
        "2024-04-30",
        300000,
        ["social"],
    ),
    (
        "erasmus",
        "Erasmus+ (Jaunatnes starptautisko programmu aģentūra)",
        "KA210 mazās partnerības 2024",
        "2024-01-15",
        "2024-03-05",
        60000,
        ["education", "networking"],
    ),
    (
        "interreg",
        "Interreg Dienvidbaltijas programma",
        "2024. gada projektu konkurss",
        "2024-01-22",
        "2024-05-31",
        1500000,
        ["technology", "urban_environment", "environment"],
    ),
    (
        "vkkf24",
        "Valsts kultūrkapitāla fonds",
        "Kultūras projektu konkurss 2024, 1. kārta",
        "2024-01-10",
        "2024-02-15",
        25000,
        ["culture", "heritage"],
    ),
    (
        "lvaf",
        "Latvijas vides aizsardzības fonds",
        "Vides izglītība un pilsētvide 2024",
        "2024-02-15",
        "2024-04-15",
        50000,
        ["environment", "urban_environment"],
    ),
    (
        "lpp",
        "Liepājas valstspilsētas pašvaldība",
        "Apkaimju iniciatīvu konkurss 2024",
        "2024-03-01",
        "2024-04-01",
        10000,
        ["urban_environment", "social"],
    ),
]


@dataclass
class App:
    """An application in the demo: prepared, maybe submitted, maybe decided."""

    source: str
    title: str
    domain: str
    total: int
    requested: int
    prepared: str
    submitted: str | None = None
    decided: str | None = None
    awarded: int | None = None


@dataclass
class Pilot:
    """One pilot organisation and how far it got, with dates."""

    name: str
    reg_no: str
    legal_form: str
    fields: list[str]
    mentor: str
    enrolled: str
    analysed: str
    needs: list[str]
    consultations: list[tuple[str, str, str]]  # held on, hours, topic
    sources: list[tuple[str, str]]  # source key, selected on
    apps: list[App] = field(default_factory=list)
    drafted: str | None = None  # fire draft_application on this day
    submitted: str | None = None  # fire submit
    outcome: str | None = None  # fire record_outcome


PILOTS = [
    Pilot(
        "House of Hope",
        "40008123451",
        "association",
        ["social"],
        "anna",
        "2023-03-01",
        "2023-03-07",
        ["fundraising", "project_management"],
        [("2023-03-09", "2", "Finansējuma stratēģija"), ("2023-03-14", "1.5", "Projekta budžets")],
        [("sif", "2023-03-15")],
        [
            App(
                "sif",
                "Drošs patvērums: krīzes atbalsta centrs ģimenēm",
                "social",
                45000,
                38460,
                "2023-03-17",
                "2023-03-28",
                "2023-05-25",
                38460,
            )
        ],
        drafted="2023-03-17",
        submitted="2023-03-29",
        outcome="2023-06-02",
    ),
    Pilot(
        "kultūrBĀKA",
        "40008234562",
        "association",
        ["culture"],
        "janis",
        "2023-03-01",
        "2023-03-20",
        ["fundraising", "audience_development"],
        [
            ("2023-03-29", "2", "Kultūras projektu konkursi"),
            ("2023-04-12", "2", "Pieteikuma rakstīšana"),
        ],
        [("vkkf", "2023-04-14")],
        [
            App(
                "vkkf",
                "Bākas vasaras skatuve 2023",
                "culture",
                27500,
                24900,
                "2023-05-02",
                "2023-05-10",
                "2023-06-20",
                24900,
            )
        ],
        drafted="2023-05-03",
        submitted="2023-05-11",
        outcome="2023-06-26",
    ),
    Pilot(
        "Liepājas tehnoloģiju klasteris",
        "40008345673",
        "association",
        ["technology"],
        "janis",
        "2023-03-01",
        "2023-03-08",
        ["networking", "fundraising"],
        [("2023-03-10", "3", "Klastera attīstības plāns")],
        [("liaa", "2023-03-13")],
        [
            App(
                "liaa",
                "Liepājas IT talantu tīkls",
                "networking",
                42000,
                38200,
                "2023-03-24",
                "2023-04-06",
                "2023-06-09",
                38200,
            )
        ],
        drafted="2023-03-27",
        submitted="2023-04-07",
        outcome="2023-06-15",
    ),
    Pilot(
        "Sociālā atbalsta un izglītības fonds",
        "40008456784",
        "foundation",
        ["social", "education"],
        "anna",
        "2023-03-01",
        "2023-03-22",
        ["fundraising", "volunteer_management"],
        [("2023-04-05", "2", "Donoru piesaiste"), ("2023-05-03", "1", "Brīvprātīgo koordinēšana")],
        [("acf", "2023-05-10")],
        [
            App(
                "acf",
                "Atbalsta tīkls vientuļajiem senioriem",
                "social",
                70000,
                63000,
                "2023-06-14",
                "2023-09-28",
            )
        ],
        drafted="2023-06-15",
        submitted="2023-09-29",
    ),
    Pilot(
        "Patvērums ģimenei",
        "40008567895",
        "association",
        ["social"],
        "anna",
        "2023-03-01",
        "2023-03-23",
        ["project_management", "fundraising"],
        [
            ("2023-04-06", "2", "Projekta idejas izstrāde"),
            ("2023-05-04", "2", "Rezultātu rādītāji"),
        ],
        [("acf", "2023-05-11")],
        [
            App(
                "acf",
                "Ģimeņu atbalsta punkts Karostā",
                "social",
                55000,
                49500,
                "2023-06-20",
                "2023-10-02",
            )
        ],
        drafted="2023-06-21",
        submitted="2023-10-03",
    ),
    Pilot(
        "Centra MARTA Liepājas nodibinājums",
        "40008678906",
        "foundation",
        ["social", "ngo_strengthening"],
        "janis",
        "2023-03-01",
        "2023-03-21",
        ["advocacy", "fundraising"],
        [("2023-04-04", "2", "Interešu aizstāvība"), ("2023-05-09", "2", "Partnerību veidošana")],
        [("acf", "2023-05-12")],
        [
            App(
                "acf",
                "Jauniešu līdztiesības programma Liepājā",
                "ngo_strengthening",
                64000,
                57600,
                "2023-06-22",
                "2023-10-05",
            )
        ],
        drafted="2023-06-23",
        submitted="2023-10-06",
    ),
    Pilot(
        "Keep The Change",
        "40008789017",
        "association",
        ["education", "environment"],
        "janis",
        "2023-03-01",
        "2023-03-27",
        ["fundraising", "international_partnerships"],
        [
            ("2023-04-11", "2", "Starptautiskās programmas"),
            ("2023-05-16", "2", "Partneru meklēšana"),
        ],
        [("esf", "2023-05-23"), ("erasmus", "2023-05-23")],
        [
            App(
                "esf", "Zaļās prasmes jauniešiem bez darba", "social", 120000, 108000, "2023-06-27"
            ),
            App(
                "erasmus", "Ilgtspējīgas dzīves darbnīcas", "education", 48000, 48000, "2023-06-28"
            ),
        ],
        drafted="2023-06-28",
    ),
    Pilot(
        "Zaļo un Viedo Tehnoloģiju klasteris",
        "40008890128",
        "association",
        ["technology", "environment"],
        "janis",
        "2023-03-01",
        "2023-03-16",
        ["project_management", "international_partnerships"],
        [("2023-03-30", "3", "Lielo projektu vadība"), ("2023-04-27", "3", "Pārrobežu partneri")],
        [("interreg", "2023-05-05")],
        [
            App(
                "interreg",
                "Viedā ostas pilsēta: zaļo tehnoloģiju testa vide",
                "urban_environment",
                1180000,
                1003000,
                "2023-06-29",
            )
        ],
        drafted="2023-06-29",
    ),
    Pilot(
        "Fotast",
        "40008901239",
        "association",
        ["culture"],
        "anna",
        "2023-03-01",
        "2023-03-28",
        ["audience_development", "fundraising"],
        [("2023-04-13", "2", "Izstāžu finansēšana")],
        [("vkkf24", "2023-05-18")],
        [
            App(
                "vkkf24",
                "Liepāja objektīvā: fotoarhīva izstāde",
                "culture",
                26000,
                22000,
                "2023-06-21",
            )
        ],
        drafted="2023-06-22",
    ),
    Pilot(
        "Liepājas Restaurācijas biedrība",
        "40009012340",
        "association",
        ["culture", "heritage"],
        "anna",
        "2023-03-01",
        "2023-03-29",
        ["fundraising", "heritage_management"],
        [("2023-04-19", "2", "Mantojuma projekti"), ("2023-05-17", "1", "Budžeta plānošana")],
        [("vkkf24", "2023-05-24"), ("lvaf", "2023-05-24")],
        [
            App("vkkf24", "Koka logu restaurācijas skola", "heritage", 35000, 25000, "2023-06-26"),
            App(
                "lvaf",
                "Vēsturiskā pagalma atjaunošana",
                "urban_environment",
                40000,
                36000,
                "2023-06-27",
            ),
        ],
        drafted="2023-06-27",
    ),
    Pilot(
        "Radi Vidi Pats",
        "40009123451",
        "association",
        ["urban_environment"],
        "janis",
        "2023-03-01",
        "2023-03-24",
        ["community_engagement", "fundraising"],
        [("2023-04-20", "2", "Apkaimju iesaiste"), ("2023-05-25", "1", "Pašvaldības konkursi")],
        [("lpp", "2023-05-30")],
        [App("lpp", "Kopienas dārzs Jaunliepājā", "urban_environment", 22000, 10000, "2023-06-28")],
        drafted="2023-06-29",
    ),
]


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
