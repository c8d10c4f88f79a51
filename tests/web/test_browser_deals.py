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


def test_what_it_would_take_shows_the_options_and_prices(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page.goto(server)
    page.click("#advise-button")  # nothing given: said in the page, nothing sent
    page.wait_for_selector("#advise-problems .problems")
    assert "give the actor, the issue, the target" in page.locator("#advise-problems").inner_text()
    page.fill("#advise-actor", "aze")
    page.fill("#advise-issue", "peacekeepers")
    page.fill("#advise-target", "<= 40")
    page.fill("#advise-samples", "200")
    page.click("#advise-button")
    page.wait_for_selector("#advice-reaching", timeout=60_000)
    heading = page.locator("#advice-heading").inner_text()
    assert heading.startswith("What it would take for peacekeepers <= 40"), heading
    first = page.locator("#advice-reaching li").first.inner_text()
    assert first.startswith("persuade: Russia position on peacekeepers"), first
    assert "Russia's price" in page.locator("#advice").inner_text()
    assert page.locator("#advise-problems").inner_text() == ""
    assert not page.locator("#advise-button").is_disabled()
    shot(page, "advise")
    page.fill("#advise-target", "<= 400")
    page.click("#advise-button")
    page.wait_for_selector("#advise-problems .problems", timeout=30_000)
    assert "outside the issue's scale" in page.locator("#advise-problems").inner_text()
    assert page.locator("#advice-reaching").count() == 0
    # a value the request's model refuses is named by its field, not shown as JSON
    page.fill("#advise-target", "<= 40")
    page.fill("#advise-samples", "3000")
    page.click("#advise-button")
    page.wait_for_function("() => document.getElementById('advise-problems').textContent"
                           ".includes('samples:')")
    said = page.locator("#advise-problems").inner_text()
    assert said.startswith("samples: Input should be less than or equal to 2000"), said
    assert "{" not in said
    page.close()
