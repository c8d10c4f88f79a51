"""The HTML report: one self-contained file with every section and every input's source."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("matplotlib", reason="needs the 'report' extra")

from statecraft import api
from statecraft.cli import app
from tests.conftest import DATA, REPO


def test_report_of_the_default_scenario_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    got = CliRunner().invoke(app, ["report", "-o", str(out), "--samples", "400", "--questions",
                                   str(REPO / "questions" / "south-caucasus-2021.yaml"),
                                   "--store", str(tmp_path / "store")])
    assert got.exit_code == 0, got.output
    html = out.read_text()
    # nothing to fetch: every image is embedded, no script, no stylesheet link
    assert not re.search(r'(src|href)="(?!data:image/png;base64,)', html)
    assert "<script" not in html
    for section in ("Summary", "Forecast distributions", "Bargaining rounds", "Questions",
                    "Backtest", "Strategic options", "Sources appendix",
                    "How calibrated the model is on real decisions"):
        assert f"<h2>{section}</h2>" in html
    assert html.count("data:image/png;base64,") == 6  # distributions, rounds, questions,
    # reliability, options, and the PIT histogram of the model on real decisions
    assert '<img id="pit"' in html and "90% interval" in html
    # "Bottom line" said once: its lead is the heading, not a heading and then the lead
    text = re.sub(r"<[^>]+>", " ", html[html.index("<body"):])
    assert len(re.findall(r"Bottom line", text)) == 1
    assert re.search(r'<h2 id="bottom-line-heading" class="lead">Bottom line \(eum, 400 '
                     r"samples, calibrated", html)
    # the header's seed has no stray space before its comma
    assert re.search(r"seed 7,", text) and not re.search(r"seed 7\s+,", text)
    # calibrated and inputs-only scores of the resolved questions, beside the baselines
    assert "<td>eum (uncalibrated)</td>" in html
    loaded = api.load()
    stance_rows = re.search(r'<table id="stances">(.*?)</table>', html, re.S)
    assert stance_rows is not None
    assert stance_rows.group(1).count("<tr>") == len(loaded.scenario.stances) + 1
    first_quote = next(r.quote for s in loaded.scenario.stances for r in (s.source or [])
                       if hasattr(r, "quote"))
    assert first_quote.replace("'", "&#39;").replace('"', "&#34;") in html
    # the backtest row of the status quo baseline is there, beside the model's
    assert "<td>status quo</td>" in html and "<td>eum</td>" in html
    again = CliRunner().invoke(app, ["report", "-o", str(out), "--samples", "10"])
    assert again.exit_code == 1 and "exists; pass --force" in again.output


def test_report_of_a_stored_run(tmp_path: Path) -> None:
    store = tmp_path / "store"
    made = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "300",
                                    "--store", str(store), "--json"])
    run_id = json.loads(made.stdout)["run_id"]
    out = tmp_path / "run.html"
    got = CliRunner().invoke(app, ["report", "--run", run_id, "--store", str(store),
                                   "-o", str(out)])
    assert got.exit_code == 0, got.output
    html = out.read_text()
    assert f"run {run_id}" in html and "Small test scenario" in html
    assert "<h2>Strategic options</h2>" not in html  # the small scenario has none
    missing = CliRunner().invoke(app, ["report", "--run", "nope", "--store", str(store),
                                       "-o", str(tmp_path / "x.html")])
    assert missing.exit_code == 1 and not (tmp_path / "x.html").exists()
