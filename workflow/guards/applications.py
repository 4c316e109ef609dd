"""Guards of an application's way: complete and within its source's limits, submitted
inside its call's window (a prepared application waits for the call to open), decided."""

from __future__ import annotations

from workflow.calls import CallPhase, call_phase
from workflow.evidence import applications
from workflow.evidence.applications import ApplicationFact
from workflow.facts import Facts
from workflow.guards.registry import NoParams, Verdict, guard
from workflow.localformat import day, eur
from workflow.vocabulary import lv_one


def _application_problems(a: ApplicationFact) -> list[tuple[str, str]]:
    """What keeps an application from being complete and within its source's limits."""
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


@guard("valid_application_drafted", needs=(applications.KIND.name,))
def valid_application_drafted(f: Facts, _: NoParams) -> Verdict:
    """At least one application must be complete and within its source's limits."""
    apps = applications.KIND.fact(f) or ()
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


@guard("submitted_within_call", needs=(applications.KIND.name,))
def submitted_within_call(f: Facts, _: NoParams) -> Verdict:
    """'Submitted' is not possible before the call opens: a prepared application waits for it."""
    apps = applications.KIND.fact(f) or ()
    for a in apps:
        if a.submitted_on is not None and call_phase(a, a.submitted_on) is CallPhase.OPEN:
            return Verdict(
                True,
                f"'{a.title}' submitted on {day(a.submitted_on, 'en')}, inside the call window",
                f"'{a.title}' iesniegts {day(a.submitted_on, 'lv')}, konkursa laikā",
            )
    if not apps:
        return Verdict(False, "no application to submit", "nav pieteikuma, ko iesniegt")
    waiting = [
        a for a in apps if a.submitted_on is None and call_phase(a, f.today) is CallPhase.NOT_OPEN
    ]
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
        elif call_phase(a, f.today) is CallPhase.CLOSED:
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


@guard("all_decisions_recorded", needs=(applications.KIND.name,))
def all_decisions_recorded(f: Facts, _: NoParams) -> Verdict:
    """An outcome is final only when every submitted application has been decided."""
    submitted = [a for a in (applications.KIND.fact(f) or ()) if a.submitted_on is not None]
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
