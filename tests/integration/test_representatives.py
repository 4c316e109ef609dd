"""The organisation's representative in the engine, on both databases: bound to one
organisation when added (and in the account log, so ``audit verify`` catches a changed
binding), invited by mail with a one-time link, seeing only their organisation's cases,
never an internal note, and writing only shared messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from tests.conftest import COORDINATOR, Clock, free_port
from workflow import (
    accountlog,
    accounts,
    auditlog,
    invitations,
    notelist,
    orgview,
    recording,
    views,
)
from workflow.actors import Actor
from workflow.errors import Conflict, Forbidden, InvalidInput
from workflow.evidence.notes import NoteIn
from workflow.mail import Mailer, MailSettings
from workflow.orm import Note, User
from workflow.runtime import Runtime
from workflow.schemas import RepresentativeIn, UserChange, UserIn


@dataclass
class Inbox:
    """What the local SMTP server received."""

    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(msg)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Mailer]]:
    """A local SMTP server and a mailer that sends to it."""
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield inbox, Mailer(MailSettings(smtp_host="127.0.0.1", smtp_port=port))
    finally:
        server.stop()


@pytest.fixture
def two(
    rt: Runtime, make_case: Callable[..., int], make_cycle: Callable[..., int]
) -> dict[str, Any]:
    """Two organisations' cases in one cycle, each with an internal and a shared note."""
    cycle = make_cycle()
    a = make_case(cycle, name="Biedrība Alfa", reg_no="40008000011")
    b = make_case(cycle, name="Biedrība Beta", reg_no="40008000022")
    for case, tag in ((a, "A"), (b, "B")):
        recording.record(rt, COORDINATOR, case, NoteIn(note_type="phone", text=f"{tag}-INTERNAL"))
        shared = NoteIn(note_type="email", text=f"{tag}-SHARED", visibility="organisation")
        recording.record(rt, COORDINATOR, case, shared)
    accounts.add_user(
        rt, UserIn(name="rep_a", role="representative", organisation="40008000011"), "parole-123456"
    )
    rep = accounts.get_user_by_name(rt, "rep_a").actor()
    return {"a": a, "b": b, "rep": rep}


def test_a_representative_is_bound_to_exactly_one_organisation(rt: Runtime) -> None:
    with pytest.raises(InvalidInput) as missing:
        accounts.add_user(rt, UserIn(name="r1", role="representative"))
    assert "organisation" in missing.value.errors
    with pytest.raises(InvalidInput) as unknown:
        accounts.add_user(rt, UserIn(name="r1", role="representative", organisation="40009999999"))
    assert "40009999999" in unknown.value.errors["organisation"]
    with pytest.raises(InvalidInput) as staff:
        accounts.add_user(rt, UserIn(name="m1", role="mentor", organisation="40009999999"))
    assert "organisation" in staff.value.errors
    assert accounts.list_users(rt) == []  # nothing half-written


def test_the_binding_is_in_the_account_log_and_verify_holds_it(
    rt: Runtime, two: dict[str, Any]
) -> None:
    events = accountlog.recent(rt, subject="rep_a")
    added = next(e for e in events if e.action == "user_added")
    assert added.details["organisation_id"] == two["rep"].organisation_id
    assert accountlog.verify(rt).ok
    with pytest.raises(Conflict, match="fixed"):
        accounts.change_user(rt, "rep_a", UserChange(role="coordinator"))
    org_b = views.case_detail(rt, None, two["b"]).organisation_id
    with rt.engine.begin() as conn:  # rebinding behind the log's back
        conn.execute(update(User).where(User.name == "rep_a").values(organisation_id=org_b))
    result = accountlog.verify(rt)
    assert not result.ok
    assert result.problem is not None
    assert "bound to organisation" in result.problem.en


def test_a_representative_sees_only_their_organisation_and_shared_notes(
    rt: Runtime, two: dict[str, Any]
) -> None:
    rep: Actor = two["rep"]
    cases, _ = views.list_cases(rt, rep)
    assert [c.id for c in cases] == [two["a"]]
    # a search must not reveal an internal note's words
    assert views.list_cases(rt, rep, search="A-INTERNAL")[0] == []
    assert [c.id for c in views.list_cases(rt, rep, search="A-SHARED")[0]] == [two["a"]]
    notes, _ = notelist.list_notes(rt, rep, two["a"])
    assert [n.text for n in notes] == ["A-SHARED"]
    staff_notes, _ = notelist.list_notes(rt, COORDINATOR, two["a"])
    assert [n.text for n in staff_notes] == ["A-SHARED", "A-INTERNAL"]
    view = orgview.case_overview(rt, rep, two["a"])
    assert [m.text for m in view.messages] == ["A-SHARED"]
    for refused in (
        lambda: orgview.case_overview(rt, rep, two["b"]),
        lambda: notelist.list_notes(rt, rep, two["b"]),
        lambda: views.case_detail(rt, rep, two["a"]),  # the staff's document, with history
        lambda: recording.record(rt, rep, two["b"], NoteIn(note_type="message", text="x")),
    ):
        with pytest.raises(Forbidden):
            refused()


def test_a_representative_writes_shared_messages_only(rt: Runtime, two: dict[str, Any]) -> None:
    rep: Actor = two["rep"]
    with pytest.raises(InvalidInput) as phone:
        recording.record(rt, rep, two["a"], NoteIn(note_type="phone", text="x"))
    assert "note_type" in phone.value.errors
    with pytest.raises(InvalidInput) as hidden:
        recording.record(
            rt, rep, two["a"], NoteIn(note_type="message", text="x", visibility="internal")
        )
    assert "visibility" in hidden.value.errors
    recording.record(rt, rep, two["a"], NoteIn(note_type="message", text="Lūdzu zvaniet"))
    staff_notes, _ = notelist.list_notes(rt, COORDINATOR, two["a"])
    assert (staff_notes[0].text, staff_notes[0].internal) == ("Lūdzu zvaniet", False)
    assert auditlog.verify(rt).ok


def test_old_notes_without_the_flag_stay_internal_and_verify(
    rt: Runtime, two: dict[str, Any]
) -> None:
    """A note from before the flag (NULL) counts as internal; its content hash, made
    without the column, still verifies; a flag flipped behind the log's back does not."""
    assert auditlog.verify(rt).ok
    with rt.engine.begin() as conn:
        conn.execute(update(Note).where(Note.text == "A-SHARED").values(internal=True))
    broken = auditlog.verify(rt)
    assert not broken.ok


def test_the_next_steps_checklist_is_in_words(rt: Runtime, two: dict[str, Any]) -> None:
    view = orgview.case_overview(rt, two["rep"], two["a"])
    assert view.next_step is not None
    assert view.next_step.trigger == "analyse"
    assert not view.next_step.ready
    assert [i.text_en for i in view.next_step.checklist] == ["no needs analysis recorded yet"]
    assert all(i.text_lv and i.text_lv != i.text_en for i in view.next_step.checklist)
    deadline = next(d for d in view.due if d.what == "state_deadline")
    assert deadline.due_on == rt.today() + timedelta(days=21)  # policies: deadlines.enrolled


def test_invitation_mails_a_one_time_link(
    rt: Runtime, two: dict[str, Any], smtp: tuple[Inbox, Mailer], clock: Clock
) -> None:
    inbox, mailer = smtp
    org_b = views.case_detail(rt, None, two["b"]).organisation_id
    data = RepresentativeIn(name="rep_b", email="valde@beta.lv", locale="lv")
    done = invitations.invite(
        rt, COORDINATOR, org_b, data, link_base="https://x.lv/i/", mailer=mailer
    )
    assert done.organisation_id == org_b
    (msg,) = inbox.received
    assert msg["To"] == "valde@beta.lv"
    body = msg.get_content()
    assert "Biedrība Beta" in body
    token = re.search(r"https://x\.lv/i/(\S+)", body).group(1)  # type: ignore[union-attr]
    assert accounts.authenticate(rt, "rep_b", "jauna-parole-1") is None
    assert invitations.pending(rt, token) == "rep_b"
    with pytest.raises(InvalidInput):
        invitations.accept(rt, token, "short")
    assert invitations.accept(rt, token, "jauna-parole-1") == "rep_b"
    user = accounts.authenticate(rt, "rep_b", "jauna-parole-1")
    assert user is not None
    assert user.organisation_id == org_b
    with pytest.raises(Conflict, match="already used"):
        invitations.accept(rt, token, "cita-parole-22")
    with pytest.raises(Conflict, match="unknown"):
        invitations.pending(rt, token + "x")
    # a second invitation, left past its days, no longer works
    invitations.invite(
        rt,
        COORDINATOR,
        org_b,
        RepresentativeIn(name="rep_b2", email="b2@beta.lv"),
        link_base="L/",
        mailer=mailer,
    )
    late = re.search(r"L/(\S+)", inbox.received[1].get_content()).group(1)  # type: ignore[union-attr]
    clock.now += timedelta(days=rt.rules.policy.spec.tokens.invitation_days, seconds=1)
    with pytest.raises(Conflict, match="expired"):
        invitations.accept(rt, late, "jauna-parole-2")
    assert accountlog.verify(rt).ok


def test_only_those_with_the_right_invite(rt: Runtime, two: dict[str, Any]) -> None:
    org_a = two["rep"].organisation_id
    data = RepresentativeIn(name="rep_x", email="x@alfa.lv")
    for who in (Actor("anna", "mentor", 9), Actor("r", "auditor", 8), two["rep"]):
        with pytest.raises(Forbidden):
            invitations.invite(rt, who, org_a, data, link_base="L/", mailer=Mailer())


def test_a_mail_that_cannot_be_sent_leaves_nothing(rt: Runtime, two: dict[str, Any]) -> None:
    down = Mailer(MailSettings(smtp_host="127.0.0.1", smtp_port=free_port()))
    org_a = two["rep"].organisation_id
    with pytest.raises(Conflict, match="could not be mailed"):
        invitations.invite(
            rt,
            COORDINATOR,
            org_a,
            RepresentativeIn(name="rep_y", email="y@alfa.lv"),
            link_base="L/",
            mailer=down,
        )
    assert "rep_y" not in [u.name for u in accounts.list_users(rt)]
    assert accountlog.verify(rt).ok
