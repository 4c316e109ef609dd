"""A verify finding about a row (a user, an API token, an evidence row) rather than an
event is shown by its table and id, in Latvian and English, never as "event #None"."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import text

from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def _status(page: str, element: str) -> str:
    return page.split(f'id="{element}"', 1)[1].split("</p>", 1)[0]


def _sql(rt: Runtime, statement: str, **params: object) -> None:
    with rt.engine.begin() as conn:
        conn.execute(text(statement), params)


def _english(client: FlaskClient) -> FlaskClient:
    client.post("/language", data={"lang": "en", "next": "/"})
    return client


def _user_id(rt: Runtime, name: str) -> int:
    with rt.engine.connect() as conn:
        found = conn.scalar(text("SELECT id FROM users WHERE name = :n"), {"n": name})
    assert isinstance(found, int)
    return found


def test_a_role_raised_behind_the_log_is_named_by_table_and_id(
    client_as: Client, app_rt: Runtime
) -> None:
    janis = _user_id(app_rt, "janis")
    _sql(app_rt, "UPDATE users SET role = 'admin' WHERE id = :u", u=janis)
    page = client_as("auditor").get("/audit/accounts").get_data(as_text=True)
    status = _status(page, "account-chain-status")
    assert 'class="bad"' in status
    assert "#None" not in page
    assert f"lietotājs {janis} (tabula users)" in status
    assert "Konti NEATBILST kontu žurnālam" in status
    assert "loma ir &#39;admin&#39;, bet kontu žurnāls dod &#39;mentor&#39;" in status

    en = _english(client_as("auditor")).get("/audit/accounts").get_data(as_text=True)
    status = _status(en, "account-chain-status")
    assert "#None" not in en
    assert f"user {janis} (table users)" in status
    assert "The accounts do NOT match the account log" in status
    assert "role &#39;admin&#39; but the account log&#39;s replay gives &#39;mentor&#39;" in status


def test_a_forged_token_row_is_named_by_table_and_id(client_as: Client, app_rt: Runtime) -> None:
    janis = _user_id(app_rt, "janis")
    _sql(
        app_rt,
        "INSERT INTO api_tokens (user_id, token_hash, created_at) "
        "VALUES (:u, :h, CURRENT_TIMESTAMP)",
        u=janis,
        h="0" * 64,
    )
    with app_rt.engine.connect() as conn:
        forged = conn.scalar(text("SELECT max(id) FROM api_tokens"))
    page = _english(client_as("auditor")).get("/audit/accounts").get_data(as_text=True)
    status = _status(page, "account-chain-status")
    assert "#None" not in page
    assert f"API token {forged} (table api_tokens)" in status
    assert "a forged token" in status


def test_an_edited_evidence_row_is_named_by_table_and_id(
    client_as: Client, app_rt: Runtime
) -> None:
    with app_rt.engine.connect() as conn:
        row = conn.execute(text("SELECT min(id), count(*) FROM consultations")).one()
    consultation, count = row
    assert count > 0
    _sql(app_rt, "UPDATE consultations SET hours = hours + 10 WHERE id = :i", i=consultation)
    page = client_as("auditor").get("/audit/verify").get_data(as_text=True)
    status = _status(page, "chain-status")
    assert 'class="bad"' in status
    assert "#None" not in page
    assert "lieta None" not in status
    assert f"konsultācija {consultation} (tabula consultations)" in status
    assert "ieraksts ir labots" in status

    en = _english(client_as("auditor")).get("/audit/verify").get_data(as_text=True)
    status = _status(en, "chain-status")
    assert f"consultation {consultation} (table consultations)" in status
    assert "the row was edited" in status
    assert "consultations " + str(consultation) + ":" not in status  # said once, in words
