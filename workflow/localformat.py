"""Dates and EUR amounts written the way each language writes them.

The engine words its reasons in Latvian and English; a Latvian reader expects
``01.02.2024.`` and ``1 234,50 EUR``, an English one ``Feb 1, 2024`` and ``1,234.50 EUR``.
Latvian days are numeric because reasons put them mid-sentence, where the CLDR medium
form (``2024. gada 1. februāris``) would need the month declined (``1. februārī``). The web UI formats its own figures with these same functions, so a
date in a guard's reason reads exactly like the same date in the table beside it.
Babel supplies the CLDR patterns; nothing here depends on Flask.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

# Day, month, full year and the ordinal's closing dot, as Latvian writes a numeric date.
LATVIAN_DAY = "dd.MM.y."


def day(value: date, lang: str) -> str:
    """A calendar day: numeric in Latvian, the CLDR medium form otherwise (``Feb 1, 2024``)."""
    return str(format_date(value, LATVIAN_DAY if lang == "lv" else "medium", locale=lang))


def eur(amount: Decimal, lang: str) -> str:
    """An amount of euros with two decimals and the language's digit grouping."""
    return f"{format_decimal(amount, format='#,##0.00', locale=lang)} EUR"
