"""Two saved runs compared: exactly the inputs that changed, the shifts they caused."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from statecraft.analysis.compare import input_differences
from statecraft.cli import app
from statecraft.scenario import load_scenario_text
from tests.conftest import DATA


def _run(path: Path, store: Path, *extra: str) -> str:
    got = CliRunner().invoke(app, ["forecast", str(path), "--samples", "400", "--model",
                                   "compromise", "--store", str(store), "--json", *extra])
    assert got.exit_code == 0, got.output
    return str(json.loads(got.stdout)["run_id"])


def test_compare_lists_exactly_the_changed_inputs_and_the_shift(tmp_path: Path) -> None:
    text = (DATA / "small.yaml").read_text()
    edited = tmp_path / "edited.yaml"
    # c cares less about x: the compromise on x moves towards a and b
    changed = text.replace("salience: [0.2, 0.6]", "salience: 0.1")
    assert changed != text
    edited.write_text(changed)
    store = tmp_path / "runs"
    a, b = _run(DATA / "small.yaml", store), _run(edited, store)
    got = CliRunner().invoke(app, ["runs", "compare", a, b, "--store", str(store), "--json",
                                   "--questions", str(DATA / "small-questions.yaml")])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert [d["input"] for d in data["inputs"]] == ["salience.c.x"]
    assert data["inputs"][0]["a"] == [0.2, 0.6] and data["inputs"][0]["b"] == 0.1
    assert data["only_in_a"] == [] and data["only_in_b"] == []
    shift = {r["issue"]: r for r in data["issues"]}
    assert shift["x"]["shift"] < 0 and shift["x"]["calibrated"]
    assert shift["x"]["median_b"] - shift["x"]["median_a"] == shift["x"]["shift"]
    q = {r["id"]: r for r in data["questions"]}
    assert q["x-high"]["b"] < q["x-high"]["a"]
    text_out = CliRunner().invoke(app, ["runs", "compare", a, b, "--store", str(store)])
    assert text_out.exit_code == 0 and "salience.c.x" in text_out.stdout
    same = json.loads(CliRunner().invoke(app, ["runs", "compare", a, a, "--store", str(store),
                                               "--json"]).stdout)
    assert same["inputs"] == [] and all(r["shift"] == 0 for r in same["issues"])


def test_runs_of_different_scenarios_say_which_issues_exist_in_one_only(
        tmp_path: Path) -> None:
    store = tmp_path / "runs"
    other = tmp_path / "other.yaml"
    other.write_text((DATA / "small.yaml").read_text().replace("id: y", "id: z").replace(
        "issue: y", "issue: z"))
    a, b = _run(DATA / "small.yaml", store), _run(other, store, "--uncalibrated")
    data = json.loads(CliRunner().invoke(app, ["runs", "compare", a, b, "--store", str(store),
                                               "--json"]).stdout)
    assert data["only_in_a"] == ["y"] and data["only_in_b"] == ["z"]
    assert [r["issue"] for r in data["issues"]] == ["x"]
    assert not data["issues"][0]["calibrated"]  # one run is uncalibrated: samples compared
    # the issues only one run has are listed as such, not as inputs of theirs that differ
    names = {d["input"] for d in data["inputs"]}
    assert not any(n.endswith((".y", ".z")) for n in names)
    assert {d["input"] for d in data["settings"]} >= {"calibration"}
    missing = CliRunner().invoke(app, ["runs", "compare", a, "nope", "--store", str(store)])
    assert missing.exit_code == 1 and "no run 'nope'" in missing.output


def test_input_differences_ignore_sources_and_wording() -> None:
    text = (DATA / "small.yaml").read_text()
    a = load_scenario_text(text, "a.yaml", read_documents=False).scenario
    b = load_scenario_text(text.replace("name: ", "name: Renamed ", 1), "b.yaml",
                           read_documents=False).scenario
    assert input_differences(a, b) == []
