"""The command line: output, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft.cli import app
from tests.conftest import DATA

runner = CliRunner()
SMALL = str(DATA / "small.yaml")


def test_run_prints_table_with_nearest_anchor() -> None:
    result = runner.invoke(app, ["run", SMALL, "--model", "compromise"])
    assert result.exit_code == 0, result.output
    assert "56.2" in result.stdout and "50: half" in result.stdout


def test_run_json() -> None:
    result = runner.invoke(app, ["run", SMALL, "--model", "median", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "median"
    by_id = {i["id"]: i for i in data["issues"]}
    assert by_id["x"]["forecast"] == 60.0
    assert by_id["y"]["nearest_anchor"] == {"point": 100.0, "text": "all"}


def test_unknown_model_is_bad_input() -> None:
    result = runner.invoke(app, ["run", SMALL, "--model", "oracle"])
    assert result.exit_code == 1
    assert "unknown model 'oracle'" in result.output


def test_usage_error_exits_2() -> None:
    result = runner.invoke(app, ["run", "--no-such-option"])
    assert result.exit_code == 2


def test_validate_bad_file_exits_1_with_located_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "small.yaml").read_text().replace("position: 60,", "position: 160,"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:24:36:" in result.output and "stances[1].position: found 160" in result.output


def test_validate_json_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "small.yaml").read_text().replace("salience: 0.5,", "salience: 5,", 1))
    result = runner.invoke(app, ["validate", str(bad), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert [p["path"] for p in data["problems"]] == ["stances[1].salience"]


def test_validate_strict_passes_small() -> None:
    result = runner.invoke(app, ["validate", SMALL, "--strict"])
    assert result.exit_code == 0, result.output
    assert "valid (3 actors, 2 issues, 5 stances, 0 warnings)" in result.output


def test_schema_is_json() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "stances" in schema["properties"]


def test_run_eum_trace_shows_offers_round_by_round() -> None:
    result = runner.invoke(app, ["run", SMALL, "--model", "eum", "--rounds", "2",
                                 "--trace", "x", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["issue"] == "x" and [r["round"] for r in data["rounds"]] == [1, 2]
    offers = [o for r in data["rounds"] for o in r["offers"]]
    assert offers and {o["kind"] for o in offers} <= {"conflict", "compromise", "capitulation"}
    assert all(o["challenger"] != o["target"] for o in offers)


def test_trace_of_unknown_issue_is_bad_input() -> None:
    result = runner.invoke(app, ["run", SMALL, "--model", "eum", "--trace", "nope"])
    assert result.exit_code == 1
    assert "no issue 'nope'" in result.output


def test_rounds_zero_gives_the_weighted_median() -> None:
    eum0 = runner.invoke(app, ["run", SMALL, "--model", "eum", "--rounds", "0", "--json"])
    med = runner.invoke(app, ["run", SMALL, "--model", "median", "--json"])
    fc = [i["forecast"] for i in json.loads(eum0.stdout)["issues"]]
    assert fc == [i["forecast"] for i in json.loads(med.stdout)["issues"]]


def test_options_command_json_and_efg(tmp_path: Path) -> None:
    efg = tmp_path / "game.efg"
    result = runner.invoke(app, ["options", str(DATA / "entry.yaml"), "--json",
                                 "--export-efg", str(efg), "--samples", "50"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    spe = [o["id"] for n in data["nodes"] for o in n["options"] if o["spe"]]
    assert spe == ["enter", "accommodate"]
    assert efg.read_text().startswith("EFG 2 R")


def test_timeline_command_around_the_notice_deadline() -> None:
    on = runner.invoke(app, ["timeline", "--as-of", "2025-05-10", "--json"])
    after = runner.invoke(app, ["timeline", "--as-of", "2025-05-11", "--json"])
    first = json.loads(on.stdout)["coming"][0]
    assert first == {"rule": "peacekeeping_term", "date": "2025-05-10",
                     "event": "last day to give notice against renewal of term 1"}
    assert json.loads(after.stdout)["coming"][0]["date"] == "2025-11-10"
    bad = runner.invoke(app, ["timeline", "--as-of", "May 2025"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output


def test_error_messages_keep_square_brackets(monkeypatch: object) -> None:
    from statecraft import api

    def missing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("needs pip install 'statecraft[games]'")

    monkeypatch.setattr(api, "options_analysis", missing)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["options", str(DATA / "entry.yaml")])
    assert result.exit_code == 1 and "statecraft[games]" in result.output


NO_SOURCES = """\
name: No sources
actors:
  - {id: a, name: A, kind: state, capability: 1}
  - {id: b, name: B, kind: state, capability: 2}
issues:
  - id: x
    question: X?
    scale: {0: none, 50: half, 100: all}
    status_quo: 50
stances:
  - {actor: a, issue: x, position: 10, salience: 0.5}
  - {actor: b, issue: x, position: 90, salience: 0.8}
"""


@pytest.mark.parametrize("args", [
    ["run", "{f}", "--trace", "x"], ["run", "{f}", "--trace", "x", "--json"],
    ["run", "{f}", "--model", "compromise"], ["validate", "{f}"],
    ["forecast", "{f}", "--samples", "20", "--no-store", "--model", "compromise"],
    ["options", "{f}"], ["timeline", "{f}"], ["ktab-export", "{f}"],
])
def test_every_warning_is_printed_once(args: list[str], tmp_path: Path) -> None:
    f = tmp_path / "nosrc.yaml"
    f.write_text(NO_SOURCES)
    result = CliRunner().invoke(app, [a.format(f=f) for a in args])
    # options and timeline refuse a scenario without options or rules, after the warnings
    assert result.exit_code == (1 if args[0] in ("options", "timeline") else 0), result.output
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 4  # two capabilities and two stances without a source
    assert len(set(warnings)) == len(warnings)


def test_validate_of_a_questions_file_says_what_it_is() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "small-questions.yaml")])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert ("unknown field 'questions'; expected one of:" in said
            and "(this looks like a questions file: it is read with --questions FILE by "
                "forecast and backtest, not as a scenario)" in said), said
