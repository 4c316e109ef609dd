"""Ids out of range and unexpected failures: never a traceback or Werkzeug's bare page,
always the app's own page in the user's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

Client = Callable[[str | None], FlaskClient]

HUGE = "99999999999999999999999"
BIG = str(2**31)  # fits SQLite but no id column


@pytest.mark.parametrize(
    "route",
    [
        f"/cases/{HUGE}",
        f"/cases/{BIG}",
        f"/cases/{HUGE}/consultation",
        f"/cases/{HUGE}/analysis",
        f"/applications/{HUGE}",
        "/cases/0",
    ],
)
def test_an_id_out_of_range_in_the_path_is_not_found(client_as: Client, route: str) -> None:
    r = client_as("coordinator").get(route)
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert "<main" in page
    assert "Nav atrasts" in page


def test_a_huge_advance_is_not_found(client_as: Client) -> None:
    r = client_as("coordinator").post(f"/cases/{HUGE}/advance", data={"trigger": "withdraw"})
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert r.mimetype == "text/html"
    assert '<html lang="lv">' in page
    assert "<main" in page
    assert "<title>Nav atrasts · NVO izaugsmes inkubators</title>" in page
    assert "<h1>Nav atrasts <small>(404)</small></h1>" in page


@pytest.mark.parametrize("value", [HUGE, BIG, "0", "abc", "-3"])
def test_an_out_of_range_cycle_filter_is_a_field_error(client_as: Client, value: str) -> None:
    r = client_as("coordinator").get(f"/cases/?cycle={value}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'class="problems"' in page
    assert "Cikls:" in page
    assert 'id="cases"' not in page  # nothing listed under a filter that could not apply


@pytest.mark.parametrize("route", [f"/audit/?case={HUGE}", f"/audit/?case={BIG}"])
def test_an_out_of_range_case_filter_in_the_log_is_a_field_error(
    client_as: Client, route: str
) -> None:
    r = client_as("auditor").get(route)
    assert r.status_code == 422
    assert 'id="a-case-errors"' in r.get_data(as_text=True)


def test_an_out_of_range_case_in_the_export_is_invalid_input(client_as: Client) -> None:
    r = client_as("auditor").get(f"/audit/export.csv?case={HUGE}")
    assert r.status_code == 422
    assert "<main" in r.get_data(as_text=True)


def test_a_forged_cursor_with_a_huge_id_is_a_page_error(client_as: Client) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(f"e{HUGE}".encode()).decode().rstrip("=")
    r = client_as("auditor").get(f"/audit/?after={cursor}")
    assert r.status_code == 200
    assert 'id="page-error"' in r.get_data(as_text=True)


@pytest.fixture
def boom(app: Flask) -> Flask:
    """The app with a page that fails as a bug would."""

    def fail() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", fail)
    return app


@pytest.mark.parametrize(
    ("lang", "title"), [("lv", "Kaut kas nogāja greizi"), ("en", "Something went wrong")]
)
def test_an_unexpected_error_is_the_apps_own_500_page_in_the_users_language(
    boom: Flask, client_as: Client, lang: str, title: str
) -> None:
    c = client_as("coordinator")
    c.post("/language", data={"lang": lang, "next": "/"})
    r = c.get("/boom")
    assert r.status_code == 500
    page = r.get_data(as_text=True)
    assert title in page
    assert "<main" in page
    assert "secret internals" not in page
