"""The page in a real headless browser (Debian's chromium driven by Playwright).

The server runs as its own process on a free loopback port, exactly as ``statecraft
serve`` starts it. Skipped, saying why, where chromium or Playwright is missing.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from benchmarks.bench_server import post

from statecraft.web.bounded import WEB_FORECAST_SECONDS
from tests.conftest import DATA
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

def probability(page: object, qid: str) -> str:
    cell = page.locator(f'#question-results tr[data-question="{qid}"] .prob')  # type: ignore[attr-defined]
    return str(cell.inner_text())


def plots_loaded(page: object) -> None:
    """Wait (bounded) until both plots, fetched after the results show, have loaded or
    failed (the page shows a figure either way), and say which one failed."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => ['#distributions-figure', '#trajectories-figure'].every(s => {"
        " const f = document.querySelector(s); return f && !f.hidden; })", timeout=60_000)
    for name in ("distributions", "trajectories"):
        loaded = page.evaluate(  # type: ignore[attr-defined]
            "(s) => { const i = document.querySelector(s);"
            " return Boolean(i && i.complete && i.naturalWidth > 0); }", f"#{name}")
        assert loaded, page.locator(f"#{name}-figure").inner_text()  # type: ignore[attr-defined]


RUN_WAIT_MS = int((WEB_FORECAST_SECONDS + 60) * 1000)
"""How long a test waits for a forecast run from the page to end: past the server's own
limit, so that the server's answer (the results, or why it stopped) is always seen."""


def run_forecast(page: object, previous: str | None = None) -> str:
    """Click "Run forecast", wait (bounded) until that run has ended, either way, and give
    the id of the run it saved; a run that ended in a problem fails, saying it.

    The run has ended when the button is enabled again (the page disables it while it
    runs and enables it once it has shown the results or the problem and refreshed the
    runs table) and the results name a new run or a problem is shown: this does not rely
    on the click having disabled the button by the time the wait starts."""
    page.click("#run-button")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        """(old) => {
             const code = document.querySelector('#results .meta code');
             const now = code ? code.textContent.trim() : null;
             const failed = document.getElementById('run-problems').textContent.trim() !== '';
             return !document.getElementById('run-button').disabled
               && (failed || (now !== null && now !== old));
           }""", arg=previous, timeout=RUN_WAIT_MS)
    status = page.locator("#status").inner_text()  # type: ignore[attr-defined]
    problems = page.locator("#run-problems").inner_text()  # type: ignore[attr-defined]
    assert not problems.strip(), f"the forecast was not shown ({status}): {problems}"
    # the status says the run is done: a progress answer that came late does not put
    # "running..." back over it
    assert status.startswith("done in"), status
    assert "saved as run" in page.locator("#results .meta").inner_text()  # type: ignore[attr-defined]
    return str(page.locator("#results .meta code").inner_text()).strip()  # type: ignore[attr-defined]


def warm_up(server: str) -> None:
    """One small forecast, so that the page's first is not the server's first: that one
    also pays for imports and the model's compiled kernels, which on a busy machine alone
    can take tens of seconds (the web's time limit counts them). Bounded by its timeout;
    a warm-up the server stopped at its time limit has still paid those costs."""
    body = json.dumps({"bundled": "south-caucasus-2021.yaml", "samples": 10}).encode()
    try:
        post(server + "/api/forecast", body, timeout=WEB_FORECAST_SECONDS + 60)
    except urllib.error.HTTPError as exc:
        if exc.code != 503:
            raise


def test_changing_a_salience_and_rerunning_changes_the_probabilities(server: str,
                                                                     browser: object) -> None:
    warm_up(server)
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page.goto(server)
    assert "South Caucasus" in page.locator("#scenario h2").inner_text()
    first = run_forecast(page)
    before = probability(page, "azerbaijan-joins-russian-blocs")
    plots_loaded(page)
    row = page.locator('#stances tr[data-actor="rus"][data-issue="azerbaijan_alignment"]')
    row.locator(".sal-lo").fill("0.05")
    row.locator(".sal-hi").fill("0.05")
    started = time.monotonic()
    second = run_forecast(page, first)
    elapsed = time.monotonic() - started
    after = probability(page, "azerbaijan-joins-russian-blocs")
    assert float(after) != float(before)
    # both runs were saved and are listed (the page refreshed the runs table before it
    # enabled the button again)
    assert first != second
    for run in (first, second):
        assert page.locator(f'#runs-table tbody tr[data-run="{run}"]').count() == 1
    # each question's bar is as wide as its probability
    bar = page.locator('#question-results tr[data-question="azerbaijan-joins-russian-blocs"]'
                       ' .bar .p').get_attribute("style")
    width = re.search(r"width: ([0-9.]+)%", str(bar))
    assert width and float(width[1]) == pytest.approx(100 * float(after), abs=0.06)
    plots_loaded(page)
    shot(page, "forecast.png")
    print(f"re-run with 1,000 samples shown and listed in {elapsed:.2f} s")


def test_a_broken_upload_shows_the_line_of_the_error(server: str, browser: object,
                                                      tmp_path: Path) -> None:
    text = (DATA / "small.yaml").read_text()
    broken = text.replace("salience: 0.5, source", "salience: -1, source", 1)
    line = next(n for n, s in enumerate(broken.splitlines(), 1) if "salience: -1" in s)
    bad = tmp_path / "broken.yaml"
    bad.write_text(broken)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server)
    page.set_input_files("#upload", str(bad))
    page.wait_for_selector("#problems .problem", timeout=30_000)
    shown = page.locator("#problems").inner_text()
    assert f"Line {line}" in shown and "-1" in shown
    shot(page, "broken-upload.png")
    # a valid upload replaces the stance table with the uploaded scenario's
    good = tmp_path / "good.yaml"
    good.write_text(text)
    page.set_input_files("#upload", str(good))
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".includes('Small test scenario')", timeout=30_000)
    assert page.locator("#problems").inner_text() == ""
    page.click("#run-button")
    page.wait_for_selector("#issue-results", timeout=60_000)
    assert page.locator("#issue-results tbody tr").count() == 2
