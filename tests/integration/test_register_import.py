"""Importing the register's extract (SQLite and PostgreSQL): a clean file in every spelling
the register and spreadsheets produce, every kind of broken file refused with its line and
column and nothing written, a re-import that updates instead of duplicating, and the
sector statistics on the demo's sample equal to the council's article."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from inkubators.demo.register import sample_extract
from tests.conftest import AUDITOR, COORDINATOR
from workflow.errors import Forbidden, RegisterFileInvalid
from workflow.orm import RegisterEntry, RegisterImport
from workflow.registerimport import import_register
from workflow.registerstats import recent_imports, sector_stats
from workflow.runtime import Runtime

HEADER = "regcode;sepa;name;type;type_text;registered;terminated;closed;address"
ROWS = [
    '40008000001;;"Biedrība ""Jūra; vējš""";BDR;Biedrība;2010-05-04;;;Liepāja, Graudu iela 12, LV-3401',
    '40008000002;;DzĪB "Graudu 12";BDR;Biedrība;2001-01-15;;;Liepāja, Graudu iela 12, LV-3401',
    "40008000003;;Nodibinājums Paraugs;NOD;Nodibinājums;2015-03-03;;;Liepāja, Lielā iela 1",
    "40008000004;;Biedrība Nīca;BDR;Biedrība;2012-02-02;;;Liepājas novads, Nīca, LV-3473",
    "40008000005;;SIA Namu apsaimniekošana;SIA;SIA;2005-05-05;;;Liepāja, Jūras iela 3",
    "40008000006;;Biedrība Vecā;BDR;Biedrība;1999-09-09;2020-01-31;L;Liepāja, Zivju iela 2",
]


def _csv(*rows: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return newline.join([header, *rows, ""]).encode("utf-8")


def _import(rt: Runtime, data: bytes, name: str = "register.csv") -> object:
    return import_register(rt, COORDINATOR, io.BytesIO(data), name)


def _count(rt: Runtime) -> tuple[int, int]:
    with rt.engine.connect() as c:
        entries = c.scalar(select(func.count()).select_from(RegisterEntry))
        imports = c.scalar(select(func.count()).select_from(RegisterImport))
    return int(entries or 0), int(imports or 0)


def _refusal(rt: Runtime, data: bytes) -> list[tuple[int, str, str]]:
    before = _count(rt)
    with pytest.raises(RegisterFileInvalid) as exc:
        _import(rt, data)
    assert _count(rt) == before, "a refused file wrote something"
    return [(e.row, e.column, e.message) for e in exc.value.errors]


@pytest.mark.parametrize(
    ("bom", "newline"),
    [(False, "\n"), (True, "\r\n"), (True, "\n"), (False, "\r\n")],
    ids=["lf", "bom-crlf", "bom-lf", "crlf"],
)
def test_a_clean_file_imports_in_every_spelling(rt: Runtime, bom: bool, newline: str) -> None:
    data = _csv(*ROWS, newline=newline)
    data = b"\xef\xbb\xbf" + data if bom else data
    result = import_register(rt, COORDINATOR, io.BytesIO(data), "register.csv")
    assert (result.rows, result.new, result.changed, result.unchanged) == (6, 6, 0, 0)
    with rt.engine.connect() as c:
        first = c.execute(select(RegisterEntry).where(RegisterEntry.regcode == "40008000001")).one()
        old = c.execute(select(RegisterEntry).where(RegisterEntry.regcode == "40008000006")).one()
    assert first.name == 'Biedrība "Jūra; vējš"'  # the ; inside quotes stays in the name
    assert first.city == "Liepāja"
    assert first.registered == date(2010, 5, 4)
    assert (old.terminated, old.closed) == (date(2020, 1, 31), "L")
    [record] = recent_imports(rt)
    assert (record.actor, record.role, record.rows, record.new) == ("ilze", "coordinator", 6, 6)
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.policy_hash == rt.rules.policy_hash


def test_reimport_updates_by_regcode_and_counts_what_changed(rt: Runtime) -> None:
    _import(rt, _csv(*ROWS))
    again = import_register(rt, COORDINATOR, io.BytesIO(_csv(*ROWS)), "register.csv")
    assert (again.rows, again.new, again.changed, again.unchanged) == (6, 0, 0, 6)
    renamed = ROWS[2].replace("Nodibinājums Paraugs", "Nodibinājums Paraugs 2")
    ended = ROWS[0].replace(";;;Liepāja", ";2024-06-30;L;Liepāja")
    newcomer = "40008000007;;Biedrība Jaunā;BDR;Biedrība;2023-01-01;;;Liepāja, Peldu iela 9"
    third = import_register(
        rt,
        COORDINATOR,
        io.BytesIO(_csv(ended, *ROWS[1:2], renamed, *ROWS[3:], newcomer)),
        "register.csv",
    )
    assert (third.rows, third.new, third.changed, third.unchanged) == (7, 1, 2, 4)
    assert _count(rt) == (7, 3)
    with rt.engine.connect() as c:
        name = c.scalar(select(RegisterEntry.name).where(RegisterEntry.regcode == "40008000003"))
    assert name == "Nodibinājums Paraugs 2"


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        pytest.param(
            ["4000800001;;Biedrība;BDR;Biedrība;2010-01-01;;;Liepāja"],
            HEADER,
            [(2, "regcode", "must be 11 digits, got '4000800001' (10 characters)")],
            id="10-digit regcode",
        ),
        pytest.param(
            ["400080000AB;;Biedrība;BDR;Biedrība;2010-01-01;;;Liepāja"],
            HEADER,
            [(2, "regcode", "must be 11 digits, got '400080000AB' (11 characters)")],
            id="letters in regcode",
        ),
        pytest.param(
            [ROWS[0], "40008000002;;B;BDR;Biedrība;2010-02-30;31.12.2020;;Liepāja"],
            HEADER,
            [
                (3, "registered", "not a date: '2010-02-30' (expected YYYY-MM-DD)"),
                (3, "terminated", "not a date: '31.12.2020' (expected YYYY-MM-DD)"),
            ],
            id="bad dates",
        ),
        pytest.param(
            [ROWS[0], ROWS[1], ROWS[0]],
            HEADER,
            [(4, "regcode", "duplicate: register number 40008000001 is also on line 2")],
            id="duplicate regcode",
        ),
        pytest.param(
            [ROWS[0]],
            "regcode;sepa;name;type_text;registered;terminated;closed;address",
            [(1, "type", "column missing from the header")],
            id="missing column",
        ),
        pytest.param(
            ["40008000001;;Biedrība;BDR"],
            HEADER,
            [(2, "type_text", "the row has 4 fields, the header 9")],
            id="short row",
        ),
        pytest.param(
            ["40008000001;;Biedrība; Jūra;BDR;Biedrība;2010-01-01;;;Liepāja"],
            HEADER,
            [(2, "(extra field)", "the row has 10 fields, the header 9")],
            id="unquoted semicolon",
        ),
        pytest.param(
            ["40008000001;;;BDR;Biedrība;;;;Liepāja"],
            HEADER,
            [(2, "name", "must not be empty"), (2, "registered", "must not be empty")],
            id="empty required fields",
        ),
        pytest.param(
            [], HEADER, [(2, "(file)", "the file has a header but no rows")], id="header only"
        ),
    ],
)
def test_each_kind_of_problem_is_named_by_line_and_column(
    rt: Runtime, rows: list[str], header: str, expected: list[tuple[int, str, str]]
) -> None:
    found = _refusal(rt, _csv(*rows, header=header))
    assert [(r, c) for r, c, _ in found] == [(r, c) for r, c, _ in expected]
    for (_, _, message), (_, _, want) in zip(found, expected, strict=True):
        assert message.startswith(want), (message, want)


def test_an_empty_file_is_refused(rt: Runtime) -> None:
    for data in (b"", b"\xef\xbb\xbf", b"\r\n\r\n"):
        [(row, column, message)] = _refusal(rt, data)
        assert (row, column) == (1, "(file)")
        assert message.startswith("the file is empty")


def test_a_windows_1257_file_is_refused_naming_each_line_and_column(rt: Runtime) -> None:
    data = _csv(*ROWS[:3]).decode("utf-8").encode("cp1257")
    found = _refusal(rt, data)
    assert found[0][:2] == (2, "name")
    assert "not UTF-8 text (byte 0xEE); save the file as UTF-8" in found[0][2]  # ī
    assert {(r, c) for r, c, _ in found} >= {(2, "address"), (3, "name"), (4, "address")}


def test_a_bad_row_late_in_a_long_file_writes_nothing_of_the_good_ones(rt: Runtime) -> None:
    good = [f"4000900{n:04d};;Biedrība {n};BDR;Biedrība;2010-01-01;;;Liepāja" for n in range(4500)]
    found = _refusal(rt, _csv(*good, "4000900000X;;Biedrība;BDR;Biedrība;2010-01-01;;;Liepāja"))
    assert [(r, c) for r, c, _ in found] == [(4502, "regcode")]


def test_an_unterminated_quote_is_refused_at_its_line(rt: Runtime) -> None:
    found = _refusal(rt, _csv(ROWS[0], '40008000002;;"Biedrība;BDR;Biedrība;2010-01-01;;;Liepāja'))
    assert found[0][:2] == (3, "(file)")


def test_only_roles_the_policy_names_may_import(rt: Runtime) -> None:
    with pytest.raises(Forbidden):
        import_register(rt, AUDITOR, io.BytesIO(_csv(*ROWS)), "register.csv")
    assert _count(rt) == (0, 0)


def test_a_city_is_compared_exactly_and_years_count_registrations_and_terminations(
    rt: Runtime,
) -> None:
    _import(rt, _csv(*ROWS))
    s = sector_stats(rt, "Liepāja", 2019)
    # associations 01, 02, 06 (ended 2020); the Nīca one is in "Liepājas novads"; SIA is no
    # association even with a real-estate name
    assert (s.associations, s.real_estate_management, s.other, s.foundations) == (3, 1, 2, 1)
    assert s.eligible == 3  # the two other associations and the foundation
    later = sector_stats(rt, "Liepāja", 2022)
    assert (later.associations, later.other) == (2, 1)
    assert sector_stats(rt, "Liepājas novads", 2022).associations == 1
    assert sector_stats(rt, "Liepāj", 2022).associations == 0


def test_the_sample_extract_gives_the_articles_figures(rt: Runtime) -> None:
    result = _import(rt, sample_extract())
    s = sector_stats(rt, "Liepāja", 2022)
    assert (s.associations, s.real_estate_management, s.other) == (1174, 478, 696)
    assert round(100 * s.real_estate_share) == 41
    assert round(100 * s.other / s.associations) == 59
    assert s.eligible == s.other + s.foundations
    assert result is not None
