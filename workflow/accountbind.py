"""Binding the accounts to the account log: what its replay gives is what the rows say.

The account log's chain proves its events were not edited; the login and the API read
``users.role``, ``users.active`` and ``api_tokens``. So verify replays the log (who was
added with which role and, for a representative, which organisation, role changes, deactivations, tokens issued and revoked) and names
the first user or token whose row differs: a role raised to admin, an account
reactivated, a token row no event issued (a forged token) or whose hash differs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from workflow import referencebind
from workflow.bindings import Bindings, Breach
from workflow.orm import AccountEvent, ApiToken, User

account_events = cast(Table, AccountEvent.__table__)
users = cast(Table, User.__table__)
tokens = cast(Table, ApiToken.__table__)


@dataclass(slots=True)
class _Account:
    role: str | None
    active: bool = True
    organisation_id: int | None = None


@dataclass(slots=True)
class _Token:
    owner: str
    seq: int
    digest: str | None
    revoked: bool = False


@dataclass(slots=True)
class Replay:
    """The accounts as the log tells them."""

    accounts: dict[str, _Account] = field(default_factory=dict)
    tokens: dict[int, _Token] = field(default_factory=dict)
    #: tokens issued before events named them (``token_created`` without ``token_id``)
    anonymous: Counter[str] = field(default_factory=Counter)

    def apply(self, seq: int, action: str, subject: str, details: dict[str, Any]) -> None:
        """One event, in sequence order."""
        if action == "user_added":
            org = details.get("organisation_id")
            self.accounts[subject] = _Account(details.get("role"), True, org)
        elif subject in self.accounts and action == "role_changed":
            self.accounts[subject].role = details.get("to")
        elif subject in self.accounts and action in ("deactivated", "reactivated"):
            self.accounts[subject].active = action == "reactivated"
        elif action == "token_created":
            token_id = details.get("token_id")
            if isinstance(token_id, int):
                self.tokens[token_id] = _Token(subject, seq, details.get("token_sha256"))
            else:
                self.anonymous[subject] += 1
        elif action == "token_revoked":
            self._revoke([details.get("token_id")])
        if action == "password_set":
            self._revoke(details.get("tokens_revoked") or [])

    def _revoke(self, ids: list[Any]) -> None:
        for token_id in ids:
            if token_id in self.tokens:
                self.tokens[token_id].revoked = True


def replay(conn: Connection) -> Replay:
    """Replay the whole account log."""
    out = Replay()
    q = select(
        account_events.c.seq,
        account_events.c.action,
        account_events.c.subject,
        account_events.c.details,
    ).order_by(account_events.c.seq)
    for seq, action, subject, details in conn.execute(q):
        out.apply(seq, action, subject, dict(details or {}))
    return out


def check(conn: Connection) -> Bindings:
    """Users, then tokens, against the replay; stop at the first breach."""
    log = replay(conn)
    found = _users(conn, log)
    if found is not None:
        return Bindings(found)
    bound = _tokens(conn, log)
    if bound.breach is None and (edited := referencebind.check(conn)) is not None:
        return Bindings(edited, bound.unbound)
    return bound


def _users(conn: Connection, log: Replay) -> Breach | None:
    names: set[str] = set()
    q = select(
        users.c.id, users.c.name, users.c.role, users.c.active, users.c.organisation_id
    ).order_by(users.c.id)
    for user_id, name, role, active, org in conn.execute(q).all():
        names.add(name)
        account = log.accounts.get(name)
        if account is None:
            return Breach(
                "users",
                user_id,
                f"{name!r} has no user_added event in the account log: added behind its back",
                f"{name!r} kontu žurnālā nav pievienošanas notikuma: pievienots, apejot to",
            )
        if role != account.role:
            return Breach(
                "users",
                user_id,
                f"{name!r} has role {role!r} but the account log's replay gives {account.role!r}",
                f"{name!r} loma ir {role!r}, bet kontu žurnāls dod {account.role!r}",
            )
        if org != account.organisation_id:
            return Breach(
                "users",
                user_id,
                f"{name!r} is bound to organisation {org!r} but the account log bound it to "
                f"{account.organisation_id!r}",
                f"{name!r} ir piesaistīts organizācijai {org!r}, bet kontu žurnāls to "
                f"piesaistīja {account.organisation_id!r}",
            )
        if bool(active) != account.active:
            now, then = ("active", "deactivated") if active else ("inactive", "active")
            return Breach(
                "users",
                user_id,
                f"{name!r} is {now} but the account log's replay leaves it {then}",
                f"{name!r} statuss neatbilst kontu žurnālam ({now}, žurnālā {then})",
            )
    gone = sorted(set(log.accounts) - names)
    if gone:
        return Breach(
            "users",
            gone[0],
            "the account log added this user but its row is gone",
            "kontu žurnāls šo lietotāju pievienoja, bet tā ieraksta vairs nav",
        )
    return None


def _tokens(conn: Connection, log: Replay) -> Bindings:
    unbound = 0
    anonymous = Counter(log.anonymous)
    revoked_at = tokens.c.get("revoked_at")
    cols = [tokens.c.id, users.c.name, tokens.c.token_hash]
    q = (
        select(*cols, *([revoked_at] if revoked_at is not None else []))
        .select_from(tokens.outerjoin(users, users.c.id == tokens.c.user_id))
        .order_by(tokens.c.id)
    )
    seen: set[int] = set()
    for row in conn.execute(q).all():
        token_id, owner, digest = row[0], row[1], row[2]
        seen.add(token_id)
        issued = log.tokens.get(token_id)
        if issued is None:
            if anonymous[owner] > 0:
                anonymous[owner] -= 1
                unbound += 1
                continue
            return Bindings(_forged(token_id, owner), unbound)
        if issued.owner != owner:
            return Bindings(
                Breach(
                    "api_tokens",
                    token_id,
                    f"belongs to {owner!r} but account event #{issued.seq} issued it to "
                    f"{issued.owner!r}",
                    f"pieder {owner!r}, bet kontu notikums #{issued.seq} to izdeva "
                    f"{issued.owner!r}",
                ),
                unbound,
            )
        if issued.digest is not None and issued.digest != digest:
            return Bindings(
                Breach(
                    "api_tokens",
                    token_id,
                    f"its hash differs from the one account event #{issued.seq} issued",
                    f"tā jaucējvērtība atšķiras no kontu notikumā #{issued.seq} izdotās",
                ),
                unbound,
            )
        if issued.revoked and revoked_at is not None and row[3] is None:
            return Bindings(
                Breach(
                    "api_tokens",
                    token_id,
                    "the account log revoked it but its row is live again",
                    "kontu žurnāls to atsauca, bet tā ieraksts atkal ir derīgs",
                ),
                unbound,
            )
    gone = sorted(set(log.tokens) - seen)
    if gone:
        issued = log.tokens[gone[0]]
        return Bindings(
            Breach(
                "api_tokens",
                gone[0],
                f"account event #{issued.seq} issued it but its row is gone",
                f"kontu notikums #{issued.seq} to izdeva, bet tā ieraksta vairs nav",
            ),
            unbound,
        )
    return Bindings(None, unbound)


def _forged(token_id: int, owner: str | None) -> Breach:
    return Breach(
        "api_tokens",
        token_id,
        f"a token of {owner!r} that no token_created event in the account log issued: "
        "a forged token",
        f"lietotāja {owner!r} pilnvara, ko neizdeva neviens kontu žurnāla notikums: "
        "viltota pilnvara",
    )
