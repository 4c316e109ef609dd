"""PATCH an organisation, a cycle or a funding source through the API: only the fields
sent change, the edit is in the account log, and every refusal is a problem document
naming its field."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.conftest import Api
from tests.conftest import ADMIN
from workflow import accountlog, registry
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, FundingSourceIn, OrganisationIn


@pytest.fixture
def rows(sqlite_rt: Runtime, tokens: dict[str, str]) -> dict[str, int]:
    rt = sqlite_rt
    org = registry.create_organisation(
        rt, ADMIN, OrganisationIn(name="Kultūrbāka", reg_no="40008000001", legal_form="association")
    )
    registry.create_organisation(
        rt, ADMIN, OrganisationIn(name="Avots", reg_no="40008000002", legal_form="association")
    )
    cycle = registry.create_cycle(
        rt, ADMIN, CycleIn(name="2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 6, 30))
    )
    source = registry.create_funding_source(
        rt,
        ADMIN,
        FundingSourceIn.model_validate(
            {
                "funder": "VKKF",
                "programme": "Kultūra 2024",
                "call_opens": "2024-01-10",
                "call_closes": "2024-02-15",
                "max_grant_eur": "5000",
            }
        ),
    )
    return {"org": org.id, "cycle": cycle.id, "source": source.id}


def test_patch_changes_only_the_fields_sent_and_is_logged(
    api: Api, sqlite_rt: Runtime, rows: dict[str, int]
) -> None:
    body = api.ok("PATCH", f"/organisations/{rows['org']}", {"name": "kultūrBĀKA"})
    assert (body["name"], body["reg_no"], body["legal_form"]) == (
        "kultūrBĀKA",
        "40008000001",
        "association",
    )
    body = api.ok("PATCH", f"/funding-sources/{rows['source']}", {"call_closes": "2024-03-01"})
    assert (body["call_opens"], body["call_closes"]) == ("2024-01-10", "2024-03-01")
    body = api.ok("PATCH", f"/cycles/{rows['cycle']}", {"budget_eur": "12500.00"})
    assert body["budget_eur"] == "12500.00"
    actions = [e.action for e in accountlog.recent(sqlite_rt, limit=3)]
    assert actions == ["cycle_changed", "funding_source_changed", "organisation_changed"]
    assert accountlog.verify(sqlite_rt).ok
    # the organisations list reads in Latvian order: Avots, then kultūrBĀKA
    names = [o["name"] for o in api.ok("GET", "/organisations")["items"]]
    assert names == ["Avots", "kultūrBĀKA"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/funding-sources/{source}", {"call_closes": "2024-01-01"}, "call_closes"),
        ("/funding-sources/{source}", {"call_opens": "24-01-01"}, "call_opens"),
        ("/cycles/{cycle}", {"ends_on": "2023-12-31"}, "ends_on"),
        ("/cycles/{cycle}", {"capacity": 0}, "capacity"),
        ("/cycles/{cycle}", {"colour": "red"}, "colour"),
        ("/organisations/{org}", {"reg_no": "12"}, "reg_no"),
        ("/organisations/{org}", {"name": None}, "name"),
    ],
)
def test_a_bad_field_is_a_422_naming_it(
    api: Api,
    sqlite_rt: Runtime,
    rows: dict[str, int],
    path: str,
    body: dict[str, object],
    field: str,
) -> None:
    before = accountlog.recent(sqlite_rt, limit=1)
    resp = api.patch(path.format(**rows), body)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    problem = resp.get_json()
    named = {e.get("field") for e in problem.get("errors", [])}
    assert field in named or field in problem["detail"], problem
    assert accountlog.recent(sqlite_rt, limit=1) == before


def test_a_taken_register_number_is_409_and_an_unknown_row_404(
    api: Api, rows: dict[str, int]
) -> None:
    resp = api.patch(f"/organisations/{rows['org']}", {"reg_no": "40008000002"})
    assert resp.status_code == 409
    assert api.patch("/cycles/999999", {"capacity": 3}).status_code == 404


def test_mentor_and_auditor_may_not_edit(api: Api, rows: dict[str, int]) -> None:
    for role in ("mentor", "auditor"):
        resp = api.patch(f"/cycles/{rows['cycle']}", {"capacity": 3}, role=role)
        assert resp.status_code == 403
