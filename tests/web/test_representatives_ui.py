"""Tried as a new user would: a coordinator invites the organisation's representative on
the web, the mailed one-time link sets their password, and the representative logs in
to their case: the next step's checklist in Latvian, and a message to the coordinator."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import login
from workflow import accountlog, views
from workflow.runtime import Runtime


def test_invite_set_password_log_in_and_see_the_checklist(
    app: Flask,
    app_rt: Runtime,
    client_as: Callable[[str | None], FlaskClient],
    ids: dict[str, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workflow.mail")
    org = views.case_detail(app_rt, None, ids["kc"]).organisation_id
    coordinator = client_as("coordinator")
    case_page = coordinator.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert f"/organisations/{org}/representatives" in case_page
    form = coordinator.get(f"/organisations/{org}/representatives")
    assert "Keep The Change" in form.get_data(as_text=True)
    bad = coordinator.post(
        f"/organisations/{org}/representatives", data={"name": "x y", "email": "nav-adrese"}
    )
    assert bad.status_code == 400
    assert "kc.valde" not in bad.get_data(as_text=True)
    sent = coordinator.post(
        f"/organisations/{org}/representatives",
        data={"name": "kc.valde", "email": "valde@keepthechange.lv", "locale": "lv"},
    )
    assert sent.status_code == 302
    listed = coordinator.get(f"/organisations/{org}/representatives").get_data(as_text=True)
    assert "valde@keepthechange.lv" in listed
    mail = "\n".join(r.getMessage() for r in caplog.records)
    link = re.search(r"http://localhost/invitations/(\S+)", mail)
    assert link is not None, mail
    anonymous = app.test_client()
    page = anonymous.get(f"/invitations/{link.group(1)}")
    assert page.status_code == 200
    assert "kc.valde" in page.get_data(as_text=True)
    short = anonymous.post(f"/invitations/{link.group(1)}", data={"password": "īsa"})
    assert short.status_code == 400
    done = anonymous.post(f"/invitations/{link.group(1)}", data={"password": "Valdes-parole-2024"})
    assert done.status_code == 302
    again = anonymous.get(f"/invitations/{link.group(1)}")
    assert again.status_code == 410
    assert "jau izmantota" in again.get_data(as_text=True)

    rep = app.test_client()
    login(rep, "kc.valde", "Valdes-parole-2024")
    assert rep.get("/").headers["Location"] == "/cases/"
    mine = rep.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "Kas vajadzīgs nākamajam solim" in mine
    assert 'id="checklist"' in mine
    assert "Atzīmēt kā iesniegtu" in mine  # the next step, application_drafted → submit
    assert 'name="trigger"' not in mine  # no advance form
    assert accountlog.verify(app_rt).ok
