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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow import cursors
from workflow.actors import Actor
from workflow.auditquery import history_page
from workflow.casequery import base_query, filtered
from workflow.db import read_one, read_session
from workflow.deadlines import days_over, deadline_days
from workflow.errors import InvalidInput, NotFound
from workflow.orm import (
    Application,
    Case,
    Consultation,
    FundingSource,
    NeedsAnalysis,
    Organisation,
    SourceSelection,
)
from workflow.permissions import require_case_access
from workflow.rules import Rules
from workflow.runtime import Runtime, local_day
from workflow.triggerviews import trigger_views
from workflow.viewmodels import (
    AnalysisOut,
    ApplicationOut,
    CaseDetail,
    CaseSummary,
    ConsultationOut,
    SelectionOut,
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
    limit: int = 50,
    cursor: str | None = None,
    **filters: Any,
) -> tuple[list[CaseSummary], str | None]:
    """Cases the actor may see, filtered (:func:`workflow.casequery.filtered`: cycle_id,
    state, overdue, search), by id; returns the page and the next cursor."""
    rules = rt.rules
    today = rt.today()
    cursors.check_limit(limit)
    q = filtered(base_query().order_by(Case.id).limit(limit + 1), rules, actor, today, **filters)
    if cursor:
        q = q.where(Case.id > decode_cursor(cursor))
    with read_one(rt.engine) as conn, Session(bind=conn) as s:
        rows = s.execute(q).all()
    page = [CaseSummary(**_summary(rules, r, today)) for r in rows[:limit]]
    nxt = encode_cursor(page[-1].id) if len(rows) > limit and page else None
    return page, nxt


def summaries(rt: Runtime, actor: Actor, ids: list[int]) -> list[CaseSummary]:
    """The cases ``ids`` the actor may see, as list rows, in the order of ``ids``."""
    rules, today = rt.rules, rt.today()
    found: dict[int, CaseSummary] = {}
    with read_one(rt.engine) as conn, Session(bind=conn) as s:
        for at in range(0, len(ids), 1000):
            chunk = ids[at : at + 1000]
            q = filtered(base_query().where(Case.id.in_(chunk)), rules, actor, today)
            for r in s.execute(q):
                found[r[0].id] = CaseSummary(**_summary(rules, r, today))
    return [found[i] for i in ids if i in found]


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
        row = s.execute(base_query().where(Case.id == case_id)).first()
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
            sources=selections_of(s, case_id),
            applications=applications_of(s, case_id),
            triggers=triggers,
            history=history,
            history_before=history[0].seq if history and history[0].seq > 1 else None,
        )
    return CaseDetail(**detail)


def selections_of(s: Session, case_id: int) -> list[SelectionOut]:
    """The funding sources selected for a case, with their call windows."""
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
