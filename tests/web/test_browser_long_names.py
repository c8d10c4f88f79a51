"""A long name without spaces (9,000 letters, as a hostile or careless file can hold)
neither hides the runs table's columns after it nor pushes a card's inputs out of view:
it is cut with an ellipsis and kept whole in the cell's title. In a real headless browser
(Debian's chromium driven by Playwright)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from typer.testing import CliRunner

from statecraft.cli import app
from tests.conftest import DATA
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

LONG = "W" * 9000


@pytest.fixture(scope="module")
def long_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario with a 9,000-letter scenario name and first actor's name."""
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^name: .*$", f"name: N{LONG}", text, count=1)
    assert text.count("name: Alpha,") == 1
    text = text.replace("name: Alpha,", f"name: A{LONG},")
    path = tmp_path_factory.mktemp("long") / "long.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def long_server(tmp_path_factory: pytest.TempPathFactory, long_file: Path) -> Iterator[str]:
    """A server whose store holds a run of the long-named scenario, the newest."""
    from benchmarks.bench_server import server as serve

    store = str(tmp_path_factory.mktemp("long-store"))
    runner = CliRunner()
    for args in ([], [str(long_file)]):
        done = runner.invoke(app, ["forecast", *args, "--samples", "20", "--store", store,
                                   "--quiet", "--json"])
        assert done.exit_code == 0, done.output
        json.loads(done.stdout)
    with serve(store) as (url, _):
        yield url


def _inside(page: Any, inner: str, outer: str) -> list[str]:
    """The elements matching ``inner`` whose right edge lies beyond ``outer``'s."""
    return page.evaluate("""([inner, outer]) => {
        const box = document.querySelector(outer).getBoundingClientRect();
        return [...document.querySelectorAll(inner)]
          .filter(e => e.getBoundingClientRect().right > box.right + 1)
          .map(e => e.outerHTML.slice(0, 80)); }""", [inner, outer])


def test_a_long_name_is_cut_and_kept_whole_in_its_title(long_server: str, browser: Any,
                                                         long_file: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(long_server)
    page.wait_for_selector("#runs-table")
    # every run's model, samples and links are in view in the runs table's box
    assert page.locator("#runs-table tbody tr").count() == 2
    assert _inside(page, "#runs-table tbody td", "#runs-table") == []
    assert _inside(page, "#runs-table", ".table-scroll") == []
    cell = page.locator("#runs-table tbody tr").first.locator(".clip")
    assert cell.get_attribute("title") == f"N{LONG}"
    assert cell.evaluate("e => e.scrollHeight > e.clientHeight")  # cut: two lines shown
    assert cell.evaluate("e => e.getBoundingClientRect().height") < 40
    links = page.locator("#runs-table tbody tr").first.locator("a")
    assert links.count() == 2 and all(links.nth(k).is_visible() for k in range(2))
    # the card: the actor's label and its inputs stay in the card
    page.set_input_files("#upload", str(long_file))
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".startsWith('NWWW')", timeout=30_000)
    shot(page, "long-names.png")
    card = ".issue-card"
    assert _inside(page, f"{card} .stance-table input", card) == []
    assert _inside(page, f"{card} .stance-table", card) == []
    actor = page.locator(f"{card} .stance-table .clip", has_text="AWWW").first
    assert actor.get_attribute("title") == f"A{LONG}"
    assert actor.evaluate("e => e.getBoundingClientRect().height") < 40
    label = page.locator(f"{card} .marker .name", has_text="AWWW").first
    assert label.evaluate("e => e.getBoundingClientRect().width") < 300
    assert label.evaluate("e => e.closest('.marker').title").startswith(f"A{LONG}:")
    # the headings break the long word rather than run out of their boxes
    assert _inside(page, "#scenario h2", "#inputs") == []
    assert errors == []
    page.close()
