"""The auditor's link to the log for an outside reviewer: names as pseudonyms."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

Client = Callable[[str | None], FlaskClient]


def test_the_auditor_downloads_the_redacted_log_from_the_audit_page(client_as: Client) -> None:
    auditor = client_as("auditor")
    page = auditor.get("/audit/").get_data(as_text=True)
    href = page.split('id="export-redacted"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    r = auditor.get(href.replace("&amp;", "&"))
    assert r.status_code == 200
    assert "-redacted.jsonl" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert "Person-" in text
    assert '"ilze"' not in text
    plain = auditor.get("/audit/export.jsonl").get_data(as_text=True)
    assert '"ilze"' in plain
    assert text.count("\n") == plain.count("\n")
    assert client_as("mentor").get("/audit/export.jsonl?redact=1").status_code == 403
