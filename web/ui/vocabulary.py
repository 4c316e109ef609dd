"""Words stored as codes (roles, statuses, legal forms, fields of activity, need areas,
policy actions, rule kinds, account log actions) with their labels in the user's language.
Evidence kinds carry their own words (``workflow.evidence``).

The engine stores and validates codes (``education``, ``manage_policies``); people read
labels. Fields of activity and need areas come from the engine's vocabulary
(:mod:`workflow.vocabulary`, which also words its own refusals); the UI's own words are in
the message catalogue. A code the vocabulary does not know yet is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from workflow import vocabulary as words
from workflow.vocabulary import Words

WORDS = (
    _l("coordinator"),
    _l("mentor"),
    _l("auditor"),
    _l("admin"),
    _l("representative"),
    _l("operator"),  # who the account log names for a change made at the command line
    _l("drafted"),
    _l("submitted"),
    _l("awarded"),
    _l("rejected"),
    _l("association"),
    _l("foundation"),
)


class Named:
    """Words from the engine (a code's name, a field's label), in the language of the
    current request when shown: usable where a lazy label is, as in a form field."""

    __slots__ = ("words",)

    def __init__(self, words: Words) -> None:
        self.words = words

    def __str__(self) -> str:
        return self.words.lv if str(get_locale()) == "lv" else self.words.en


# Fields of activity (also domains) and need areas: the engine's own list, one for both.
FIELDS: dict[str, Any] = {code: Named(w) for code, w in words.FIELDS.items()}
NEEDS: dict[str, Any] = {code: Named(w) for code, w in words.NEEDS.items()}

# The policy's administrative actions (``roles.<role>.actions``).
ACTIONS: dict[str, Any] = {
    "enrol": _l("enrol organisations"),
    "manage_organisations": _l("register organisations"),
    "manage_cycles": _l("manage cycles"),
    "manage_funding_sources": _l("manage funding sources"),
    "read_audit": _l("read the audit log"),
    "assign_mentor": _l("assign mentors"),
    "manage_users": _l("manage users"),
    "manage_policies": _l("manage the workflow rules"),
    "record_for_others": _l("record consultations in another mentor's name"),
    "read_budget": _l("see the cycles' budgets"),
    "read_reports": _l("read the council report"),
    "upload_documents": _l("upload documents"),
    "import_register": _l("import the register of organisations"),
    "read_register": _l("read the register's statistics"),
    "invite_representatives": _l("invite organisations' representatives"),
}

# What the account log records (``workflow.accountlog.ACTIONS``).
ACCOUNT_ACTIONS: dict[str, Any] = {
    "user_added": _l("User added"),
    "role_changed": _l("Role changed"),
    "deactivated": _l("Deactivated"),
    "reactivated": _l("Reactivated"),
    "password_set": _l("Password set"),
    "token_created": _l("API token issued"),
    "token_revoked": _l("API token revoked"),
    "email_set": _l("E-mail address set"),
    "organisation_changed": _l("Organisation edited"),
    "cycle_changed": _l("Cycle edited"),
    "funding_source_changed": _l("Funding source edited"),
    "invitation_sent": _l("Invited as the organisation's representative"),
}

# Rules versions: which file set, and what activated it.
RULE_KINDS: dict[str, Any] = {"policy": _l("policy"), "states": _l("states")}
ACTIVATED_BY: dict[str, Any] = {
    "startup": _l("service start"),
    "file change": _l("file change"),
}

# Kinds of record a ``NotFound`` names.
RECORDS: dict[str, Any] = {
    "application": _l("Application"),
    "audit event": _l("Audit event"),
    "case": _l("Case"),
    "cycle": _l("Cycle"),
    "document": _l("Document"),
    "document file": _l("Document's stored file"),
    "organisation": _l("Organisation"),
    "funding source": _l("Funding source"),
    "funding_source": _l("Funding source"),
    "rules version": _l("Rules version"),
    "user": _l("User"),
}


def label(table: Mapping[str, Any], code: str) -> str:
    """The label of ``code`` in the user's language, or the code itself when unknown."""
    text = table.get(code)
    return str(text) if text is not None else code


def labels(table: Mapping[str, Any], codes: Iterable[str]) -> str:
    """Several codes as a comma-separated list of labels ("–" for none)."""
    return ", ".join(label(table, c) for c in codes) or "–"


def choices(table: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(code, label) pairs in the user's language, sorted by label, for a form."""
    return sorted(((c, str(t)) for c, t in table.items()), key=lambda p: p[1].casefold())


def field_label(code: str) -> str:
    """A field of activity or domain."""
    return label(FIELDS, code)
