"""Data entry in words: codes are chosen by their labels (still sent as codes), mentors
from a list or typed for an external one, and the application form says what is missing."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.conftest import ADMIN
from workflow import enrolment, registry, views
from workflow.runtime import Runtime
from workflow.schemas import OrganisationIn

Client = Callable[[str | None], FlaskClient]


def test_fields_of_activity_are_ticked_by_label_and_sent_as_codes(
    client_as: Client, app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    form = c.get("/organisations/new").get_data(as_text=True)
    assert 'type="checkbox"' in form
    assert 'value="education"' in form
    assert "izglītība" in form
    assert "<legend>Darbības jomas</legend>" in form
    r = c.post(
        "/organisations/new",
        data={
            "name": "Bišu draugi",
            "reg_no": "40008000001",
            "legal_form": "association",
            "fields": ["education", "environment"],
            "fields_other": "beekeeping",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    org = next(o for o in registry.list_organisations(app_rt) if o.name == "Bišu draugi")
    assert org.fields == ["education", "environment", "beekeeping"]


def test_need_areas_are_ticked_by_label(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    form = c.get(f"/cases/{ids['kc']}/analysis").get_data(as_text=True)
    assert 'value="governance"' in form
    assert "pārvaldība" in form
    r = c.post(
        f"/cases/{ids['kc']}/analysis",
        data={
            "findings": "Vajag valdes darba kārtību",
            "need_areas": ["governance", "finance"],
            "expected_version": ids["kc_version"],
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    latest = views.case_detail(app_rt, None, ids["kc"]).analyses
    assert any(a.need_areas == ["governance", "finance"] for a in latest)
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "(pārvaldība, finanses)" in page


def test_nothing_ticked_is_a_field_error(client_as: Client, ids: dict[str, int]) -> None:
    r = client_as("coordinator").post(
        f"/cases/{ids['kc']}/analysis",
        data={"findings": "x", "expected_version": ids["kc_version"]},
    )
    assert r.status_code == 422
    assert 'id="need_areas-errors"' in r.get_data(as_text=True)


def test_the_mentor_is_chosen_from_the_mentors_or_typed_for_an_external_one(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    c = client_as("coordinator")
    form = c.get(f"/cases/{ids['kc']}/consultations").get_data(as_text=True)
    select = form.split('<select id="mentor"', 1)[1].split("</select>", 1)[0]
    assert 'value="janis"' in select
    assert 'value="anna"' in select
    assert 'value="ilze"' not in select  # a coordinator is no mentor
    r = c.post(
        f"/cases/{ids['kc']}/consultations",
        data={
            "mentor": "",
            "mentor_other": "Dace Ārējā",
            "held_on": "2024-02-19",
            "hours": "2",
            "topic": "Grāmatvedība",
            "expected_version": ids["kc_version"],
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    kc = views.case_detail(app_rt, None, ids["kc"])
    assert any(x.mentor == "Dace Ārējā" for x in kc.consultations)


def test_the_application_form_says_to_select_a_source_first(
    client_as: Client, app_rt: Runtime
) -> None:
    org = registry.create_organisation(
        app_rt,
        ADMIN,
        OrganisationIn(name="Jauna", reg_no="40008000002", legal_form="association", fields=[]),
    )
    cycle = next(c for c in registry.list_cycles(app_rt) if "2024" in c.name)
    bare_id = enrolment.enrol(app_rt, ADMIN, org.id, cycle.id)
    page = client_as("coordinator").get(f"/cases/{bare_id}/applications").get_data(as_text=True)
    hint = page.split('id="no-source"', 1)[1].split("</p>", 1)[0]
    assert f'href="/cases/{bare_id}/sources"' in hint


def test_a_closed_call_is_marked_when_selecting_a_source(
    client_as: Client, ids: dict[str, int], app_rt: Runtime
) -> None:
    today = app_rt.now().date()
    sources = registry.list_funding_sources(app_rt)
    closed = [s for s in sources if s.call_closes < today]
    open_ = [s for s in sources if s.call_closes >= today]
    assert closed
    assert open_
    page = client_as("coordinator").get(f"/cases/{ids['kc']}/sources").get_data(as_text=True)
    for s in closed:
        option = page.split(f'value="{s.id}"', 1)[1].split("</option>", 1)[0]
        assert "konkurss slēgts" in option
    for s in open_:
        option = page.split(f'value="{s.id}"', 1)[1].split("</option>", 1)[0]
        assert "konkurss slēgts" not in option
