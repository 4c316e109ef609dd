"""Latvian collation: names sort as a Latvian reader expects, on every list."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.collation import latvian_key, sort_latvian

PILOT = [
    "House of Hope",
    "Keep The Change",
    "Zaļo un Viedo Tehnoloģiju klasteris",
    "Liepājas tehnoloģiju klasteris",
    "kultūrBĀKA",
    "Fotast",
    "Centra MARTA Liepājas nodibinājums",
    "Sociālā atbalsta un izglītības fonds",
    "Patvērums ģimenei",
    "Liepājas Restaurācijas biedrība",
    "Radi Vidi Pats",
]


def test_the_pilots_names_in_latvian_order() -> None:
    assert sort_latvian(PILOT, lambda n: n) == [
        "Centra MARTA Liepājas nodibinājums",
        "Fotast",
        "House of Hope",
        "Keep The Change",
        "kultūrBĀKA",
        "Liepājas Restaurācijas biedrība",
        "Liepājas tehnoloģiju klasteris",
        "Patvērums ģimenei",
        "Radi Vidi Pats",
        "Sociālā atbalsta un izglītības fonds",
        "Zaļo un Viedo Tehnoloģiju klasteris",
    ]
    # code points would have put kultūrBĀKA after every capital, after Zaļo
    assert sorted(PILOT)[-1] == "kultūrBĀKA"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Avots", "Ābele"),  # Ā is a letter after A: every A-word first
        ("Azote", "Ābele"),
        ("Ābele", "Bērzs"),
        ("Cukurs", "Čakste"),  # Č after C
        ("Czars", "Čakste"),
        ("Čūska", "Dārzs"),
        ("Ezers", "Ēna"),  # Ē after E
        ("Gulbis", "Ģimene"),  # Ģ after G
        ("Ilze", "Īve"),  # Ī after I
        ("Kurzeme", "Ķekava"),  # Ķ after K
        ("Lūsis", "Ļaudis"),  # Ļ after L
        ("Nīca", "Ņemt"),  # Ņ after N
        ("Sala", "Šalle"),  # Š after S
        ("Šūna", "Tērvete"),
        ("Upe", "Ūdens"),  # Ū after U
        ("Zīle", "Žagata"),  # Ž after Z, last
        ("kultūrBĀKA", "Kurzeme"),  # case does not count: among the K's
        ("Keep The Change", "kultūrBĀKA"),
        ("ab", "AB"),  # equal letters: small before capital
        ("Radi", "Radi Vidi"),  # a prefix first
        ("2 biedrība", "Avots"),  # digits before letters
        ('"Ābele"', "Bērzs"),  # quotes are ignored
        ("Éclair", "Fotast"),  # a foreign accent sorts with its base letter
    ],
)
def test_pairs_in_order(first: str, second: str) -> None:
    assert latvian_key(first) < latvian_key(second)
    assert sort_latvian([second, first], lambda n: n) == [first, second]


@given(st.lists(st.text(max_size=12), max_size=30))
def test_order_is_total_and_independent_of_the_input_order(names: list[str]) -> None:
    once = sort_latvian(names, lambda n: n)
    shuffled = list(names)
    random.Random(7).shuffle(shuffled)
    assert sort_latvian(shuffled, lambda n: n) == once
    keys = [latvian_key(n) for n in once]
    assert keys == sorted(keys)
    # equal keys only for equal texts (after Unicode normalisation)
    assert len({latvian_key(n) for n in names}) == len({latvian_key(n)[2] for n in names})


def test_nothing_sorts_first() -> None:
    assert latvian_key(None) == latvian_key("") < latvian_key("A")
