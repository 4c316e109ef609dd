"""Dates and amounts in reasons read as each language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.localformat import day, eur


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("lv", "01.02.2024."), ("en", "1 Feb 2024")],
)
def test_day_in_each_language(lang: str, expected: str) -> None:
    assert day(date(2024, 2, 1), lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("lv", "1\u00a0234\u00a0567,50 EUR"), ("en", "1,234,567.50 EUR"), ("lv", "0,00 EUR")],
)
def test_eur_groups_digits_and_keeps_two_decimals(lang: str, expected: str) -> None:
    amount = Decimal("0") if expected.startswith("0") else Decimal("1234567.5")
    assert eur(amount, lang) == expected
