"""The page's saved runs in a real browser: 20 at a time with an "Older runs" button that
adds the next 20 (and their complete runs to the compare choices), and a damaged store
shown in place of the table while the rest of the page works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from benchmarks.bench_server import server

from tests.web.conftest import shot
from tests.web.test_runs_listing import client_with_runs

pytestmark = pytest.mark.browser


def test_older_runs_are_added_20_at_a_time(browser: Any, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _, ids = client_with_runs(store, 45)
    with server(str(store)) as (url, _):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(url)
        rows = page.locator("#runs-table tbody tr")
        assert rows.count() == 20
        for shown in (40, 45):
            page.click("#older-runs")
            page.wait_for_function(f"() => document.querySelectorAll('#runs-table tbody tr')"
                                   f".length == {shown}")
        assert [rows.nth(i).get_attribute("data-run") for i in range(45)] == ids
        assert page.locator("#older-runs").count() == 0  # nothing older
        # every complete run can be compared; the newest two stay selected
        options = page.locator("#compare-a option")
        assert options.count() == 45
        assert page.locator("#compare-a").input_value() == ids[1]
        assert page.locator("#compare-b").input_value() == ids[0]
        assert errors == []


def test_a_damaged_store_leaves_the_page_working(browser: Any, tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "runs").mkdir(parents=True)
    (store / "runs" / "20240101-000000-aaaaaa.parquet").write_bytes(b"PAR1")
    (store / "runs.sqlite").write_bytes(b"")
    with server(str(store)) as (url, _):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        problem = page.locator("#store-problem")
        assert "registry is empty" in problem.inner_text()
        assert str(tmp_path) not in page.content()
        # the scenario is still there to read and change
        assert "South Caucasus" in page.locator("#scenario h2").inner_text()
        page.select_option("#model", "compromise")
        page.click("#run-button")
        page.wait_for_selector("#run-problems .problems, #issue-results", timeout=60_000)
        shot(page, "damaged-store.png")
        # the forecast runs, is not saved into it, and says why without a path
        assert page.locator("#issue-results").count() == 1
        said = page.locator("#not-saved").inner_text()
        assert "not saved" in said and "registry is empty" in said
        assert str(tmp_path) not in said
