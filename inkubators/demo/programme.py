"""The demo programme as it stands before the first case: the two cycles' names, the demo
accounts, the funding calls, and the shape of one pilot organisation's record.

Funding calls, amounts and dates are ILLUSTRATIVE (see :mod:`inkubators.demo`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
