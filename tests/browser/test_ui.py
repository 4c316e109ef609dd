"""The issue's scenarios in a real browser: a coordinator explains, fixes and advances a
blocked case and switches language; an auditor filters and exports the log, has no
advance control, and a forged advance is refused by the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inkubators.demo.programme import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Lietotājvārds").fill(name)
    page.get_by_label("Parole").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Pieteikties").click()
    page.wait_for_url(f"{base}/work")


def test_coordinator_submits_a_blocked_case(browser: Any, server: str, artifacts: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, server, "ilze")

    page.goto(f"{server}/?as_of=2023-10-19")
    page.wait_for_selector("html[data-diagram=drawn]", timeout=15_000)
    assert page.locator("#workflow-diagram svg").count() == 1
    assert "11 / 11" in page.locator("#fig-orgs").inner_text()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="Lietas").first.click()
    page.get_by_label("Nosaukums vai reģistrācijas numurs").fill("Keep The Change")
    page.get_by_role("button", name="Atlasīt").click()
    page.get_by_role("link", name="Keep The Change").click()
    assert page.locator("#case-state").inner_text() == "Pieteikums sagatavots"
    submit = page.locator("#trigger-submit")
    assert "nav iespējams" in submit.inner_text()
    assert "netika iesniegts" in submit.locator(".reasons").inner_text()
    page.screenshot(path=str(artifacts / "case.png"), full_page=True)

    page.get_by_role("row", name="Ilgtspējīgas dzīves darbnīcas").get_by_role("link").click()
    page.get_by_label("Iesniegts").fill("2024-02-01")
    page.get_by_role("button", name="Saglabāt").click()
    assert "Saglabāts." in page.locator(".flashes").inner_text()
    submit = page.locator("#trigger-submit")
    assert "iespējams" in submit.locator("h3").inner_text()
    assert "nav iespējams" not in submit.locator("h3").inner_text()
    submit.get_by_label("Komentārs").fill("Iesniegts Erasmus+ portālā")
    submit.get_by_role("button", name="Atzīmēt kā iesniegtu").click()
    assert page.locator("#case-state").inner_text() == "Pieteikums iesniegts"
    assert "Iesniegts Erasmus+ portālā" in page.locator("#history").inner_text()

    page.get_by_role("button", name="English").click()
    assert page.locator("#case-state").inner_text() == "Application submitted"
    assert page.get_by_role("heading", name="History").count() == 1
    assert errors == []
    context.close()


def test_auditor_filters_exports_and_cannot_advance(
    browser: Any, server: str, tmp_path: Path
) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    _login(page, server, "revidents")
    page.get_by_role("link", name="Audita žurnāls").click()
    page.get_by_role("link", name="Pārbaudīt jaucējķēdi").click()
    assert "Visas jaucējķēdes ir pareizas" in page.locator("#chain-status").inner_text()
    page.get_by_role("link", name="Atpakaļ uz audita žurnālu").click()
    page.get_by_label("Kas", exact=True).fill("ilze")
    page.get_by_label("Kas notika").select_option("draft_application")
    page.get_by_role("button", name="Atlasīt").click()
    rows = page.locator("#events tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "Apstiprināt pieteikuma projektu" in text
        assert "ilze" in text

    with page.expect_download() as info:
        page.get_by_role("link", name="Eksportēt CSV").click()
    target = tmp_path / "audit.csv"
    info.value.save_as(target)
    lines = target.read_text(encoding="utf-8").strip().splitlines()
    assert lines[0].startswith("id,")
    assert len(lines) == rows.count() + 1
    assert all(",draft_application," in line for line in lines[1:])

    page.get_by_role("link", name="Lietas").first.click()
    page.get_by_role("link", name="Fotast").click()
    assert page.locator("form.advance").count() == 0
    assert page.get_by_role("button", name="Atzīmēt kā iesniegtu").count() == 0
    case_url = page.url
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        f"{case_url}/advance",
        form={"csrf_token": token, "trigger": "withdraw", "expected_version": "1", "comment": "x"},
    )
    assert forged.status == 403
    page.reload()
    assert page.locator("#case-state").inner_text() != "Izstājusies"
    context.close()


def test_a_long_comment_wraps_inside_the_viewport(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    _login(page, server, "ilze")
    page.goto(f"{server}/cases/?q=Radi+Vidi+Pats")
    page.get_by_role("link", name="Radi Vidi Pats").click()
    withdraw = page.locator("#trigger-withdraw")
    withdraw.get_by_label("Komentārs").fill("iemesls:" + "x" * 1990)
    withdraw.get_by_role("button").click()
    assert page.locator("#case-state").inner_text() == "Izstājusies"
    assert "iemesls:xxxx" in page.locator("#history").inner_text()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 1024
    context.close()


def test_without_javascript_the_diagram_source_stays_hidden(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _login(page, server, "ilze")
    page.goto(f"{server}/?as_of=2023-10-19")
    assert page.locator("#state-counts").is_visible()  # the fallback
    assert not page.locator("#workflow-diagram").is_visible()
    assert "stateDiagram" not in page.locator("main").inner_text()
    context.close()


def test_with_javascript_the_diagram_is_legible(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, server, "ilze")
    page.goto(f"{server}/?as_of=2023-10-19")
    page.wait_for_selector("html[data-diagram=drawn]", timeout=15_000)
    assert page.locator("#workflow-diagram").is_visible()
    assert "stateDiagram" not in page.locator("main").inner_text()
    label = page.locator("#workflow-diagram svg .nodeLabel").first
    size = label.evaluate("e => e.getBoundingClientRect().height")
    assert size >= 14  # drawn at its natural size, not shrunk to fit the column
    context.close()
