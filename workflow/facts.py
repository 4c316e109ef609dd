"""The evidence a guard looks at, as plain immutable values (no ORM, no session).

Guards receive a :class:`Facts`; only the parts a trigger's guards declare are loaded,
so a transition reads no more than it decides on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class AnalysisFact:
    """The latest needs analysis of a case."""

    findings: str
    need_areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConsultationTotals:
    """How many mentor consultations a case has had and how many hours they took."""

    count: int
    hours: Decimal


@dataclass(frozen=True, slots=True)
class SourceFact:
    """A funding source selected for a case, with its call window."""

    source_id: int
    programme: str
    call_opens: date
    call_closes: date
    max_grant_eur: Decimal


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


#: The kinds of stored evidence a guard may declare it reads: the :class:`Facts` fields
#: :mod:`workflow.factloader` loads from the database (the trigger's comment is no such kind).
EVIDENCE_KINDS: frozenset[str] = frozenset({"analysis", "consultations", "sources", "applications"})


@dataclass(slots=True)
class Facts:
    """Everything guards may consult; fields a trigger does not need stay ``None``."""

    today: date
    comment: str = ""
    analysis: AnalysisFact | None = None
    consultations: ConsultationTotals | None = None
    sources: tuple[SourceFact, ...] | None = None
    applications: tuple[ApplicationFact, ...] | None = None
