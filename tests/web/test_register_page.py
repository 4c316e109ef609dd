"""The register page: the demo's sample gives the article's figures in Latvian and in
English, the upload form imports a file or lists every problem with its line and column
(and writes nothing), with a CSRF token, for the roles the policy names."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.web.test_unique_ids import duplicate_ids
from workflow.orm import RegisterEntry, RegisterImport
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]
HEADER = "regcode;name;type;type_text;registered;terminated;closed;address"
GOOD = f"{HEADER}\n40008000001;Biedrība Jauna;BDR;Biedrība;2022-06-01;;;Liepāja, Jūras 1\n"


def _counts(rt: Runtime) -> tuple[int, int]:
    with rt.engine.connect() as c:
        entries = c.scalar(select(func.count()).select_from(RegisterEntry))
        imports = c.scalar(select(func.count()).select_from(RegisterImport))
    return int(entries or 0), int(imports or 0)


def _figures(page: str) -> list[str]:
    table = page.split('id="sector-stats"', 1)[1].split("</table>", 1)[0]
    return [cell.split("<", 1)[0] for cell in table.split("<td>")[1:]]


def test_the_sample_shows_the_articles_figures_in_latvian_and_english(client_as: Client) -> None:
    c = client_as("coordinator")
    page = c.get("/registry?city=Liepāja&year=2022").get_data(as_text=True)
    assert "<h2>Liepāja 2022. gada beigās</h2>" in page
    assert _figures(page) == ["1174", "", "478", "41 %", "696", "59 %", "85", "", "781", ""]
    assert "no tām nekustamā īpašuma pārvaldīšana" in page
    assert duplicate_ids(page) == []
    c.post("/language", data={"lang": "en"})
    page = c.get("/registry?city=Liepāja&year=2022").get_data(as_text=True)
    assert "<h2>Liepāja at the end of 2022</h2>" in page
    assert "of which real-estate management" in page
    # a city that only begins like another counts its own organisations only
    novads = c.get("/registry?city=Liepājas+novads&year=2022").get_data(as_text=True)
    assert _figures(novads)[0] == "200"


def test_a_bad_year_is_named_on_its_field(client_as: Client) -> None:
    r = client_as("coordinator").get("/registry?city=Liepāja&year=20x2")
    assert r.status_code == 422
    assert "Gads no 1900 līdz 2100." in r.get_data(as_text=True)


def test_the_upload_imports_and_says_what_changed(client_as: Client, app_rt: Runtime) -> None:
    c = client_as("coordinator")
    before = _counts(app_rt)
    r = c.post(
        "/registry/import",
        data={"file": (io.BytesIO(GOOD.encode()), "register.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "Importētas 1 rindas: 1 jaunas, 0 mainītas, 0 nemainītas." in r.get_data(as_text=True)
    assert _counts(app_rt) == (before[0] + 1, before[1] + 1)


def test_a_broken_upload_lists_each_problem_in_latvian_and_writes_nothing(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    before = _counts(app_rt)
    broken = GOOD + "4000800000;Biedrība;BDR;Biedrība;2022-02-30;;;Liepāja\n"
    r = c.post(
        "/registry/import",
        data={"file": (io.BytesIO(broken.encode("cp1257")), "register.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    problems = page.split('id="import-problems"', 1)[1].split("</table>", 1)[0]
    assert "<td>2</td><td>name</td><td>nav UTF-8 teksts (baits 0xEE)" in problems
    assert "<td>3</td><td>regcode</td><td>jābūt 11 cipariem" in problems
    assert "<td>3</td><td>registered</td><td>nav datums: &#39;2022-02-30&#39;" in problems
    assert duplicate_ids(page) == []
    assert _counts(app_rt) == before


def test_only_roles_the_policy_names_see_the_page_and_the_form(client_as: Client) -> None:
    assert client_as("mentor").get("/registry").status_code == 403
    auditor = client_as("auditor").get("/registry")
    assert auditor.status_code == 200
    assert 'id="register-upload"' not in auditor.get_data(as_text=True)
    r = client_as("auditor").post(
        "/registry/import",
        data={"file": (io.BytesIO(GOOD.encode()), "register.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    assert 'id="register-upload"' in client_as("coordinator").get("/registry").get_data(
        as_text=True
    )


def test_an_upload_without_a_csrf_token_is_refused(
    client_as: Client, app: Flask, app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    before = _counts(app_rt)
    r = c.post(
        "/registry/import",
        data={"file": (io.BytesIO(GOOD.encode()), "register.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert _counts(app_rt) == before
