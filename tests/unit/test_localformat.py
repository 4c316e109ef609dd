"""Dates and amounts in reasons read as each language writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from workflow.localformat import day, day_time, eur


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


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("lv", "01.02.2024. 13:05"), ("en", "1 Feb 2024, 13:05")],
)
def test_a_moment_in_riga_time_with_a_four_digit_year(lang: str, expected: str) -> None:
    # 11:05 UTC is 13:05 in Riga in winter
    assert day_time(datetime(2024, 2, 1, 11, 5, tzinfo=UTC), lang) == expected


def test_english_days_read_day_month_year() -> None:
    assert day(date(2023, 10, 19), "en") == "19 Oct 2023"
