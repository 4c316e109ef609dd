"""Dates and EUR amounts written the way each language writes them.

The engine words its reasons in Latvian and English; a Latvian reader expects
``01.02.2024.`` and ``1 234,50 EUR``, an English one ``1 Feb 2024`` (day, month, year, as
in Europe) and ``1,234.50 EUR``.
Latvian days are numeric because reasons put them mid-sentence, where the CLDR medium
form (``2024. gada 1. februāris``) would need the month declined (``1. februārī``). The web UI formats its own figures with these same functions, so a
date in a guard's reason reads exactly like the same date in the table beside it.
Babel supplies the CLDR patterns; nothing here depends on Flask.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from workflow.runtime import PROGRAMME_ZONE

# Day, month, full year and the ordinal's closing dot, as Latvian writes a numeric date.
LATVIAN_DAY = "dd.MM.y."
# English in the day-month-year order used in Europe, the year in full: ``1 Feb 2024``.
ENGLISH_DAY = "d MMM y"
# With the time of day (24-hour clock in both languages).
LATVIAN_TIME = "dd.MM.y. HH:mm"
ENGLISH_TIME = "d MMM y, HH:mm"


@lru_cache(maxsize=8192)  # lists and digests word the same days over and over
def day(value: date, lang: str) -> str:
    """A calendar day: ``01.02.2024.`` in Latvian, ``1 Feb 2024`` otherwise; the year
    always has four digits."""
    return str(format_date(value, LATVIAN_DAY if lang == "lv" else ENGLISH_DAY, locale=lang))


def day_time(value: datetime, lang: str) -> str:
    """A moment in the programme's zone (Riga): ``01.02.2024. 13:05`` or ``1 Feb 2024, 13:05``."""
    pattern = LATVIAN_TIME if lang == "lv" else ENGLISH_TIME
    return str(format_datetime(value, pattern, tzinfo=PROGRAMME_ZONE, locale=lang))


def eur(amount: Decimal, lang: str) -> str:
    """An amount of euros with two decimals and the language's digit grouping."""
    return f"{format_decimal(amount, format='#,##0.00', locale=lang)} EUR"
