"""Numbers read as the user's language writes them: decimal commas in Latvian, and real
singular and plural forms (Latvian has three)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from workflow import views
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def test_hours_have_a_decimal_comma_in_latvian(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    kc = views.case_detail(app_rt, None, ids["kc"])
    assert kc.consultations
    c = client_as("coordinator")
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    total = page.split('id="consultation-hours">', 1)[1].split("<", 1)[0]
    assert f"{kc.consultation_hours:.2f}".replace(".", ",") in total
    assert f"<td>{kc.consultations[0].hours:.2f}".replace(".", ",") in page
    c.post("/language", data={"lang": "en", "next": "/"})
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert f"{kc.consultation_hours:.2f} hours in total" in page


def test_an_amount_is_put_back_into_its_field_with_a_decimal_comma(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    r = c.post(
        f"/applications/{ids['erasmus_app']}",
        data={
            "submitted_on": "2024-02-01",
            "decision": "awarded",
            "decided_on": "2024-02-10",
            "awarded_eur": "1250,5",
            "expected_version": ids["kc_version"],
        },
    )
    assert r.status_code == 302
    form = c.get(f"/applications/{ids['erasmus_app']}").get_data(as_text=True)
    assert 'value="1250,50"' in form


@pytest.mark.parametrize(
    ("n", "lv", "en"),
    [
        (1, "1 organizācija", "1 organisation"),
        (21, "21 organizācija", "21 organisations"),
        (2, "2 organizācijas", "2 organisations"),
        (11, "11 organizācijas", "11 organisations"),
    ],
)
def test_counts_take_the_right_plural_form(app: Flask, n: int, lv: str, en: str) -> None:
    template = '{{ ngettext("%(num)d organisation", "%(num)d organisations", n) }}'
    with app.test_request_context():
        assert render_template_string(template, n=n) == lv
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session

        session["lang"] = "en"
        assert render_template_string(template, n=n) == en


def test_number_filter_follows_the_locale(app: Flask) -> None:
    with app.test_request_context():
        assert render_template_string("{{ v|number }}", v=Decimal("1234.5")) == "1\u00a0234,50"


def test_one_day_over_is_singular(app: Flask) -> None:
    with app.test_request_context():
        out = render_template_string(
            '{{ ngettext("%(num)d day over the deadline", "%(num)d days over the deadline", 1) }}'
        )
    assert out == "1 diena pāri termiņam"
