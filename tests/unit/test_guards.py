"""Each guard's pass and fail, with the Latvian and English reason a coordinator reads.

Guards are evaluated through the compiled rules (``rules.lookup(...).guards``), so the
thresholds are the policy's, exactly as the engine applies them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from workflow import factloader
from workflow.definitions import load_states
from workflow.evidence import registry as evidence_kinds
from workflow.evidence.analysis import AnalysisFact
from workflow.evidence.applications import ApplicationFact
from workflow.evidence.consultations import ConsultationTotals
from workflow.evidence.sources import SourceFact
from workflow.facts import Facts
from workflow.guards.registry import (
    COMMENT,
    REGISTRY,
    GuardSpec,
    NoParams,
    Verdict,
    comment_guards,
    guard,
)
from workflow.policies import parse_policy
from workflow.rules import Rules, compile_rules
from workflow.triggers import GuardOutcome, evaluate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TODAY = date(2023, 5, 1)


@pytest.fixture(scope="module")
def strict_rules() -> Rules:
    """The real workflow under the mini policy: 2 consultations and 2 hours to consult."""
    text = (FIXTURES / "mini_policy.yaml").read_text(encoding="utf-8")
    return compile_rules(
        load_states(ROOT / "states"), parse_policy([("policies/mini_policy.yaml", text)])
    )


def outcomes(rules: Rules, trigger: str, source: str, facts: Facts) -> list[GuardOutcome]:
    ct = rules.lookup(trigger, source)
    assert ct is not None
    return list(evaluate(ct, facts))


def one(rules: Rules, trigger: str, source: str, facts: Facts) -> GuardOutcome:
    (o,) = outcomes(rules, trigger, source, facts)
    return o


def app(**overrides: Any) -> ApplicationFact:
    data: dict[str, Any] = {
        "application_id": 1,
        "title": "Kopienas centrs",
        "domain": "social",
        "total_budget_eur": Decimal("20000"),
        "requested_eur": Decimal("18000"),
        "status": "drafted",
        "submitted_on": None,
        "decision": None,
        "awarded_eur": None,
        "programme": "NVO fonds",
        "call_opens": date(2023, 3, 1),
        "call_closes": date(2023, 6, 30),
        "max_grant_eur": Decimal("40000"),
    }
    data.update(overrides)
    return ApplicationFact(**data)


def test_every_registered_guard_is_used_by_the_workflow(rules: Rules) -> None:
    used = {g for t in rules.states.spec.transitions for g in t.guards}
    assert used == set(REGISTRY)


# --- analyse -------------------------------------------------------------------------


def test_analyse_blocked_without_analysis(rules: Rules) -> None:
    o = one(rules, "analyse", "enrolled", Facts(today=TODAY))
    assert o == GuardOutcome(
        "needs_analysis_recorded",
        False,
        "no needs analysis recorded yet",
        "vajadzību analīze vēl nav reģistrēta",
    )


def test_analyse_blocked_without_findings_or_need_areas(rules: Rules) -> None:
    blank = Facts(today=TODAY, loaded={"analysis": AnalysisFact("  ", ("fundraising",))})
    o = one(rules, "analyse", "enrolled", blank)
    assert not o.passed
    assert o.message_en == "the needs analysis has no findings"
    assert o.message_lv == "vajadzību analīzē nav secinājumu"
    no_areas = Facts(today=TODAY, loaded={"analysis": AnalysisFact("Vāja pārvaldība", ())})
    o = one(rules, "analyse", "enrolled", no_areas)
    assert not o.passed
    assert o.message_en == "the needs analysis names no need area"
    assert o.message_lv == "vajadzību analīzē nav norādīta neviena vajadzību joma"


def test_analyse_passes_with_findings_and_areas(rules: Rules) -> None:
    facts = Facts(
        today=TODAY, loaded={"analysis": AnalysisFact("Vāja pārvaldība", ("governance", "pr"))}
    )
    o = one(rules, "analyse", "enrolled", facts)
    assert o.passed
    assert o.message_en == "needs analysis recorded (governance, pr)"
    assert o.message_lv == "vajadzību analīze reģistrēta (pārvaldība, pr)"  # names, not codes


# --- consult (thresholds from the policy) ----------------------------------------------


def test_consult_thresholds_come_from_the_policy(strict_rules: Rules, rules: Rules) -> None:
    facts = Facts(today=TODAY, loaded={"consultations": ConsultationTotals(1, Decimal("1.00"))})
    strict = one(strict_rules, "consult", "analysed", facts)
    assert strict == GuardOutcome(
        "enough_consultations",
        False,
        "needs at least 2 consultations and 2 mentor hours; has 1 and 1",
        "vajag vismaz 2 konsultācijas un 2 mentoru stundas; ir 1 un 1",
    )
    # the repository's policy asks for 1 consultation and 2 hours
    real = one(rules, "consult", "analysed", facts)
    assert not real.passed
    assert real.message_en == "needs at least 1 consultation and 2 mentor hours; has 1 and 1"
    assert real.message_lv == "vajag vismaz 1 konsultāciju un 2 mentoru stundas; ir 1 un 1"


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "konsultāciju"), (2, "konsultācijas"), (11, "konsultācijas"), (21, "konsultāciju")],
)
def test_latvian_counts_take_the_singular_after_numbers_ending_in_one(n: int, word: str) -> None:
    from workflow.guards.preparation import ConsultParams, enough_consultations

    facts = Facts(today=TODAY, loaded={"consultations": ConsultationTotals(0, Decimal(0))})
    verdict = enough_consultations(facts, ConsultParams(min_consultations=n, min_hours=Decimal(1)))
    assert verdict.lv.startswith(f"vajag vismaz {n} {word} un 1 mentora stundu;")
    assert ("consultation " if n == 1 else "consultations ") in verdict.en


@pytest.mark.parametrize(
    ("count", "hours", "passed"),
    [(2, "2", True), (3, "2.5", True), (2, "1.75", False), (1, "4", False), (0, "0", False)],
)
def test_consult_needs_both_count_and_hours(
    strict_rules: Rules, count: int, hours: str, passed: bool
) -> None:
    facts = Facts(today=TODAY, loaded={"consultations": ConsultationTotals(count, Decimal(hours))})
    o = one(strict_rules, "consult", "analysed", facts)
    assert o.passed is passed
    assert o.message_en.endswith(f"has {count} and {Decimal(hours).normalize():f}")


# --- select_sources -------------------------------------------------------------------


def src(closes: date, programme: str = "NVO fonds") -> SourceFact:
    return SourceFact(1, programme, date(2023, 1, 1), closes, Decimal("40000"))


def test_select_sources_blocked_without_a_source(rules: Rules) -> None:
    o = one(rules, "select_sources", "consulted", Facts(today=TODAY, loaded={"sources": ()}))
    assert not o.passed
    assert o.message_en == "no funding source selected"
    assert o.message_lv == "nav atlasīts neviens finansējuma avots"


def test_select_sources_blocked_when_every_call_has_closed(rules: Rules) -> None:
    facts = Facts(
        today=TODAY,
        loaded={"sources": (src(date(2023, 4, 30)), src(date(2023, 3, 31), "Klasteri"))},
    )
    o = one(rules, "select_sources", "consulted", facts)
    assert not o.passed
    assert o.message_en == (
        "every selected source's call has closed: NVO fonds (closed 30 Apr 2023), "
        "Klasteri (closed 31 Mar 2023)"
    )
    assert o.message_lv == (
        "visu atlasīto avotu konkursi ir slēgti: «NVO fonds» (slēdzās 30.04.2023.), "
        "«Klasteri» (slēdzās 31.03.2023.)"
    )


def test_select_sources_passes_with_one_open_call(rules: Rules) -> None:
    # a call closing today is still open today
    facts = Facts(today=TODAY, loaded={"sources": (src(date(2023, 4, 30)), src(TODAY))})
    o = one(rules, "select_sources", "consulted", facts)
    assert o.passed
    assert o.message_en == "1 selected source has a call not yet closed"
    assert o.message_lv == "1 atlasītajam avotam konkurss vēl nav slēgts"


# --- draft_application ----------------------------------------------------------------


def test_draft_blocked_without_application(rules: Rules) -> None:
    o = one(
        rules,
        "draft_application",
        "sources_selected",
        Facts(today=TODAY, loaded={"applications": ()}),
    )
    assert not o.passed
    assert o.message_en == "no application drafted yet"
    assert o.message_lv == "vēl nav sagatavots neviens pieteikums"


def test_draft_blocked_above_max_grant_and_total_budget(rules: Rules) -> None:
    bad = app(
        total_budget_eur=Decimal("30000"),
        requested_eur=Decimal("45000"),
        max_grant_eur=Decimal("40000"),
    )
    o = one(
        rules,
        "draft_application",
        "sources_selected",
        Facts(TODAY, loaded={"applications": (bad,)}),
    )
    assert not o.passed
    assert o.message_en == (
        "no complete application: 'Kopienas centrs': requests 45,000.00 EUR, above the "
        "source's maximum 40,000.00 EUR, requests 45,000.00 EUR, above its total budget "
        "30,000.00 EUR"
    )
    assert o.message_lv == (
        "nav neviena pilnīga pieteikuma: 'Kopienas centrs': pieprasa 45\u00a0000,00 EUR, vairāk "
        "par avota maksimumu 40\u00a0000,00 EUR, pieprasa 45\u00a0000,00 EUR, vairāk par kopējo "
        "budžetu 30\u00a0000,00 EUR"
    )


def test_draft_blocked_by_zero_budget(rules: Rules) -> None:
    bad = app(total_budget_eur=Decimal("0"), requested_eur=Decimal("0"))
    o = one(
        rules,
        "draft_application",
        "sources_selected",
        Facts(TODAY, loaded={"applications": (bad,)}),
    )
    assert not o.passed
    assert (
        o.message_en == "no complete application: 'Kopienas centrs': total budget is not above zero"
    )


def test_draft_passes_when_one_application_is_complete(rules: Rules) -> None:
    bad = app(title="Pārāk liels", requested_eur=Decimal("90000"), total_budget_eur=Decimal("1e5"))
    good = app(title="Kopienas centrs", requested_eur=Decimal("40000"))
    good = replace(good, total_budget_eur=Decimal("40000"))  # requested == both limits: fine
    o = one(
        rules,
        "draft_application",
        "sources_selected",
        Facts(TODAY, loaded={"applications": (bad, good)}),
    )
    assert o.passed
    assert o.message_en == "application 'Kopienas centrs' is complete"
    assert o.message_lv == "pieteikums 'Kopienas centrs' ir pilnīgs"


# --- submit ---------------------------------------------------------------------------


def test_submit_passes_with_submission_inside_the_call(rules: Rules) -> None:
    a = app(submitted_on=date(2023, 3, 1))  # the day the call opens counts
    o = one(rules, "submit", "application_drafted", Facts(TODAY, loaded={"applications": (a,)}))
    assert o.passed
    assert o.message_en == "'Kopienas centrs' submitted on 1 Mar 2023, inside the call window"
    assert o.message_lv == "'Kopienas centrs' iesniegts 01.03.2023., konkursa laikā"


def test_submit_blocked_while_the_call_has_not_opened(rules: Rules) -> None:
    waiting = app(title="Ostas festivāls", programme="ESF+", call_opens=date(2024, 2, 1))
    facts = Facts(date(2023, 10, 19), loaded={"applications": (waiting,)})
    o = one(rules, "submit", "application_drafted", facts)
    assert not o.passed
    assert o.message_en == (
        "no application submitted; 'Ostas festivāls' waits for the call of ESF+ "
        "to open on 1 Feb 2024"
    )
    assert o.message_lv == (
        "neviens pieteikums nav iesniegts; 'Ostas festivāls' gaida, kad 01.02.2024. "
        "atvērsies programmas «ESF+» konkurss"
    )


def test_submit_blocked_with_no_application_or_no_date(rules: Rules) -> None:
    o = one(rules, "submit", "application_drafted", Facts(TODAY, loaded={"applications": ()}))
    assert (o.passed, o.message_en, o.message_lv) == (
        False,
        "no application to submit",
        "nav pieteikuma, ko iesniegt",
    )
    o = one(rules, "submit", "application_drafted", Facts(TODAY, loaded={"applications": (app(),)}))
    assert not o.passed
    assert o.message_en == (
        "no application submitted inside its call window: 'Kopienas centrs' is not "
        "submitted yet; the call of NVO fonds is open until 30 Jun 2023"
    )
    assert o.message_lv == (
        "neviens pieteikums nav iesniegts konkursa laikā: 'Kopienas centrs' vēl nav "
        "iesniegts; programmas «NVO fonds» konkurss atvērts līdz 30.06.2023."
    )


def test_submit_blocked_by_closed_call_or_date_outside_window(rules: Rules) -> None:
    late = app(title="A", call_closes=date(2023, 4, 1))
    outside = app(title="B", submitted_on=date(2023, 2, 1))
    o = one(
        rules,
        "submit",
        "application_drafted",
        Facts(TODAY, loaded={"applications": (late, outside)}),
    )
    assert not o.passed
    assert o.message_en == (
        "no application submitted inside its call window: 'A' was not submitted; "
        "the call of NVO fonds closed on 1 Apr 2023; 'B' is dated 1 Feb 2023, outside "
        "the call window 1 Mar 2023 to 30 Jun 2023"
    )
    assert o.message_lv == (
        "neviens pieteikums nav iesniegts konkursa laikā: 'A' netika iesniegts; "
        "programmas «NVO fonds» konkurss slēdzās 01.04.2023.; 'B' datēts 01.02.2023., "
        "ārpus konkursa laika no 01.03.2023. līdz 30.06.2023."
    )


# --- record_outcome -------------------------------------------------------------------


def test_outcome_blocked_until_every_submitted_application_is_decided(rules: Rules) -> None:
    decided = app(title="A", submitted_on=date(2023, 3, 5), decision="awarded")
    pending = app(title="B", submitted_on=date(2023, 3, 6))
    drafted = app(title="C")  # never submitted: needs no decision
    facts = Facts(TODAY, loaded={"applications": (decided, pending, drafted)})
    o = one(rules, "record_outcome", "submitted", facts)
    assert not o.passed
    assert o.message_en == "1 submitted application awaits a decision: 'B'"
    assert o.message_lv == "1 iesniegtais pieteikums gaida lēmumu: 'B'"
    rejected = replace(pending, decision="rejected")
    o = one(
        rules,
        "record_outcome",
        "submitted",
        Facts(TODAY, loaded={"applications": (decided, rejected)}),
    )
    assert o.passed
    assert o.message_en == "all 2 submitted applications are decided"
    assert o.message_lv == "visi 2 iesniegtie pieteikumi ir izlemti"


def test_outcome_blocked_without_submission(rules: Rules) -> None:
    o = one(rules, "record_outcome", "submitted", Facts(TODAY, loaded={"applications": (app(),)}))
    assert not o.passed
    assert o.message_en == "no submitted application"
    assert o.message_lv == "nav iesniegta pieteikuma"


# --- withdraw -------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["enrolled", "consulted", "submitted"])
def test_withdraw_needs_a_reason(rules: Rules, state: str) -> None:
    o = one(rules, "withdraw", state, Facts(TODAY, comment="   "))
    assert (o.passed, o.message_en, o.message_lv) == (
        False,
        "a reason must be given in the comment",
        "komentārā jānorāda iemesls",
    )
    o = one(rules, "withdraw", state, Facts(TODAY, comment="Valde nolēma izstāties"))
    assert (o.passed, o.message_en, o.message_lv) == (True, "reason given", "iemesls norādīts")


def test_the_screens_ask_for_a_comment_for_exactly_the_guards_that_read_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert comment_guards() == {"reason_given"}

    def signed_off(f: Facts, _: NoParams) -> Verdict:
        return Verdict("signed" in f.comment, "sign it", "parakstiet")

    spec = GuardSpec("signed_off", signed_off, frozenset({COMMENT}), NoParams)
    monkeypatch.setitem(REGISTRY, "signed_off", spec)
    assert comment_guards() == {"reason_given", "signed_off"}


def test_a_guard_naming_an_evidence_kind_that_does_not_exist_is_refused_at_registration() -> None:
    """'application' (singular) would load nothing and the guard would see no applications."""
    with pytest.raises(ValueError, match=r"guard 'typo' needs unknown kinds \['application'\]"):
        guard("typo", needs=("application",))
    assert "typo" not in REGISTRY


def test_every_kind_a_guard_may_name_has_its_facts_loader() -> None:
    needed = {k for spec in REGISTRY.values() for k in spec.needs} - {COMMENT}
    assert needed == {"analysis", "consultations", "sources", "applications"}
    assert needed <= evidence_kinds.fact_kinds()
    for kind in evidence_kinds.fact_kinds():
        assert factloader.source(kind) is evidence_kinds.fact_source(kind)
        kind_of = evidence_kinds.find(kind)
        assert kind_of is None or kind_of.facts is factloader.source(kind)


def test_a_triggers_needs_are_its_guards_stored_evidence_from_every_source(rules: Rules) -> None:
    assert rules.needs_by_trigger["consult"] == {"consultations"}
    assert rules.needs_by_trigger["withdraw"] == frozenset()  # reason_given reads the comment
    assert rules.needs_by_trigger["submit"] == {"applications"}
    assert all(COMMENT not in ct.needs for ct in rules.table.values())
