"""``inkubators remind`` on both databases, against a local SMTP server (aiosmtpd): one
digest per coordinator and mentor in their language, about the cases they may see, and
no reminder ever sent twice; a failed send records nothing; and on the demo, the pilot's
calls that close soon after 2024-01-20."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import func, select

import inkubators.cli
from inkubators.cli import main
from inkubators.demo.loader import load_demo
from tests.conftest import COORDINATOR, free_port
from workflow import contacts, mentors, reminders
from workflow.accounts import add_user
from workflow.mail import Mailer, MailSettings
from workflow.orm import ReminderSent
from workflow.runtime import Runtime
from workflow.schemas import UserIn


@dataclass
class Inbox:
    """What the local SMTP server received: (envelope recipients, parsed message)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, MailSettings]]:
    """A local SMTP server and the settings that send to it."""
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield (
            inbox,
            MailSettings(smtp_host="127.0.0.1", smtp_port=port, mail_from="inkubators@x.lv"),
        )
    finally:
        server.stop()


@pytest.fixture
def programme(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., Any]
) -> dict[str, int]:
    """ilze (coordinator, Latvian) and anna (mentor, English), both with addresses; case A
    (anna's) and case B (nobody's), both with a selected source whose call closes
    2023-12-31 and in ``sources_selected`` since 2023-03-01 (45 days allowed)."""
    add_user(rt, UserIn(name="ilze", role="coordinator"))
    add_user(rt, UserIn(name="anna", role="mentor", locale="en"))
    add_user(rt, UserIn(name="revidents", role="auditor"))
    contacts.set_email(rt, "ilze", "ilze@x.lv")
    contacts.set_email(rt, "anna", "anna@x.lv")
    contacts.set_email(rt, "revidents", "revidents@x.lv")
    a = make_case(name="Alfa biedrība")
    b = make_case(name="Beta fonds")
    walk(a, "sources_selected")
    walk(b, "sources_selected")
    mentors.assign_mentor(rt, COORDINATOR, a, "anna")
    return {"a": a, "b": b}


def sent_count(rt: Runtime) -> int:
    with rt.engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(ReminderSent)) or 0)


def test_one_digest_per_user_in_their_language_about_their_cases_and_never_twice(
    rt: Runtime, programme: dict[str, int], smtp: tuple[Inbox, MailSettings]
) -> None:
    inbox, settings = smtp
    digests = reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1))
    assert [(d.user, d.status, len(d.items)) for d in digests] == [
        ("anna", "sent", 2),
        ("ilze", "sent", 4),
    ]
    assert inbox.to("revidents@x.lv") == []  # auditors are not among reminders.roles
    (ilze,) = inbox.to("ilze@x.lv")
    assert ilze["Subject"] == "Inkubators: atgādinājumi 01.12.2023."
    assert ilze["From"] == "inkubators@x.lv"
    body = ilze.get_content()
    assert "Konkursi, kas drīz slēdzas:" in body
    assert (
        "Alfa biedrība: konkurss Sabiedrības integrācijas fonds — NVO fonds slēdzas 31.12.2023."
        in body
    )
    assert "Beta fonds: konkurss" in body
    assert "Lietas, kas pārsniegušas termiņu savā stāvoklī:" in body
    (anna,) = inbox.to("anna@x.lv")
    assert anna["Subject"] == "Inkubators: reminders for 1 Dec 2023"
    text = anna.get_content()
    assert "Funding calls closing soon:" in text
    assert "Cases overdue in their state:" in text
    assert "Alfa biedrība" in text
    assert "Beta fonds" not in text  # only her case
    assert sent_count(rt) == 6

    # the next day: the same reminders are not sent again
    assert reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 2)) == []
    assert len(inbox.received) == 2
    assert sent_count(rt) == 6


def test_a_dry_run_sends_and_records_nothing(
    rt: Runtime, programme: dict[str, int], smtp: tuple[Inbox, MailSettings]
) -> None:
    inbox, settings = smtp
    dry = reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1), dry_run=True)
    assert [(d.user, d.status) for d in dry] == [("anna", "would_send"), ("ilze", "would_send")]
    assert inbox.received == []
    assert sent_count(rt) == 0
    real = reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1))
    assert [d.body for d in real] == [d.body for d in dry]


def test_only_new_items_go_out_later(
    rt: Runtime, programme: dict[str, int], smtp: tuple[Inbox, MailSettings]
) -> None:
    inbox, settings = smtp
    early = reminders.remind(rt, Mailer(settings), as_of=date(2023, 5, 1))  # overdue only
    assert {i.kind for d in early for i in d.items} == {"step"}
    later = reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1))  # now the calls
    assert {i.kind for d in later for i in d.items} == {"call"}
    assert len(inbox.to("ilze@x.lv")) == 2


def test_a_refused_send_records_nothing_and_the_next_run_sends(
    rt: Runtime, programme: dict[str, int], smtp: tuple[Inbox, MailSettings]
) -> None:
    inbox, settings = smtp
    down = MailSettings(smtp_host="127.0.0.1", smtp_port=free_port())  # nothing listens
    with pytest.raises(ConnectionRefusedError):
        reminders.remind(rt, Mailer(down), as_of=date(2023, 12, 1))
    assert sent_count(rt) == 0
    assert len(reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1))) == 2
    assert len(inbox.received) == 2


def test_without_a_host_mail_goes_to_the_log_and_counts_as_sent(
    rt: Runtime, programme: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="workflow.mail"):
        digests = reminders.remind(rt, Mailer(MailSettings(smtp_host="")), as_of=date(2023, 12, 1))
    assert {d.status for d in digests} == {"logged"}
    assert "mail (no INKUBATORS_SMTP_HOST, not sent) to ilze@x.lv" in caplog.text
    assert "Alfa biedrība" in caplog.text
    assert reminders.remind(rt, Mailer(MailSettings(smtp_host="")), as_of=date(2023, 12, 1)) == []


def test_a_user_without_an_address_is_named_and_reminded_once_they_have_one(
    rt: Runtime, programme: dict[str, int], smtp: tuple[Inbox, MailSettings]
) -> None:
    inbox, settings = smtp
    contacts.set_email(rt, "anna", None)
    digests = reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1))
    assert [(d.user, d.status) for d in digests] == [("anna", "no_address"), ("ilze", "sent")]
    contacts.set_email(rt, "anna", "anna@x.lv")
    again = reminders.remind(rt, Mailer(settings), as_of=date(2023, 12, 1))
    assert [(d.user, d.status) for d in again] == [("anna", "sent")]


def test_a_bad_address_is_refused_naming_the_field(rt: Runtime, programme: dict[str, int]) -> None:
    from workflow.errors import InvalidInput

    for bad in ("anna", "anna@", "a b@x.lv", "x" * 250 + "@x.lv"):
        with pytest.raises(InvalidInput) as exc:
            contacts.set_email(rt, "anna", bad)
        assert set(exc.value.errors) == {"email"}


def test_the_demo_dry_run_lists_the_pilots_calls_closing_soon(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(rt)
    monkeypatch.setattr(inkubators.cli, "runtime", lambda migrate=True: rt)
    result = CliRunner().invoke(main, ["remind", "--dry-run", "--as-of", "2024-01-20"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "== ilze (coordinator, no address): 11 reminder(s), would send" in out
    for line in (
        "Fotast: konkurss Valsts kultūrkapitāla fonds — Kultūras projektu konkurss 2024, "
        "1. kārta slēdzas 15.02.2024.",
        "Liepājas Restaurācijas biedrība: konkurss Valsts kultūrkapitāla fonds",
        "Keep The Change: konkurss Erasmus+ (Jaunatnes starptautisko programmu aģentūra) — "
        "KA210 mazās partnerības 2024 slēdzas 05.03.2024.",
    ):
        assert line in out
    assert "Lielie projekti 2023" in out  # decisions expected on the autumn's applications
    assert sent_count(rt) == 0
    bad = CliRunner().invoke(main, ["remind", "--as-of", "20.01.2024"])
    assert bad.exit_code == 2
    assert "--as-of" in bad.output


def test_the_command_sends_then_says_nothing_new_and_names_an_unreachable_server(
    rt: Runtime,
    programme: dict[str, int],
    smtp: tuple[Inbox, MailSettings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, settings = smtp
    monkeypatch.setattr(inkubators.cli, "runtime", lambda migrate=True: rt)
    down = {"INKUBATORS_SMTP_HOST": "127.0.0.1", "INKUBATORS_SMTP_PORT": str(free_port())}
    failed = CliRunner().invoke(main, ["remind", "--as-of", "2023-12-01"], env=down)
    assert failed.exit_code == 1
    assert "error: could not send mail through 127.0.0.1:" in failed.stderr
    assert "nothing was recorded as sent" in failed.stderr
    assert sent_count(rt) == 0
    up = {"INKUBATORS_SMTP_HOST": "127.0.0.1", "INKUBATORS_SMTP_PORT": str(settings.smtp_port)}
    sent = CliRunner().invoke(main, ["remind", "--as-of", "2023-12-01"], env=up)
    assert sent.exit_code == 0, sent.output
    assert "== ilze (coordinator, ilze@x.lv): 4 reminder(s), sent" in sent.stdout
    assert len(inbox.received) == 2
    again = CliRunner().invoke(main, ["remind", "--as-of", "2023-12-01"], env=up)
    assert again.stdout == "nothing new to remind anyone of\n"


def test_users_set_their_own_address_and_only_user_managers_set_others(
    rt: Runtime, programme: dict[str, int]
) -> None:
    from workflow.accounts import get_user_by_name
    from workflow.errors import Forbidden

    anna = get_user_by_name(rt, "anna").actor()
    contacts.set_email(rt, "anna", "anna@liepaja.lv", actor=anna)
    assert contacts.email_of(rt, anna.user_id or 0) == "anna@liepaja.lv"
    with pytest.raises(Forbidden):
        contacts.set_email(rt, "ilze", "anna@liepaja.lv", actor=anna)
    assert contacts.email_of(rt, get_user_by_name(rt, "ilze").id) == "ilze@x.lv"
