"""Guards of the programme's first steps: the organisation analysed, mentored enough, and
at least one selected funding source whose call is still open."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from workflow.calls import call_closed
from workflow.evidence import analysis, consultations, sources
from workflow.facts import Facts
from workflow.guards.registry import NoParams, Verdict, guard
from workflow.localformat import day
from workflow.vocabulary import NEEDS, Words, lv_one
from workflow.yamlschema import Number


class ConsultParams(BaseModel):
    """Thresholds of :func:`enough_consultations`."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)
    min_consultations: StrictInt = Field(default=1, ge=0, le=100)
    min_hours: Number = Field(default=Decimal("0"), ge=0, le=1000)


@guard("needs_analysis_recorded", needs=(analysis.KIND.name,))
def needs_analysis_recorded(f: Facts, _: NoParams) -> Verdict:
    """The organisation's activity must be analysed before anything is built on it."""
    a = analysis.KIND.fact(f)
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
    # the areas by name, never by code: "(finanses)", not "(finance)"
    names = [NEEDS.get(code, Words(code, code)) for code in a.need_areas]
    areas_en = ", ".join(n.en for n in names)
    areas_lv = ", ".join(n.lv for n in names)
    return Verdict(
        True, f"needs analysis recorded ({areas_en})", f"vajadzību analīze reģistrēta ({areas_lv})"
    )


@guard("enough_consultations", needs=(consultations.KIND.name,), params=ConsultParams)
def enough_consultations(f: Facts, p: ConsultParams) -> Verdict:
    """Mentoring is the programme's core: a minimum of sessions and hours, set by policy."""
    c = consultations.KIND.fact(f)
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


@guard("open_source_selected", needs=(sources.KIND.name,))
def open_source_selected(f: Facts, _: NoParams) -> Verdict:
    """A selected source whose call has already closed cannot fund anything."""
    selected = sources.KIND.fact(f) or ()
    if not selected:
        return Verdict(
            False, "no funding source selected", "nav atlasīts neviens finansējuma avots"
        )
    still_open = [s for s in selected if not call_closed(s, f.today)]
    if not still_open:
        names = ", ".join(f"{s.programme} (closed {day(s.call_closes, 'en')})" for s in selected)
        names_lv = ", ".join(
            f"«{s.programme}» (slēdzās {day(s.call_closes, 'lv')})" for s in selected
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
