"""The page's visuals in a real headless browser (Debian's chromium driven by Playwright):
focus after a forecast run by keyboard, markers whose shade follows an edited salience,
readable labels clear of the status quo's line, the scenario picker naming an upload,
intervals that never break, figures shown once drawn, a legend for the forecast drawn on
the cards, one "Bottom line", messages naming whose value, and no horizontal scrolling at
420 px. Every check also fails on a script error or a broken Content-Security-Policy rule.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.conftest import DATA
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

CARD = '.issue-card[data-issue="karabakh_status"]'


def watch(page: Any) -> list[str]:
    """Console errors (a broken CSP rule among them) and script errors, as they come."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def ran(page: Any) -> None:
    """Wait for a forecast's results and for the page to be ready for the next one."""
    page.wait_for_selector("#issue-results", timeout=90_000)
    page.wait_for_function("() => !document.querySelector('#run-button').disabled",
                           timeout=90_000)


def opacities(page: Any, card: str) -> dict[str, float]:
    return {str(k): float(v) for k, v in page.evaluate(
        """card => Object.fromEntries([...document.querySelectorAll(card + ' .marker')].map(
             m => [m.dataset.actor, getComputedStyle(m.querySelector('.fill')).opacity]))""",
        card).items()}


def expected_shades(page: Any, card: str) -> dict[str, float]:
    """The shade each marker should have: capability x salience (midpoints) of the values
    in the page's fields, relative to the card's largest (as the server draws it)."""
    rows = page.evaluate("""card => [...document.querySelectorAll(card + ' tr[data-actor]')].map(
        r => [r.dataset.actor,
              parseFloat(document.querySelector(card + ` .marker[data-actor="${r.dataset.actor}"]`)
                         .dataset.capability),
              (parseFloat(r.querySelector('.sal-lo').value)
               + parseFloat(r.querySelector('.sal-hi').value)) / 2])""", card)
    weights = {a: cap * sal for a, cap, sal in rows}
    top = max(weights.values())
    return {a: round(0.35 + 0.65 * w / top, 2) for a, w in weights.items()}


def test_a_forecast_run_by_keyboard_keeps_the_focus(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(server)
    page.fill("#samples", "300")
    page.focus("#run-button")
    page.keyboard.press("Enter")
    # while it runs the button is disabled: focus is on the status, never the page
    seen = set()
    stop = time.monotonic() + 90
    while not page.locator("#issue-results").count() and time.monotonic() < stop:
        seen.add(page.evaluate("() => document.activeElement.id || document.activeElement"
                               ".tagName"))
        time.sleep(0.05)
    ran(page)
    assert "BODY" not in seen and seen <= {"status", "run-button", "results-heading"}, seen
    # then on the results' heading, moved there deliberately
    page.wait_for_function("() => document.activeElement.id === 'results-heading'",
                           timeout=10_000)
    assert page.locator("#results-heading").inner_text() == "Results"
    # and the keyboard goes on from there into the results
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('#results')"
                         ".contains(document.activeElement)")
    # a bad value, typed and run by keyboard: the focus goes to the problem
    row = page.locator(f'{CARD} tr[data-actor="tur"]')
    row.locator(".sal-lo").fill("1.5")
    page.focus("#run-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#run-problems .problem", timeout=30_000)
    page.wait_for_function("() => document.activeElement.id === 'run-problems'",
                           timeout=10_000)
    shown = page.locator("#run-problems").inner_text()
    assert "Turkey on karabakh_status: salience 1.5 is above 1 (found [1.5, 0.7])" in shown
    assert "Line " not in shown and "stances[" not in shown and "changes[" not in shown
    # a field that is not a number is refused before anything is sent, naming it
    row.locator(".sal-lo").fill("")
    page.click("#run-button")
    page.wait_for_function("() => document.querySelector('#run-problems').textContent"
                           ".includes('salience low is not a number')", timeout=10_000)
    assert "Turkey on karabakh_status" in page.locator("#run-problems").inner_text()
    # the one error logged is the browser's note of the refused forecast (422)
    assert [e for e in errors if "status of 422" not in e] == [] and len(errors) == 1


def test_a_markers_shade_follows_its_salience(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(server)
    before = opacities(page, CARD)
    assert before == pytest.approx(expected_shades(page, CARD), abs=0.006)
    row = page.locator(f'{CARD} tr[data-actor="rus"]')
    row.locator(".sal-lo").fill("0.05")
    row.locator(".sal-hi").fill("0.05")
    after = opacities(page, CARD)
    assert after["rus"] < before["rus"] - 0.2
    assert after == pytest.approx(expected_shades(page, CARD), abs=0.006)
    # Russia weighed most: with it lowered another actor is the largest, drawn darkest
    top = max(after, key=lambda a: after[a])
    assert top != "rus" and after[top] == 1.0 and after[top] > before[top]
    # back to the cited value, back to the cited shade
    row.locator(".sal-lo").fill("0.7")
    row.locator(".sal-hi").fill("0.9")
    assert opacities(page, CARD) == pytest.approx(before, abs=0.006)
    assert errors == []


def test_labels_are_readable_and_clear_of_the_status_quo_line(server: str,
                                                              browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(server)
    got = page.evaluate("""() => {
      const lum = (rgb) => { const c = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)
          .map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
      const out = [];
      for (const name of document.querySelectorAll('.scale .marker .name')) {
        let alpha = 1;
        for (let e = name; e; e = e.parentElement) alpha *= parseFloat(getComputedStyle(e).opacity);
        const style = getComputedStyle(name);
        const fg = lum(style.color), bg = lum(style.backgroundColor);
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        name.scrollIntoView({block: 'center'});  // elementFromPoint sees the viewport only
        const r = name.getBoundingClientRect();
        const clear = [0.1, 0.5, 0.9].every(f => {
          const hit = document.elementFromPoint(r.left + f * r.width, r.top + r.height / 2);
          return hit === name || name.contains(hit); });
        out.push([name.textContent, alpha, ratio, clear]);
      }
      return out; }""")
    assert len(got) > 30
    for name, alpha, ratio, clear in got:
        assert alpha == 1 and ratio >= 4.5, (name, alpha, ratio)
        assert clear, f"{name}: something lies over its label"
    # the status quo's line passes behind European Union's label on karabakh_status
    crossed = page.evaluate(f"""() => {{
      const sq = document.querySelector('{CARD} .sq').getBoundingClientRect();
      const eu = document.querySelector('{CARD} .marker[data-actor="eu"] .name')
                 .getBoundingClientRect();
      return sq.left >= eu.left && sq.left <= eu.right; }}""")
    assert crossed  # it would cross the label, were the label not drawn over it
    shot(page, "labels.png")
    assert errors == []


def test_the_picker_names_an_uploaded_scenario(server: str, browser: Any,
                                               tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(server)
    mine = tmp_path / "mine.yaml"
    mine.write_text((DATA / "small.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    page.set_input_files("#upload", str(mine))
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".includes('Small test')", timeout=30_000)
    chosen = page.evaluate("() => { const s = document.querySelector('#bundled');"
                           " return s.options[s.selectedIndex].textContent; }")
    assert chosen == "uploaded: mine.yaml"
    # a broken upload leaves the active scenario and its name as they were
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [", encoding="utf-8")
    page.set_input_files("#upload", str(bad))
    page.wait_for_selector("#problems .problem", timeout=30_000)
    assert "Small test" in page.locator("#scenario h2").inner_text()
    assert page.evaluate("() => document.querySelector('#bundled').value") == ""
    # picking a bundled scenario again shows it, and the upload's entry goes
    page.select_option("#bundled", "south-caucasus-2021.yaml")
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".includes('South Caucasus')", timeout=30_000)
    assert page.locator("#uploaded-option").count() == 0
    assert page.evaluate("() => document.querySelector('#bundled').value") == \
        "south-caucasus-2021.yaml"
    # the one error logged is the browser's note of the refused upload (422)
    assert [e for e in errors if "status of 422" not in e] == [] and len(errors) == 1


def test_the_results_read_cleanly(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(server)
    page.fill("#samples", "300")
    page.click("#run-button")
    ran(page)
    # no figure heading stands alone: each figure shows once its image has loaded
    page.wait_for_function("() => !document.querySelector('#distributions-figure').hidden"
                           " && !document.querySelector('#trajectories-figure').hidden",
                           timeout=60_000)
    assert page.evaluate("() => ['#distributions', '#trajectories'].every(s => {"
                         " const i = document.querySelector(s);"
                         " return i.complete && i.naturalWidth > 0; })")
    # "Bottom line" said once
    assert len(re.findall("Bottom line", page.locator("#results").inner_text())) == 1
    # intervals with an en dash, each on one line, in every column that has them
    cells = page.evaluate("""() => [...document.querySelectorAll('#issue-results td.range')]
        .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                     const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                     return [td.textContent, getComputedStyle(td).whiteSpace, tops.size]; })""")
    assert len(cells) == 3 * 7
    for text, space, lines in cells:
        assert re.fullmatch(r"\d+\.\d\u2013\d+\.\d", text) and space == "nowrap" and lines == 1
    # the forecast drawn on each card has its legend: bars, median, 90% interval
    median = page.locator('#issue-results tr[data-issue="karabakh_status"] td').nth(2)
    legend = page.locator(f"{CARD} .dist-legend")
    assert legend.is_visible()
    said = legend.inner_text()
    assert "calibrated distribution" in said and f"median {median.inner_text()}" in said
    assert re.search(r"90% interval \d+\.\d\u2013\d+\.\d", said)
    assert legend.locator(".key.bars, .key.median, .key.interval").count() == 3
    shot(page, "results.png")
    assert errors == []


def test_a_figure_that_cannot_be_drawn_says_so(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/distributions.png", lambda route: route.abort())
    page.goto(server)
    page.fill("#samples", "200")
    page.click("#run-button")
    ran(page)
    page.wait_for_function("() => !document.querySelector('#distributions-figure').hidden",
                           timeout=30_000)
    figure = page.locator("#distributions-figure").inner_text()
    assert "The figure could not be drawn" in figure
    assert page.locator("#distributions").count() == 0


def test_at_420_px_nothing_scrolls_sideways(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 420, "height": 900})
    errors = watch(page)
    page.goto(server)

    def widths() -> dict[str, int]:
        return {str(k): int(v) for k, v in page.evaluate("""() => {
            const i = document.querySelector('#inputs'), o = document.querySelector('#outputs');
            return {inputs: i.scrollWidth - i.clientWidth, outputs: o.scrollWidth - o.clientWidth,
                    page: document.documentElement.scrollWidth - window.innerWidth}; }""").items()}

    assert widths() == {"inputs": 0, "outputs": 0, "page": 0}
    # the inputs column is not a scrolling box of its own: the page scrolls
    assert page.evaluate("() => getComputedStyle(document.querySelector('#inputs')).overflowY")\
        == "visible"
    shot(page, "narrow-420.png")
    # an edit that moves a marker to the right end keeps its label in the card
    row = page.locator(f'{CARD} tr[data-actor="usa"]')
    row.locator(".pos-lo").fill("90")
    row.locator(".pos-hi").fill("96")
    assert widths() == {"inputs": 0, "outputs": 0, "page": 0}
    page.fill("#samples", "200")
    page.click("#run-button")
    ran(page)
    assert widths() == {"inputs": 0, "outputs": 0, "page": 0}
    shot(page, "narrow-420-results.png")
    assert errors == []
