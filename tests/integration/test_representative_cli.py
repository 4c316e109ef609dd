"""``inkubators user add NAME --role representative --organisation REGCODE`` and the API
token a representative gets from ``inkubators token create``."""

from __future__ import annotations

import sqlite3

from tests.integration.test_cli import Cli, cli, demo_db  # noqa: F401


def _reg_no(cli: Cli, name: str) -> str:  # noqa: F811
    path = cli.url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        (reg_no,) = conn.execute(
            "SELECT reg_no FROM organisations WHERE name = ?", (name,)
        ).fetchone()
    return str(reg_no)


def test_a_representative_is_added_for_one_organisation(cli: Cli) -> None:  # noqa: F811
    reg_no = _reg_no(cli, "Keep The Change")
    added = cli("user", "add", "kc.valde", "--role", "representative", "--organisation", reg_no)
    assert added.exit_code == 0, added.output
    assert added.stdout == f"user kc.valde (representative) for organisation {reg_no} created\n"
    log = cli("user", "log", "--user", "kc.valde").stdout
    assert "user_added" in log
    token = cli("token", "create", "kc.valde")
    assert token.exit_code == 0, token.output
    assert cli("audit", "verify").exit_code == 0


def test_a_representative_without_or_with_a_wrong_organisation_is_refused(cli: Cli) -> None:  # noqa: F811
    missing = cli("user", "add", "x.valde", "--role", "representative")
    assert missing.exit_code == 1
    assert "organisation" in missing.stderr
    unknown = cli(
        "user", "add", "x.valde", "--role", "representative", "--organisation", "40009999999"
    )
    assert unknown.exit_code == 1
    assert "40009999999" in unknown.stderr
    malformed = cli("user", "add", "x.valde", "--role", "representative", "--organisation", "12-3")
    assert malformed.exit_code == 2
    assert "organisation" in malformed.stderr
    staff = cli("user", "add", "x.valde", "--role", "mentor", "--organisation", "40009999999")
    assert staff.exit_code == 1
    assert "x.valde" not in cli("user", "list").stdout
