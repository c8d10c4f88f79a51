"""The page an analyst works in, in Debian's chromium through Playwright: the scenario
drawn on its scales, sources at hand, a what-if run and compared, all by keyboard too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from statecraft import api
from statecraft.scenario.quotes import normalise
from tests.web.conftest import shot

pytestmark = pytest.mark.browser


def _stance(actor: str, issue: str) -> object:
    loaded = api.load()
    return next(s for s in loaded.scenario.stances if s.actor == actor and s.issue == issue)


def test_the_card_draws_russia_at_its_cited_position(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page.goto(server)
    marker = page.locator('.issue-card[data-issue="karabakh_status"] .marker[data-actor="rus"]')
    assert marker.inner_text() == "Russia"
    lo, hi = _stance("rus", "karabakh_status").position  # type: ignore[attr-defined]
    # placed by the page's script from its data-css (the CSP allows no inline style)
    style = dict(re.findall(r"([a-z-]+): ([^;]+)", str(marker.get_attribute("style"))))
    assert float(style["left"].rstrip("%")) == float(lo)
    assert float(style["width"].rstrip("%")) == float(hi) - float(lo)
    # drawn where the style says: the marker spans lo..hi of the scale's width
    scale = page.locator('.issue-card[data-issue="karabakh_status"] .scale').bounding_box()
    box = marker.bounding_box()
    assert box["x"] - scale["x"] == pytest.approx(scale["width"] * lo / 100 - 2, abs=2)
    # inputs and results side by side on a laptop screen
    inputs, outputs = page.locator("#inputs").bounding_box(), page.locator(
        "#outputs").bounding_box()
    assert inputs["x"] + inputs["width"] <= outputs["x"] and outputs["x"] < 1280
    shot(page, "page-1280x800.png")


def test_a_stance_shows_its_quote_from_the_article(server: str, browser: object,
                                                    article_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page.goto(server)
    row = page.locator('#stances tr[data-actor="rus"][data-issue="karabakh_status"]')
    quote = row.locator("details.source q").first
    assert not quote.is_visible()  # sources are on demand
    row.locator("details.source summary").click()
    assert quote.is_visible()
    shown = quote.inner_text()
    assert normalise(shown) in normalise(article_path.read_text(encoding="utf-8"))
    assert "End of the War" in row.locator("details.source cite").first.inner_text()
    # capabilities show their dataset note too
    cap = page.locator('#actors tr[data-actor="rus"] details.source')
    cap.locator("summary").click()
    assert "SIPRI" in cap.inner_text()


def _tab_to(page: object, selector: str, limit: int = 600) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate(  # type: ignore[attr-defined]
                f"() => document.activeElement === document.querySelector({selector!r})"):
            return
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
    raise AssertionError(f"Tab never reached {selector}")


def test_a_what_if_by_keyboard_alone(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})  # type: ignore[attr-defined]
    page.goto(server)
    # the cited scenario, run by keyboard
    _tab_to(page, "#run-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#question-results", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#run-button').disabled")
    # Russia cares much less about the peacekeepers: typed, not clicked
    low = '#stances tr[data-actor="rus"][data-issue="peacekeepers"] .sal-lo'
    high = '#stances tr[data-actor="rus"][data-issue="peacekeepers"] .sal-hi'
    for sel in (low, high):
        _tab_to(page, sel)
        page.keyboard.press("Control+A")
        page.keyboard.type("0.2")
    row = page.locator('#stances tr[data-actor="rus"][data-issue="peacekeepers"]')
    assert "changed" in str(row.get_attribute("class"))
    assert "cited: 65.0-100.0, 0.85-1.0" in row.locator(".cited").inner_text()
    _tab_to(page, "#run-button")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#runs-table tbody tr').length"
                           " == 2 && !document.querySelector('#compare-button').disabled",
                           timeout=60_000)
    # the forecast is drawn on the card's scale
    bars = page.locator('.dist[data-issue="peacekeepers"] span')
    assert bars.count() >= 11  # ten bins, the median, the 90% interval
    _tab_to(page, "#compare-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#changed-inputs li", timeout=30_000)
    changed = page.locator("#changed-inputs li")
    assert [changed.nth(i).get_attribute("data-input") for i in range(changed.count())] == [
        "salience.rus.peacekeepers"]
    shifts = {page.locator("#compare-issues tbody tr").nth(i).get_attribute("data-issue"):
              float(page.locator("#compare-issues tbody tr .shift").nth(i).inner_text())
              for i in range(page.locator("#compare-issues tbody tr").count())}
    assert shifts["peacekeepers"] != 0
    q = page.locator('#compare-questions tr[data-question="peacekeepers-extended"] .shift')
    assert float(q.inner_text()) != 0
    shot(page, "page-1920x1080-compare.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "page-1280x800-compare.png")


def test_errors_show_beside_what_caused_them(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page.goto(server)
    page.fill("#samples", "999999")  # over the page's limit: the server refuses it
    page.click("#run-button")
    page.wait_for_selector("#run-problems .problems, #run-problems .problem", timeout=30_000)
    assert "5000" in page.locator("#run-problems").inner_text().replace(",", "")
    assert page.locator("#problems").inner_text() == ""  # not at the top of the page


def test_a_long_forecast_shows_how_far_it_has_got(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page.goto(server)
    page.select_option("#model", "smp")  # the slowest model: several seconds for 5,000
    page.fill("#samples", "5000")
    page.click("#run-button")
    page.wait_for_function(
        "() => !document.querySelector('#progress').hidden"
        " && document.querySelector('#status').textContent.includes('of 5,000 samples')",
        timeout=60_000)
    assert page.locator("#run-button").is_disabled()  # one forecast at a time
    # the page stays responsive while it runs: a source still opens
    row = page.locator('#stances tr[data-actor="rus"][data-issue="karabakh_status"]')
    row.locator("details.source summary").click()
    assert row.locator("details.source q").first.is_visible()
    page.wait_for_selector("#question-results", timeout=120_000)
    assert page.locator("#progress").is_hidden()
    assert "done in" in page.locator("#status").inner_text()
