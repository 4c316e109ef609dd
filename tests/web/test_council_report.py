"""The council report of the 2023 pilot as of the council sitting (2023-10-19), as the
council gets it: the PDF and the spreadsheet carry the JSON report's figures, the PDF's
Latvian letters print from an embedded font, and the spreadsheet's cells are numbers and
dates; the page is for the roles the policy lets read it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from inkubators.demo.programme import PILOT
from tests.conftest import ADMIN
from workflow import localformat, registry
from workflow.enrolment import enrol
from workflow.runtime import Runtime
from workflow.schemas import OrganisationIn
from workflow.tokens import create_token

AS_OF = "2023-10-19"
LETTERS = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"


def _space(text: str) -> str:
    """Text with the no-break and narrow spaces of number grouping as plain spaces."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


class Api:
    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {self.token}"})


@pytest.fixture
def pilot(app_rt: Runtime) -> int:
    return next(c.id for c in registry.list_cycles(app_rt) if c.name == PILOT)


@pytest.fixture
def api_as(app: Flask, app_rt: Runtime) -> Callable[[str], Api]:
    def make(user: str) -> Api:
        return Api(app.test_client(), create_token(app_rt, user))

    return make


@pytest.fixture
def figures(api_as: Callable[[str], Api], pilot: int) -> dict[str, Any]:
    """The JSON report the files must agree with."""
    resp = api_as("revidents").get(f"/reports/cycles/{pilot}?as_of={AS_OF}")
    assert resp.status_code == 200
    body: dict[str, Any] = resp.get_json()
    assert body["awarded_organisations"] == 3  # the article's figures
    return body


def _pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return _space("\n".join(p.extract_text() for p in reader.pages)), reader


def test_pdf_carries_the_json_reports_figures_in_latvian(
    api_as: Callable[[str], Api], pilot: int, figures: dict[str, Any]
) -> None:
    resp = api_as("revidents").get(f"/reports/cycles/{pilot}.pdf?as_of={AS_OF}")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert "attachment" in resp.headers["Content-Disposition"]
    text, _reader = _pdf_text(resp.data)

    def eur(key: str) -> str:
        return _space(localformat.eur(Decimal(figures[key]), "lv"))

    for line in [
        "Pārskats domei",
        f"Organizācijas {figures['organisations']}",
        f"Vietu skaits {figures['capacity']}",
        f"Budžets {eur('budget_eur')}",
        f"Piesaistītais finansējums {eur('awarded_eur')}",
        f"Organizācijas, kas saņēmušas finansējumu {figures['awarded_organisations']}",
        f"Iesniegti, gaida lēmumu {figures['submitted_awaiting']}",
        f"Sagatavoti, gaida konkursa atvēršanu {figures['prepared_waiting_for_call']}",
        f"Projektu kopējais budžets {eur('total_budget_eur')}",
        f"Lielākais projekts {eur('largest_project_eur')}",
        f"Nokavētas lietas {figures['overdue_cases']}",
        "Patvērums ģimenei",
        "Zaļo un Viedo Tehnoloģiju klasteris",
        "kultūrBĀKA",
    ]:
        assert line in text, line
    # the five domains of the article, by their Latvian names
    for domain in ["sociālie pakalpojumi", "kultūra", "pilsētvide", "NVO stiprināšana"]:
        assert domain in text, domain
    assert "sadarbības" in text


def test_pdf_prints_every_latvian_letter_from_an_embedded_font(
    app_rt: Runtime, api_as: Callable[[str], Api], pilot: int
) -> None:
    new = registry.list_cycles(app_rt)
    cycle = next(c.id for c in new if c.name != PILOT)
    org = registry.create_organisation(
        app_rt,
        ADMIN,
        OrganisationIn(
            name=f"Biedrība {LETTERS}",
            reg_no="40008999999",
            legal_form="association",
            fields=["culture"],
        ),
    )
    enrol(app_rt, ADMIN, org.id, cycle)
    resp = api_as("ilze").get(f"/reports/cycles/{cycle}.pdf?as_of=2024-02-20")
    assert resp.status_code == 200
    text, reader = _pdf_text(resp.data)
    assert f"Biedrība {LETTERS}" in text
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]  # pypdf's objects are loosely typed
        for ref in resources["/Font"].values():
            font: Any = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor.get_object()
    assert fonts
    assert all(fonts.values()), fonts  # every font is embedded in the file
    assert all("DejaVu" in name for name in fonts), fonts


def test_xlsx_cells_are_numbers_and_dates_equal_to_the_json_report(
    api_as: Callable[[str], Api], pilot: int, figures: dict[str, Any]
) -> None:
    resp = api_as("revidents").get(f"/reports/cycles/{pilot}.xlsx?as_of={AS_OF}")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == [
        "Rādītāji",
        "Lietas pa statusiem",
        "Piesaistītais finansējums pēc f",
        "Piesaistītais finansējums pēc p",
        "Mentoru stundas",
        "Organizācijas",
    ]
    values = {row[0].value: row[1].value for row in book["Rādītāji"].iter_rows(min_row=2)}
    for label, key in [
        ("Budžets", "budget_eur"),
        ("Piesaistītais finansējums", "awarded_eur"),
        ("Projektu kopējais budžets", "total_budget_eur"),
        ("Lielākais projekts", "largest_project_eur"),
    ]:
        assert isinstance(values[label], int | float), label
        assert Decimal(str(values[label])).quantize(Decimal("0.01")) == Decimal(figures[key])
    for label, key in [
        ("Organizācijas", "organisations"),
        ("Iesniegti, gaida lēmumu", "submitted_awaiting"),
        ("Sagatavoti, gaida konkursa atvēršanu", "prepared_waiting_for_call"),
        ("Nokavētas lietas", "overdue_cases"),
    ]:
        assert values[label] == figures[key], label
    assert values["Uz datumu"] == datetime(2023, 10, 19)

    funnel = list(book["Lietas pa statusiem"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in funnel] == list(figures["cases_by_state"].values())

    orgs = list(book["Organizācijas"].iter_rows(values_only=True))
    header, rows = orgs[0], orgs[1:]
    assert len(rows) == figures["organisations"]
    since = rows[0][header.index("Šajā statusā kopš")]
    assert isinstance(since, datetime)
    awarded = [r[header.index("Piesaistītais finansējums")] for r in rows]
    assert all(isinstance(a, int | float) for a in awarded)
    assert Decimal(str(sum(awarded))).quantize(Decimal("0.01")) == Decimal(figures["awarded_eur"])

    domains = list(book["Piesaistītais finansējums pēc p"].iter_rows(min_row=2, values_only=True))
    assert [d[0] for d in domains[:5]] == [
        "sociālie pakalpojumi",
        "kultūra",
        "pilsētvide",
        "NVO stiprināšana",
        "sadarbības tīkli",
    ]
    assert Decimal(str(sum(d[4] for d in domains))).quantize(Decimal("0.01")) == Decimal(
        figures["awarded_eur"]
    )


def test_csv_lists_and_english(api_as: Callable[[str], Api], pilot: int) -> None:
    api = api_as("revidents")
    resp = api.get(f"/reports/cycles/{pilot}.csv?as_of={AS_OF}&lang=en&list=sources")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert sum(Decimal(r["Funds awarded"]) for r in rows) == Decimal("101560.00")
    assert {r["Funder"] for r in rows} >= {"Sabiedrības integrācijas fonds"}
    orgs = api.get(f"/reports/cycles/{pilot}.csv?as_of={AS_OF}")
    lines = list(csv.reader(io.StringIO(orgs.get_data(as_text=True))))
    assert lines[0][0] == "Organizācija"
    assert len(lines) == 12
    html = api.get(f"/reports/cycles/{pilot}.html?as_of={AS_OF}&lang=en")
    assert html.status_code == 200
    assert html.mimetype == "text/html"
    page = html.get_data(as_text=True)
    assert "Report to the council" in page
    assert "<script" not in page


def test_errors_are_problems(api_as: Callable[[str], Api], app: Flask, pilot: int) -> None:
    api = api_as("revidents")
    assert api.get("/reports/cycles/4242.pdf").status_code == 404
    bad_day = api.get(f"/reports/cycles/{pilot}.xlsx?as_of=2023-13-01")
    assert bad_day.status_code == 422
    assert bad_day.mimetype == "application/problem+json"
    assert "as_of" in bad_day.get_data(as_text=True)
    bad_lang = api.get(f"/reports/cycles/{pilot}.pdf?lang=de")
    assert bad_lang.status_code == 422
    assert "lang" in bad_lang.get_data(as_text=True)
    bad_list = api.get(f"/reports/cycles/{pilot}.csv?list=people")
    assert bad_list.status_code == 422
    assert "list" in bad_list.get_data(as_text=True)
    anonymous = app.test_client().get(f"/api/v1/reports/cycles/{pilot}.pdf")
    assert anonymous.status_code == 401


def test_a_mentor_gets_the_figures_and_only_their_own_organisations(
    api_as: Callable[[str], Api], pilot: int, figures: dict[str, Any]
) -> None:
    resp = api_as("janis").get(f"/reports/cycles/{pilot}.xlsx?as_of={AS_OF}")
    assert resp.status_code == 200  # the same permission as the JSON report
    book = load_workbook(io.BytesIO(resp.data))
    orgs = list(book["Organizācijas"].iter_rows(min_row=2, values_only=True))
    header = next(book["Organizācijas"].iter_rows(max_row=1, values_only=True))
    assert 0 < len(orgs) < figures["organisations"]
    assert {r[header.index("Mentors")] for r in orgs} == {"janis"}
    values = {r[0]: r[1] for r in book["Rādītāji"].iter_rows(min_row=2, values_only=True)}
    assert values["Organizācijas"] == figures["organisations"]


def test_the_page_for_the_roles_the_policy_names(
    client_as: Callable[[str | None], FlaskClient], pilot: int
) -> None:
    page = client_as("coordinator").get(f"/reports/cycles/{pilot}?as_of={AS_OF}")
    assert page.status_code == 200
    text = _space(page.get_data(as_text=True))
    assert "Pārskats domei" in text
    assert "101 560,00 EUR" in text
    assert 'src="data:image/svg+xml;base64,' in text  # the charts, drawn on the server
    assert client_as("auditor").get(f"/reports/cycles/{pilot}").status_code == 200
    assert client_as("mentor").get(f"/reports/cycles/{pilot}").status_code == 403
    pdf = client_as("auditor").get(f"/reports/cycles/{pilot}/council.pdf?as_of={AS_OF}")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    bad = client_as("auditor").get(f"/reports/cycles/{pilot}?as_of=19.10.2023")
    assert bad.status_code == 400
    dashboard = client_as("coordinator").get(f"/?cycle={pilot}&as_of={AS_OF}")
    assert f"/reports/cycles/{pilot}?as_of={AS_OF}" in dashboard.get_data(as_text=True)
