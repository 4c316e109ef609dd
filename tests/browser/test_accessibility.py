"""Every page each role can reach, checked with axe-core in Chromium (WCAG 2.1 A and AA
rules, as Latvian public bodies' sites must meet): no serious or critical violation. The
pages are found by following the links a user sees, so a new page is checked the day it
is linked. Also: the main pages are usable at a phone's width (no sideways scrolling) and
print without the navigation."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from inkubators.demo.programme import DEMO_PASSWORD
from tests.browser.conftest import REPRESENTATIVE

pytestmark = pytest.mark.browser

# coordinator, mentor, auditor, admin, an organisation's representative
ROLES = ("ilze", "anna", "revidents", "admins", REPRESENTATIVE)
PHONE = {"width": 390, "height": 844}
# downloads and actions, not pages
SKIP = re.compile(r"\.(csv|jsonl|json|pdf|xlsx|ics)(\?|$)|^/(api|static|logout|metrics)|/export")
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
MAX_PAGES = 80


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Lietotājvārds").fill(name)
    page.get_by_label("Parole").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Pieteikties").click()
    page.wait_for_url(f"{base}/work")


def _shape(path: str) -> str:
    """One page per route and query keys: /cases/12 and /cases/13 are the same page."""
    parts = urlsplit(path)
    keys = sorted(k.split("=", 1)[0] for k in parts.query.split("&") if k)
    return re.sub(r"/\d+", "/{id}", parts.path) + "?" + "&".join(keys)


def _crawl(page: Any, base: str) -> list[str]:
    """Same-origin pages reachable by links from the start page, one per shape."""
    seen_shapes: set[str] = set()
    queue: deque[str] = deque(["/"])
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        shape = _shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(base + path)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type") or "")
        ):
            continue
        pages.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urldefrag(urljoin(base + path, href))[0]
            if not url.startswith(base):
                continue
            rel = url[len(base) :] or "/"
            if not SKIP.search(rel) and _shape(rel) not in seen_shapes:
                queue.append(rel)
    return pages


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("role_user", ROLES)
def test_every_page_a_role_reaches_passes_axe(browser: Any, server: str, role_user: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _login(page, server, role_user)
    pages = _crawl(page, server)
    assert len(pages) >= 3, pages
    found = {}
    for path in pages:
        page.goto(server + path)
        if problems := _serious(page):
            found[path] = problems
    context.close()
    assert found == {}


def test_the_english_pages_pass_axe_too(browser: Any, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _login(page, server, "ilze")
    page.get_by_role("button", name="English").click()
    found = {}
    for path in ("/", "/cases/", _first_case(page, server)):
        page.goto(server + path)
        if problems := _serious(page):
            found[path] = problems
    context.close()
    assert found == {}


def _first_case(page: Any, base: str) -> str:
    page.goto(f"{base}/cases/")
    href = page.locator("table a[href*='/cases/']").first.get_attribute("href")
    assert href
    return str(href)


@pytest.mark.parametrize("role_user", ["ilze", "anna"])
def test_the_main_pages_fit_a_phone(browser: Any, server: str, role_user: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, server, role_user)
    too_wide = {}
    paths = ["/", "/work", "/cases/", _first_case(page, server), "/me"]
    if role_user == "ilze":  # the coordinator's pages besides
        paths += ["/budget", "/reports/cycles/1", "/registry", "/organisations/", "/audit/"]
    for path in paths:
        response = page.goto(server + path)
        assert response is not None
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}


def test_a_case_prints_without_the_navigation(browser: Any, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _login(page, server, "ilze")
    page.goto(server + _first_case(page, server))
    page.emulate_media(media="print")
    assert not page.locator("header.top nav").is_visible()
    assert not page.locator("form button").first.is_visible()
    assert page.locator("h1").first.is_visible()
    context.close()


def test_every_page_names_a_favicon(browser: Any, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/login")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href
    response = page.request.get(urljoin(server, href))
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    context.close()


def test_technical_details_wait_behind_a_toggle(browser: Any, server: str) -> None:
    """Version numbers and rule hashes are not the day's work: hidden until asked for."""
    context = browser.new_context()
    page = context.new_page()
    _login(page, server, "ilze")
    page.goto(server + _first_case(page, server))
    assert not page.locator("#case-version").is_visible()
    assert not page.locator("#history td.rules").first.is_visible()
    page.get_by_label("Rādīt tehnisko informāciju (versija, noteikumi)").check()
    assert page.locator("#case-version").is_visible()
    assert page.locator("#history td.rules").first.is_visible()
    context.close()
