"""Words stored as codes (roles, statuses, legal forms, fields of activity, need areas,
policy actions, rule kinds) with their labels in the user's language.

The engine stores and validates codes (``education``, ``manage_policies``); people read
labels. A code the vocabulary does not know yet is shown as it is, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

WORDS = (
    _l("coordinator"),
    _l("mentor"),
    _l("auditor"),
    _l("admin"),
    _l("drafted"),
    _l("submitted"),
    _l("awarded"),
    _l("rejected"),
    _l("association"),
    _l("foundation"),
)

# Fields of activity of an organisation, and the domains of funding sources and applications.
FIELDS: dict[str, Any] = {
    "social": _l("social services"),
    "culture": _l("culture"),
    "education": _l("education"),
    "environment": _l("environment"),
    "technology": _l("technology"),
    "urban_environment": _l("urban environment"),
    "heritage": _l("cultural heritage"),
    "ngo_strengthening": _l("NGO strengthening"),
    "networking": _l("networking"),
    "real_estate_management": _l("real estate management"),
    "youth": _l("youth"),
    "health": _l("health"),
    "sport": _l("sport"),
}

# What a needs analysis finds an organisation needs help with.
NEEDS: dict[str, Any] = {
    "fundraising": _l("fundraising"),
    "project_management": _l("project management"),
    "audience_development": _l("audience development"),
    "networking": _l("networking"),
    "volunteer_management": _l("volunteer management"),
    "advocacy": _l("advocacy"),
    "international_partnerships": _l("international partnerships"),
    "heritage_management": _l("heritage management"),
    "community_engagement": _l("community engagement"),
    "governance": _l("governance"),
    "communication": _l("communication"),
    "finance": _l("finance"),
}

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
}

# Kinds of evidence (``roles.<role>.evidence``), as refused by ``record <kind>``.
EVIDENCE: dict[str, Any] = {
    "analysis": _l("record the needs analysis"),
    "consultation": _l("record consultations"),
    "source_selection": _l("select funding sources"),
    "application": _l("add applications"),
    "application_update": _l("record submissions and decisions"),
    "mentor_assignment": _l("assign mentors"),
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


def need_label(code: str) -> str:
    """A need area."""
    return label(NEEDS, code)
