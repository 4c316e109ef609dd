"""An admin manages an account in a real browser with JavaScript off: adds a user, changes
the role, deactivates and reactivates, sets a password (a short one is refused on its
field), cannot demote the last admin, and reads every change in the account log; the user
then logs in with the new password. The forms carry real CSRF tokens here."""

from __future__ import annotations

from typing import Any

import pytest

from inkubators.demo.programme import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "jauna-parole-2024"


def _login(page: Any, base: str, name: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Lietotājvārds").fill(name)
    page.get_by_label("Parole").fill(password)
    page.get_by_role("button", name="Pieteikties").click()
    page.wait_for_url(f"{base}/work")


def _row(page: Any, name: str) -> Any:
    return page.locator(f'#users tbody tr:has(td.name:text-is("{name}"))')


def _save(page: Any, name: str) -> None:
    page.get_by_role("button", name=f"Saglabāt ({name})", exact=True).click()


def test_admin_manages_an_account_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _login(page, server, "admins")
    page.get_by_role("link", name="Lietotāji").click()

    page.get_by_label("Lietotājvārds").fill("jaunais")
    page.get_by_label("Loma", exact=True).select_option("mentor")
    page.get_by_label("Parole (vismaz 10 rakstzīmes)").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Pievienot").click()
    row = _row(page, "jaunais")
    assert row.locator("td.role").inner_text() == "mentors"

    page.get_by_label("Loma (jaunais)", exact=True).select_option("auditor")
    _save(page, "jaunais")
    assert "loma — revidents, aktīvs" in page.locator(".flashes").inner_text()
    assert row.locator("td.role").inner_text() == "revidents"

    page.get_by_label("Aktīvs (jaunais)", exact=True).uncheck()
    _save(page, "jaunais")
    assert row.locator("td.active").inner_text() == "nē"

    page.get_by_label("Jauna parole (jaunais)", exact=True).fill("īsa")
    page.get_by_role("button", name="Iestatīt paroli (jaunais)", exact=True).click()
    assert "jābūt vismaz 10 rakstzīmēm" in row.locator(".errors").inner_text()
    assert "nav saglabātas" in page.locator("#user-problem").inner_text()
    page.get_by_label("Jauna parole (jaunais)", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Iestatīt paroli (jaunais)", exact=True).click()
    assert "iestatīta jauna parole" in page.locator(".flashes").inner_text()

    page.get_by_label("Loma (admins)", exact=True).select_option("coordinator")
    _save(page, "admins")
    assert "pēdējais aktīvais administrators" in page.locator("#user-problem").inner_text()
    assert _row(page, "admins").locator("td.role").inner_text() == "administrators"

    page.get_by_label("Aktīvs (jaunais)", exact=True).check()
    _save(page, "jaunais")
    assert row.locator("td.active").inner_text() == "jā"

    page.get_by_role("link", name="Kontu žurnāls: kas mainīja kuru kontu").click()
    assert "ir pareiza" in page.locator("#account-chain-status").inner_text()
    rows = page.locator("#account-events tbody tr:has(td:text-is('jaunais'))")
    whats = [rows.nth(i).locator("td").nth(3).inner_text() for i in range(rows.count())]
    assert whats == [
        "Atkārtoti aktivizēts",
        "Parole iestatīta",
        "Deaktivizēts",
        "Loma mainīta: mentors → revidents",
        "Lietotājs pievienots: mentors, ar paroli",
    ]
    assert rows.first.locator("td").nth(2).inner_text() == "admins (administrators)"

    other = browser.new_context(java_script_enabled=False)
    user = other.new_page()
    _login(user, server, "jaunais", NEW_PASSWORD)
    assert "jaunais (revidents)" in user.locator(".who").inner_text()
    other.close()
    context.close()
