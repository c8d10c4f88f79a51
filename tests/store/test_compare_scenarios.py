"""Runs of two different scenarios compare as far as they can: the actors and issues only
one has are listed as such, the rest compared, and questions asked only of runs they fit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft.cli import app
from tests.conftest import DATA

runner = CliRunner()


def _run(store: Path, *args: str) -> str:
    got = runner.invoke(app, ["forecast", *args, "--samples", "200", "--model", "compromise",
                              "--store", str(store), "--json", "--quiet"])
    assert got.exit_code == 0, got.output
    return str(json.loads(got.stdout)["run_id"])


@pytest.fixture(scope="module")
def two_scenarios(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A run of the bundled scenario, then one of the small test scenario."""
    store = tmp_path_factory.mktemp("runs")
    return store, _run(store), _run(store, str(DATA / "small.yaml"))


@pytest.mark.parametrize("order", ["bundled first", "small first"])
def test_runs_of_unrelated_scenarios_compare_without_a_validation_error(
        two_scenarios: tuple[Path, str, str], order: str) -> None:
    store, bundled, small = two_scenarios
    a, b = (bundled, small) if order == "bundled first" else (small, bundled)
    got = runner.invoke(app, ["runs", "compare", a, b, "--store", str(store), "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    rus = "rus" in (data["actors_only_in_a"] if a == bundled else data["actors_only_in_b"])
    assert rus and sorted(data["actors_only_in_b" if a == bundled else "actors_only_in_a"]) \
        == ["a", "b", "c"]
    # an actor or issue only one run has is not an input difference but a different cast
    assert data["inputs"] == [] and data["issues"] == [] and data["questions"] == []
    if a == bundled:  # the bundled questions of a's scenario do not fit b: said in one line
        assert "south-caucasus-2021.yaml" in data["questions_note"]
        assert "run b does not have" in data["questions_note"]
    text = runner.invoke(app, ["runs", "compare", a, b, "--store", str(store)],
                         env={"COLUMNS": "80"})
    assert text.exit_code == 0, text.output
    assert "validation error" not in text.output and "pydantic" not in text.output
    assert "no issue is in both runs" in text.stdout
    assert "actors only in run a:" in text.stdout and "issues only in run b:" in text.stdout
    if a == bundled:
        assert "no question compared" in text.stdout


def test_the_page_and_the_json_api_compare_them_too(
        two_scenarios: tuple[Path, str, str]) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    store, bundled, small = two_scenarios
    client = TestClient(create_app(store), base_url="http://127.0.0.1:8000")
    got = client.get(f"/api/compare?a={bundled}&b={small}")
    assert got.status_code == 200, got.text
    assert got.json()["questions_note"].startswith("no question compared")
    page = client.get(f"/ui/compare?a={bundled}&b={small}")
    assert page.status_code == 200, page.text
    assert 'id="compare-no-issues"' in page.text and 'id="compare-questions-note"' in page.text
    assert "Actors only in A: rus" in page.text and "validation error" not in page.text


def test_shared_issues_are_compared_and_questions_only_where_every_issue_is_in_both(
        tmp_path: Path) -> None:
    store = tmp_path / "runs"
    other = tmp_path / "other.yaml"
    # issue y renamed z and actor c renamed d: x is shared, with a and b's stances on it
    other.write_text((DATA / "small.yaml").read_text()
                     .replace("id: y", "id: z").replace("issue: y", "issue: z")
                     .replace("{id: c, name: Gamma", "{id: d, name: Delta")
                     .replace("actor: c,", "actor: d,"))
    a, b = _run(store, str(DATA / "small.yaml")), _run(store, str(other))
    qfile = str(DATA / "small-questions.yaml")
    data = json.loads(runner.invoke(app, ["runs", "compare", a, b, "--store", str(store),
                                          "--json", "--questions", qfile]).stdout)
    assert (data["actors_only_in_a"], data["actors_only_in_b"]) == (["c"], ["d"])
    assert (data["only_in_a"], data["only_in_b"]) == (["y"], ["z"])
    assert [r["issue"] for r in data["issues"]] == ["x"]
    assert data["inputs"] == []  # a's and b's stances on x are the same in both
    # the question on y does not fit run b, so the set is not asked of either run
    assert data["questions"] == []
    assert data["questions_note"] == ("no question compared: the questions given ask about "
                                      "issues run b does not have (y)")
    # a question set naming only x fits both
    only_x = tmp_path / "x.yaml"
    only_x.write_text("questions:\n  - {id: x-high, text: Does x end high?, issue: x, "
                      "op: \">=\", threshold: 50}\n")
    fits = json.loads(runner.invoke(app, ["runs", "compare", a, b, "--store", str(store),
                                          "--json", "--questions", str(only_x)]).stdout)
    assert [q["id"] for q in fits["questions"]] == ["x-high"] and fits["questions_note"] == ""
