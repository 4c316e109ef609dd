"""An evidence form loads its case once per request (every guard, the whole history), and a
funding source's way back to a case takes only an id the UI accepts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from workflow import views

Client = Callable[[str | None], FlaskClient]

FORMS = [
    "/cases/{kc}/analysis",
    "/cases/{kc}/consultations",
    "/cases/{kc}/sources",
    "/cases/{kc}/applications",
    "/applications/{erasmus_app}",
]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The case ids ``views.case_detail`` is asked for from now on."""
    asked: list[int] = []
    real = views.case_detail

    def counting(rt: Any, actor: Any, case_id: int) -> Any:
        asked.append(case_id)
        return real(rt, actor, case_id)

    monkeypatch.setattr(views, "case_detail", counting)
    return asked


@pytest.mark.parametrize("route", FORMS)
def test_an_evidence_form_loads_its_case_once(
    client_as: Client, ids: dict[str, int], loads: list[int], route: str
) -> None:
    c = client_as("coordinator")
    shown = c.get(route.format(**ids))
    assert shown.status_code == 200
    assert loads == [ids["kc"]]
    assert f'name="expected_version" type="hidden" value="{ids["kc_version"]}"' in (
        shown.get_data(as_text=True)
    )

    loads.clear()
    refused = c.post(route.format(**ids), data={"expected_version": str(ids["kc_version"])})
    assert refused.status_code in (400, 422)  # required fields missing: nothing written
    assert loads == [ids["kc"]]


@pytest.mark.parametrize("case", ["", "0", "abc", "12a", "-3", "\u0663", "9" * 30, "9" * 5000])
def test_a_malformed_case_to_go_back_to_is_ignored(client_as: Client, case: str) -> None:
    r = client_as("coordinator").get("/funding-sources/new", query_string={"case": case})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'id="case" name="case" type="hidden" value=""' in page
    assert 'id="back-to-case"' not in page
