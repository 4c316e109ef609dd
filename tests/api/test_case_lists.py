"""The sorted case list and its exports through the API: the same rows, order and filters
as the list page, refusals named."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import get_args

import pytest
from openpyxl import load_workbook

from tests.api.conftest import Api
from tests.conftest import ADMIN, Clock
from web.api.caselists import Sort
from workflow import caselist, enrolment, mentors, registry
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, OrganisationIn


@pytest.fixture
def cases(sqlite_rt: Runtime, clock: Clock, tokens: dict[str, str]) -> list[int]:
    rt = sqlite_rt
    cycle = registry.create_cycle(
        rt, ADMIN, CycleIn(name="C", starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31))
    )
    out = []
    for n, (name, day) in enumerate(
        [("kultūrBĀKA", "2023-03-01"), ("Keep The Change", "2023-03-05"), ("Ābele", "2023-02-01")]
    ):
        clock.set(day)
        org = registry.create_organisation(
            rt, ADMIN, OrganisationIn(name=name, reg_no=f"4000800000{n}", legal_form="association")
        )
        out.append(enrolment.enrol(rt, ADMIN, org.id, cycle.id))
    clock.set("2023-03-10")
    mentors.assign_mentor(rt, ADMIN, out[0], "anna")
    return out


def test_sort_choices_are_the_engines() -> None:
    assert set(get_args(Sort)) == set(caselist.SORTS)


def test_sorted_page_in_latvian_order_with_due_days(api: Api, cases: list[int]) -> None:
    body = api.ok("GET", "/cases/sorted?sort=organisation")
    assert [i["organisation"] for i in body["items"]] == ["Ābele", "Keep The Change", "kultūrBĀKA"]
    assert (body["total"], body["page"], body["pages"], body["capped"]) == (3, 1, 1, False)
    by_due = api.ok("GET", "/cases/sorted?sort=due&dir=desc")["items"]
    assert [(i["organisation"], i["due_on"], i["due_kind"]) for i in by_due] == [
        ("Keep The Change", "2023-03-26", "step"),
        ("kultūrBĀKA", "2023-03-22", "step"),
        ("Ābele", "2023-02-22", "step"),
    ]
    assert [i["organisation"] for i in api.ok("GET", "/cases/sorted?mentor=anna")["items"]] == [
        "kultūrBĀKA"
    ]
    due = api.ok("GET", "/cases/sorted?due_within=0")["items"]
    assert [i["organisation"] for i in due] == ["Ābele"]  # overdue since 2023-02-22
    second = api.ok("GET", "/cases/sorted?limit=2&page=2")
    assert [i["organisation"] for i in second["items"]] == ["kultūrBĀKA"]
    # a mentor sees their own cases only
    mine = api.ok("GET", "/cases/sorted", role="mentor")["items"]
    assert [i["organisation"] for i in mine] == ["kultūrBĀKA"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("sort=colour", "sort"), ("due_within=-1", "due_within"), ("page=0", "page"),
     ("due_before=2023-13-01", "due_before"), ("fast=yes", "fast")],
)  # fmt: skip
def test_bad_parameters_are_422_naming_them(
    api: Api, cases: list[int], query: str, field: str
) -> None:
    resp = api.get(f"/cases/sorted?{query}")
    assert resp.status_code == 422
    assert field in resp.get_data(as_text=True)


def test_exports_are_the_same_list(api: Api, cases: list[int]) -> None:
    resp = api.get("/cases/export.csv?sort=organisation&lang=en")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][1] == "Organisation"
    assert [r[1] for r in rows[1:]] == ["Ābele", "Keep The Change", "kultūrBĀKA"]
    resp = api.get("/cases/export.xlsx?sort=since")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.get_data())).active
    assert sheet is not None
    assert [c.value for c in sheet["B"]][1:] == ["Ābele", "kultūrBĀKA", "Keep The Change"]
    assert sheet["F2"].is_date
