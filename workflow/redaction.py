"""The audit log for an outside reviewer: names replaced by stable pseudonyms, free text
withheld, and everything the figures rest on kept (states, dates, amounts, ids, hashes).

Why pseudonyms and not blanks: a reviewer checking the programme's figures must still see
that the same organisation applied three times, or that one mentor held every
consultation of a case, without learning who they are. A pseudonym is an HMAC of the name
under the server's secret, so the same name gets the same pseudonym in every export made
with that secret, and nobody without the secret can try names until one matches (a plain
hash of a register number could be reversed by trying all of them).

What counts as what is decided here, by payload key, for every event this engine writes:
people (actors, mentors, whoever entered or recorded something), organisations (their
names and register numbers), free text (comments, findings, topics, titles, notes, file
names), which are withheld because a name can hide in any sentence. A key not listed is
kept: codes, numbers, dates, ids and hashes. The redacted events no longer match their
hashes (a comment is part of what is hashed); the hashes are kept so that a reviewer can
match each event with a signed checkpoint and a full verification run by the auditor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

#: Payload and event keys naming a person (a user or a contact).
PERSON_KEYS = frozenset(
    {"actor", "mentor", "entered_by", "recorded_by", "user", "subject", "contact_name"}
)
#: Keys naming an organisation or identifying it.
ORGANISATION_KEYS = frozenset({"organisation", "organisation_name", "reg_no", "regcode"})
#: Free text, where any name may hide: withheld whole.
TEXT_KEYS = frozenset(
    {"comment", "findings", "topic", "title", "text", "filename", "needs", "project_ideas"}
)
#: Contact details: withheld whole.
CONTACT_KEYS = frozenset({"email", "phone", "address"})
WITHHELD = "[withheld]"


class Pseudonyms:
    """Name → pseudonym under one key: ``Person-1a2b3c4d``, ``Organisation-5e6f7a8b``."""

    def __init__(self, key: bytes | None) -> None:
        #: without a key, a random one: pseudonyms then hold only within this export
        self.stable = key is not None
        self._key = key if key is not None else secrets.token_bytes(32)

    def of(self, kind: str, name: str) -> str:
        """The pseudonym of ``name`` (a person or an organisation)."""
        mac = hmac.new(self._key, f"{kind}\x00{name}".encode(), hashlib.sha256)
        return f"{kind}-{mac.hexdigest()[:10]}"


def _value(key: str, value: Any, names: Pseudonyms) -> Any:
    if value is None or value == "":
        return value
    if key in PERSON_KEYS and isinstance(value, str):
        return names.of("Person", value)
    if key in ORGANISATION_KEYS and isinstance(value, str):
        return names.of("Organisation", value)
    if key in TEXT_KEYS or key in CONTACT_KEYS:
        return WITHHELD
    if isinstance(value, dict):
        return {k: _value(k, v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(key, v, names) for v in value]
    return value


def redact_event(event: dict[str, Any], names: Pseudonyms) -> dict[str, Any]:
    """One exported event (``auditlog``'s export shape) with names and free text replaced;
    guards keep their names and results, their messages only where they name no one."""
    out = {k: _value(k, v, names) for k, v in event.items() if k not in ("guards", "payload")}
    out["payload"] = _value("payload", event.get("payload") or {}, names)
    out["guards"] = [_guard(g, names) for g in event.get("guards") or []]
    return out


def _guard(g: Any, names: Pseudonyms) -> Any:
    """A guard's verdict: its name and result kept; its message is the rules' own wording
    of the evidence (counts, dates, areas), but may quote a title, so it is withheld."""
    if not isinstance(g, dict):
        return g
    return {k: (WITHHELD if k == "message" and v else v) for k, v in g.items()}


def redactor(key: bytes | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function that redacts one exported event after another with the same pseudonyms."""
    names = Pseudonyms(key)
    return lambda event: redact_event(event, names)


def key_from_secret(secret: str | None) -> bytes | None:
    """The pseudonym key derived from the server's secret (None: no secret configured)."""
    if not secret:
        return None
    return hmac.new(secret.encode(), b"inkubators audit redaction", hashlib.sha256).digest()
