"""The audit log for an outside reviewer (``audit export --redact``, and the auditor's
link in the UI): no organisation's or person's name and no free text in it, the same
name always the same pseudonym, and every state, date, amount, id and hash kept."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from inkubators.cli import main
from inkubators.demo import programme
from tests.integration.test_cli import Cli, cli, demo_db  # noqa: F401
from workflow.redaction import WITHHELD

SECRET = "s" * 48
KEPT = (
    *("id", "case_id", "seq", "kind", "trigger", "from_state", "to_state", "role", "at"),
    *("hash", "prev_hash", "policy_hash", "states_hash"),
)


def _export(c: Cli, *args: str, secret: str | None = SECRET) -> tuple[str, str]:
    folder = c.url.removeprefix("sqlite:///").rsplit("/", 1)[0]
    env = {"DATABASE_URL": c.url, "INKUBATORS_MODE": "test", "INKUBATORS_INSTANCE_DIR": folder}
    if secret:
        env["INKUBATORS_SECRET_KEY"] = secret
    result = CliRunner().invoke(main, ["audit", "export", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def _events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_no_name_and_no_free_text_survives_but_every_figure_does(
    cli: Cli,  # noqa: F811
) -> None:
    plain = _events(_export(cli)[0])
    text, _ = _export(cli, "--redact")
    redacted = _events(text)
    assert len(redacted) == len(plain) > 50
    for name in ["House of Hope", "Keep The Change", "40008123451", "Finansējuma stratēģija"]:
        assert name in json.dumps(plain, ensure_ascii=False)
        assert name not in text
    for user, _role in programme.USERS:
        assert f'"{user}"' not in text
    for p, r in zip(plain, redacted, strict=True):
        assert {k: r[k] for k in KEPT} == {k: p[k] for k in KEPT}
        for key in ("hours", "requested_eur", "awarded_eur", "held_on", "submitted_on"):
            assert r["payload"].get(key) == p["payload"].get(key)
        assert [g["passed"] for g in r["guards"]] == [g["passed"] for g in p["guards"]]
        if p["comment"]:
            assert r["comment"] == WITHHELD
    # one organisation, one pseudonym, from its enrolment on
    enrolled = [r["payload"]["organisation"] for r in redacted if r["trigger"] == "enrol"]
    assert len(set(enrolled)) == len(enrolled) == 11
    assert all(o.startswith("Organisation-") for o in enrolled)
    mentors = {r["payload"]["mentor"] for r in redacted if "mentor" in r["payload"]}
    assert len(mentors) == 2  # anna and janis, whoever they are


def test_pseudonyms_hold_across_exports_with_one_secret_only(cli: Cli) -> None:  # noqa: F811
    first, _ = _export(cli, "--redact")
    again, _ = _export(cli, "--redact")
    other, _ = _export(cli, "--redact", secret="t" * 48)
    assert first == again
    assert first != other
    _, note = _export(cli, "--redact", secret=None)
    # the test mode keeps a generated secret in the instance folder: stable too, no note
    assert note == ""


def test_csv_is_redacted_too_and_complete_refuses_it(cli: Cli) -> None:  # noqa: F811
    text, _ = _export(cli, "--redact", "--format", "csv")
    assert "House of Hope" not in text
    assert "Organisation-" in text
    result = CliRunner().invoke(
        main, ["audit", "export", "--complete", "--redact"], env={"DATABASE_URL": cli.url}
    )
    assert result.exit_code == 2
    assert "no --redact" in result.output
