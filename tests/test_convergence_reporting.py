"""How runs ended, and the bottom line, as `run`, `forecast`, `runs show` and the report
say them: a scenario built to cycle (two actors trading places, tests/data/swap.yaml) is
reported as cycling every 2 rounds everywhere; a scenario whose runs all settle gets one
line; the bundled scenario's bottom line scores its resolved questions from the forecast's
own probabilities and never names a point no sample reached without saying so."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner, Result

from statecraft import api
from statecraft.analysis.backtest import baselines, resolved, score
from statecraft.analysis.questions import QuestionSet, probabilities
from statecraft.cli import app
from tests.conftest import DATA

SWAP = str(DATA / "swap.yaml")
runner = CliRunner()


def invoke(*args: str) -> Result:
    got = runner.invoke(app, list(args))
    assert got.exit_code == 0, got.output
    return got


def flat(text: str) -> str:
    """Text as one line (rich wraps long lines at the terminal's width)."""
    return " ".join(text.split())


def test_run_says_a_cycling_issue_cycles_with_its_length() -> None:
    text = flat(invoke("run", SWAP, "-q").stdout)
    assert "How the run ended: x: cycles every 2 rounds; its forecast is the mean over the " \
           "cycle." in text
    assert "This is a single run of the model at the midpoints of the scenario's ranges." in text
    assert "y: " not in text.split("How the run ended:")[1]  # y settled: not mentioned
    data = json.loads(invoke("run", SWAP, "-q", "--json").stdout)
    x = data["convergence"]["issues"]["x"]
    assert (x["runs"], x["cycled"], x["shortest_cycle"], x["longest_cycle"]) == (1, 1, 2, 2)
    assert data["convergence"]["issues"]["y"]["fixed_point"] == 1
    assert data["single_run_at_midpoints"] is True
    assert data["modes"]["samples"] == api.MODE_SAMPLES


def test_forecast_json_has_the_convergence_per_issue_and_the_bottom_line(
        tmp_path: Path) -> None:
    data = json.loads(invoke("forecast", SWAP, "-q", "--json", "--samples", "300",
                             "--store", str(tmp_path)).stdout)
    x, y = data["convergence"]["issues"]["x"], data["convergence"]["issues"]["y"]
    assert data["convergence"]["max_rounds"] == 50
    assert (x["runs"], x["cycled"], x["shortest_cycle"], x["longest_cycle"]) == (300, 300, 2, 2)
    assert x["words"].startswith("300 of 300 samples cycled (every 2 rounds")
    assert y["settled"] == 300 and y["cycled"] == 0 and y["not_converged"] == 0
    bottom = data["bottom_line"]
    assert bottom["lead"].startswith("Bottom line (eum, 300 samples, calibrated")
    lines = {line["issue"]: line for line in bottom["issues"]}
    assert lines["x"]["runs"] == ("Not every run settled: of 300 samples, 300 cycled (every 2 "
                                  "rounds) and 0 settled.")
    assert lines["y"]["runs"] is None
    assert bottom["scores"] == []  # no resolved questions for this scenario
    # the text opens with the bottom line and says how the runs ended
    text = invoke("forecast", SWAP, "-q", "--samples", "300", "--no-store").stdout
    assert text.startswith("Bottom line (eum, 300 samples,")
    assert ("How the runs ended: x: 300 of 300 samples cycled (every 2 rounds; each such "
            "forecast is the mean over its cycle); 0 settled." in flat(text))


def test_runs_show_and_the_report_say_it_cycles(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    data = json.loads(invoke("forecast", SWAP, "-q", "--json", "--samples", "300",
                             "--store", store).stdout)
    shown = flat(invoke("runs", "show", data["run_id"], "--store", store).stdout)
    assert "How the runs ended: x: 300 of 300 samples cycled (every 2 rounds" in shown
    as_json = json.loads(invoke("runs", "show", data["run_id"], "--store", store,
                                "--json").stdout)
    assert as_json["convergence"] == data["convergence"]
    out = tmp_path / "report.html"
    invoke("report", "--run", data["run_id"], "--store", store, "-o", str(out), "-q")
    page = out.read_text(encoding="utf-8")
    # the report opens with the bottom line, before its summary table
    assert page.index('id="bottom-line"') < page.index("<h2>Summary</h2>")
    conv = page[page.index('<div id="convergence">'):]
    conv = html.unescape(re.sub(r"<[^>]+>", " ", conv[:conv.index("</div>")]))
    assert "x: 300 of 300 samples cycled (every 2 rounds" in flat(conv)
    assert "y:" not in conv
    fresh = tmp_path / "fresh.html"
    invoke("report", SWAP, "--samples", "300", "--no-store", "-o", str(fresh), "-q")
    assert "x: 300 of 300 samples cycled (every 2 rounds" in flat(
        html.unescape(fresh.read_text(encoding="utf-8")))


def test_runs_that_all_settle_get_one_line(tmp_path: Path) -> None:
    scenario = yaml.safe_load(Path(SWAP).read_text(encoding="utf-8"))
    scenario["issues"] = [i for i in scenario["issues"] if i["id"] == "y"]
    scenario["stances"] = [s for s in scenario["stances"] if s["issue"] == "y"]
    path = tmp_path / "settles.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    text = flat(invoke("forecast", str(path), "-q", "--samples", "200", "--no-store").stdout)
    assert ("How the runs ended: All 200 samples settled on every issue (a fixed point or "
            "the model's stopping rule).") in text
    assert "Every sample's run settled on every issue." in text  # in the bottom line
    one = flat(invoke("run", str(path), "-q").stdout)
    assert "How the run ended: The run settled on every issue" in one
    plain = flat(invoke("forecast", str(path), "-q", "--samples", "200", "--no-store",
                        "--model", "compromise").stdout)
    assert "The compromise model forecasts in one step: it has no rounds to settle." in plain


@pytest.fixture(scope="module")
def bundled() -> tuple[api.ForecastRun, object]:
    loaded = api.load()
    run = api.forecast_run(loaded, samples=1000, seed=7)
    return run, loaded


def test_the_bundled_bottom_line_scores_its_resolved_questions_and_says_worse(
        bundled: tuple[api.ForecastRun, object]) -> None:
    run, loaded = bundled
    result = run.result
    done = result.outcomes[result.completed()]
    line = api.forecast_bottom_line(loaded, model="eum", params={},  # type: ignore[arg-type]
                                    issue_ids=result.issue_ids, outcomes=done,
                                    errors=run.errors, calibrated=run.calibrated_rows(),
                                    convergence=run.convergence())
    # scored here from the bundled question set, as backtest scores one forecast's
    # calibrated probabilities
    qset = api.load_questions(api.bundled_questions_dir() / api.DEFAULT_SCENARIO,
                              loaded)  # type: ignore[arg-type]
    asked = resolved(qset.questions)
    probs = probabilities(QuestionSet(questions=asked), result.issue_ids, done, run.errors)
    said = [bool(q.resolution) for q in asked]
    mine = score("eum", [p.probability for p in probs], said)
    half, sq = baselines(asked, {i.id: i.status_quo for i in
                                 loaded.scenario.issues})  # type: ignore[attr-defined]
    first, second = line.scores
    assert f"On the {len(asked)} resolved questions" in first
    assert f"Brier score of {mine.brier:.3f}" in first
    verdict = "worse than" if mine.brier > half.brier else "better than"
    assert f"it did {verdict} always saying 0.5, which scores {half.brier:.3f}" in first
    assert f"{mine.brier:.3f} against {sq.brier:.3f}" in second
    # the models compared at the midpoints are the four bargaining models, named
    karabakh = next(i for i in line.issues if i.issue == "karabakh_status")
    assert karabakh.models is not None
    assert karabakh.models.startswith("The models disagree")


def test_no_named_point_outside_the_samples_is_named_without_saying_so(
        bundled: tuple[api.ForecastRun, object]) -> None:
    run, loaded = bundled
    result = run.result
    done = result.outcomes[result.completed()]
    line = api.forecast_bottom_line(loaded, model="eum", params={},  # type: ignore[arg-type]
                                    issue_ids=result.issue_ids, outcomes=done,
                                    errors=run.errors, calibrated=run.calibrated_rows())
    rows = api.forecast_summary(loaded.scenario, result.issue_ids, done,  # type: ignore[attr-defined]
                                run.errors)
    unreached = 0
    for k, (issue, row) in enumerate(zip(line.issues, rows, strict=True)):
        lo, hi = float(done[:, k].min()), float(done[:, k].max())
        outside = not lo - 0.5 <= issue.median_point.point <= hi + 0.5
        unreached += outside
        said = "which no sample of the model reached" in issue.ends
        # the sentence names the nearest point only when it places the median at or near
        # it; between two points it names neither as where the median lies
        place = issue.median_place
        claims = place is not None and place.named == issue.median_point.point
        assert said == (outside and claims), (issue.issue, issue.ends, lo, hi)
        assert row.anchor_reached == (not outside)
        assert ("no sample of the model reached it" in row.anchor) == outside
    assert unreached >= 1  # the bundled scenario has such an issue (the check is not idle)
    assert np.isfinite([r.median for r in rows]).all()


def test_the_web_api_forecast_carries_the_bottom_line_and_the_convergence(
        tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    client = TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")
    got = client.post("/api/forecast", json={
        "text": Path(SWAP).read_text(encoding="utf-8"), "samples": 200})
    assert got.status_code == 200, got.text
    data = got.json()
    x = data["convergence"]["issues"]["x"]
    assert (x["cycled"], x["shortest_cycle"], x["longest_cycle"]) == (200, 2, 2)
    assert data["convergence_lines"] == [
        "x: 200 of 200 samples cycled (every 2 rounds; each such forecast is the mean over "
        "its cycle); 0 settled."]
    lines = {i["issue"]: i for i in data["bottom_line"]["issues"]}
    assert lines["x"]["runs"] == ("Not every run settled: of 200 samples, 200 cycled (every "
                                  "2 rounds) and 0 settled.")
    one = client.get(f"/api/runs/{data['run_id']}").json()
    assert one["convergence"] == data["convergence"]
    # the saved run's report says the same, read back from the store
    report = client.get(f"/api/runs/{data['run_id']}/report").text
    assert "x: 200 of 200 samples cycled (every 2 rounds" in flat(html.unescape(report))
