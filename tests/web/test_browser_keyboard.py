"""The page by keyboard and its source quotes, in a real headless browser: a skip link is
the first stop and lands on the forecast controls; an opened source wraps inside the
inputs pane, shows each quote in one pair of quotation marks, and closes when focus leaves
it or on Escape. Every check also fails on a broken Content-Security-Policy rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.conftest import DATA
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

LONG = ("Russia must work closely with Armenia and the Karabakh Armenian authorities to make "
        "sure that Azerbaijan cannot unilaterally ask Moscow to leave, an option fully "
        "compatible with the terms of the tripartite agreement, and it will take years")
ENCLOSED = "“We will not leave.”"  # a quote that brings its own pair of marks
INNER = "the “new normal” of the region"  # marks inside a quote stay


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


def quoted_scenario(tmp_path: Path) -> Path:
    """The small test scenario with one actor's stance cited by three quotes: a long one,
    one that brings its own quotation marks and one with marks inside."""
    data = yaml.safe_load((DATA / "small.yaml").read_text())
    data["sources"].append({"id": "paper", "kind": "document", "title": "A paper",
                            "url": "https://example.org/paper"})
    data["stances"][0]["source"] = [{"doc": "paper", "quote": q} for q in (LONG, ENCLOSED,
                                                                          INNER)]
    path = tmp_path / "quoted.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_an_opened_source_wraps_in_its_pane_with_one_pair_of_quotes(
        server: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = watch(page)
    page.goto(server)
    page.set_input_files("#upload", str(quoted_scenario(tmp_path)))
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".includes('Small test')", timeout=30_000)
    row = page.locator('#stances tr[data-actor="a"][data-issue="x"]')
    row.locator("details.source summary").focus()
    page.keyboard.press("Enter")  # opened from the keyboard
    assert row.locator("details.source").evaluate("d => d.open")
    texts = row.locator("details.source p:not(.supports)")
    shown = [texts.nth(k).inner_text() for k in range(texts.count())]
    # the page's own pair and no other: no mark added by the q element's style, and a
    # quote's own enclosing pair shown once
    assert shown == [f"“{LONG}” — A paper", "“We will not leave.” — A paper",
                     f"“{INNER}” — A paper"]
    assert row.locator("details.source q").evaluate_all(
        "qs => qs.map(q => getComputedStyle(q).quotes)") == ["none"] * 3
    # the text wraps inside the inputs pane: its box lies within the pane, no line runs out
    # of it, and the long quote takes several lines
    fit = page.evaluate("""() => {
        const pane = document.querySelector('#inputs').getBoundingClientRect();
        const box = document.querySelector('#stances tr[data-actor="a"][data-issue="x"]'
                                           + ' .source-text');
        const r = box.getBoundingClientRect();
        const ps = [...box.querySelectorAll('p')];
        return {inside: r.left >= pane.left && r.right <= pane.right && r.width > 200,
                overflow: ps.some(p => p.scrollWidth > p.clientWidth + 1),
                lines: box.querySelector('q').getClientRects().length};
    }""")
    assert fit["inside"] and not fit["overflow"] and fit["lines"] >= 2, fit
    shot(page, "source-open.png")
    # focus moving on (to the next row's field, which the text lay over) closes it
    page.keyboard.press("Tab")
    assert not row.locator("details.source").evaluate("d => d.open")
    # Escape closes it too, and gives focus back to its toggle
    row.locator("details.source summary").focus()
    page.keyboard.press("Enter")
    assert row.locator("details.source").evaluate("d => d.open")
    page.keyboard.press("Escape")
    assert not row.locator("details.source").evaluate("d => d.open")
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    assert errors == []
