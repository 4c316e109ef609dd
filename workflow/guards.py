"""Named guard functions that ``states/*.yaml`` references, each explaining itself in lv and en.

A guard never raises to say no: it returns a :class:`Verdict`, so the engine can list
every failing guard of every trigger at once. Thresholds come from the policy file
(``guards.<trigger>``) through each guard's parameter model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from workflow.facts import EVIDENCE_KINDS, Facts
from workflow.localformat import day, eur
from workflow.vocabulary import lv_one
from workflow.yamlschema import Number


@dataclass(frozen=True, slots=True)
class Verdict:
    """A guard's answer: passed or not, and why, in Latvian and English."""

    passed: bool
    en: str
    lv: str


class NoParams(BaseModel):
    """For guards without thresholds."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class ConsultParams(BaseModel):
    """Thresholds of :func:`enough_consultations`."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)
    min_consultations: StrictInt = Field(default=1, ge=0, le=100)
    min_hours: Number = Field(default=Decimal("0"), ge=0, le=1000)


GuardFn = Callable[[Facts, Any], Verdict]


@dataclass(frozen=True, slots=True)
class GuardSpec:
    """A registered guard: its function, the evidence it reads and its parameter model."""

    name: str
    fn: GuardFn
    needs: frozenset[str]
    params: type[BaseModel]


REGISTRY: dict[str, GuardSpec] = {}
# Not stored evidence but the comment typed with the trigger: a guard that needs it asks
# for something the advance form itself supplies.
COMMENT = "comment"


def guard(
    name: str, needs: tuple[str, ...] = (), params: type[BaseModel] = NoParams
) -> Callable[[GuardFn], GuardFn]:
    """Register a guard under the name the states file uses.

    ``needs`` names the kinds of evidence it reads (only those are loaded for it) and
    :data:`COMMENT` when it reads the comment given with the trigger.
    """

    unknown = set(needs) - EVIDENCE_KINDS - {COMMENT}
    if unknown:  # a misspelt kind would load nothing and the guard would see None
        raise ValueError(f"guard {name!r} needs unknown kinds {sorted(unknown)}")

    def register(fn: GuardFn) -> GuardFn:
        REGISTRY[name] = GuardSpec(name, fn, frozenset(needs), params)
        return fn

    return register


@guard("needs_analysis_recorded", needs=("analysis",))
def needs_analysis_recorded(f: Facts, _: NoParams) -> Verdict:
    """The organisation's activity must be analysed before anything is built on it."""
    a = f.analysis
    if a is None:
        return Verdict(
            False, "no needs analysis recorded yet", "vajadzību analīze vēl nav reģistrēta"
        )
    if not a.findings.strip():
        return Verdict(
            False, "the needs analysis has no findings", "vajadzību analīzē nav secinājumu"
        )
    if not a.need_areas:
        return Verdict(
            False,
            "the needs analysis names no need area",
            "vajadzību analīzē nav norādīta neviena vajadzību joma",
        )
    areas = ", ".join(a.need_areas)
    return Verdict(
        True, f"needs analysis recorded ({areas})", f"vajadzību analīze reģistrēta ({areas})"
    )


@guard("enough_consultations", needs=("consultations",), params=ConsultParams)
def enough_consultations(f: Facts, p: ConsultParams) -> Verdict:
    """Mentoring is the programme's core: a minimum of sessions and hours, set by policy."""
    c = f.consultations
    assert c is not None
    ok = c.count >= p.min_consultations and c.hours >= p.min_hours
    hours = f"{c.hours.normalize():f}"
    need_h = f"{p.min_hours.normalize():f}"
    n, h = p.min_consultations, p.min_hours
    return Verdict(
        ok,
        f"needs at least {n} {'consultation' if n == 1 else 'consultations'} and {need_h} "
        f"mentor {'hour' if h == 1 else 'hours'}; has {c.count} and {hours}",
        f"vajag vismaz {n} {'konsultāciju' if lv_one(n) else 'konsultācijas'} un {need_h} "
        f"{'mentora stundu' if lv_one(h) else 'mentoru stundas'}; ir {c.count} un {hours}",
    )


class HasCall(Protocol):
    """A funding source, or a fact about one: anything with a call's closing day."""

    @property
    def call_closes(self) -> date: ...


def comment_guards() -> frozenset[str]:
    """The guards a comment satisfies: a screen asks for the comment instead of refusing."""
    return frozenset(name for name, spec in REGISTRY.items() if COMMENT in spec.needs)


def call_closed(source: HasCall, day: date) -> bool:
    """Whether the call has closed by ``day`` (its closing day itself is still open): the one
    definition the guards, the evidence checks and the screens share."""
    return source.call_closes < day


@guard("open_source_selected", needs=("sources",))
def open_source_selected(f: Facts, _: NoParams) -> Verdict:
    """A selected source whose call has already closed cannot fund anything."""
    sources = f.sources or ()
    if not sources:
        return Verdict(
            False, "no funding source selected", "nav atlasīts neviens finansējuma avots"
        )
    still_open = [s for s in sources if not call_closed(s, f.today)]
    if not still_open:
        names = ", ".join(f"{s.programme} (closed {day(s.call_closes, 'en')})" for s in sources)
        names_lv = ", ".join(
            f"«{s.programme}» (slēdzās {day(s.call_closes, 'lv')})" for s in sources
        )
        return Verdict(
            False,
            f"every selected source's call has closed: {names}",
            f"visu atlasīto avotu konkursi ir slēgti: {names_lv}",
        )
    n = len(still_open)
    return Verdict(
        True,
        f"{n} selected {'source has a call' if n == 1 else 'sources have calls'} not yet closed",
        f"{n} {'atlasītajam avotam' if lv_one(n) else 'atlasītajiem avotiem'} "
        "konkurss vēl nav slēgts",
    )


def _application_problems(a: Any) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not a.title.strip():
        problems.append(("no title", "nav nosaukuma"))
    if not a.domain.strip():
        problems.append(("no domain", "nav jomas"))
    if a.total_budget_eur <= 0:
        problems.append(
            ("total budget is not above zero", "kopējais budžets nav lielāks par nulli")
        )
    if a.requested_eur > a.max_grant_eur:
        problems.append(
            (
                f"requests {eur(a.requested_eur, 'en')}, above the source's maximum {eur(a.max_grant_eur, 'en')}",
                f"pieprasa {eur(a.requested_eur, 'lv')}, vairāk par avota maksimumu {eur(a.max_grant_eur, 'lv')}",
            )
        )
    if a.requested_eur > a.total_budget_eur:
        problems.append(
            (
                f"requests {eur(a.requested_eur, 'en')}, above its total budget {eur(a.total_budget_eur, 'en')}",
                f"pieprasa {eur(a.requested_eur, 'lv')}, vairāk par kopējo budžetu {eur(a.total_budget_eur, 'lv')}",
            )
        )
    return problems


@guard("valid_application_drafted", needs=("applications",))
def valid_application_drafted(f: Facts, _: NoParams) -> Verdict:
    """At least one application must be complete and within its source's limits."""
    apps = f.applications or ()
    if not apps:
        return Verdict(False, "no application drafted yet", "vēl nav sagatavots neviens pieteikums")
    reasons_en, reasons_lv = [], []
    for a in apps:
        problems = _application_problems(a)
        if not problems:
            return Verdict(
                True, f"application '{a.title}' is complete", f"pieteikums '{a.title}' ir pilnīgs"
            )
        reasons_en.append(f"'{a.title}': " + ", ".join(p[0] for p in problems))
        reasons_lv.append(f"'{a.title}': " + ", ".join(p[1] for p in problems))
    return Verdict(
        False,
        "no complete application: " + "; ".join(reasons_en),
        "nav neviena pilnīga pieteikuma: " + "; ".join(reasons_lv),
    )


@guard("submitted_within_call", needs=("applications",))
def submitted_within_call(f: Facts, _: NoParams) -> Verdict:
    """'Submitted' is not possible before the call opens: a prepared application waits for it."""
    apps = f.applications or ()
    for a in apps:
        if a.submitted_on is not None and a.call_opens <= a.submitted_on <= a.call_closes:
            return Verdict(
                True,
                f"'{a.title}' submitted on {day(a.submitted_on, 'en')}, inside the call window",
                f"'{a.title}' iesniegts {day(a.submitted_on, 'lv')}, konkursa laikā",
            )
    if not apps:
        return Verdict(False, "no application to submit", "nav pieteikuma, ko iesniegt")
    waiting = [a for a in apps if a.submitted_on is None and a.call_opens > f.today]
    if waiting:
        w = waiting[0]
        return Verdict(
            False,
            f"no application submitted; '{w.title}' waits for the call of {w.programme} "
            f"to open on {day(w.call_opens, 'en')}",
            f"neviens pieteikums nav iesniegts; '{w.title}' gaida, kad {day(w.call_opens, 'lv')} "
            f"atvērsies programmas «{w.programme}» konkurss",
        )
    en, lv = [], []
    for a in apps:
        if a.submitted_on is not None:
            en.append(
                f"'{a.title}' is dated {day(a.submitted_on, 'en')}, outside the call window "
                f"{day(a.call_opens, 'en')} to {day(a.call_closes, 'en')}"
            )
            lv.append(
                f"'{a.title}' datēts {day(a.submitted_on, 'lv')}, ārpus konkursa laika "
                f"no {day(a.call_opens, 'lv')} līdz {day(a.call_closes, 'lv')}"
            )
        elif call_closed(a, f.today):
            en.append(
                f"'{a.title}' was not submitted; the call of {a.programme} closed on {day(a.call_closes, 'en')}"
            )
            lv.append(
                f"'{a.title}' netika iesniegts; programmas «{a.programme}» konkurss "
                f"slēdzās {day(a.call_closes, 'lv')}"
            )
        else:
            en.append(
                f"'{a.title}' is not submitted yet; the call of {a.programme} is open until "
                f"{day(a.call_closes, 'en')}"
            )
            lv.append(
                f"'{a.title}' vēl nav iesniegts; programmas «{a.programme}» konkurss "
                f"atvērts līdz {day(a.call_closes, 'lv')}"
            )
    return Verdict(
        False,
        "no application submitted inside its call window: " + "; ".join(en),
        "neviens pieteikums nav iesniegts konkursa laikā: " + "; ".join(lv),
    )


@guard("all_decisions_recorded", needs=("applications",))
def all_decisions_recorded(f: Facts, _: NoParams) -> Verdict:
    """An outcome is final only when every submitted application has been decided."""
    submitted = [a for a in (f.applications or ()) if a.submitted_on is not None]
    if not submitted:
        return Verdict(False, "no submitted application", "nav iesniegta pieteikuma")
    pending = [a for a in submitted if a.decision is None]
    if pending:
        titles = ", ".join(f"'{a.title}'" for a in pending)
        n = len(pending)
        return Verdict(
            False,
            f"{n} submitted {'application awaits' if n == 1 else 'applications await'} "
            f"a decision: {titles}",
            f"{n} {'iesniegtais pieteikums' if lv_one(n) else 'iesniegtie pieteikumi'} "
            f"gaida lēmumu: {titles}",
        )
    n = len(submitted)
    if n == 1:
        return Verdict(
            True, "the submitted application is decided", "iesniegtais pieteikums ir izlemts"
        )
    return Verdict(
        True,
        f"all {n} submitted applications are decided",
        f"visi {n} iesniegtie pieteikumi ir izlemti",
    )


@guard("reason_given", needs=(COMMENT,))
def reason_given(f: Facts, _: NoParams) -> Verdict:
    """Leaving the programme is recorded with its reason, for the cycle's report."""
    if f.comment.strip():
        return Verdict(True, "reason given", "iemesls norādīts")
    return Verdict(False, "a reason must be given in the comment", "komentārā jānorāda iemesls")
