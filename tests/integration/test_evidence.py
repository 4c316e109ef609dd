"""Recording evidence on both databases: each write is one version and one audit event;
bad evidence is refused naming the field, and nothing of it is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import COORDINATOR, Clock
from tests.integration.conftest import Stored, stored
from workflow import advance, auditlog, factloader, recording, views
from workflow.casewrite import Recorded
from workflow.errors import Conflict, GuardRejected, InvalidInput, NotFound
from workflow.evidence import registry as evidence_kinds
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.applications import ApplicationIn, ApplicationUpdate
from workflow.evidence.consultations import ConsultationIn
from workflow.evidence.sources import SelectionIn
from workflow.runtime import Runtime


def application(src: int, **overrides: Any) -> ApplicationIn:
    data: dict[str, Any] = {
        "funding_source_id": src,
        "title": "Jauniešu centrs",
        "domain": "social",
        "total_budget_eur": Decimal("12000"),
        "requested_eur": Decimal("9000"),
    }
    data.update(overrides)
    return ApplicationIn(**data)


@pytest.fixture
def drafted(
    rt: Runtime, make_case: Callable[..., int], make_source: Callable[..., int]
) -> tuple[int, int]:
    """A case with one application for a call open 2023-03-01..2023-12-31: (case, app)."""
    case_id = make_case()
    src = make_source(programme="NVO fonds")
    recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    app = recording.record(rt, COORDINATOR, case_id, application(src))
    return case_id, app.id


def test_each_kind_of_evidence_is_one_version_and_one_event(
    rt: Runtime, make_case: Callable[..., int], make_source: Callable[..., int]
) -> None:
    case_id = make_case()
    src = make_source()
    writes: list[Callable[[], Recorded]] = [
        lambda: recording.record(
            rt, COORDINATOR, case_id, AnalysisIn(findings="f", need_areas=["pr"])
        ),
        lambda: recording.record(
            rt,
            COORDINATOR,
            case_id,
            ConsultationIn(
                mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("1.25"), topic="PR"
            ),
        ),
        lambda: recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src)),
        lambda: recording.record(rt, COORDINATOR, case_id, application(src)),
    ]
    for n, write in enumerate(writes, start=2):
        before = stored(rt, case_id)
        rec = write()
        assert rec.version == n
        assert rec.case_id == case_id
        assert stored(rt, case_id) == Stored("enrolled", n, n, before.all_events + 1)
        assert rec.event["kind"] == "evidence"
        assert rec.event["seq"] == n
        assert rec.event["from_state"] == rec.event["to_state"] == "enrolled"
    rec = recording.update(
        rt, COORDINATOR, rec.id, ApplicationUpdate(submitted_on=date(2023, 3, 1))
    )
    assert rec.version == 6
    assert rec.event["trigger"] == "update_applications"
    payload = dict(rec.event["payload"])
    assert len(payload.pop("content_sha256")) == 64  # the updated row's hash binds it
    assert payload == {"application_id": rec.id, "submitted_on": "2023-03-01"}
    assert stored(rt, case_id).events == 6
    assert auditlog.verify(rt).ok


def test_submission_before_the_call_opens_is_refused(
    rt: Runtime,
    make_case: Callable[..., int],
    make_source: Callable[..., int],
    clock: Clock,
) -> None:
    case_id = make_case()
    src = make_source(
        programme="ESF+ 2024", call_opens=date(2024, 2, 1), call_closes=date(2024, 4, 30)
    )
    recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    app = recording.record(rt, COORDINATOR, case_id, application(src))
    clock.set("2024-03-01")
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        recording.update(rt, COORDINATOR, app.id, ApplicationUpdate(submitted_on=date(2024, 1, 20)))
    assert exc.value.errors == {
        "submitted_on": "the call of ESF+ 2024 opens on 1 Feb 2024; a prepared application waits for it"
    }
    assert stored(rt, case_id) == before
    assert views.get_application(rt, None, app.id).submitted_on is None
    recording.update(rt, COORDINATOR, app.id, ApplicationUpdate(submitted_on=date(2024, 2, 1)))
    assert views.get_application(rt, None, app.id).status == "submitted"


@pytest.mark.parametrize(
    ("update", "errors"),
    [
        (
            {"submitted_on": date(2023, 3, 2)},  # the clock stands at 2023-03-01
            {"submitted_on": "2 Mar 2023 is in the future"},
        ),
        (
            {"decision": "awarded", "decided_on": date(2023, 3, 1), "awarded_eur": Decimal("5000")},
            {"decision": "an application is decided only after it is submitted"},
        ),
        (
            {"decision": "rejected"},
            {
                "decision": "an application is decided only after it is submitted",
                "decided_on": "the date of the decision is required",
            },
        ),
        (
            {"awarded_eur": Decimal("5000")},
            {"decision": "give the decision (awarded or rejected) with its date and amount"},
        ),
    ],
    ids=["future", "decision-without-submission", "rejected-undated", "amount-without-decision"],
)
def test_bad_application_updates_name_the_field(
    rt: Runtime, drafted: tuple[int, int], update: dict[str, Any], errors: dict[str, str]
) -> None:
    case_id, app_id = drafted
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        recording.update(rt, COORDINATOR, app_id, ApplicationUpdate(**update))
    assert exc.value.errors == errors
    assert stored(rt, case_id) == before


def test_award_above_the_requested_amount_is_refused(
    rt: Runtime, drafted: tuple[int, int], clock: Clock
) -> None:
    case_id, app_id = drafted
    recording.update(rt, COORDINATOR, app_id, ApplicationUpdate(submitted_on=date(2023, 3, 1)))
    clock.set("2023-06-01")
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        recording.update(
            rt,
            COORDINATOR,
            app_id,
            ApplicationUpdate(
                decision="awarded", decided_on=date(2023, 5, 30), awarded_eur=Decimal("9000.01")
            ),
        )
    assert exc.value.errors == {"awarded_eur": "more than the 9,000.00 EUR requested"}
    with pytest.raises(InvalidInput) as exc:
        recording.update(
            rt,
            COORDINATOR,
            app_id,
            ApplicationUpdate(
                decision="awarded", decided_on=date(2023, 2, 28), awarded_eur=Decimal("100")
            ),
        )
    assert exc.value.errors == {"decided_on": "a decision cannot precede the submission"}
    assert stored(rt, case_id) == before
    recording.update(
        rt,
        COORDINATOR,
        app_id,
        ApplicationUpdate(
            decision="awarded", decided_on=date(2023, 5, 30), awarded_eur=Decimal("9000")
        ),
    )
    got = views.get_application(rt, None, app_id)
    assert (got.status, got.awarded_eur) == ("awarded", Decimal("9000"))


def test_rejection_keeps_no_amount(rt: Runtime, drafted: tuple[int, int], clock: Clock) -> None:
    _, app_id = drafted
    recording.update(rt, COORDINATOR, app_id, ApplicationUpdate(submitted_on=date(2023, 3, 1)))
    clock.set("2023-06-01")
    recording.update(
        rt,
        COORDINATOR,
        app_id,
        ApplicationUpdate(
            decision="rejected", decided_on=date(2023, 5, 1), awarded_eur=Decimal("50")
        ),
    )
    got = views.get_application(rt, None, app_id)
    assert (got.status, got.decision, got.awarded_eur) == ("rejected", "rejected", None)


def test_empty_update_and_unknown_application(rt: Runtime, drafted: tuple[int, int]) -> None:
    _, app_id = drafted
    with pytest.raises(InvalidInput) as exc:
        recording.update(rt, COORDINATOR, app_id, ApplicationUpdate())
    assert exc.value.errors == {"(body)": "nothing to change"}
    with pytest.raises(NotFound):
        recording.update(rt, COORDINATOR, 99999, ApplicationUpdate(submitted_on=date(2023, 3, 1)))


def test_consultation_in_the_future_is_refused(rt: Runtime, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        recording.record(
            rt,
            COORDINATOR,
            case_id,
            ConsultationIn(mentor="anna", held_on=date(2023, 3, 2), hours=Decimal("1"), topic="PR"),
        )
    assert exc.value.errors == {"held_on": "2 Mar 2023 is in the future"}
    assert stored(rt, case_id) == before


def test_application_needs_its_source_selected_first(
    rt: Runtime, make_case: Callable[..., int], make_source: Callable[..., int]
) -> None:
    case_id = make_case()
    src = make_source(programme="Kultūras projekti")
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        recording.record(rt, COORDINATOR, case_id, application(src))
    assert exc.value.errors == {
        "funding_source_id": "Kultūras projekti is not selected for this case; select it first"
    }
    with pytest.raises(InvalidInput) as exc:
        recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=77777))
    assert exc.value.errors == {"funding_source_id": "funding source 77777 does not exist"}
    assert stored(rt, case_id) == before


def test_a_source_is_selected_once(
    rt: Runtime, make_case: Callable[..., int], make_source: Callable[..., int]
) -> None:
    case_id = make_case()
    src = make_source(programme="NVO fonds")
    recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    before = stored(rt, case_id)
    with pytest.raises(Conflict) as exc:
        recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    assert exc.value.code == "duplicate"
    assert str(exc.value) == f"NVO fonds is already selected for case {case_id}"
    assert exc.value.message_lv == "NVO fonds šai lietai jau ir izvēlēta."
    assert stored(rt, case_id) == before


def test_a_closed_case_takes_no_more_evidence(rt: Runtime, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    advance.fire(rt, COORDINATOR, case_id, "withdraw", comment="Likvidēta")
    before = stored(rt, case_id)
    with pytest.raises(Conflict) as exc:
        recording.record(rt, COORDINATOR, case_id, AnalysisIn(findings="f", need_areas=["pr"]))
    assert str(exc.value) == f"case {case_id} is closed (withdrawn); it takes no more evidence"
    assert exc.value.message_lv == (
        f"Lieta {case_id} ir slēgta (Izstājusies); tajā vairs nevar reģistrēt pierādījumus."
    )
    assert exc.value.code == "case_closed"
    assert stored(rt, case_id) == before


def test_schema_refuses_bad_input_naming_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        application(1, requested_eur=Decimal("0"))
    assert [e["loc"] for e in exc.value.errors()] == [("requested_eur",)]
    with pytest.raises(ValidationError) as exc:
        ConsultationIn(
            mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("1"), topic="x", note="y"
        )  # type: ignore[call-arg]
    assert [(e["loc"], e["type"]) for e in exc.value.errors()] == [(("note",), "extra_forbidden")]


def test_select_sources_is_blocked_once_every_selected_call_has_closed(
    rt: Runtime,
    make_case: Callable[..., int],
    make_source: Callable[..., int],
    walk: Callable[..., int | None],
    clock: Clock,
) -> None:
    case_id = make_case()
    walk(case_id, "consulted")
    early = make_source(
        programme="Klasteri", call_opens=date(2023, 2, 1), call_closes=date(2023, 3, 31)
    )
    late = make_source(
        programme="NVO fonds", call_opens=date(2023, 2, 1), call_closes=date(2023, 4, 14)
    )
    for src in (early, late):
        recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    clock.set("2023-04-15")
    before = stored(rt, case_id)
    with pytest.raises(GuardRejected) as exc:
        advance.fire(rt, COORDINATOR, case_id, "select_sources")
    assert [(f.guard, f.message_en) for f in exc.value.failures] == [
        (
            "open_source_selected",
            "every selected source's call has closed: Klasteri (closed 31 Mar 2023), "
            "NVO fonds (closed 14 Apr 2023)",
        )
    ]
    assert stored(rt, case_id) == before
    view = {t.trigger: t for t in views.case_detail(rt, COORDINATOR, case_id).triggers}
    assert view["select_sources"].allowed is False
    # the day before, one call was still open
    clock.set("2023-04-14")
    advance.fire(rt, COORDINATOR, case_id, "select_sources")
    assert stored(rt, case_id).state == "sources_selected"


def test_evidence_dated_before_enrolment_is_refused_naming_the_field(
    rt: Runtime,
    make_case: Callable[..., int],
    make_source: Callable[..., int],
    clock: Clock,
) -> None:
    """Work from before the programme is no evidence of it: a consultation from 2020 must
    not count toward the consult guard of a case enrolled on 2023-03-01."""
    case_id = make_case()  # enrolled 2023-03-01
    src = make_source()
    clock.set("2023-04-03")
    before = stored(rt, case_id)
    early = date(2020, 1, 1)
    attempts: list[tuple[str, Callable[[], Recorded]]] = [
        (
            "recorded_on",
            lambda: recording.record(
                rt,
                COORDINATOR,
                case_id,
                AnalysisIn(findings="f", need_areas=["pr"], recorded_on=early),
            ),
        ),
        (
            "held_on",
            lambda: recording.record(
                rt,
                COORDINATOR,
                case_id,
                ConsultationIn(mentor="Anna", held_on=early, hours=Decimal("3"), topic="PR"),
            ),
        ),
        (
            "selected_on",
            lambda: recording.record(
                rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src, selected_on=early)
            ),
        ),
    ]
    for field, attempt in attempts:
        with pytest.raises(InvalidInput) as exc:
            attempt()
        assert exc.value.errors == {
            field: "1 Jan 2020 is before the case was enrolled on 1 Mar 2023"
        }
        assert exc.value.errors_lv == {
            field: "01.01.2020. ir pirms lietas uzņemšanas dienas (01.03.2023.)"
        }
    assert stored(rt, case_id) == before

    recording.record(rt, COORDINATOR, case_id, SelectionIn(funding_source_id=src))
    with pytest.raises(InvalidInput) as exc:
        recording.record(rt, COORDINATOR, case_id, application(src, prepared_on=date(2023, 2, 28)))
    assert exc.value.errors == {
        "prepared_on": "28 Feb 2023 is before the case was enrolled on 1 Mar 2023"
    }
    # the day of enrolment itself counts
    recording.record(
        rt,
        COORDINATOR,
        case_id,
        ConsultationIn(mentor="Anna", held_on=date(2023, 3, 1), hours=Decimal("3"), topic="PR"),
    )
    detail = views.case_detail(rt, COORDINATOR, case_id)
    assert [c.held_on for c in detail.consultations] == [date(2023, 3, 1)]
    assert detail.applications == []

    # a submission dated before its application was prepared (so before enrolment, too)
    app_id = recording.record(
        rt, COORDINATOR, case_id, application(src, prepared_on=date(2023, 3, 10))
    ).id
    before = stored(rt, case_id)
    with pytest.raises(InvalidInput) as exc:
        recording.update(rt, COORDINATOR, app_id, ApplicationUpdate(submitted_on=date(2023, 3, 2)))
    assert exc.value.errors == {
        "submitted_on": "2 Mar 2023 is before the application was prepared on 10 Mar 2023"
    }
    assert exc.value.errors_lv == {
        "submitted_on": "02.03.2023. ir pirms pieteikuma sagatavošanas dienas (10.03.2023.)"
    }
    assert stored(rt, case_id) == before


def test_get_application_is_refused_to_a_mentor_of_another_case(
    rt: Runtime, drafted: tuple[int, int]
) -> None:
    from workflow.actors import Actor
    from workflow.errors import Forbidden

    case_id, app_id = drafted
    assert views.get_application(rt, COORDINATOR, app_id).case_id == case_id
    with pytest.raises(Forbidden):
        views.get_application(rt, Actor("anna", "mentor", 424242), app_id)


def test_the_programmes_day_is_liepajas_not_utcs(
    rt: Runtime, make_case: Callable[..., int], clock: Clock
) -> None:
    """At 00:30 in Liepāja on 3 March (22:30 UTC on 2 March) a consultation held that day is
    today's, not the future's; and the case's history shows it on 3 March."""
    case_id = make_case()  # enrolled 2023-03-01 10:00 UTC
    clock.now = datetime(2023, 3, 2, 22, 30, tzinfo=UTC)
    recording.record(
        rt,
        COORDINATOR,
        case_id,
        ConsultationIn(mentor="Anna", held_on=date(2023, 3, 3), hours=Decimal("1"), topic="PR"),
    )
    assert rt.today() == date(2023, 3, 3)
    with pytest.raises(InvalidInput) as exc:
        recording.record(
            rt,
            COORDINATOR,
            case_id,
            ConsultationIn(mentor="Anna", held_on=date(2023, 3, 4), hours=Decimal("1"), topic="PR"),
        )
    assert exc.value.errors == {"held_on": "4 Mar 2023 is in the future"}


def test_both_ways_of_loading_facts_read_the_same_evidence(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None]
) -> None:
    """A transition reads single-row kinds in its case-head SELECT and the rest on their
    own; a view reads each kind on its own: every kind's facts come out the same."""
    case_id = make_case()
    walk(case_id, "submitted")
    every = evidence_kinds.fact_kinds()
    today = rt.today()
    with rt.engine.connect() as conn:
        alone = factloader.load_facts(conn, case_id, every, today)
        head, together = factloader.load_head_and_facts(conn, case_id, every, today)
    assert (head.id, head.state) == (case_id, "submitted")
    assert set(together.loaded) == set(alone.loaded) == every
    assert together.loaded == alone.loaded
    assert alone.loaded["consultations"].count == 1
    assert alone.loaded["analysis"].need_areas == ("planning",)
    assert [a.submitted_on for a in alone.loaded["applications"]] == [date(2023, 3, 1)]
