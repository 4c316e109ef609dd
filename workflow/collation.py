"""Latvian collation: the one sort key for names in every list.

The Latvian alphabet orders a ā b c č d e ē f g ģ h i ī j k ķ l ļ m n ņ o p r s š t u ū
v z ž (q, w, x, y of foreign names in their Latin places): Ā is a letter of its own after
A, Č after C, and so on, while case does not count, so ``kultūrBĀKA`` sorts among the
K's. Python's default order (code points) puts every capital before every small letter
and ``Ā`` after ``z``; PostgreSQL's order depends on the server's locale, SQLite's is
bytewise. So lists sort their bounded, filtered rows in Python with :func:`latvian_key`
(``caselist``, the reference lists, the exports) rather than in SQL: one order on every
database, no extension (PyICU) and no stored key column to keep in step.

The key compares, in turn: the letters (Latvian alphabet, case ignored; digits before
letters, a space before both; punctuation such as quotes ignored), then the case
(small before capital), then the text itself, so equal keys mean equal strings and the
order is total and stable.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

#: The alphabet in order, with q, w, x, y in their places for foreign names.
ALPHABET = "aābcčdeēfgģhiījkķlļmnņopqrsštuūvwxyzž"
_LETTER = {ch: 100 + i for i, ch in enumerate(ALPHABET)}
#: Latvian letters whose marks make them letters of their own (not accents to drop).
_OWN = set("āčēģīķļņšūž")
_SPACE = 1
_DIGIT = 10  # 10..19
_OTHER = 1000  # letters outside the alphabet: after ž, by code point


def _weight(ch: str) -> int | None:
    """The primary weight of one lower-case character; None: ignored (punctuation)."""
    if ch in _LETTER:
        return _LETTER[ch]
    if ch.isspace():
        return _SPACE
    if ch.isdigit() and ch.isascii():
        return _DIGIT + int(ch)
    if not ch.isalnum():
        return None
    base = unicodedata.normalize("NFD", ch)[0]
    if ch not in _OWN and base in _LETTER:  # é, ö, ā́ …: the base letter's place
        return _LETTER[base]
    return _OTHER + ord(ch)


@lru_cache(maxsize=65536)
def _char(ch: str) -> tuple[int | None, int]:
    """One character's primary weight (None: ignored) and case (0 small, 1 capital)."""
    low = ch.lower()
    return (_weight(low) if len(low) == 1 else _weight(ch)), (0 if ch == low else 1)


@lru_cache(maxsize=65536)  # a list sorts the same names again and again
def latvian_key(text: str | None) -> tuple[Any, ...]:
    """Sort key of ``text`` in Latvian order (None and "" first)."""
    if not text:
        return ((), (), "")
    s = unicodedata.normalize("NFC", text)
    primary: list[int] = []
    tertiary: list[int] = []
    for ch in s:
        w, case = _char(ch)
        if w is None:
            continue
        if primary and w == _SPACE and primary[-1] == _SPACE:
            continue  # runs of spaces count once
        primary.append(w)
        tertiary.append(case)
    while primary and primary[-1] == _SPACE:
        primary.pop()
        tertiary.pop()
    return (tuple(primary), tuple(tertiary), s)


def sort_latvian(items: list[Any], key: Any) -> list[Any]:
    """``items`` sorted by ``latvian_key(key(item))`` (stable)."""
    return sorted(items, key=lambda item: latvian_key(key(item)))
