"""The case as its organisation sees it: the read model behind a representative's case
page (``/cases/<id>`` for them) and ``GET /api/v1/cases/{id}/overview``.

What the organisation needs and nothing internal: the state; a checklist of what the next
step needs, in the guards' own words (Latvian and English, never their codes); the days
things fall due (the state's deadline from :mod:`workflow.deadlines`, the selected calls'
windows from :mod:`workflow.calls`); the consultations (day, mentor, topic); the funding
calls selected; the applications and their status; and the notes shared with it (its own
messages and what staff chose to share, never an internal note). No needs-analysis text,
no history, no other organisation. Anyone who may see the case may read it, so staff see
exactly what the organisation sees.

The case's documents (:mod:`workflow.docviews`, the same access test) are listed too;
a representative may upload to their own cases (the policy's ``upload_documents``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select

from workflow import docviews
from workflow.actors import Actor
from workflow.calls import CallPhase, call_phase
from workflow.db import read_session
from workflow.deadlines import deadline_days
from workflow.errors import NotFound
from workflow.notelist import shared_note
from workflow.orm import Case, Consultation, Cycle, Note, Organisation, User
from workflow.permissions import require_action, require_case_access
from workflow.runtime import Runtime, local_day
from workflow.triggers import trigger_statuses
from workflow.viewmodels import ApplicationOut, ConsultationOut, Out, SelectionOut
from workflow.views import applications_of, selections_of

#: The shared notes shown, newest first (the API's notes list pages through all of them).
MESSAGES_SHOWN = 50


class ChecklistItem(Out):
    """One condition of the next step: met or not, in words."""

    done: bool
    text_lv: str
    text_en: str


class NextStep(Out):
    """The programme's next step from the case's state and what it still needs."""

    trigger: str
    label_lv: str
    label_en: str
    ready: bool
    checklist: list[ChecklistItem]


class DueDate(Out):
    """A day something falls due: the state's deadline, or a selected call's window."""

    what: Literal["state_deadline", "call_opens", "call_closes"]
    label_lv: str
    label_en: str
    due_on: date
    passed: bool


class SharedNote(Out):
    """A note the organisation may read: its own message, or one staff shared."""

    id: int
    note_type: str
    noted_on: date
    text: str
    recorded_by: str


class OverviewDocument(Out):
    """A document of the case: what it is, who uploaded it when, its SHA-256, and the
    newer document that supersedes it, if any."""

    id: int
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    application_id: int | None
    superseded_by: int | None
    uploaded_at: datetime
    uploaded_by: str


class CaseOverview(Out):
    """The organisation's view of one case."""

    id: int
    version: int
    organisation_id: int
    organisation: str
    reg_no: str
    cycle: str
    state: str
    state_label_lv: str
    state_label_en: str
    state_since: datetime
    final: bool
    next_step: NextStep | None
    due: list[DueDate]
    consultations: list[ConsultationOut]
    sources: list[SelectionOut]
    applications: list[ApplicationOut]
    messages: list[SharedNote]
    documents: list[OverviewDocument]


def _due(
    state_lv: str, state_en: str, deadline: date | None, sources: list[SelectionOut], today: date
) -> list[DueDate]:
    out = []
    if deadline is not None:
        out.append(
            DueDate(
                what="state_deadline",
                label_lv=f"Termiņš posmam “{state_lv}”",
                label_en=f"Deadline of the step “{state_en}”",
                due_on=deadline,
                passed=deadline < today,
            )
        )
    for src in sources:
        phase = call_phase(src, today)
        if phase is CallPhase.NOT_OPEN:
            out.append(
                DueDate(
                    what="call_opens",
                    label_lv=f"Atveras konkurss: {src.funder} — {src.programme}",
                    label_en=f"Call opens: {src.funder} — {src.programme}",
                    due_on=src.call_opens,
                    passed=False,
                )
            )
        out.append(
            DueDate(
                what="call_closes",
                label_lv=f"Noslēdzas konkurss: {src.funder} — {src.programme}",
                label_en=f"Call closes: {src.funder} — {src.programme}",
                due_on=src.call_closes,
                passed=phase is CallPhase.CLOSED,
            )
        )
    return sorted(out, key=lambda d: d.due_on)


def case_overview(rt: Runtime, actor: Actor, case_id: int) -> CaseOverview:
    """The organisation's view of the case, for whoever may see the case."""
    rules = rt.rules
    today = rt.today()
    with read_session(rt.engine) as s:
        row = s.execute(
            select(Case, Organisation.name, Organisation.reg_no, Cycle.name)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .join(Cycle, Cycle.id == Case.cycle_id)
            .where(Case.id == case_id)
        ).first()
        if row is None:
            raise NotFound("case", case_id)
        case, org_name, reg_no, cycle_name = row
        require_case_access(rules, actor, case.mentor_id, case.organisation_id)
        st = rules.states.state(case.state)
        # the next step: the first trigger the states file declares from here (the
        # programme's path is declared before the way out, withdrawing)
        statuses = trigger_statuses(s.connection(), rules, actor, case_id, case.state, today)
        next_step = None
        if statuses and not rules.is_final(case.state):
            first = statuses[0]
            label = rules.states.trigger_label(first.trigger)
            next_step = NextStep(
                trigger=first.trigger,
                label_lv=label.lv,
                label_en=label.en,
                ready=first.allowed,
                checklist=[
                    ChecklistItem(done=o.passed, text_lv=o.message_lv, text_en=o.message_en)
                    for o in first.outcomes
                ],
            )
        days = deadline_days(rules, case.state)
        deadline = None
        if days is not None:
            deadline = local_day(case.state_since) + timedelta(days=days)
        sources = selections_of(s, case_id)
        consultations = s.scalars(
            select(Consultation)
            .where(Consultation.case_id == case_id)
            .order_by(Consultation.held_on, Consultation.id)
        )
        notes = s.scalars(
            select(Note)
            .where(Note.case_id == case_id, shared_note())
            .order_by(Note.id.desc())
            .limit(MESSAGES_SHOWN)
        )
        return CaseOverview(
            id=case.id,
            version=case.version,
            organisation_id=case.organisation_id,
            organisation=org_name,
            reg_no=reg_no,
            cycle=cycle_name,
            state=case.state,
            state_label_lv=st.label.lv,
            state_label_en=st.label.en,
            state_since=case.state_since,
            final=rules.is_final(case.state),
            next_step=next_step,
            due=[]
            if rules.is_final(case.state)
            else _due(st.label.lv, st.label.en, deadline, sources, today),
            consultations=[ConsultationOut.model_validate(c) for c in consultations],
            sources=sources,
            applications=applications_of(s, case_id),
            messages=[SharedNote.model_validate(n) for n in notes],
            documents=[
                OverviewDocument.model_validate(d)
                for d in docviews.list_documents(rt, actor, case_id)
            ],
        )


class RepresentativeOut(Out):
    """An organisation's representative as a coordinator sees them."""

    name: str
    email: str | None
    active: bool
    password_set: bool


class OrganisationPeople(Out):
    """An organisation and the accounts that represent it."""

    id: int
    name: str
    reg_no: str
    representatives: list[RepresentativeOut]


def representatives(rt: Runtime, actor: Actor, organisation_id: int) -> OrganisationPeople:
    """The organisation and its representatives, for whoever may invite them (their
    e-mail addresses are personal data: staff who invite need them, no one else)."""
    require_action(rt.rules, actor, "invite_representatives")
    with read_session(rt.engine) as s:
        org = s.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("organisation", organisation_id)
        users = s.scalars(
            select(User).where(User.organisation_id == organisation_id).order_by(User.name)
        )
        return OrganisationPeople(
            id=org.id,
            name=org.name,
            reg_no=org.reg_no,
            representatives=[
                RepresentativeOut(
                    name=u.name,
                    email=u.email,
                    active=u.active,
                    password_set=u.password_hash is not None,
                )
                for u in users
            ],
        )
