"""Every id on a page is unique: labels, aria references and tests point at one element."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

Client = Callable[[str | None], FlaskClient]


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(v for k, v in attrs if k == "id" and v is not None)


def duplicate_ids(page: str) -> list[str]:
    parser = _Ids()
    parser.feed(page)
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)


@pytest.mark.parametrize(
    ("role", "route"),
    [
        ("coordinator", "/"),
        ("coordinator", "/cases/"),
        ("coordinator", "/cases/{kc}"),
        ("auditor", "/cases/{kc}"),
        ("coordinator", "/cases/{kc}/analysis"),
        ("coordinator", "/cases/{kc}/consultations"),
        ("coordinator", "/cases/{kc}/applications"),
        ("coordinator", "/applications/{erasmus_app}"),
        ("coordinator", "/organisations/new"),
        ("coordinator", "/enrol"),
        ("coordinator", "/cycles/new"),
        ("coordinator", "/funding-sources/new"),
        ("admin", "/funding-sources/new?case={kc}"),
        ("coordinator", "/cases/{kc}/sources"),
        ("auditor", "/audit/"),
        ("admin", "/admin/users"),
        ("auditor", "/audit/accounts"),
        ("admin", "/audit/accounts"),
        ("admin", "/admin/rules"),
        ("mentor", "/me"),
        ("coordinator", "/cases/{kc}/notes"),
    ],
)
def test_no_page_repeats_an_id(
    client_as: Client, ids: dict[str, int], role: str, route: str
) -> None:
    r = client_as(role).get(route.format(**ids))
    assert r.status_code == 200
    assert duplicate_ids(r.get_data(as_text=True)) == []


def test_a_refused_click_repeats_no_id(client_as: Client, ids: dict[str, int]) -> None:
    r = client_as("coordinator").post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": "submit", "expected_version": ids["kc_version"], "comment": ""},
    )
    assert duplicate_ids(r.get_data(as_text=True)) == []
    assert r.status_code == 422
    assert 'id="refused"' in r.get_data(as_text=True)


def test_the_parser_finds_a_repeat() -> None:
    assert duplicate_ids('<p id="a"></p><button id="a"></button><i id="b">') == ["a"]
