"""An edit made in the page, followed through a real browser: the run's report marks it
with its cited value, and the run's scenario downloads as the very text that ran; saved
beside the original and used again, it still says which value is an edit of which.

The server runs as its own process (``statecraft serve``) with a store this test reads.
Skipped, saying why, where chromium or Playwright is missing.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from statecraft import api
from statecraft.cli import app
from statecraft.scenario import load_scenario_text
from statecraft.scenario.provenance import Edit, differences
from statecraft.store import RunStore
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

BUNDLED = "south-caucasus-2021.yaml"
MARK = "rus on azerbaijan_alignment: salience 0.3 (edited; cited 0.7-0.9)"
SAMPLES = 300


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``statecraft serve`` in its own process, and the store it saves runs in."""
    from benchmarks.bench_server import server as serve

    store = tmp_path_factory.mktemp("web-store")
    with serve(str(store)) as (url, _):
        yield url, store


def test_an_edit_in_the_page_is_marked_in_the_report_and_its_scenario_is_what_ran(
        served: tuple[str, Path], browser: object, tmp_path: Path) -> None:
    url, store_dir = served
    tmp = tmp_path
    page = browser.new_page(accept_downloads=True,  # type: ignore[attr-defined]
                            viewport={"width": 1300, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    row = page.locator('#stances tr[data-actor="rus"][data-issue="azerbaijan_alignment"]')
    row.locator(".sal-lo").fill("0.3")
    row.locator(".sal-hi").fill("0.3")
    # marked before it runs, the cited value beside it
    assert "changed" in str(row.get_attribute("class"))
    assert row.locator(".cited").is_visible()
    assert "0.7-0.9" in row.locator(".cited").inner_text()
    page.fill("#samples", str(SAMPLES))
    page.click("#run-button")
    page.wait_for_selector("#run-edits", timeout=90_000)
    # after the run, its results say what it was edited from and mark the edit
    assert MARK in page.locator("#run-edits").inner_text()
    assert BUNDLED in page.locator("#run-edits").inner_text()
    run_id = page.locator("#results .meta code").inner_text().strip()
    shot(page, "edited-run.png")

    with page.expect_download() as got_report:
        page.click(f'#results a[href="/api/runs/{run_id}/report"]')
    report = Path(got_report.value.path()).read_text(encoding="utf-8")
    assert got_report.value.suggested_filename == f"statecraft-{run_id}.html"
    assert f"<td>rus on azerbaijan_alignment</td><td>{MARK.split(': ', 1)[1]}</td>" in report
    assert '0.3<span class="edited">(edited; cited 0.7-0.9)</span>' in report
    assert "support the cited salience 0.7-0.9, not the edited value" in report

    with page.expect_download() as got_text:
        page.click("#run-scenario")
    downloaded = Path(got_text.value.path()).read_bytes()
    assert got_text.value.suggested_filename == f"statecraft-{run_id}.yaml"
    # the runs table offers the same text
    page.wait_for_selector(f'#runs-table tr[data-run="{run_id}"] a.scenario-link')
    with page.expect_download() as from_table:
        page.click(f'#runs-table tr[data-run="{run_id}"] a.scenario-link')
    assert Path(from_table.value.path()).read_bytes() == downloaded

    # it is the text the run stored, and running it again gives the run's outcomes
    store = RunStore(store_dir, read_only=True)
    rec = store.get(run_id)
    assert downloaded == rec.scenario_text.encode("utf-8")
    assert rec.scenario_path is None and rec.edited_from is not None
    assert rec.edited_from["name"] == BUNDLED
    loaded = load_scenario_text(downloaded, "downloaded.yaml", read_documents=False)
    again = api.forecast_run(loaded, samples=SAMPLES, seed=rec.seed, model=rec.model,
                         calibrated=False)
    _, outcomes = store.frames(run_id)
    assert np.array_equal(again.result.outcomes, outcomes.to_numpy(dtype=np.float64),
                          equal_nan=True)
    # and it differs from the bundled scenario in the edited value alone
    cited = api.load(api.bundled_scenarios_dir() / BUNDLED).scenario
    assert differences(cited, loaded.scenario) == [
        Edit("salience", "rus", "azerbaijan_alignment", (0.7, 0.9), 0.3)]
    assert problems == []
    return_to_it_later(downloaded.decode("utf-8"), tmp)


def return_to_it_later(downloaded: str, folder: Path) -> None:
    """The downloaded scenario saved beside the original and used again from the command
    line: it differs from the original by the changed value and its edited_from block alone
    (comments kept), validate counts the edit, --strict refuses it, and the report of a
    forecast of it marks the edit beside its cited value."""
    original = (api.bundled_scenarios_dir() / BUNDLED).read_text(encoding="utf-8")
    (folder / BUNDLED).write_text(original, encoding="utf-8")
    saved = folder / "south-caucasus-2021-edited.yaml"
    saved.write_text(downloaded, encoding="utf-8")
    diff = [line for line in difflib.unified_diff(original.splitlines(),
                                                  downloaded.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff[:2] == ["-    salience: [0.7, 0.9]", "+    salience: 0.3"]
    assert diff[2:] == ["+" + line for line in downloaded.splitlines()[
        len(original.splitlines()):]]
    assert [d[1:] for d in diff[2:]][2:5] == [
        "edited_from:", f"  name: {BUNDLED}",
        f'  sha256: "{hashlib.sha256(original.encode("utf-8")).hexdigest()}"']
    assert "field: salience, cited: [0.7, 0.9], used: 0.3}" in diff[-1]
    run = CliRunner()
    said = run.invoke(app, ["validate", str(saved)])
    assert said.exit_code == 0, said.output
    assert "1 value is an edit of a cited original (south-caucasus-2021.yaml" in said.output
    strict = run.invoke(app, ["validate", "--strict", str(saved)])
    assert strict.exit_code == 1
    assert "salience 0.3 is an edit of the cited 0.7-0.9" in strict.output
    report = folder / "again.html"
    made = run.invoke(app, ["report", str(saved), "-o", str(report), "--samples", "100",
                            "--model", "compromise"])
    assert made.exit_code == 0, made.output
    html = report.read_text(encoding="utf-8")
    assert '0.3<span class="edited">(edited; cited 0.7-0.9)</span>' in html
    assert f"<td>rus on azerbaijan_alignment</td><td>{MARK.split(': ', 1)[1]}</td>" in html
    assert "support the cited salience 0.7-0.9, not the edited value" in html
