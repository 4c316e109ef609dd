"""Login, logout and the idle timeout start the session afresh through one helper
(``helpers.reset_session``): only a language we speak survives, nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Clock
from tests.web.conftest import login


def _login(c: FlaskClient, clock: Clock) -> None:
    login(c, "ilze")


def _logout(c: FlaskClient, clock: Clock) -> None:
    assert c.post("/logout").status_code == 302


def _idle(c: FlaskClient, clock: Clock) -> None:
    clock.now += timedelta(minutes=31)
    r = c.get("/cases/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")


RESETS = {"login": _login, "logout": _logout, "idle timeout": _idle}


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize(("chosen", "kept"), [("en", "en"), ("lv", "lv"), ("de", None)])
def test_a_session_reset_keeps_only_a_known_language(
    app: Flask, web_clock: Clock, reset: str, chosen: str, kept: str | None
) -> None:
    c = app.test_client()
    if reset != "login":
        login(c, "ilze")
    with c.session_transaction() as s:
        s["lang"] = chosen
        s["planted"] = "from before"
    RESETS[reset](c, web_clock)
    with c.session_transaction() as s:
        assert "planted" not in s
        assert s.get("lang") == kept
