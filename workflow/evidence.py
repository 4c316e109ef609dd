"""Recording the evidence behind each step. Each record advances the case's version and
appends an audit event in the same transaction, so a transition is always decided on
exactly the evidence its actor saw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from workflow import chain, contentbind
from workflow.actors import Actor
from workflow.db import read
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.guards import call_closed
from workflow.localformat import day as fmt_day
from workflow.localformat import eur
from workflow.orm import (
    Application,
    Case,
    Consultation,
    FundingSource,
    NeedsAnalysis,
    SourceSelection,
    User,
)
from workflow.permissions import require_action, require_case_access, require_evidence
from workflow.runtime import Runtime, local_day
from workflow.schemas import (
    AnalysisIn,
    ApplicationIn,
    ApplicationUpdate,
    ConsultationIn,
    SelectionIn,
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """A piece of evidence stored: its id, the case's new version and the audit event."""

    id: int
    case_id: int
    version: int
    event: dict[str, Any]


def _enrolled_on(conn: Connection, case_id: int) -> date:
    """The day (UTC) the case was enrolled; SQLite hands back naive UTC, PostgreSQL aware."""
    at = conn.scalar(select(Case.enrolled_at).where(Case.id == case_id))
    assert at is not None  # the case head was just loaded
    return local_day(at)


def _not_before_enrolment(conn: Connection, case_id: int, field: str, day: date) -> None:
    """Evidence describes work done in the programme: nothing dated before the case began
    counts (a consultation from before enrolment would otherwise pass the consult guard)."""
    enrolled_on = _enrolled_on(conn, case_id)
    if day < enrolled_on:
        raise InvalidInput(
            {
                field: f"{fmt_day(day, 'en')} is before the case was enrolled on {fmt_day(enrolled_on, 'en')}"
            },
            {
                field: f"{fmt_day(day, 'lv')} ir pirms lietas uzņemšanas dienas ({fmt_day(enrolled_on, 'lv')})"
            },
        )


def _record(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    kind: str,
    expected_version: int | None,
    at: datetime | None,
    write: Callable[[Connection, chain.CaseHead, date], tuple[int, dict[str, Any]]],
    permission: str | None = None,
) -> Recorded:
    """The one shape of every evidence write: load, check, write, append, commit."""
    rules = rt.rules
    at = at or rt.now()
    with rt.engine.begin() as conn:
        head = chain.load_head(conn, case_id, lock=True)
        require_case_access(rules, actor, head.mentor_id)
        if permission:
            require_action(rules, actor, permission)
        else:
            require_evidence(rules, actor, kind)
        chain.check_expected(head, expected_version)
        if rules.is_final(head.state):
            raise Conflict(
                f"case {case_id} is closed ({head.state}); it takes no more evidence",
                "case_closed",
                f"Lieta {case_id} ir slēgta ({rules.states.state(head.state).label.lv}); "
                "tajā vairs nevar reģistrēt pierādījumus.",
            )
        record_id, payload = write(conn, head, local_day(at))
        payload = contentbind.bind(conn, payload)
        event = chain.append(
            conn,
            head,
            kind="evidence",
            trigger=f"record_{kind}",
            to_state=head.state,
            actor=actor,
            at=at,
            payload=payload,
            policy_hash=rules.policy_hash,
            states_hash=rules.states_hash,
        )
    return Recorded(record_id, case_id, head.version, event)


def record_analysis(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    data: AnalysisIn,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Store the needs analysis (the latest one counts)."""

    def write(conn: Connection, head: chain.CaseHead, today: date) -> tuple[int, dict[str, Any]]:
        values = data.model_dump()
        values["recorded_on"] = data.recorded_on or today
        _not_before_enrolment(conn, head.id, "recorded_on", values["recorded_on"])
        new_id = conn.execute(
            insert(NeedsAnalysis).returning(NeedsAnalysis.id),
            {**values, "case_id": head.id, "recorded_by": actor.name},
        ).scalar_one()
        return new_id, {"analysis_id": new_id, **_json(values)}

    return _record(rt, actor, case_id, "analysis", expected_version, at, write)


def record_consultation(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    data: ConsultationIn,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Store one mentor consultation."""

    def write(conn: Connection, head: chain.CaseHead, today: date) -> tuple[int, dict[str, Any]]:
        if data.held_on > today:
            raise InvalidInput(
                {"held_on": f"{fmt_day(data.held_on, 'en')} is in the future"},
                {"held_on": f"{fmt_day(data.held_on, 'lv')} ir nākotnē"},
            )
        _not_before_enrolment(conn, head.id, "held_on", data.held_on)
        values = data.model_dump()
        new_id = conn.execute(
            insert(Consultation).returning(Consultation.id),
            {**values, "case_id": head.id, "recorded_by": actor.name},
        ).scalar_one()
        return new_id, {"consultation_id": new_id, **_json(values)}

    return _record(rt, actor, case_id, "consultation", expected_version, at, write)


def _source(conn: Connection, source_id: int, field: str) -> Any:
    row = conn.execute(select(FundingSource.__table__).where(FundingSource.id == source_id)).first()
    if row is None:
        raise InvalidInput(
            {field: f"funding source {source_id} does not exist"},
            {field: f"finansējuma avots {source_id} nav atrasts"},
        )
    return row


def select_source(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    data: SelectionIn,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Select a funding source for the case (once per source)."""

    def write(conn: Connection, head: chain.CaseHead, today: date) -> tuple[int, dict[str, Any]]:
        src = _source(conn, data.funding_source_id, "funding_source_id")
        exists = conn.scalar(
            select(SourceSelection.id).where(
                SourceSelection.case_id == head.id,
                SourceSelection.funding_source_id == data.funding_source_id,
            )
        )
        if exists:
            raise Conflict(
                f"{src.programme} is already selected for case {head.id}",
                "duplicate",
                f"{src.programme} šai lietai jau ir izvēlēta.",
            )
        selected_on = data.selected_on or today
        _not_before_enrolment(conn, head.id, "selected_on", selected_on)
        new_id = conn.execute(
            insert(SourceSelection).returning(SourceSelection.id),
            {"case_id": head.id, "funding_source_id": src.id, "selected_on": selected_on},
        ).scalar_one()
        return new_id, {
            "selection_id": new_id,
            "funding_source_id": src.id,
            "programme": src.programme,
            "selected_on": selected_on.isoformat(),
        }

    return _record(rt, actor, case_id, "source_selection", expected_version, at, write)


def add_application(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    data: ApplicationIn,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Store a drafted application for one of the case's selected sources."""

    def write(conn: Connection, head: chain.CaseHead, today: date) -> tuple[int, dict[str, Any]]:
        src = _source(conn, data.funding_source_id, "funding_source_id")
        selected = conn.scalar(
            select(SourceSelection.id).where(
                SourceSelection.case_id == head.id, SourceSelection.funding_source_id == src.id
            )
        )
        if selected is None:
            raise InvalidInput(
                {
                    "funding_source_id": f"{src.programme} is not selected for this case; select it first"
                },
                {
                    "funding_source_id": f"„{src.programme}” šai lietai nav izvēlēts; "
                    "vispirms izvēlieties to"
                },
            )
        values = data.model_dump()
        values["prepared_on"] = data.prepared_on or today
        _not_before_enrolment(conn, head.id, "prepared_on", values["prepared_on"])
        new_id = conn.execute(
            insert(Application).returning(Application.id),
            {**values, "case_id": head.id, "status": "drafted"},
        ).scalar_one()
        return new_id, {"application_id": new_id, **_json(values)}

    return _record(rt, actor, case_id, "application", expected_version, at, write)


def application_status(submitted_on: date | None, decision: str | None) -> str:
    """drafted → submitted → awarded | rejected, derived from the dates and decision."""
    if decision:
        return decision
    return "submitted" if submitted_on else "drafted"


def update_application(
    rt: Runtime,
    actor: Actor,
    application_id: int,
    data: ApplicationUpdate,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Record an application's submission and/or decision, checked against its call."""
    with read(rt.engine) as conn:
        case_id = conn.scalar(select(Application.case_id).where(Application.id == application_id))
    if case_id is None:
        raise NotFound("application", application_id)
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidInput({"(body)": "nothing to change"}, {"(body)": "nav ko mainīt"})

    def write(conn: Connection, head: chain.CaseHead, today: date) -> tuple[int, dict[str, Any]]:
        row = conn.execute(
            select(Application.__table__).where(Application.id == application_id)
        ).one()
        src = _source(conn, row.funding_source_id, "funding_source_id")
        merged = {
            k: getattr(row, k) for k in ("submitted_on", "decision", "decided_on", "awarded_eur")
        }
        merged.update(changes)
        errors, errors_lv = _update_problems(merged, row, src, today)
        if errors:
            raise InvalidInput(errors, errors_lv)
        if merged["decision"] == "rejected":
            merged["awarded_eur"] = None
        merged["status"] = application_status(merged["submitted_on"], merged["decision"])
        conn.execute(update(Application).where(Application.id == application_id).values(**merged))
        return application_id, {"application_id": application_id, **_json(changes)}

    return _record(rt, actor, case_id, "application_update", expected_version, at, write)


def _update_problems(
    m: dict[str, Any], row: Any, src: Any, today: date
) -> tuple[dict[str, str], dict[str, str]]:
    """Every broken rule of a submission or decision, in English and in Latvian."""
    errors: dict[str, str] = {}
    errors_lv: dict[str, str] = {}

    def fail(field: str, en: str, lv: str) -> None:
        errors[field] = en
        errors_lv[field] = lv

    sub = m["submitted_on"]
    if sub is not None:
        if sub > today:
            fail(
                "submitted_on",
                f"{fmt_day(sub, 'en')} is in the future",
                f"{fmt_day(sub, 'lv')} ir nākotnē",
            )
        elif sub < row.prepared_on:  # prepared on or after enrolment: covers both
            fail(
                "submitted_on",
                f"{fmt_day(sub, 'en')} is before the application was prepared "
                f"on {fmt_day(row.prepared_on, 'en')}",
                f"{fmt_day(sub, 'lv')} ir pirms pieteikuma sagatavošanas dienas "
                f"({fmt_day(row.prepared_on, 'lv')})",
            )
        elif sub < src.call_opens:
            fail(
                "submitted_on",
                f"the call of {src.programme} opens on {fmt_day(src.call_opens, 'en')}; "
                "a prepared application waits for it",
                f"„{src.programme}” konkurss atveras {fmt_day(src.call_opens, 'lv')}; "
                "sagatavots pieteikums gaida tā atvēršanu",
            )
        elif call_closed(src, sub):
            fail(
                "submitted_on",
                f"the call of {src.programme} closed on {fmt_day(src.call_closes, 'en')}",
                f"„{src.programme}” konkurss slēdzās {fmt_day(src.call_closes, 'lv')}",
            )
    if m["decision"] is not None:
        if sub is None:
            fail(
                "decision",
                "an application is decided only after it is submitted",
                "lēmumu par pieteikumu pieņem tikai pēc tā iesniegšanas",
            )
        if m["decided_on"] is None:
            fail("decided_on", "the date of the decision is required", "jānorāda lēmuma datums")
        elif sub is not None and m["decided_on"] < sub:
            fail(
                "decided_on",
                "a decision cannot precede the submission",
                "lēmums nevar būt pieņemts pirms iesniegšanas",
            )
        elif m["decided_on"] > today:
            fail(
                "decided_on",
                f"{fmt_day(m['decided_on'], 'en')} is in the future",
                f"{fmt_day(m['decided_on'], 'lv')} ir nākotnē",
            )
        if m["decision"] == "awarded":
            amount = m["awarded_eur"]
            if amount is None or amount <= 0:
                fail(
                    "awarded_eur",
                    "an award needs the amount awarded",
                    "piešķīrumam jānorāda piešķirtā summa",
                )
            elif amount > row.requested_eur:
                fail(
                    "awarded_eur",
                    f"more than the {eur(row.requested_eur, 'en')} requested",
                    f"vairāk nekā pieprasītie {eur(row.requested_eur, 'lv')}",
                )
    elif m["awarded_eur"] is not None or m["decided_on"] is not None:
        fail(
            "decision",
            "give the decision (awarded or rejected) with its date and amount",
            "norādiet lēmumu (piešķirts vai noraidīts) ar tā datumu un summu",
        )
    return errors, errors_lv


def assign_mentor(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    mentor_name: str,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Assign a mentor user to the case (mentors see only their assigned cases)."""

    def write(conn: Connection, head: chain.CaseHead, today: date) -> tuple[int, dict[str, Any]]:
        user = conn.execute(
            select(User.id, User.role, User.active).where(User.name == mentor_name)
        ).first()
        if user is None or user.role != "mentor":
            raise InvalidInput(
                {"mentor": f"{mentor_name!r} is not a mentor"},
                {"mentor": f"{mentor_name!r} nav mentors"},
            )
        if not user.active:
            raise InvalidInput(
                {"mentor": f"{mentor_name!r} is no longer active and takes no new cases"},
                {"mentor": f"{mentor_name!r} vairs nav aktīvs un jaunas lietas nepieņem"},
            )
        conn.execute(update(Case).where(Case.id == head.id).values(mentor_id=user.id))
        head.mentor_id = user.id
        return head.id, {"mentor": mentor_name}

    return _record(
        rt, actor, case_id, "mentor_assignment", expected_version, at, write, "assign_mentor"
    )


def _json(values: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals as strings, so the payload hashes the same after a round trip."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, date):
            out[k] = v.isoformat()
        elif isinstance(v, (list, tuple)):
            out[k] = list(v)
        elif v is None or isinstance(v, (str, int, bool)):
            out[k] = v
        else:
            out[k] = str(v)
    return out
