"""options: an issue no option moves is said to be unchanged at its status quo, and the
game's outcome is said to be the options' effects, not a forecast."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app

runner = CliRunner()


def test_issues_no_option_moves_are_marked_unchanged() -> None:
    scenario = api.load().scenario
    assert scenario.options is not None
    moved = {e.issue for n in scenario.options.nodes for o in n.options for e in o.effects}
    status_quo = {i.id: i.status_quo for i in scenario.issues}
    untouched = set(status_quo) - moved
    assert untouched == {"minsk_group", "transit_route", "demining"}  # the bundled game's
    data = json.loads(runner.invoke(app, ["options", "--json"]).stdout)
    named = data["spe_outcome_named"]
    for issue, n in named.items():
        assert n["moved"] == (issue in moved)
        if issue in untouched:
            assert n["position"] == status_quo[issue] == data["spe_outcome"][issue]
            assert n["label"].startswith(
                f"unchanged: no option moves it; status quo {status_quo[issue]:g} (")
        else:
            assert not n["label"].startswith("unchanged")
    assert "not a forecast" in data["outcome_note"]
    text = " ".join(runner.invoke(app, ["options"], env={"COLUMNS": "80"}).stdout.split())
    assert ("transit_route: unchanged: no option moves it; status quo 100 (full Armenian "
            "control, or no route opened)") in text
    assert ("The game's outcomes are the options' effects on the status quo, not a "
            "forecast") in text


def test_the_report_says_it_too(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    made = runner.invoke(app, ["report", "-o", str(report), "--samples", "10",
                               "--model", "compromise"])
    assert made.exit_code == 0, made.output
    html = report.read_text()
    assert "demining: unchanged: no option moves it; status quo 0 (" in html
    assert 'id="options-outcome-note"' in html and "not a forecast" in html
