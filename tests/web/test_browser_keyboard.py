"""The page by keyboard, in a real headless browser: a skip link is the first stop and lands
on the forecast controls. Every check also fails on a broken Content-Security-Policy rule."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.web.conftest import shot

pytestmark = pytest.mark.browser


def watch(page: Any) -> list[str]:
    """Console errors (a broken CSP rule among them) and script errors, as they come."""
    seen: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            seen.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.id"
                             " || document.activeElement.className"))


def test_the_skip_link_is_the_first_stop_and_lands_on_the_forecast(server: str,
                                                                   browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = watch(page)
    page.goto(server)
    link = page.locator("a.skip-link")
    assert link.inner_text() == "Skip to the forecast controls"
    hidden = link.bounding_box()
    assert hidden is not None and hidden["y"] + hidden["height"] <= 0  # off screen until used
    page.keyboard.press("Tab")
    assert focused(page) == "skip-link"
    box = link.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 10 and box["width"] > 50
    # shown on top of the page where it is, not under the header
    assert page.evaluate("""() => { const a = document.querySelector('a.skip-link');
        const r = a.getBoundingClientRect();
        return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === a; }""")
    shot(page, "skip-link.png")
    page.keyboard.press("Enter")
    assert focused(page) == "run"  # the forecast section, announced by its heading
    assert page.evaluate("() => document.activeElement.getAttribute('aria-labelledby')") \
        == "run-heading"
    page.keyboard.press("Tab")
    assert focused(page) == "model"  # the first of the forecast controls
    for control in ("samples", "seed", "run-button"):
        page.keyboard.press("Tab")
        assert focused(page) == control
    page.keyboard.press("Enter")  # the forecast runs from the keyboard alone
    page.wait_for_selector("#question-results", timeout=60_000)
    assert errors == []
