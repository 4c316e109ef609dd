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
