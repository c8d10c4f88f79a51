"""The page shows a forecast's bottom line above its results, and how the samples' runs
ended below them, in chromium: for the scenario built to cycle (two actors trading places)
it says issue x cycled every 2 rounds, and a named point's label carrying markup is shown
as written, running nothing and adding no element."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.conftest import DATA
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

LABEL = ("<img src=x onerror=\"window.__pwned='label'\"><b>half</b>"
         "<script>window.__pwned='script'</script>")


def test_the_page_shows_the_bottom_line_above_the_results_escaped(
        server: str, browser: Any, tmp_path: Path) -> None:
    scenario = yaml.safe_load((DATA / "swap.yaml").read_text(encoding="utf-8"))
    scenario["issues"][0]["scale"][50] = LABEL  # x's forecast, the cycle's mean, is 50
    path = tmp_path / "swap-hostile.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    page.goto(server)
    page.set_input_files("#upload", str(path))
    page.wait_for_selector('.issue-card[data-issue="x"]', timeout=30_000)
    page.fill("#samples", "300")
    page.click("#run-button")
    page.wait_for_selector("#bottom-line", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#run-button').disabled")
    shot(page, "bottom-line.png")
    # above the results table, inside the results
    assert page.evaluate("""() => {
        const b = document.querySelector('#results #bottom-line');
        const t = document.querySelector('#results #issue-results');
        return !!b && !!t && !!(b.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    lead = page.locator("#bottom-line .lead").inner_text()
    assert lead.startswith("Bottom line (eum, 300 samples, calibrated")
    x = page.locator('#bottom-line p[data-issue="x"]').inner_text()
    # every sample says 50 (the cycle's mean); the calibrated median is placed among the
    # named points, and never called most likely
    assert re.match(r"x: The calibrated median is \d+\.\d, (at|near|between|halfway) ", x), x
    assert f"50 ({LABEL})" in x and not x.startswith("x: Most likely")
    assert "Not every run settled: of 300 samples, 300 cycled (every 2 rounds) and 0 settled." \
        in x
    y = page.locator('#bottom-line p[data-issue="y"]').inner_text()
    assert "Not every run settled" not in y
    # how the runs ended, below the table: x only
    conv = page.locator("#convergence").inner_text()
    assert "x: 300 of 300 samples cycled (every 2 rounds" in conv and "y:" not in conv
    # the label is text: nothing ran, no element was made of it
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#bottom-line img, #bottom-line script").count() == 0
    # its only bold elements are the page's own, one issue name per paragraph
    assert page.locator("#bottom-line b").all_inner_texts() == ["x", "y"]
    assert page.locator("#issue-results img, #issue-results script").count() == 0
    assert errors == []
    page.close()
