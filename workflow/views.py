"""Read models of cases for every entry point: summaries, lists with filters, the detail
page with evidence, the triggers and why they are blocked, and the case's history.

The queries are here; the models they fill are in :mod:`workflow.viewmodels`, the
triggers' view in :mod:`workflow.triggerviews` and the overdue rule in
:mod:`workflow.deadlines`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from workflow import cursors
from workflow.actors import Actor
from workflow.auditquery import history_page
from workflow.db import read_one, read_session
from workflow.deadlines import days_over, deadline_days, overdue_clause
from workflow.errors import InvalidInput, NotFound
from workflow.notelist import notes_match
from workflow.orm import (
    Application,
    Case,
    Consultation,
    Cycle,
    FundingSource,
    NeedsAnalysis,
    Organisation,
    SourceSelection,
    User,
)
from workflow.permissions import case_scope_clause, require_case_access
from workflow.rules import Rules
from workflow.runtime import Runtime, local_day
from workflow.schemas import SEARCH_MAX, refuse_nul
from workflow.triggerviews import trigger_views
from workflow.viewmodels import (
    AnalysisOut,
    ApplicationOut,
    CaseDetail,
    CaseSummary,
    ConsultationOut,
    SelectionOut,
)


def _base_query() -> Select[Case, str, str, str, str | None]:
    return (
        select(Case, Organisation.name, Organisation.reg_no, Cycle.name, User.name)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .join(Cycle, Cycle.id == Case.cycle_id)
        .outerjoin(User, User.id == Case.mentor_id)
    )


def _summary(rules: Rules, row: Any, today: date) -> dict[str, Any]:
    case, org_name, reg_no, cycle_name, mentor = row
    st = rules.states.state(case.state)
    since = case.state_since
    days = (today - local_day(since)).days
    deadline = deadline_days(rules, case.state)
    over = days_over(deadline, since, today)
    return {
        "id": case.id,
        "organisation_id": case.organisation_id,
        "organisation": org_name,
        "reg_no": reg_no,
        "cycle_id": case.cycle_id,
        "cycle": cycle_name,
        "state": case.state,
        "state_label_lv": st.label.lv,
        "state_label_en": st.label.en,
        "version": case.version,
        "state_since": since,
        "days_in_state": days,
        "deadline_days": deadline,
        "overdue": over > 0,
        "days_over": over,
        "mentor": mentor,
    }


def encode_cursor(case_id: int) -> str:
    """An opaque cursor for the next page of cases."""
    return cursors.encode("c", case_id)


def decode_cursor(cursor: str) -> int:
    """The last case id of the previous page; anything else names ``cursor``."""
    return cursors.decode("c", cursor)


def list_cases(
    rt: Runtime,
    actor: Actor,
    *,
    cycle_id: int | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    search: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[CaseSummary], str | None]:
    """Cases the actor may see, filtered, by id; returns the page and the next cursor."""
    rules = rt.rules
    today = rt.today()
    if state is not None and state not in rules.states.state_ids:
        raise InvalidInput(
            {"state": f"{state!r} is not a declared state"},
            {"state": f"{state!r} nav noteikts statuss"},
        )
    cursors.check_limit(limit)
    q = _base_query().order_by(Case.id).limit(limit + 1)
    scope = case_scope_clause(rules, actor)
    if scope is not None:
        q = q.where(scope)
    if cycle_id is not None:
        q = q.where(Case.cycle_id == cycle_id)
    if state is not None:
        q = q.where(Case.state == state)
    if overdue is not None:
        clause = overdue_clause(rules, today)
        q = q.where(clause if overdue else ~clause)
    if search is not None:
        search = search.strip()
        refuse_nul("search", search)
        if len(search) > SEARCH_MAX:
            raise InvalidInput(
                {"search": f"at most {SEARCH_MAX} characters"},
                {"search": f"ne vairāk kā {SEARCH_MAX} rakstzīmes"},
            )
    if search:
        # % and _ are the user's characters, not wildcards
        q = q.where(
            or_(
                Organisation.name.icontains(search, autoescape=True),
                Organisation.reg_no.contains(search, autoescape=True),
                notes_match(search),
            )
        )
    if cursor:
        q = q.where(Case.id > decode_cursor(cursor))
    with read_one(rt.engine) as conn, Session(bind=conn) as s:
        rows = s.execute(q).all()
    page = [CaseSummary(**_summary(rules, r, today)) for r in rows[:limit]]
    nxt = encode_cursor(page[-1].id) if len(rows) > limit and page else None
    return page, nxt


#: Events of a case's history per page: the newest first page, then older ones by keyset.
HISTORY_PAGE = 25
#: The newest consultations listed (all count towards the totals; each is in the history).
CONSULTATIONS_SHOWN = 20


def case_detail(
    rt: Runtime, actor: Actor | None, case_id: int, *, history_before: int | None = None
) -> CaseDetail:
    """The case: evidence, triggers with reasons, and one page of its history.

    Bounded whatever the case's age: the newest :data:`HISTORY_PAGE` events (or those
    before ``history_before``, a ``seq``) by the ``(case_id, seq)`` index, and the newest
    :data:`CONSULTATIONS_SHOWN` consultations with the count and hours summed in SQL.
    """
    if history_before is not None and history_before < 1:
        raise InvalidInput(
            {"history_before": "a positive event number"},
            {"history_before": "pozitīvs notikuma numurs"},
        )
    rules = rt.rules
    today = rt.today()
    with read_session(rt.engine) as s:
        row = s.execute(_base_query().where(Case.id == case_id)).first()
        if row is None:
            raise NotFound("case", case_id)
        case = row[0]
        if actor is not None:
            require_case_access(rules, actor, case.mentor_id)
        org = s.get(Organisation, case.organisation_id)
        assert org is not None
        triggers = trigger_views(s.connection(), rules, actor, case_id, case.state, today)
        detail = _summary(rules, row, today)
        consultations = list(
            s.scalars(
                select(Consultation)
                .where(Consultation.case_id == case_id)
                .order_by(Consultation.held_on.desc(), Consultation.id.desc())
                .limit(CONSULTATIONS_SHOWN)
            )
        )[::-1]
        n_consultations, hours = s.execute(
            select(func.count(), func.coalesce(func.sum(Consultation.hours), 0)).where(
                Consultation.case_id == case_id
            )
        ).one()
        history = history_page(s, case_id, history_before, HISTORY_PAGE)
        detail.update(
            legal_form=org.legal_form,
            fields=list(org.fields),
            final=rules.is_final(case.state),
            analyses=[
                AnalysisOut.model_validate(a)
                for a in s.scalars(
                    select(NeedsAnalysis)
                    .where(NeedsAnalysis.case_id == case_id)
                    .order_by(NeedsAnalysis.id)
                )
            ],
            consultations=[ConsultationOut.model_validate(c) for c in consultations],
            consultation_count=n_consultations,
            consultation_hours=Decimal(hours),
            sources=_selections(s, case_id),
            applications=applications_of(s, case_id),
            triggers=triggers,
            history=history,
            history_before=history[0].seq if history and history[0].seq > 1 else None,
        )
    return CaseDetail(**detail)


def _selections(s: Session, case_id: int) -> list[SelectionOut]:
    rows = s.execute(
        select(SourceSelection, FundingSource)
        .join(FundingSource, FundingSource.id == SourceSelection.funding_source_id)
        .where(SourceSelection.case_id == case_id)
        .order_by(SourceSelection.id)
    ).all()
    return [
        SelectionOut(
            id=sel.id,
            funding_source_id=src.id,
            funder=src.funder,
            programme=src.programme,
            call_opens=src.call_opens,
            call_closes=src.call_closes,
            max_grant_eur=src.max_grant_eur,
            selected_on=sel.selected_on,
        )
        for sel, src in rows
    ]


def applications_of(
    s: Session, case_id: int | None = None, application_id: int | None = None
) -> list[ApplicationOut]:
    """Applications of a case (or one application) with their call windows."""
    q = select(Application, FundingSource).join(
        FundingSource, FundingSource.id == Application.funding_source_id
    )
    if case_id is not None:
        q = q.where(Application.case_id == case_id)
    if application_id is not None:
        q = q.where(Application.id == application_id)
    out = []
    for app, src in s.execute(q.order_by(Application.id)).all():
        out.append(
            ApplicationOut(
                id=app.id,
                case_id=app.case_id,
                funding_source_id=src.id,
                programme=src.programme,
                title=app.title,
                domain=app.domain,
                total_budget_eur=app.total_budget_eur,
                requested_eur=app.requested_eur,
                status=app.status,
                prepared_on=app.prepared_on,
                submitted_on=app.submitted_on,
                decision=app.decision,
                decided_on=app.decided_on,
                awarded_eur=app.awarded_eur,
                call_opens=src.call_opens,
                call_closes=src.call_closes,
            )
        )
    return out


def get_application(rt: Runtime, actor: Actor | None, application_id: int) -> ApplicationOut:
    """One application or NotFound, for whoever may see its case (``actor=None``: the
    engine's own callers, as in ``case_detail``)."""
    with read_session(rt.engine) as s:
        apps = applications_of(s, application_id=application_id)
        if not apps:
            raise NotFound("application", application_id)
        if actor is not None:
            mentor_id = s.scalar(select(Case.mentor_id).where(Case.id == apps[0].case_id))
            require_case_access(rt.rules, actor, mentor_id)
    return apps[0]
