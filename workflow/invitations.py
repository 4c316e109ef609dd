"""Inviting an organisation's representative: a coordinator names the person and their
e-mail address; the account is added (role ``representative``, bound to the organisation,
no password) and mailed a one-time link to set a password.

The link's token is 32 random bytes (URL-safe); only its SHA-256 is stored, so a copy of
the database cannot use a pending invitation. It works once and until the policy's
``tokens.invitation_days`` have passed. The account, the invitation and both account-log
events are one transaction, and the mail is handed to the SMTP server inside it: a mail
that cannot be sent leaves nothing written (the coordinator tries again).
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from workflow import accountlog, newusers
from workflow.actors import Actor
from workflow.errors import Conflict, NotFound
from workflow.mail import Mailer
from workflow.orm import ApiToken, Invitation, Organisation, User
from workflow.permissions import require_action
from workflow.runtime import Runtime
from workflow.schemas import RepresentativeIn
from workflow.users import hash_password


@dataclass(frozen=True, slots=True)
class Invited:
    """The representative's account as added and until when their link works."""

    user_id: int
    name: str
    organisation_id: int
    email: str
    expires_at: datetime


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def _mail_text(org: str, name: str, link: str, days: int) -> tuple[str, str]:
    subject = "Uzaicinājums: NVO izaugsmes inkubators / Invitation: NGO growth incubator"
    body = (
        f"Labdien!\n\nJūs esat uzaicināts kā organizācijas “{org}” pārstāvis "
        f"(lietotājvārds: {name}). Iestatiet paroli šeit (saite derīga {days} dienas un "
        f"vienu reizi):\n{link}\n\n"
        f"Hello,\n\nyou are invited as the representative of “{org}” (user name: {name}). "
        f"Set your password here (the link works once, for {days} days):\n{link}\n"
    )
    return subject, body


def invite(
    rt: Runtime,
    actor: Actor,
    organisation_id: int,
    data: RepresentativeIn,
    *,
    link_base: str,
    mailer: Mailer | None = None,
) -> Invited:
    """Add the representative, store the invitation, mail the link ``link_base + token``."""
    require_action(rt.rules, actor, "invite_representatives")
    when = rt.now()
    days = rt.rules.policy.spec.tokens.invitation_days
    token = secrets.token_urlsafe(32)
    with Session(rt.engine, expire_on_commit=False) as s, s.begin():
        org = s.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("organisation", organisation_id)
        user = newusers.insert_user(
            s,
            name=data.name,
            role=newusers.REPRESENTATIVE,
            locale=data.locale,
            password_hash=None,
            organisation_id=org.id,
            actor=actor,
            at=when,
            email=data.email,
        )
        inv = Invitation(
            user_id=user.id,
            token_hash=digest(token),
            created_at=when,
            expires_at=when + timedelta(days=days),
        )
        s.add(inv)
        s.flush()
        details = {
            "invitation_id": inv.id,
            "email": data.email,
            "expires_at": inv.expires_at.isoformat(),
        }
        accountlog.append(s.connection(), actor, "invitation_sent", user.name, when, details)
        mail = mailer or Mailer()
        subject, body = _mail_text(org.name, user.name, link_base + token, days)
        try:
            mail.send(mail.compose(data.email, subject, body))
        except (smtplib.SMTPException, OSError) as exc:  # rolls the account back too
            raise Conflict(
                f"the invitation could not be mailed to {data.email} ({exc}); nothing was "
                "saved: try again",
                "mail_failed",
                f"uzaicinājumu neizdevās nosūtīt uz {data.email} ({exc}); nekas netika "
                "saglabāts: mēģiniet vēlreiz",
            ) from exc
        return Invited(user.id, user.name, org.id, data.email, inv.expires_at)


def _refused(why_en: str, why_lv: str) -> Conflict:
    return Conflict(
        f"this invitation link {why_en}", "invitation", f"Šī uzaicinājuma saite {why_lv}"
    )


def pending(rt: Runtime, token: str) -> str:
    """The user name a working link is for, or why it does not work."""
    with Session(rt.engine) as s:
        row = s.execute(
            select(Invitation, User.name, User.active)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.token_hash == digest(token))
        ).first()
        return _check(rt, row)


def _check(rt: Runtime, row: Row[Invitation, str, bool] | None) -> str:
    """The user name of a working invitation, or why it does not work."""
    if row is None:
        raise _refused("is unknown", "nav zināma")
    inv, name, active = row
    if inv.used_at is not None:
        raise _refused("was already used", "jau izmantota")
    expires = inv.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive UTC
        expires = expires.replace(tzinfo=UTC)
    if expires <= rt.now():
        raise _refused(
            "has expired: ask the coordinator for a new one",
            "vairs nav derīga: lūdziet koordinatoram jaunu",
        )
    if not active:
        raise _refused("belongs to a deactivated account", "pieder deaktivizētam kontam")
    return name


def accept(rt: Runtime, token: str, password: str) -> str:
    """Set the invited user's password through a working link, once; returns the name."""
    pw_hash = hash_password(password)
    when = rt.now()
    with Session(rt.engine) as s, s.begin():
        row = s.execute(
            select(Invitation, User.name, User.active)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.token_hash == digest(token))
            .with_for_update()
        ).first()
        name = _check(rt, row)
        assert row is not None
        inv = row[0]
        used = s.execute(
            update(Invitation)
            .where(Invitation.id == inv.id, Invitation.used_at.is_(None))
            .values(used_at=when)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise _refused("was already used", "jau izmantota")
        s.execute(
            update(User)
            .where(User.id == inv.user_id)
            .values(password_hash=pw_hash, session_epoch=User.session_epoch + 1)
        )
        ended = s.scalars(
            update(ApiToken)
            .where(ApiToken.user_id == inv.user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=when, revoked_reason="password_set")
            .returning(ApiToken.id)
        ).all()
        details = {"invitation_id": inv.id, "tokens_revoked": sorted(ended)}
        who = Actor(name, newusers.REPRESENTATIVE, inv.user_id)
        accountlog.append(s.connection(), who, "password_set", name, when, details)
    return name
