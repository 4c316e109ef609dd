"""Roles, eligibility and deadlines come from the policy; refusals change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from inkubators import cli
from tests.conftest import AUDITOR, COORDINATOR, Clock
from tests.policies.conftest import Files
from workflow import advance, enrolment, mentors, recording, views
from workflow.accounts import add_user
from workflow.actors import Actor
from workflow.db import read_session
from workflow.errors import Forbidden, Ineligible
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.orm import AuditEvent, Case, Consultation
from workflow.runtime import Runtime
from workflow.schemas import UserIn


def everything(rt: Runtime) -> tuple[list[tuple[object, ...]], int, int]:
    with read_session(rt.engine) as s:
        return (
            [(c.id, c.state, c.version, c.head_hash) for c in s.query(Case).order_by(Case.id)],
            s.query(AuditEvent).count(),
            s.query(Consultation).count(),
        )


def test_refused_role_changes_nothing(
    rt: Runtime,
    analysed_case: Callable[..., int],
    make_org: Callable[..., int],
    make_cycle: Callable[..., int],
) -> None:
    case_id = analysed_case(n=1)
    anna = add_user(rt, UserIn(name="anna", role="mentor"), None)
    mentors.assign_mentor(rt, COORDINATOR, case_id, "anna")
    mentor = Actor("anna", "mentor", anna.id)
    before = everything(rt)
    with pytest.raises(Forbidden, match="'consult' is not allowed for role 'mentor'"):
        advance.fire(rt, mentor, case_id, "consult")
    with pytest.raises(Forbidden, match="'record analysis' is not allowed for role 'auditor'"):
        recording.record(rt, AUDITOR, case_id, AnalysisIn(findings="x", need_areas=["y"]))
    with pytest.raises(Forbidden, match="'enrol' is not allowed for role 'auditor'"):
        enrolment.enrol(rt, AUDITOR, make_org(), make_cycle())
    assert everything(rt) == before


def test_ineligible_enrolment_names_every_rule_and_changes_nothing(
    rt: Runtime, make_org: Callable[..., int], make_cycle: Callable[..., int]
) -> None:
    org = make_org(legal_form="company", fields=["real_estate_management"])
    cycle = make_cycle()
    before = everything(rt)
    with pytest.raises(Ineligible) as exc:
        enrolment.enrol(rt, COORDINATOR, org, cycle)
    assert exc.value.reasons == [
        "field of activity real_estate_management is excluded from the programme by policy",
        "legal form 'company' is not admitted (admitted: association, foundation)",
    ]
    assert everything(rt) == before


def test_roles_edited_in_the_file_apply_to_the_next_call(
    watched_rt: Runtime, files: Files, analysed_case: Callable[..., int]
) -> None:
    case_id = analysed_case(n=1)
    # as themself: the auditor may not record in another mentor's name (record_for_others)
    record = ConsultationIn(
        mentor=AUDITOR.name, held_on=date(2023, 3, 1), hours=Decimal(1), topic="x"
    )
    denied = "    evidence: []\n    actions: [read_audit, read_reports, read_register, read_budget]"
    granted = "    evidence: [consultations]\n    actions: [read_audit, read_reports, read_register, read_budget]"
    before = everything(watched_rt)
    with pytest.raises(Forbidden, match="'record consultations' is not allowed for role 'auditor'"):
        recording.record(watched_rt, AUDITOR, case_id, record)
    assert everything(watched_rt) == before

    files.edit(files.policy, denied, granted)
    recording.record(watched_rt, AUDITOR, case_id, record)
    assert everything(watched_rt)[2] == before[2] + 1

    files.edit(files.policy, granted, denied)
    after_grant = everything(watched_rt)
    with pytest.raises(Forbidden):
        recording.record(watched_rt, AUDITOR, case_id, record)
    assert everything(watched_rt) == after_grant


def test_overdue_follows_the_clock_and_the_policy(
    rt: Runtime, make_case: Callable[..., int], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = make_case()  # enrolled 2023-03-01; the policy allows 21 days in "enrolled"
    clock.set("2023-03-22")
    assert views.list_cases(rt, COORDINATOR, overdue=True)[0] == []
    clock.set("2023-03-25")
    page, _ = views.list_cases(rt, COORDINATOR, overdue=True)
    assert [(c.id, c.days_in_state, c.deadline_days, c.days_over) for c in page] == [
        (late, 24, 21, 3)
    ]
    monkeypatch.setattr(cli, "runtime", lambda migrate=True: rt)
    out = CliRunner().invoke(cli.main, ["case", "overdue"])
    assert out.exit_code == 0, out.output
    assert out.output.split() == [
        str(late),
        "enrolled",
        "24",
        "days",
        "(limit",
        "21),",
        "3",
        "over",
        *page[0].organisation.split(),
    ]
