"""Where a user's reminders go: set or clear their e-mail address, in the account log.

Kept apart from :mod:`workflow.accounts` (roles, standing, passwords): an address only
decides where ``inkubators remind`` sends a user's digest. A user without one gets none
(the run names them).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update

from workflow import accountlog
from workflow.actors import Actor
from workflow.db import read
from workflow.errors import InvalidInput, NotFound
from workflow.limits import EMAIL_MAX
from workflow.orm import User
from workflow.permissions import require_action
from workflow.runtime import Runtime

#: One ``@`` with something on each side, no spaces or control characters: what a mail
#: server is handed; whether it is delivered is the server's answer.
ADDRESS = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


def check_email(value: str) -> str:
    """The address stripped, or ``InvalidInput`` naming ``email``."""
    value = value.strip()
    if len(value) > EMAIL_MAX or not ADDRESS.match(value):
        raise InvalidInput(
            {"email": f"not an e-mail address (name@example.lv, at most {EMAIL_MAX} characters)"},
            {
                "email": f"nav e-pasta adrese (vards@piemers.lv, ne vairāk kā {EMAIL_MAX} rakstzīmes)"
            },
        )
    return value


def set_email(
    rt: Runtime,
    name: str,
    email: str | None,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> None:
    """Set (``None``: clear) the user's e-mail address; ``actor`` None: the command line.
    Users set their own; someone else's takes the ``manage_users`` action."""
    if actor is not None and actor.name != name:
        require_action(rt.rules, actor, "manage_users")
    address = None if email is None else check_email(email)
    when = at or rt.now()
    with rt.engine.begin() as conn:
        found = conn.execute(
            update(User).where(User.name == name).values(email=address).returning(User.id)
        ).first()
        if found is None:
            raise NotFound("user", name)
        accountlog.append(conn, actor, "email_set", name, when, {"email": address})


def email_of(rt: Runtime, user_id: int) -> str | None:
    """The user's e-mail address, if one is set."""
    with read(rt.engine) as conn:
        return conn.scalar(select(User.email).where(User.id == user_id))
