"""The programme's words: codes stored in the data, with their Latvian and English names.

One list for everyone: the engine words its own reasons with it (eligibility refusals)
and the web UI labels checkboxes, selects and pages with it. A code missing here is
shown as it is, never hidden or refused (the policy decides what is allowed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Words(NamedTuple):
    """A code's name in Latvian and in English."""

    lv: str
    en: str


#: Fields of activity of an organisation; also the domains of sources and applications.
FIELDS: dict[str, Words] = {
    "social": Words("sociālie pakalpojumi", "social services"),
    "culture": Words("kultūra", "culture"),
    "education": Words("izglītība", "education"),
    "environment": Words("vide", "environment"),
    "technology": Words("tehnoloģijas", "technology"),
    "urban_environment": Words("pilsētvide", "urban environment"),
    "heritage": Words("kultūras mantojums", "cultural heritage"),
    "ngo_strengthening": Words("NVO stiprināšana", "NGO strengthening"),
    "networking": Words("sadarbības tīkli", "networking"),
    "real_estate_management": Words("nekustamā īpašuma apsaimniekošana", "real estate management"),
    "youth": Words("jaunatne", "youth"),
    "health": Words("veselība", "health"),
    "sport": Words("sports", "sport"),
}

#: What a needs analysis finds an organisation needs help with.
NEEDS: dict[str, Words] = {
    "fundraising": Words("finansējuma piesaiste", "fundraising"),
    "project_management": Words("projektu vadība", "project management"),
    "audience_development": Words("auditorijas attīstība", "audience development"),
    "networking": Words("sadarbības tīkli", "networking"),
    "volunteer_management": Words("brīvprātīgo vadība", "volunteer management"),
    "advocacy": Words("interešu aizstāvība", "advocacy"),
    "international_partnerships": Words("starptautiskās partnerības", "international partnerships"),
    "heritage_management": Words("mantojuma pārvaldība", "heritage management"),
    "community_engagement": Words("kopienas iesaiste", "community engagement"),
    "governance": Words("pārvaldība", "governance"),
    "communication": Words("komunikācija", "communication"),
    "finance": Words("finanses", "finance"),
}

#: Legal forms of NGOs in Latvia.
LEGAL_FORMS: dict[str, Words] = {
    "association": Words("biedrība", "association"),
    "foundation": Words("nodibinājums", "foundation"),
}


def lv(code: str) -> str:
    """The Latvian name of a field or legal form code, or the code itself when unknown."""
    words = FIELDS.get(code) or LEGAL_FORMS.get(code)
    return words.lv if words else code


def lv_one(n: int | Decimal) -> bool:
    """Latvian takes the singular after whole numbers ending in 1, except 11 (21, 31, 101…)."""
    return n == int(n) and int(n) % 10 == 1 and int(n) % 100 != 11
