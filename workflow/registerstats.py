"""The city's NGO landscape from the imported register: how many associations, how many of
them manage real estate, how many do other things, the foundations, and how many of
those the programme could take in.

Counted: the entries in that city (the first part of the address, compared exactly, so
"Liepāja" is not "Liepājas novads") registered on or before the end of the year and not
terminated by then. What an association, a foundation and real-estate management are is
the policy's ``registry:`` section; who is eligible is the policy's ``eligibility:``
rule (:func:`workflow.eligibility.eligibility_reasons`), the one enrolment applies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, func, or_, select

from workflow.db import read
from workflow.eligibility import eligibility_reasons
from workflow.orm import Organisation, RegisterEntry, RegisterImport
from workflow.policies import Policy
from workflow.registerspec import REAL_ESTATE, LegalForm, nfc
from workflow.runtime import Runtime, as_utc

entries = cast(Table, RegisterEntry.__table__)
imports = cast(Table, RegisterImport.__table__)
FIRST_YEAR = 1900
LAST_YEAR = 2100


@dataclass(frozen=True, slots=True)
class SectorStats:
    """The figures the council's article quotes, for one city (or all) and year."""

    city: str | None
    year: int
    associations: int
    real_estate_management: int
    other: int
    #: real-estate management's share of the associations, 0 … 1 (4 decimals)
    real_estate_share: float
    foundations: int
    eligible: int


@dataclass(frozen=True, slots=True)
class ImportView:
    """One import as the registry page, the API and the CLI list it."""

    id: int
    at: datetime
    actor: str
    role: str
    file_name: str
    sha256: str
    rows: int
    new: int
    changed: int
    unchanged: int
    policy_hash: str


def _eligible(policy: Policy, form: LegalForm, real_estate: bool) -> bool:
    """Whether the enrolment rule would admit an organisation of this kind (its cycles
    so far are no matter for the register's figures)."""
    probe = Organisation(legal_form=form, fields=[REAL_ESTATE] if real_estate else [])
    return not eligibility_reasons(policy, probe, 0)


def sector_stats(rt: Runtime, city: str | None, year: int) -> SectorStats:
    """The associations and foundations of ``city`` (None: everywhere) standing at the end
    of ``year``, sorted by the policy in force."""
    policy = rt.rules.policy
    spec = policy.spec.registry
    end = date(year, 12, 31)
    codes = spec.codes_of("association") + spec.codes_of("foundation")
    q = select(entries.c.name, entries.c.legal_form_code, entries.c.nace).where(
        entries.c.legal_form_code.in_(codes),
        entries.c.registered <= end,
        or_(entries.c.terminated.is_(None), entries.c.terminated > end),
    )
    if city is not None:
        city = nfc(city.strip())
        q = q.where(entries.c.city == city)
    kinds: Counter[tuple[LegalForm, bool]] = Counter()
    with read(rt.engine) as conn:
        for name, code, nace in conn.execute(q):
            form = spec.legal_form(code)
            kinds[(form, form == "association" and spec.is_real_estate(name, nace))] += 1
    associations = kinds[("association", True)] + kinds[("association", False)]
    real_estate = kinds[("association", True)]
    return SectorStats(
        city=city,
        year=year,
        associations=associations,
        real_estate_management=real_estate,
        other=associations - real_estate,
        real_estate_share=round(real_estate / associations, 4) if associations else 0.0,
        foundations=kinds[("foundation", False)],
        eligible=sum(n for (form, re), n in kinds.items() if _eligible(policy, form, re)),
    )


def recent_imports(rt: Runtime, limit: int = 20) -> list[ImportView]:
    """The newest imports first."""
    q = select(imports).order_by(imports.c.id.desc()).limit(limit)
    with read(rt.engine) as conn:
        return [
            ImportView(
                r.id,
                as_utc(r.at),
                r.actor,
                r.role,
                r.file_name,
                r.sha256,
                r.rows,
                r.new,
                r.changed,
                r.unchanged,
                r.policy_hash,
            )
            for r in conn.execute(q)
        ]


def entry_count(rt: Runtime) -> int:
    """How many organisations the imported register holds."""
    with read(rt.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(entries)).scalar_one())
