"""The deals panel in a real headless browser: Find deals shows the table for the scenario
as edited, an actor's deals only when one is named, and an unknown actor's refusal."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.web.conftest import shot

pytestmark = pytest.mark.browser


def test_find_deals_shows_the_actors_deals(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page.goto(server)
    page.fill("#deals-actor", "rus")
    page.fill("#deals-samples", "200")
    page.click("#deals-button")
    page.wait_for_selector("#deals-table", timeout=30_000)
    rows = page.locator("#deals-table tbody tr")
    assert rows.count() >= 1
    for k in range(rows.count()):
        assert "Russia" in rows.nth(k).inner_text()
    assert "%" in rows.first.locator("td").last.inner_text()  # the share that pays both
    shot(page, "deals")
    page.fill("#deals-actor", "zzz")
    page.click("#deals-button")
    page.wait_for_selector("#deals-problems .problems", timeout=30_000)
    assert "unknown actor 'zzz'" in page.locator("#deals-problems").inner_text()
    assert page.locator("#deals-table").count() == 0
    page.close()
