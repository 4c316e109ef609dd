"""The case list on paper: the table and the filters it was printed with, without the
navigation, the filter form or the download links."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_accessibility import _login

pytestmark = pytest.mark.browser


def test_the_case_list_prints_its_table_and_filters(browser: Any, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _login(page, server, "ilze")
    page.goto(f"{server}/cases/?mentor=janis&sort=due")
    summary = page.locator("p.print-only")
    assert not summary.is_visible()  # on screen the form says it
    page.emulate_media(media="print")
    assert summary.is_visible()
    assert "Mentors: janis" in summary.inner_text()
    assert page.locator("table#cases").is_visible()
    assert not page.locator("form[role=search].filters").is_visible()
    assert not page.locator("form#bulk-mentor").is_visible()
    assert not page.locator("#list-export").is_visible()
    assert not page.locator("header.top nav").is_visible()
    context.close()
