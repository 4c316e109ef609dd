"""A comment is bounded as the engine bounds it, with the bound said in the user's language,
and long text wraps instead of widening the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from web.api.cases import TransitionIn
from workflow.schemas import COMMENT_MAX

Client = Callable[[str | None], FlaskClient]
CSS = Path(__file__).parents[2] / "web" / "static" / "css" / "app.css"


def test_the_forms_and_the_api_take_the_engines_comment_limit() -> None:
    limits = [getattr(m, "max_length", None) for m in TransitionIn.model_fields["comment"].metadata]
    assert COMMENT_MAX == 2000  # the form's bound shows in its page: maxlength, below
    assert COMMENT_MAX in limits


def test_an_overlong_comment_is_refused_on_its_field(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    data = {"trigger": "withdraw", "expected_version": ids["kc_version"]}
    r = c.post(f"/cases/{ids['kc']}/advance", data={**data, "comment": "x" * (COMMENT_MAX + 1)})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert f"Ne vairāk kā {COMMENT_MAX} rakstzīmes." in page
    assert f'maxlength="{COMMENT_MAX}"' in page
    assert 'id="case-state">Pieteikums sagatavots<' in page  # nothing happened
    r = c.post(f"/cases/{ids['kc']}/advance", data={**data, "comment": "y" * COMMENT_MAX})
    assert r.status_code == 302  # exactly at the limit is fine


def test_an_overlong_enrolment_comment_is_refused(client_as: Client) -> None:
    r = client_as("coordinator").post(
        "/enrol", data={"organisation_id": "1", "cycle_id": "1", "comment": "z" * 20_000}
    )
    assert r.status_code == 400
    assert f"Ne vairāk kā {COMMENT_MAX} rakstzīmes." in r.get_data(as_text=True)


def test_long_words_wrap_in_comments(client_as: Client, ids: dict[str, int]) -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "overflow-wrap: anywhere" in css
    page = client_as("auditor").get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert '<td class="text">' in page.split('id="history"', 1)[1]
