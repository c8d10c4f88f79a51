"""The HTML report laid out in a real browser (Debian's chromium through Playwright): its
tables fit the page without squeezing a column to a word a line, and its header reads as
a sentence. The report is a file; no server is involved."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("matplotlib", reason="needs the 'report' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from statecraft.cli import app
from tests.conftest import DATA
from tests.web.conftest import shot

pytestmark = pytest.mark.browser

runner = CliRunner()

SOURCE_TABLES = ("#sources-documents", "#sources-datasets", "#sources-judgments")

# per cell of a table: its content width, its longest word's width in its own font (an
# address, which may break anywhere, has no unbreakable word), and its lines of text
CELLS = """(sel) => {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const td of document.querySelectorAll(sel + ' td')) {
    const st = getComputedStyle(td);
    ctx.font = st.font;
    const room = td.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    const anywhere = st.overflowWrap === 'anywhere' || st.wordBreak === 'break-all';
    const words = anywhere ? [] : td.textContent.split(/\\s+/).filter(Boolean);
    const widest = Math.max(0, ...words.map((w) => ctx.measureText(w).width));
    const lines = Math.round((td.clientHeight - parseFloat(st.paddingTop)
                              - parseFloat(st.paddingBottom)) / parseFloat(st.lineHeight));
    out.push({text: td.textContent.trim(), room, widest, lines,
              column: td.cellIndex, header: td.closest('table').rows[0]
                .cells[td.cellIndex].textContent.trim()});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled scenario's report: its datasets include a long address."""
    out = tmp_path_factory.mktemp("report") / "r.html"
    got = runner.invoke(app, ["report", "-o", str(out), "--samples", "200", "--no-store"])
    assert got.exit_code == 0, got.output
    return out


@pytest.mark.parametrize(("width", "words_a_line"), [(1100, 4), (640, 2)])
def test_the_sources_tables_fit_and_squeeze_no_column(report: Path, browser: object,
                                                      width: int, words_a_line: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(report.resolve().as_uri())
    body = page.evaluate("() => { const st = getComputedStyle(document.body); return"
                         " document.body.clientWidth - parseFloat(st.paddingLeft)"
                         " - parseFloat(st.paddingRight); }")
    checked = 0
    for table in SOURCE_TABLES:
        if not page.locator(table).count():
            continue
        # the table stays within the page: nothing runs off its right edge
        assert page.evaluate(f"() => document.querySelector('{table}')"
                             ".getBoundingClientRect().width") <= body + 1
        for cell in page.evaluate(CELLS, table):
            checked += 1
            # no cell narrower than a word in it (an id is one word: never broken)
            assert cell["widest"] <= cell["room"] + 1, (table, cell)
            # and a title is not squeezed to a word a line: it keeps, on average, four
            # words a line on a wide page, two on a narrow one
            if cell["header"] == "title":
                words = len(cell["text"].split())
                assert cell["lines"] <= max(2, math.ceil(words / words_a_line)), (table, cell)
    assert checked >= 8  # the bundled scenario has documents, datasets and judgments
    where = page.locator("#sources-datasets td.where").all_inner_texts()
    assert any(len(w) > 80 and w.startswith("https://") for w in where)  # the long one
    shot(page, f"report-sources-{width}.png")


def test_the_header_of_a_saved_runs_report_has_no_stray_space(tmp_path: Path,
                                                              browser: object) -> None:
    store = tmp_path / "store"
    made = runner.invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "100",
                               "--store", str(store), "--json"])
    assert made.exit_code == 0, made.output
    run_id = json.loads(made.stdout)["run_id"]
    out = tmp_path / "run.html"
    got = runner.invoke(app, ["report", "--run", run_id, "--store", str(store), "-o", str(out)])
    assert got.exit_code == 0, got.output
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(out.resolve().as_uri())
    meta = " ".join(page.locator("p.meta").inner_text().split())
    assert f"seed 7, run {run_id}; statecraft" in meta
    assert not re.search(r"\s[,;.]", meta), meta
    # and in the file itself, whatever a browser does with white space
    text = out.read_text()
    found = re.search(r'<p class="meta">(.*?)</p>', text, re.S)
    assert found is not None
    assert not re.search(r"\s[,;]", html.unescape(re.sub(r"<[^>]+>", "", found[1])))
