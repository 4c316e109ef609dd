"""Binding evidence by spelling its raw values gives the verdicts ``row_hash`` gives.

``audit verify`` hashes every evidence row from the values the driver returns
(:mod:`workflow.contentbytes`) rather than through the column types. That shortcut must
spell, for every row the engine writes, exactly the bytes ``row_hash`` hashes, and a
row it cannot spell must still be decided by ``row_hash``, on both databases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import select, text

from workflow import auditlog
from workflow.chainbytes import raw_rows
from workflow.contentbind import RECORD_KEYS, row_hash
from workflow.contentbytes import select_text, speller
from workflow.db import read
from workflow.runtime import Runtime


def test_every_evidence_row_the_engine_writes_is_spelled_as_row_hash_hashes_it(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None]
) -> None:
    walk(make_case(), "submitted")  # an analysis, a consultation, a selection, an application
    seen = 0
    with read(rt.engine) as conn:
        for table in RECORD_KEYS.values():
            spell = speller(table)
            typed = {r.id: r for r in conn.execute(select(table))}
            for values in raw_rows(conn, select_text(table)):
                body = spell(values)
                assert body is not None, (table.name, values)
                assert hashlib.sha256(body).hexdigest() == row_hash(table, typed[values[0]])
                seen += 1
    assert seen == 4
    assert auditlog.verify(rt).ok


def test_an_amount_stored_again_in_another_spelling_is_not_an_edit_but_a_topic_is(
    rt: Runtime, make_case: Callable[..., int], walk: Callable[..., int | None]
) -> None:
    """9000.000 is stored as SQLite's REAL 9000.0 or PostgreSQL's 9000.00: the same
    amount the engine recorded, so no finding; a changed topic is one."""
    app_id = walk(make_case(), "submitted")
    with rt.engine.begin() as conn:
        conn.execute(
            text("UPDATE applications SET requested_eur = 9000.000 WHERE id = :a"), {"a": app_id}
        )
    assert auditlog.verify(rt).ok
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE consultations SET topic = 'Cits'"))
    result = auditlog.verify(rt)
    assert not result.ok
    assert "consultations" in str((result.first_bad or {})["problem"])
    assert "the row was edited" in str((result.first_bad or {})["problem"])


def test_values_of_another_type_than_the_column_are_left_to_the_column_types() -> None:
    table = RECORD_KEYS["consultation_id"]
    spell = speller(table)
    names = [c.name for c in table.columns]
    honest = {
        "id": 3,
        "case_id": 7,
        "mentor": "anna",
        "held_on": "2023-03-01",
        "hours": 1.5,
        "topic": "PR",
        "recorded_by": "ilze",
    }
    body = spell([honest[n] for n in names])
    assert body == (
        b'{"row":{"case_id":7,"held_on":"2023-03-01","hours":"1.5","id":3,'
        b'"mentor":"anna","recorded_by":"ilze","topic":"PR"},"table":"consultations"}'
    )
    for column, odd in [
        ("case_id", "7"),  # text in an integer column
        ("case_id", True),
        ("held_on", "2023-3-1"),  # a date in another spelling
        ("hours", "1.5"),
        ("hours", float("nan")),
        ("topic", b"PR"),
        ("topic", "\udc80"),  # a lone surrogate
    ]:
        assert spell([(honest | {column: odd})[n] for n in names]) is None, (column, odd)
