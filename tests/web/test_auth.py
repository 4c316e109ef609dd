"""Login, logout, sessions and the security settings a user (or attacker) would notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inkubators.demo.programme import DEMO_PASSWORD
from tests.conftest import Clock
from tests.web.conftest import SECRET, login, make_app
from web import InsecureConfiguration, create_app
from workflow import views
from workflow.db import make_engine
from workflow.rules import Rules
from workflow.runtime import FixedRules, Runtime
from workflow.settings import DEMO_SECRET, Settings
from workflow.throttle import ThrottlePolicy

GENERIC = "Nepareizs lietotājvārds vai parole."


def test_wrong_password_and_unknown_name_get_the_same_message(app: Flask) -> None:
    c = app.test_client()
    wrong = c.post("/login", data={"name": "ilze", "password": "not-the-password"})
    unknown = c.post("/login", data={"name": "nobody", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    assert c.get("/").status_code == 302


def test_login_renews_the_session(app: Flask) -> None:
    c = app.test_client()
    with c.session_transaction() as s:
        s["planted"] = "by an attacker"
    login(c, "ilze")
    with c.session_transaction() as s:
        assert "planted" not in s
        assert s["epoch"] == 0


def test_login_redirects_only_to_local_paths(app: Flask) -> None:
    c = app.test_client()
    r = c.post(
        "/login", data={"name": "ilze", "password": DEMO_PASSWORD, "next": "//evil.example/x"}
    )
    assert r.headers["Location"] == "/"
    c2 = app.test_client()
    r = c2.post(
        "/login", data={"name": "ilze", "password": DEMO_PASSWORD, "next": "/cases/?q=Fotast"}
    )
    assert r.headers["Location"] == "/cases/?q=Fotast"


def test_replayed_cookie_after_logout_is_rejected(app: Flask) -> None:
    c = app.test_client()
    login(c, "ilze")
    stolen = c.get_cookie("session")
    assert stolen is not None
    assert c.post("/logout").status_code == 302
    attacker = app.test_client()
    attacker.set_cookie("session", stolen.value)
    r = attacker.get("/cases/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")


def test_idle_session_ends(app: Flask, web_clock: Clock) -> None:
    c = app.test_client()
    login(c, "ilze")
    web_clock.now += timedelta(minutes=29)
    assert c.get("/").status_code == 200
    web_clock.now += timedelta(minutes=31)
    r = c.get("/cases/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")
    assert c.get("/").status_code == 302  # the session is gone, not just this request


def test_failed_logins_are_limited_per_account_across_app_instances(
    demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path
) -> None:
    """Two app instances (as two workers) on one database share the counter."""
    one = make_app(demo_url, rules, web_clock, tmp_path)
    two = make_app(demo_url, rules, web_clock, tmp_path)
    for i in range(5):
        app = one if i % 2 == 0 else two
        r = app.test_client().post("/login", data={"name": "ilze", "password": "wrong-password"})
        assert r.status_code == 401
    # The right password no longer helps, on either instance, from any address.
    r = two.test_client().post(
        "/login",
        data={"name": "ilze", "password": DEMO_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert r.status_code == 429
    assert "Mēģiniet vēlreiz pēc 15 minūtēm" in r.get_data(as_text=True)
    # Another account is unaffected.
    login(one.test_client(), "revidents")
    # After the window the account may try again.
    web_clock.now += timedelta(minutes=16)
    login(one.test_client(), "ilze")
    for a in (one, two):
        a.extensions["inkubators"].engine.dispose()


def test_failed_logins_are_limited_per_address(app: Flask) -> None:
    # A smaller address limit than the default 20 keeps the test fast (argon2 is slow).
    app.config["INKUBATORS_THROTTLE"] = ThrottlePolicy(per_account=5, per_address=6)
    addr = {"REMOTE_ADDR": "192.0.2.7"}
    for i in range(6):
        r = app.test_client().post(
            "/login", data={"name": f"guess{i}", "password": "wrong-password"}, environ_base=addr
        )
        assert r.status_code == 401
    r = app.test_client().post(
        "/login", data={"name": "ilze", "password": DEMO_PASSWORD}, environ_base=addr
    )
    assert r.status_code == 429
    login(app.test_client(), "ilze")  # from another address it still works


@pytest.mark.parametrize("secret", ["", DEMO_SECRET, "short-secret"])
def test_production_refuses_to_start_without_a_real_secret(secret: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/x.sqlite3",
        mode="production",
        secret_key=secret,
        instance_dir=tmp_path,
    )
    with pytest.raises(InsecureConfiguration, match="INKUBATORS_SECRET_KEY"):
        create_app(settings)


def test_production_starts_with_a_real_secret(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=sqlite_url, mode="production", secret_key=SECRET, instance_dir=tmp_path
    )
    app = create_app(settings)
    assert app.test_client().get("/login").status_code == 200
    app.extensions["inkubators"].engine.dispose()


def _demo_app(url: str, rules: Rules, clock: Clock, instance: Path, secret: str = "") -> Flask:
    """An app in demo mode, with ``secret`` configured (none by default), on ``instance``."""
    settings = Settings(database_url=url, mode="demo", secret_key=secret, instance_dir=instance)
    app = create_app(settings, Runtime(make_engine(url), FixedRules(rules), clock=clock))
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_demo_without_a_secret_generates_one_kept_in_the_instance_folder(
    demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    first = _demo_app(demo_url, rules, web_clock, instance)
    c = first.test_client()
    login(c, "ilze")
    cookie = c.get_cookie("session")
    assert cookie is not None
    key = instance / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert first.secret_key not in ("", DEMO_SECRET)
    # A restart (or another gunicorn worker) on the same instance folder uses the same
    # key, so the session stays valid.
    second = _demo_app(demo_url, rules, web_clock, instance)
    assert second.secret_key == first.secret_key == key.read_text()
    again = second.test_client()
    again.set_cookie("session", cookie.value)
    assert again.get("/").status_code == 200
    # Another installation has its own key: the cookie is worth nothing there.
    other = _demo_app(demo_url, rules, web_clock, tmp_path / "elsewhere")
    assert other.secret_key != first.secret_key
    stranger = other.test_client()
    stranger.set_cookie("session", cookie.value)
    assert stranger.get("/").status_code == 302
    for a in (first, second, other):
        a.extensions["inkubators"].engine.dispose()


@pytest.mark.parametrize("secret", [DEMO_SECRET, "short-secret"])
def test_demo_refuses_a_known_or_short_secret(
    secret: str, demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path
) -> None:
    with pytest.raises(InsecureConfiguration, match="INKUBATORS_SECRET_KEY"):
        _demo_app(demo_url, rules, web_clock, tmp_path, secret=secret)
    assert not (tmp_path / "secret_key").exists()


def test_csrf_token_is_required(app: Flask, app_rt: Runtime, ids: dict[str, int]) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    c = app.test_client()
    r = c.post("/login", data={"name": "ilze", "password": DEMO_PASSWORD})
    assert r.status_code == 400
    assert "Veidlapa ir novecojusi" in r.get_data(as_text=True)
    assert c.get("/").status_code == 302  # not logged in
    # With the token from the page, the same login works.
    page = c.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    r = c.post("/login", data={"name": "ilze", "password": DEMO_PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    # A logged-in user's advance without the token is refused and changes nothing.
    r = c.post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": "withdraw", "expected_version": ids["kc_version"], "comment": "x"},
    )
    assert r.status_code == 400
    assert "Pieteikums sagatavots" in c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert 'id="case-state">Pieteikums sagatavots<' in page
    case = views.case_detail(app_rt, None, ids["kc"])
    assert (case.state, case.version) == ("application_drafted", ids["kc_version"])


def test_security_headers_and_cookie_flags(
    demo_url: str, rules: Rules, web_clock: Clock, tmp_path: Path
) -> None:
    app = make_app(demo_url, rules, web_clock, tmp_path, secure_cookies=True)
    c = app.test_client()
    r = c.post("/login", data={"name": "ilze", "password": DEMO_PASSWORD})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    for path in ("/", "/cases/", "/login"):
        h = c.get(path).headers
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        script_src = csp.split("script-src", 1)[1].split(";", 1)[0]
        assert "'unsafe-inline'" not in script_src
        assert "'unsafe-eval'" not in script_src
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"]
    app.extensions["inkubators"].engine.dispose()


def test_pages_have_no_inline_script(
    client_as: Callable[[str | None], FlaskClient], ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    for path in ("/", f"/cases/{ids['kc']}", "/audit/"):
        html = c.get(path).get_data(as_text=True)
        for chunk in html.split("<script")[1:]:
            head, _, rest = chunk.partition(">")
            assert "src=" in head
            assert rest.startswith("</script>")


def test_language_switch(
    client_as: Callable[[str | None], FlaskClient], ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "Pieteikums sagatavots" in page
    assert "Atzīmēt kā iesniegtu" in page
    r = c.post("/language", data={"lang": "en", "next": f"/cases/{ids['kc']}"})
    assert r.headers["Location"] == f"/cases/{ids['kc']}"
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "Application drafted" in page
    assert "Mark as submitted" in page
    assert '<html lang="en">' in page
    c.post("/language", data={"lang": "lv"})
    assert "Pieteikums sagatavots" in c.get(f"/cases/{ids['kc']}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("shown_at", "lands_on"),
    [
        ("/cases/{kc}/advance", "/cases/{kc}"),  # a refused advance, answered by the POST
        ("/admin/users/anna/password", "/admin/users"),
        ("/cases/?state=submitted", "/cases/?state=submitted"),  # a GET page stays
        ("/no/such/page", "/"),
    ],
)
def test_switching_language_on_a_page_shown_by_a_post_lands_on_a_page(
    client_as: Callable[[str | None], FlaskClient],
    ids: dict[str, int],
    shown_at: str,
    lands_on: str,
) -> None:
    c = client_as("admin")
    r = c.post("/language", data={"lang": "en", "next": shown_at.format(kc=ids["kc"])})
    target = lands_on.format(kc=ids["kc"])
    assert r.headers["Location"] == target
    assert c.get(target).status_code == 200


def test_user_locale_is_the_default(
    app: Flask, client_as: Callable[[str | None], FlaskClient]
) -> None:
    admin = client_as("admin")
    r = admin.post(
        "/admin/users",
        data={"name": "mary", "role": "auditor", "locale": "en", "password": "a-long-password"},
    )
    assert r.status_code == 302
    c = app.test_client()
    login(c, "mary", "a-long-password")
    assert "Audit log" in c.get("/audit/").get_data(as_text=True)
