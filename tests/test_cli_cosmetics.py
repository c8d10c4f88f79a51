"""What the commands print for a person: runs show in words, tables and long lines that fit
80 columns, explain's columns explained and actors named, a round cap of 0 said once, the
calibration refusal naming the command-line option, the samples each command used, and
validate naming the quotes it could not check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.store import RunStore
from tests.conftest import DATA

runner = CliRunner()
NARROW = {"COLUMNS": "80"}
SMALL = str(DATA / "small.yaml")


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args), env=NARROW)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A calibrated eum run of the bundled scenario (some of its samples do not settle)."""
    store = tmp_path_factory.mktemp("runs")
    got = runner.invoke(app, ["forecast", "--samples", "300", "--store", str(store),
                              "--json", "--quiet"])
    assert got.exit_code == 0, got.output
    return store, json.loads(got.stdout)["run_id"]


def test_runs_show_prints_what_produced_a_run_in_words(stored: tuple[Path, str]) -> None:
    store, run_id = stored
    shown = invoke("runs", "show", run_id, "--store", str(store))
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    rec = RunStore(store).get(run_id)
    assert rec.calibration is not None and rec.seconds is not None
    assert "None" not in text and "{'" not in text and "error:" not in text
    assert rec.process_start is not None and rec.process_start not in text
    assert str(rec.seconds) not in text and f"({rec.seconds:,.1f} s)" in text
    flat = " ".join(text.split())
    assert (f"calibration: {rec.calibration['file']} v{rec.calibration['version']}, "
            f"sha256 {rec.calibration['sha256'][:12]}…") in flat
    assert "data: verified (SHA-256 and rows match): 300 rows" in flat
    assert f"samples: 300 (random sampling, seed {rec.seed}); 300 completed" in flat
    assert all(len(line) <= 80 for line in text.splitlines())
    # --json keeps every field as stored
    data = json.loads(invoke("runs", "show", run_id, "--store", str(store), "--json").stdout)
    assert data["process_start"] == rec.process_start and data["seconds"] == rec.seconds


def _table_lines(text: str, ids: list[str]) -> list[str]:
    return [line for line in text.splitlines() if line.split()[:1] and any(
        line.split()[0].startswith(i[:6]) for i in ids)]


def test_issue_ids_are_whole_and_long_lines_wrap_under_themselves_at_80_columns(
        stored: tuple[Path, str]) -> None:
    ids = [i.id for i in api.load().scenario.issues]
    store, run_id = stored
    for args in (["forecast", "--samples", "300", "--no-store"],
                 ["runs", "show", run_id, "--store", str(store)]):
        got = invoke(*args)
        assert got.exit_code == 0, got.output
        lines = got.stdout.splitlines()
        assert all(len(line) <= 80 for line in lines), max(lines, key=len)
        rows = [line.split()[0] for line in lines if line.split()[:1]
                and line.split()[0] in ids and re.search(r"\d+\.\d-\d+\.\d", line)]
        assert rows == ids, got.stdout  # each issue's row, its id whole
        assert "…" not in "".join(_table_lines(got.stdout, ids))
        ended = got.stdout.split("How the runs ended:", 1)[1].splitlines()[1:]
        items = [line for line in ended if re.match(r"  [a-z]", line)]
        more = [line for line in ended if line.startswith("      ")]
        assert items and more  # long items wrap, each continuation indented under its item
        assert all(line.startswith(("  ", "saved as")) or not line for line in ended)


def test_run_wraps_how_it_ended_with_a_hanging_indent() -> None:
    got = invoke("run")
    assert got.exit_code == 0, got.output
    ended = got.stdout.split("How the run ended:", 1)[1].splitlines()[1:]
    assert ended and all(len(line) <= 80 for line in ended)
    assert all(re.match(r"  [a-z_]+: ", line) or line.startswith("      ") for line in ended)


def test_a_round_cap_of_0_is_said_once() -> None:
    for args in (["run", SMALL, "--model", "eum", "--rounds", "0"],
                 ["forecast", SMALL, "--model", "eum", "--rounds", "0", "--samples", "50",
                  "--no-store", "--uncalibrated"]):
        got = invoke(*args)
        assert got.exit_code == 0, got.output
        ended = " ".join(got.stdout.split("How the run", 1)[1].split())
        assert "did not settle in 0 rounds" not in ended
        assert ended.count("No bargaining round was run (a cap of 0 rounds)") == 1


@pytest.mark.parametrize("command", [
    ["forecast", "--samples", "20", "--no-store"],
    ["backtest", SMALL, str(DATA / "small-resolved.yaml"), "--samples", "20"],
    ["explain", SMALL, "--questions", str(DATA / "small-questions.yaml"), "--question",
     "x-high", "--samples", "100"],
])
def test_the_calibration_refusal_names_the_command_line_option(command: list[str]) -> None:
    got = invoke(*command, "--rounds", "51")
    assert got.exit_code == 1
    said = " ".join(got.output.split())
    assert "--uncalibrated" in said and "calibrated=False" not in said


def test_forecast_and_backtest_share_a_default_and_say_the_samples_they_used() -> None:
    fc = json.loads(invoke("forecast", SMALL, "--no-store", "--json", "--quiet").stdout)
    bt = json.loads(invoke("backtest", SMALL, str(DATA / "small-resolved.yaml"),
                           "--json").stdout)
    assert fc["samples"] == bt["samples"] == 10_000
    assert "10,000 samples" in invoke("forecast", SMALL, "--no-store").stdout
    assert "10,000 samples" in invoke("backtest", SMALL,
                                      str(DATA / "small-resolved.yaml")).stdout


def test_runs_compare_says_the_samples_of_each_run(stored: tuple[Path, str]) -> None:
    store, run_id = stored
    other = json.loads(runner.invoke(app, ["forecast", "--samples", "200", "--store",
                                           str(store), "--json", "--quiet"]).stdout)["run_id"]
    got = invoke("runs", "compare", run_id, other, "--store", str(store))
    assert got.exit_code == 0, got.output
    assert (f"run b {other} (200 samples) against run a {run_id} (300 samples)"
            in " ".join(got.stdout.split()))


def test_explain_explains_its_columns_and_names_actors() -> None:
    args = ["explain", SMALL, "--questions", str(DATA / "small-questions.yaml"),
            "--question", "x-high", "--samples", "500", "--model", "eum"]
    got = invoke(*args)
    assert got.exit_code == 0, got.output
    flat = " ".join(got.stdout.split())
    assert "swing" not in flat
    assert "effect on P: the mean probability of yes" in flat
    assert "Gamma: salience on x" in flat  # salience.c.x, the actor by its name
    assert "moved others (points)" in flat and "Points on the issue's 0-100 scale" in flat
    influence = flat.split("Who moved x", 1)[1]
    assert all(name in influence for name in ("Alpha", "Beta", "Gamma"))
    data = json.loads(invoke(*args, "--json").stdout)
    assert {i["actor"] for i in data["influence"]} == {"a", "b", "c"}  # ids in JSON
    assert data["inputs"][0]["input"] == "salience.c.x"


def test_explain_says_when_no_one_moved_the_issue(tmp_path: Path) -> None:
    """Every actor already at 50 on x: no offer is made or accepted there, so explain says
    in a sentence that no one moved it, not a table of zeros."""
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    for was in ("position: 0, salience: 1.0", "position: 60, salience: 0.5",
                "position: 100, salience: [0.2, 0.6]"):
        assert was in text
        text = text.replace(was, was.replace(was.split(",")[0], "position: 50"))
    agreed = tmp_path / "agreed.yaml"
    agreed.write_text(text, encoding="utf-8")
    got = invoke("explain", str(agreed), "--questions", str(DATA / "small-questions.yaml"),
                 "--question", "x-high", "--samples", "500", "--model", "eum")
    assert got.exit_code == 0, got.output
    flat = " ".join(got.stdout.split())
    assert "Who moved x" not in flat
    assert "no actor accepted an offer on x: no one moved it" in flat


def test_validate_strict_names_the_sources_of_unchecked_quotes() -> None:
    got = invoke("validate", "--strict", str(api.bundled_scenarios_dir()
                                             / api.DEFAULT_SCENARIO))
    assert got.exit_code == 0, got.output
    said = " ".join(got.stderr.split())
    unchecked = int(re.search(r"(\d+) unchecked", said)[1])  # type: ignore[index]
    named = re.findall(r"source '([a-z0-9-]+)': (\d+) quotes? citing it not checked: it has "
                       r"a url only", said)
    assert named and sum(int(n) for _, n in named) == unchecked
    assert ("tripartite-2020", "4") in named
