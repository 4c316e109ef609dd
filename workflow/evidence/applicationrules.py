"""The rules of an application's submission and decision, checked together so a user is
told every broken rule at once, each on its field, in English and Latvian.

An application is prepared, then submitted inside its call's window (a prepared
application waits for its call to open), then decided: awarded (with an amount no more
than requested) or rejected, on a day not before the submission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from workflow.calls import CallPhase, call_phase
from workflow.errors import InvalidInput
from workflow.localformat import day, eur

#: The fields a submission or decision changes.
FIELDS = ("submitted_on", "decision", "decided_on", "awarded_eur")


@dataclass(slots=True)
class Problems:
    """Broken rules by field, in English and in Latvian."""

    en: dict[str, str] = field(default_factory=dict)
    lv: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, en: str, lv: str) -> None:
        """Note one broken rule of field ``name``."""
        self.en[name] = en
        self.lv[name] = lv

    def refuse(self) -> None:
        """Raise them all as one :class:`InvalidInput`, if any."""
        if self.en:
            raise InvalidInput(self.en, self.lv)


def application_status(submitted_on: date | None, decision: str | None) -> str:
    """drafted → submitted → awarded | rejected, derived from the dates and decision."""
    if decision:
        return decision
    return "submitted" if submitted_on else "drafted"


def check(merged: dict[str, Any], row: Any, source: Any, today: date) -> Problems:
    """Every broken rule of the application ``row`` once ``merged`` (its submission and
    decision fields after the change) is stored, against its funding ``source``."""
    p = Problems()
    submitted = merged["submitted_on"]
    if submitted is not None:
        _submission(p, submitted, row.prepared_on, source, today)
    if merged["decision"] is not None:
        _decision(p, merged, row.requested_eur, today)
    elif merged["awarded_eur"] is not None or merged["decided_on"] is not None:
        p.add(
            "decision",
            "give the decision (awarded or rejected) with its date and amount",
            "norādiet lēmumu (piešķirts vai noraidīts) ar tā datumu un summu",
        )
    return p


def _submission(p: Problems, sub: date, prepared_on: date, source: Any, today: date) -> None:
    """Submitted on a day that has come, not before it was prepared (which is not before
    enrolment), inside the call's window."""
    if sub > today:
        p.add("submitted_on", f"{day(sub, 'en')} is in the future", f"{day(sub, 'lv')} ir nākotnē")
        return
    if sub < prepared_on:
        p.add(
            "submitted_on",
            f"{day(sub, 'en')} is before the application was prepared on {day(prepared_on, 'en')}",
            f"{day(sub, 'lv')} ir pirms pieteikuma sagatavošanas dienas ({day(prepared_on, 'lv')})",
        )
        return
    phase = call_phase(source, sub)
    if phase is CallPhase.NOT_OPEN:
        p.add(
            "submitted_on",
            f"the call of {source.programme} opens on {day(source.call_opens, 'en')}; "
            "a prepared application waits for it",
            f"„{source.programme}” konkurss atveras {day(source.call_opens, 'lv')}; "
            "sagatavots pieteikums gaida tā atvēršanu",
        )
    elif phase is CallPhase.CLOSED:
        p.add(
            "submitted_on",
            f"the call of {source.programme} closed on {day(source.call_closes, 'en')}",
            f"„{source.programme}” konkurss slēdzās {day(source.call_closes, 'lv')}",
        )


def _decision(p: Problems, m: dict[str, Any], requested: Decimal, today: date) -> None:
    """A decision follows a submission, has its day, and an award has its amount."""
    if m["submitted_on"] is None:
        p.add(
            "decision",
            "an application is decided only after it is submitted",
            "lēmumu par pieteikumu pieņem tikai pēc tā iesniegšanas",
        )
    _decision_day(p, m["decided_on"], m["submitted_on"], today)
    if m["decision"] == "awarded":
        _award(p, m["awarded_eur"], requested)


def _decision_day(p: Problems, decided: date | None, sub: date | None, today: date) -> None:
    """Given, not before the submission, not in the future."""
    if decided is None:
        p.add("decided_on", "the date of the decision is required", "jānorāda lēmuma datums")
    elif sub is not None and decided < sub:
        p.add(
            "decided_on",
            "a decision cannot precede the submission",
            "lēmums nevar būt pieņemts pirms iesniegšanas",
        )
    elif decided > today:
        p.add(
            "decided_on",
            f"{day(decided, 'en')} is in the future",
            f"{day(decided, 'lv')} ir nākotnē",
        )


def _award(p: Problems, amount: Decimal | None, requested: Decimal) -> None:
    """An award is an amount above zero and no more than was requested."""
    if amount is None or amount <= 0:
        p.add(
            "awarded_eur",
            "an award needs the amount awarded",
            "piešķīrumam jānorāda piešķirtā summa",
        )
    elif amount > requested:
        p.add(
            "awarded_eur",
            f"more than the {eur(requested, 'en')} requested",
            f"vairāk nekā pieprasītie {eur(requested, 'lv')}",
        )
