"""What a click on a step says back: a blocked step's reasons once, where they belong."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

Client = Callable[[str | None], FlaskClient]


def _main(page: str) -> str:
    return page.split("<main", 1)[1]


@pytest.mark.parametrize(
    ("trigger", "reason"),
    [("submit", "vēl nav iesniegts"), ("withdraw", "komentārā jānorāda iemesls")],
)
def test_a_blocked_click_says_each_reason_once(
    client_as: Client, ids: dict[str, int], trigger: str, reason: str
) -> None:
    c = client_as("coordinator")
    before = _main(c.get(f"/cases/{ids['kc']}").get_data(as_text=True)).count(reason)
    assert before >= 1
    r = c.post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": trigger, "expected_version": ids["kc_version"], "comment": ""},
    )
    assert r.status_code == 422
    main = _main(r.get_data(as_text=True))
    assert main.count(reason) == before  # the click adds no second copy of any reason
    assert 'class="flashes"' not in main  # no second copy at the top
    step = main.split(f'id="trigger-{trigger}"', 1)[1].split("</li>\n", 1)[0]
    assert 'id="refused"' in step  # the refusal is announced at the step itself


def test_a_step_that_only_asks_for_a_reason_is_not_shown_as_refused(
    client_as: Client, ids: dict[str, int]
) -> None:
    page = _main(client_as("coordinator").get(f"/cases/{ids['kc']}").get_data(as_text=True))
    step = page.split('id="trigger-withdraw"', 1)[1].split("</li>\n", 1)[0]
    assert "nav iespējams" not in step
    assert 'class="no"' not in step
    assert 'class="reasons"' not in step
    assert '<span class="need">vajag iemeslu</span>' in step
    assert "Pirms šī soļa: komentārā jānorāda iemesls." in step
    assert "needs-reason" in page.split('id="trigger-withdraw"', 1)[0].rsplit("<li", 1)[1]
    submit = page.split('id="trigger-submit"', 1)[1].split("</li>\n", 1)[0]
    assert "nav iespējams" in submit  # a real refusal still reads as one


def test_clicking_without_the_reason_turns_the_request_into_a_field_error(
    client_as: Client, ids: dict[str, int]
) -> None:
    r = client_as("coordinator").post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": "withdraw", "expected_version": ids["kc_version"], "comment": " "},
    )
    assert r.status_code == 422
    step = _main(r.get_data(as_text=True)).split('id="trigger-withdraw"', 1)[1]
    errors = step.split('id="comment-withdraw-errors"', 1)[1].split("</ul>", 1)[0]
    assert "komentārā jānorāda iemesls" in errors
    assert 'id="asks-withdraw"' not in step.split("</li>\n", 1)[0]
