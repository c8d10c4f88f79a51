"""The report asks a bundled scenario's bundled questions by default, as ``forecast`` and
the bottom line do, and never quotes a score it does not show."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from tests.conftest import DATA

pytest.importorskip("matplotlib", reason="needs the 'report' extra")

runner = CliRunner()


def _sections(text: str) -> tuple[list[str], dict[str, str], list[str]]:
    """The question ids of the Questions table, the Brier score of each row of the
    Backtest table, and the bottom line's score sentences."""
    ids = re.findall(r"<tr><td><b>([^<]+)</b>:", _table(text, "questions") or "")
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([0-9.]+)</td>",
                      _table(text, "backtest") or "")
    scores = [html.unescape(s) for s in re.findall(r'<p class="score">(.*?)</p>', text, re.S)]
    return ids, {html.unescape(name): brier for name, brier in rows}, scores


def _table(text: str, table_id: str) -> str | None:
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', text, re.S)
    return found[1] if found else None


def _bundled_ids() -> list[str]:
    data = yaml.safe_load((api.bundled_questions_dir() / api.DEFAULT_SCENARIO).read_text())
    return [q["id"] for q in data["questions"]]


def test_the_default_report_shows_the_bundled_questions_and_the_scores_it_quotes(
        tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    got = runner.invoke(app, ["report", "-o", str(out), "--samples", "300", "--no-store"])
    assert got.exit_code == 0, got.output
    ids, backtest, scores = _sections(out.read_text())
    assert ids == _bundled_ids()
    assert set(backtest) == {"eum", "eum (uncalibrated)", "always 0.5", "status quo"}
    # each Brier score the bottom line quotes is one the Backtest table shows
    assert len(scores) == 2
    quoted = re.findall(r"\b\d\.\d{3}\b", " ".join(scores))
    assert quoted and set(quoted) <= {backtest["eum"], backtest["always 0.5"],
                                      backtest["status quo"]}
    assert backtest["eum"] in scores[0] and backtest["always 0.5"] in scores[0]
    assert backtest["status quo"] in scores[1]
    assert re.search(r"On the (\d+) resolved questions", scores[0])[1] == str(  # type: ignore[index]
        sum(1 for q in yaml.safe_load((api.bundled_questions_dir()
                                       / api.DEFAULT_SCENARIO).read_text())["questions"]
            if "resolution" in q))


def test_a_report_of_a_saved_bundled_run_asks_its_questions_too(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    made = runner.invoke(app, ["forecast", "--samples", "200", "--store", store, "--json"])
    assert made.exit_code == 0, made.output
    run_id = json.loads(made.stdout)["run_id"]
    out = tmp_path / "r.html"
    got = runner.invoke(app, ["report", "--run", run_id, "--store", store, "-o", str(out)])
    assert got.exit_code == 0, got.output
    ids, backtest, scores = _sections(out.read_text())
    assert ids == _bundled_ids() and backtest and len(scores) == 2
    assert backtest["eum"] in scores[0]


def test_another_scenario_quotes_no_score_without_questions(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    got = runner.invoke(app, ["report", str(DATA / "small.yaml"), "-o", str(out),
                              "--samples", "200", "--no-store"])
    assert got.exit_code == 0, got.output
    text = out.read_text()
    ids, backtest, scores = _sections(text)
    assert ids == [] and backtest == {} and scores == []
    assert "Brier" not in text
    # with a question file, its scores and the sections that show them
    qfile = DATA / "small-questions.yaml"
    again = runner.invoke(app, ["report", str(DATA / "small.yaml"), "-o", str(out),
                                "--force", "--samples", "200", "--no-store",
                                "--questions", str(qfile)])
    assert again.exit_code == 0, again.output
    ids, backtest, scores = _sections(out.read_text())
    assert ids == ["x-high", "y-low"] and len(scores) == 2
    assert backtest["eum"] in scores[0]
