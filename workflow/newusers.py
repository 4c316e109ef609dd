"""Adding one account inside a service's transaction: the one rule for who is bound to an
organisation, shared by the operator's and admin's ``add_user`` (:mod:`workflow.accounts`)
and a coordinator's invitation of a representative (:mod:`workflow.invitations`).

A representative is bound to exactly one organisation when the account is added, and only
a representative is; the binding is in the account log's ``user_added`` event, so
``audit verify`` names a row whose organisation differs (:mod:`workflow.accountbind`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import accountlog
from workflow.actors import Actor
from workflow.errors import Conflict, InvalidInput
from workflow.orm import Organisation, User

#: The role bound to one organisation.
REPRESENTATIVE = "representative"


def organisation_binding(s: Session, role: str, reg_no: str | None) -> int | None:
    """The id of the organisation a new account of ``role`` is bound to, or a refusal
    naming the ``organisation`` field."""
    if role != REPRESENTATIVE:
        if reg_no is not None:
            raise InvalidInput(
                {"organisation": f"only a {REPRESENTATIVE} is bound to an organisation"},
                {"organisation": "organizācijai piesaista tikai pārstāvi (representative)"},
            )
        return None
    if reg_no is None:
        raise InvalidInput(
            {
                "organisation": "a representative is bound to one organisation: give its register number"
            },
            {
                "organisation": "pārstāvis ir piesaistīts vienai organizācijai: norādiet tās reģistrācijas numuru"
            },
        )
    org_id = s.scalar(select(Organisation.id).where(Organisation.reg_no == reg_no))
    if org_id is None:
        raise InvalidInput(
            {"organisation": f"no organisation has register number {reg_no}"},
            {"organisation": f"nav organizācijas ar reģistrācijas numuru {reg_no}"},
        )
    return org_id


def insert_user(
    s: Session,
    *,
    name: str,
    role: str,
    locale: str,
    password_hash: str | None,
    organisation_id: int | None,
    actor: Actor | None,
    at: datetime,
    email: str | None = None,
) -> User:
    """Insert the account and its ``user_added`` event in ``s``'s transaction."""
    if s.scalar(select(User.id).where(User.name == name)):
        raise Conflict(f"user {name!r} exists", "duplicate", f"Lietotājs {name} jau pastāv.")
    user = User(
        name=name,
        role=role,
        locale=locale,
        password_hash=password_hash,
        active=True,
        session_epoch=0,
        created_at=at,
        email=email,
        organisation_id=organisation_id,
    )
    s.add(user)
    s.flush()
    details: dict[str, object] = {"role": role, "password": password_hash is not None}
    if organisation_id is not None:
        details["organisation_id"] = organisation_id
    if email is not None:
        details["email"] = email
    accountlog.append(s.connection(), actor, "user_added", name, at, details)
    return user
