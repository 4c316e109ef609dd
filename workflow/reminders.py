"""``inkubators remind``: one e-mail digest per user of the policy's ``reminders.roles``.

Each digest lists what falls due on the cases the user may see (:mod:`workflow.dueitems`:
funding calls closing within the policy's lead days for cases that have not submitted to
them, cases overdue in their state, decisions expected), in the user's language, leaving
out every item already sent to them. What was sent is remembered in ``reminders_sent``,
written in the transaction that sends the digest: a digest the SMTP server refused is
recorded as nothing, and the unique (user, key) pair keeps two runs, even at once, from
sending the same reminder twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from workflow.actors import Actor
from workflow.dueitems import DueItem, due_items, reminder_window
from workflow.localformat import day as fmt_day
from workflow.mail import Mailer
from workflow.orm import ReminderSent, User
from workflow.rules import Rules
from workflow.runtime import Runtime

logger = logging.getLogger(__name__)

Status = Literal["sent", "logged", "would_send", "no_address", "sent_elsewhere"]

#: The digest's sections, in order: the item kind and its heading (lv, en).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("call", "Konkursi, kas drīz slēdzas:", "Funding calls closing soon:"),
    ("step", "Lietas, kas pārsniegušas termiņu savā stāvoklī:", "Cases overdue in their state:"),
    ("decision", "Gaidāmie lēmumi:", "Decisions expected:"),
)


@dataclass(frozen=True, slots=True)
class Digest:
    """One user's digest and what became of it."""

    user: str
    role: str
    email: str | None
    lang: str
    items: tuple[DueItem, ...]
    subject: str
    body: str
    status: Status


def compose(user: str, lang: str, as_of: date, items: list[DueItem]) -> tuple[str, str]:
    """The digest's subject and plain-text body in ``lang`` (Latvian unless English)."""
    en = lang == "en"
    subject = (
        f"Inkubators: reminders for {fmt_day(as_of, 'en')}"
        if en
        else f"Inkubators: atgādinājumi {fmt_day(as_of, 'lv')}"
    )
    lines = [f"Hello, {user}!" if en else f"Labdien, {user}!", ""]
    for kind, lv, en_heading in SECTIONS:
        chosen = [i for i in items if i.kind == kind]
        if chosen:
            lines.append(en_heading if en else lv)
            lines.extend(f"  - {i.text(lang)}" for i in chosen)
            lines.append("")
    lines.append(
        "An automatic reminder from Inkubators; each reminder is sent once."
        if en
        else "Automātisks atgādinājums no Inkubators; katru atgādinājumu sūtām vienreiz."
    )
    return subject, "\n".join(lines) + "\n"


def remind(
    rt: Runtime, mailer: Mailer, *, as_of: date | None = None, dry_run: bool = False
) -> list[Digest]:
    """Send (or, ``dry_run``, only compose) each recipient's digest of what was not sent
    to them before; users with nothing new get none. Returns the digests by user name."""
    rules = rt.rules
    day = as_of or rt.today()
    roles = list(rules.policy.spec.reminders.roles)
    with rt.engine.connect() as conn:
        users = conn.execute(
            select(User.id, User.name, User.role, User.locale, User.email)
            .where(User.active.is_(True), User.role.in_(roles))
            .order_by(User.name)
        ).all()
    out = []
    for user_id, name, role, locale, email in users:
        digest = _one(rt, rules, mailer, Actor(name, role, user_id), locale, email, day, dry_run)
        if digest is not None:
            out.append(digest)
    return out


def _one(
    rt: Runtime,
    rules: Rules,
    mailer: Mailer,
    who: Actor,
    locale: str,
    email: str | None,
    day: date,
    dry_run: bool,
) -> Digest | None:
    lang = "en" if locale == "en" else "lv"

    def digest(items: list[DueItem], status: Status) -> Digest:
        subject, body = compose(who.name, lang, day, items)
        return Digest(who.name, who.role, email, lang, tuple(items), subject, body, status)

    if dry_run or not email:
        with rt.engine.connect() as conn:
            items = _unsent(conn, rules, who, day)
        if not items:
            return None
        if not dry_run:
            logger.warning("reminders for %s not sent: the user has no e-mail address", who.name)
        return digest(items, "would_send" if dry_run else "no_address")
    try:
        with rt.engine.begin() as conn:  # the record and the sending stand or fall together
            items = _unsent(conn, rules, who, day)
            if not items:
                return None
            now = rt.now()
            conn.execute(
                insert(ReminderSent),
                [
                    {"user_id": who.user_id, "key": i.key, "due_on": i.due_on, "sent_at": now}
                    for i in items
                ],
            )
            done = digest(items, "logged" if mailer.to_log else "sent")
            mailer.send(mailer.compose(email, done.subject, done.body))
    except IntegrityError:  # another run sent these in the meantime
        return digest([], "sent_elsewhere")
    return done


def _unsent(conn: Connection, rules: Rules, who: Actor, day: date) -> list[DueItem]:
    items = due_items(conn, rules, who, reminder_window(rules, day))
    if not items:
        return []
    sent = set(
        conn.scalars(
            select(ReminderSent.key).where(
                ReminderSent.user_id == who.user_id,
                ReminderSent.key.in_([i.key for i in items]),
            )
        )
    )
    return [i for i in items if i.key not in sent]
