"""``audit verify`` binds the rows the engine reads to the logs, on both databases.

Each test changes one row behind the engine's back (no trigger guards these tables, so
no protection needs dropping) and checks verify names that row by table and id, with
what is wrong; and that what the engine itself writes verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Literal

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from inkubators.cli import main
from tests.conftest import ADMIN, COORDINATOR
from workflow import accountlog, accounts, advance, auditlog, chain, mentors, recording, tokens
from workflow.contentbind import CONTENT_KEY
from workflow.evidence.analysis import AnalysisIn
from workflow.evidence.consultations import ConsultationIn
from workflow.orm import AuditEvent
from workflow.runtime import Runtime
from workflow.schemas import UserChange, UserIn


def problem(rt: Runtime) -> str | None:
    result = auditlog.verify(rt)
    return None if result.ok else str((result.first_bad or {})["problem"])


def account_problem(rt: Runtime) -> str | None:
    result = accountlog.verify(rt)
    return None if result.ok or result.problem is None else result.problem.en


def sql(rt: Runtime, statement: str, **params: object) -> None:
    with rt.engine.begin() as c:
        c.execute(text(statement), params)


def test_a_case_state_edited_behind_the_engine_is_named(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case = make_case()
    assert problem(rt) is None
    sql(rt, "UPDATE cases SET state = 'outcome' WHERE id = :c", c=case)
    assert (
        problem(rt) == f"cases {case}: state 'outcome' but its last event (v1) ends in 'enrolled'"
    )
    assert (auditlog.verify(rt).first_bad or {})["case_id"] == case  # the screens link it
    cli = CliRunner().invoke(
        main,
        ["audit", "verify"],
        env={"DATABASE_URL": str(rt.engine.url.render_as_string(hide_password=False))},
    )
    assert cli.exit_code == 1
    assert f"audit log BROKEN: cases {case}: state 'outcome'" in cli.output


def test_a_transition_after_a_forged_state_breaks_the_from_state_chain(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case = make_case()
    recording.record(
        rt, COORDINATOR, case, AnalysisIn(findings="Vāja vadība", need_areas=["governance"])
    )
    advance.fire(rt, COORDINATOR, case, "analyse")
    sql(rt, "UPDATE cases SET state = 'enrolled' WHERE id = :c", c=case)
    advance.fire(rt, COORDINATOR, case, "analyse")  # the engine trusts the row it reads
    with rt.engine.connect() as c:
        fourth = c.scalar(
            select(AuditEvent.id).where(AuditEvent.case_id == case, AuditEvent.seq == 4)
        )
    assert problem(rt) == (
        f"audit_events {fourth}: case {case}'s #4 starts from 'enrolled' but #3 ended in "
        "'analysed': the case's state was changed behind the engine's back"
    )


def test_a_case_without_history_is_a_finding_not_a_skip(
    rt: Runtime, make_case: Callable[..., int], make_org: Callable[..., int]
) -> None:
    case = make_case()
    sql(
        rt,
        "INSERT INTO cases (organisation_id, cycle_id, state, version, head_hash, state_since,"
        " enrolled_at) SELECT :o, cycle_id, 'outcome', 0, '', state_since, enrolled_at"
        " FROM cases WHERE id = :c",
        o=make_org(),
        c=case,
    )
    with rt.engine.connect() as c:
        forged = c.scalar(text("SELECT max(id) FROM cases"))
    assert problem(rt) == (
        f"cases {forged}: version 0 and no event #0: a case without history (no creation "
        "event), written behind the engine's back"
    )


def test_evidence_rows_carry_their_content_hash_and_an_edit_is_named(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case = make_case()
    done = recording.record(
        rt,
        COORDINATOR,
        case,
        ConsultationIn(mentor="anna", held_on=date(2023, 3, 1), hours=Decimal("1.5"), topic="PR"),
    )
    assert len(done.event["payload"][CONTENT_KEY]) == 64
    assert problem(rt) is None
    sql(rt, "UPDATE consultations SET hours = 12 WHERE id = :i", i=done.id)
    assert (auditlog.verify(rt).first_bad or {})["case_id"] == case
    assert problem(rt) == (
        f"consultations {done.id}: its content differs from what event "
        f"{_event_id(rt, case, done.version)} (case {case}, #{done.version}) recorded: "
        "the row was edited"
    )
    sql(rt, "DELETE FROM consultations WHERE id = :i", i=done.id)
    assert problem(rt) == (
        f"consultations {done.id}: event {_event_id(rt, case, done.version)} (case {case}, "
        f"#{done.version}) recorded it but the row is gone: deleted behind the engine's back"
    )


def test_an_evidence_row_no_event_recorded_is_named(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    case = make_case()
    sql(
        rt,
        "INSERT INTO consultations (case_id, mentor, held_on, hours, topic, recorded_by)"
        " VALUES (:c, 'anna', '2023-03-01', 8, 'viltots', 'ilze')",
        c=case,
    )
    found = problem(rt)
    assert found is not None
    assert found.startswith("consultations ")
    assert found.endswith(
        f"no audit event recorded it (case {case}): inserted behind the engine's back"
    )


def _event_id(rt: Runtime, case: int, seq: int) -> int:
    with rt.engine.connect() as c:
        found = c.scalar(
            select(AuditEvent.id).where(AuditEvent.case_id == case, AuditEvent.seq == seq)
        )
    assert found is not None
    return found


def test_users_and_tokens_are_bound_to_the_account_log(rt: Runtime) -> None:
    mentor = accounts.add_user(rt, UserIn(name="maris", role="mentor"))
    accounts.change_user(rt, "maris", UserChange(active=False), actor=ADMIN)
    accounts.change_user(rt, "maris", UserChange(active=True), actor=ADMIN)
    tokens.create_token(rt, "maris")
    assert account_problem(rt) is None
    sql(rt, "UPDATE users SET role = 'admin' WHERE id = :u", u=mentor.id)
    assert account_problem(rt) == (
        f"users {mentor.id}: 'maris' has role 'admin' but the account log's replay gives 'mentor'"
    )
    sql(rt, "UPDATE users SET role = 'mentor', active = :f WHERE id = :u", u=mentor.id, f=False)
    assert account_problem(rt) == (
        f"users {mentor.id}: 'maris' is inactive but the account log's replay leaves it active"
    )
    sql(rt, "UPDATE users SET active = :t WHERE id = :u", u=mentor.id, t=True)
    sql(
        rt,
        "INSERT INTO api_tokens (user_id, token_hash, created_at)"
        " SELECT user_id, :h, created_at FROM api_tokens",
        h="0" * 64,
    )
    with rt.engine.connect() as c:
        forged = c.scalar(text("SELECT max(id) FROM api_tokens"))
    assert account_problem(rt) == (
        f"api_tokens {forged}: a token of 'maris' that no token_created event in the account "
        "log issued: a forged token"
    )


def test_a_token_hash_swapped_in_is_named(rt: Runtime) -> None:
    accounts.add_user(rt, UserIn(name="maris", role="mentor"))
    tokens.create_token(rt, "maris")
    with rt.engine.connect() as c:
        token_id = c.scalar(text("SELECT id FROM api_tokens"))
    sql(rt, "UPDATE api_tokens SET token_hash = :h", h="f" * 64)
    assert account_problem(rt) == (
        f"api_tokens {token_id}: its hash differs from the one account event #2 issued"
    )


@pytest.mark.parametrize("role", ["mentor", "auditor"])
def test_what_the_engine_writes_verifies(
    rt: Runtime, make_case: Callable[..., int], role: Literal["mentor", "auditor"]
) -> None:
    case = make_case()
    accounts.add_user(rt, UserIn(name="janis", role="mentor"))
    accounts.add_user(rt, UserIn(name="x" + role, role=role))
    accounts.change_user(rt, "x" + role, UserChange(role="coordinator"), actor=ADMIN)
    mentors.assign_mentor(rt, COORDINATOR, case, "janis")
    recording.record(rt, COORDINATOR, case, AnalysisIn(findings="F", need_areas=["planning"]))
    assert problem(rt) is None
    assert account_problem(rt) is None
    sql(rt, "UPDATE cases SET mentor_id = NULL WHERE id = :c", c=case)
    assert problem(rt) == f"cases {case}: mentor is none but the log assigned 'janis'"


def test_a_revoked_token_brought_back_is_named(rt: Runtime) -> None:
    accounts.add_user(rt, UserIn(name="maris", role="mentor"))
    tokens.create_token(rt, "maris")
    with rt.engine.connect() as c:
        token_id = int(c.scalar(text("SELECT id FROM api_tokens")) or 0)
    tokens.revoke_token(rt, token_id)
    assert account_problem(rt) is None
    sql(rt, "UPDATE api_tokens SET revoked_at = NULL")
    assert account_problem(rt) == (
        f"api_tokens {token_id}: the account log revoked it but its row is live again"
    )


def test_evidence_recorded_before_content_hashes_is_unbound_not_tampered(
    rt: Runtime, make_case: Callable[..., int]
) -> None:
    """An event of the old shape (no ``content_sha256``) binds its row to nothing: verify
    counts it, and says so, but does not call it tampering."""
    case = make_case()
    with rt.engine.begin() as c:
        row_id = c.execute(
            text(
                "INSERT INTO consultations (case_id, mentor, held_on, hours, topic, recorded_by)"
                " VALUES (:c, 'anna', '2023-03-01', 2, 'PR', 'ilze') RETURNING id"
            ),
            {"c": case},
        ).scalar_one()
        chain.append(
            c,
            chain.load_head(c, case),
            kind="evidence",
            trigger="record_consultations",
            to_state="enrolled",
            actor=COORDINATOR,
            at=rt.now(),
            payload={"consultation_id": row_id, "hours": "2"},
            policy_hash=rt.rules.policy_hash,
            states_hash=rt.rules.states_hash,
        )
    result = auditlog.verify(rt)
    assert result.ok
    assert result.notes == ("1 evidence rows unbound (recorded before content hashes)",)
    assert result.as_dict()["notes"] == list(result.notes)
