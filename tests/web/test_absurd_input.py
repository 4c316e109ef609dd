"""Absurd input is never a 500: each bad query parameter or form field is a clear refusal."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from web.ui.auth import safe_next
from workflow import views
from workflow.runtime import Runtime

HUGE_EVENT = base64.urlsafe_b64encode(b"e" + b"9" * 30).decode().rstrip("=")
RANGE = "jābūt no 2000-01-01 līdz 2100-12-31"
FOREIGN_CURSOR = "šo lapas norādi nav izdevis šis pakalpojums"


@pytest.mark.parametrize(
    ("role", "url", "field", "status", "marker"),
    [
        ("coordinator", "/?as_of=9999-12-31", "as_of", 422, f'<p class="problem">as_of: {RANGE}'),
        ("coordinator", "/?as_of=1999-12-31", "as_of", 422, f'<p class="problem">as_of: {RANGE}'),
        (
            "auditor",
            "/audit/?until=9999-12-31",
            "until",
            422,
            f'name="until" type="date" value="9999-12-31"><ul class="errors"><li>{RANGE}<',
        ),
        (
            "auditor",
            "/audit/?since=9999-12-31",
            "since",
            422,
            f'name="since" type="date" value="9999-12-31"><ul class="errors"><li>{RANGE}<',
        ),
        (
            "auditor",
            "/audit/export.csv?until=9999-12-31",
            "until",
            422,
            f'<p class="problem">until: {RANGE}',
        ),
        (
            "auditor",
            "/audit/export.jsonl?since=1999-12-31",
            "since",
            422,
            f'<p class="problem">since: {RANGE}',
        ),
        (
            "auditor",
            f"/audit/?after={HUGE_EVENT}",
            "after",
            200,
            f'<p class="problems" id="page-error" role="alert">Lapa: {FOREIGN_CURSOR}<',
        ),
        (
            "coordinator",
            "/cases/?page=-1",
            "page",
            200,
            '<div class="problems" role="alert"><ul><li>page: lapas numurs no 1<',
        ),
        # the query parameter, as typed
        (
            "coordinator",
            "/cases/?q=a%00b",
            "q",
            422,
            '<p class="problem">q: nedrīkst saturēt NUL rakstzīmes<',
        ),
        (
            "coordinator",
            "/cases/?q=" + "x" * 201,
            "search",
            200,
            '<div class="problems" role="alert"><ul><li>search: ne vairāk kā 200 rakstzīmes<',
        ),
    ],
    ids=[
        "as_of-future",
        "as_of-past",
        "audit-until",
        "audit-since",
        "csv-until",
        "jsonl-since",
        "audit-cursor",
        "cases-page",
        "search-nul",
        "search-long",
    ],
)
def test_absurd_ui_query_is_refused_naming_the_field(
    client_as: Callable[[str | None], FlaskClient],
    role: str,
    url: str,
    field: str,
    status: int,
    marker: str,
) -> None:
    resp = client_as(role).get(url, headers={"Accept-Language": "en"})
    assert 400 <= resp.status_code < 500 or resp.status_code == 200, resp.status_code
    assert field in resp.get_data(as_text=True)
    # the exact refusal: its status and the error element that names the field (the
    # session's language decides, not Accept-Language, so the words are Latvian)
    assert resp.status_code == status
    page = re.sub(r">\s+<", "><", resp.get_data(as_text=True))
    assert page.count(marker) == 1, page


def test_search_for_a_percent_sign_lists_no_case(
    client_as: Callable[[str | None], FlaskClient],
) -> None:
    page = client_as("coordinator").get("/cases/?q=%25").get_data(as_text=True)
    everything = client_as("coordinator").get("/cases/").get_data(as_text=True)
    assert "Keep The Change" in everything
    assert "Keep The Change" not in page


@pytest.mark.parametrize("target", ["/a\nb", "/a\rb", "/a\x00b", "/\\evil.example", "/a\tb"])
def test_next_with_control_characters_or_backslash_goes_to_the_dashboard(
    app: object, target: str
) -> None:
    with app.test_request_context():  # type: ignore[attr-defined]
        assert safe_next(target) == "/"
        assert safe_next("/cases/") == "/cases/"


def test_login_with_a_newline_in_next_is_not_a_500(
    client_as: Callable[[str | None], FlaskClient],
) -> None:
    assert client_as(None).get("/login?next=/a%0Ab").status_code == 200
    resp = client_as("coordinator").get("/login?next=/a%0Ab")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(
    client_as: Callable[[str | None], FlaskClient], ids: dict[str, int], app_rt: Runtime
) -> None:
    client = client_as("coordinator")
    stored = views.case_detail(app_rt, None, ids["kc"])
    before = client.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    resp = client.post(
        f"/cases/{ids['kc']}/analysis",
        data={"findings": "a\x00b", "need_areas": "pr"},
        headers={"Accept-Language": "en"},
    )
    assert 400 <= resp.status_code < 500
    assert "NUL" in resp.get_data(as_text=True)
    assert client.get(f"/cases/{ids['kc']}").get_data(as_text=True).count("a\x00b") == 0
    assert before.count("Analysis") == client.get(f"/cases/{ids['kc']}").get_data(
        as_text=True
    ).count("Analysis")
    after = views.case_detail(app_rt, None, ids["kc"])
    assert after.version == stored.version == ids["kc_version"]
    assert len(after.analyses) == len(stored.analyses)
    assert len(after.history) == len(stored.history)


WRITTEN = ("audit_events", "organisations", "cases", "account_events", "login_attempts")


def row_counts(rt: Runtime) -> dict[str, int]:
    """How many rows each table a UI request could write to holds."""
    with rt.engine.connect() as c:
        return {t: int(c.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in WRITTEN}


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/login", {"name": "il\x00ze", "password": "x"}),
        # without the NUL each of these writes: a withdrawal, an enrolment in the 2024 cycle
        (
            "post",
            "/cases/{kc}/advance",
            {"trigger": "withdraw", "expected_version": "{kc_version}", "comment": "a\x00b"},
        ),
        ("post", "/enrol", {"organisation_id": "1", "cycle_id": "2", "comment": "a\x00b"}),
        ("get", "/audit/?actor=a%00b", None),
        ("get", "/cases/?q=a%00b", None),
    ],
    ids=["login", "advance", "enrol", "audit-filter", "case-search"],
)
def test_nul_anywhere_in_the_ui_is_refused_before_it_reaches_a_query(
    client_as: Callable[[str | None], FlaskClient],
    ids: dict[str, int],
    app_rt: Runtime,
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    """PostgreSQL cannot store or even compare text with NUL: every UI entry point refuses
    it with the engine's words (a 422 page), never a 500, and nothing is written."""
    client = client_as(None if path == "/login" else "coordinator")
    before = client_as("auditor").get("/audit/").get_data(as_text=True).count("<tr")
    rows = row_counts(app_rt)
    url = path.format(kc=ids["kc"])
    if data is not None:
        data = {k: v.format(**ids) for k, v in data.items()}
    resp = client.post(url, data=data) if method == "post" else client.get(url)
    assert resp.status_code == 422
    assert "nedrīkst saturēt NUL rakstzīmes" in resp.get_data(as_text=True)
    assert client_as("auditor").get("/audit/").get_data(as_text=True).count("<tr") == before
    # the audit page shows 50 rows at most: count the tables themselves
    assert row_counts(app_rt) == rows
    assert views.case_detail(app_rt, None, ids["kc"]).version == ids["kc_version"]
