"""Backtest scores, checked against values worked out by hand."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from statecraft.analysis.backtest import (
    CALIBRATED_MEDIAN,
    SAMPLE_MEDIAN,
    brier,
    calibration,
    distribution_scores,
    log_score,
    score,
)
from statecraft.api.calibration import read_error_file
from statecraft.calibration.predictive import ErrorModel
from statecraft.cli import app
from tests.conftest import DATA


def test_scores_of_two_questions_by_hand() -> None:
    p, o = np.array([0.8, 0.3]), np.array([True, False])
    assert brier(p, o) == pytest.approx((0.2**2 + 0.3**2) / 2)  # 0.065
    assert log_score(p, o) == pytest.approx((math.log(0.8) + math.log(0.7)) / 2)
    # a certain miss costs ln(0.01), not minus infinity
    assert log_score(np.array([0.0]), np.array([True])) == pytest.approx(math.log(0.01))
    bins = calibration(np.array([0.05, 0.1, 0.95, 1.0]), np.array([False, True, True, True]))
    assert [b.count for b in bins] == [2, 0, 0, 0, 2]
    assert bins[0].mean_forecast == pytest.approx(0.075) and bins[0].observed == 0.5
    assert bins[1].mean_forecast is None and bins[4].observed == 1.0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        score("bad", [1.2], [True])


def test_backtest_command_matches_hand_computed_scores(tmp_path: Path) -> None:
    observed = tmp_path / "observed.yaml"
    observed.write_text("x: 52\ny: 70\n")
    result = CliRunner().invoke(app, ["backtest", str(DATA / "small.yaml"),
                                      str(DATA / "small-resolved.yaml"), "--model", "median",
                                      "--samples", "300", "--numeric", str(observed), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # the weighted median of the small scenario is x = 60, y = 80 in every sample, so the
    # median model's samples say q1 yes (1.0), q2 no, q3 no, q4 no; q5 is not scored
    assert [(q["id"], q["p_uncalibrated"]["median"]) for q in data["questions"]] == [
        ("q1", 1.0), ("q2", 0.0), ("q3", 0.0), ("q4", 0.0)]
    scores = {s["name"]: s for s in data["scores"]}
    ln99, ln01 = math.log(0.99), math.log(0.01)
    # outcomes 1, 0, 1, 0: the samples miss q3 only
    assert scores["median (uncalibrated)"]["brier"] == pytest.approx(1 / 4)
    assert scores["median (uncalibrated)"]["log"] == pytest.approx((3 * ln99 + ln01) / 4)
    # calibrated: every sample's forecast is the same, so each probability is the share
    # of the real outcomes in that forecast's window that meet the question, with the
    # half-weight tail at the far end of the scale (counted by hand here)
    err = read_error_file().error_model("median")
    asked = {q["id"]: q for q in yaml.safe_load((DATA / "small-resolved.yaml").read_text())[
        "questions"]}
    for q in data["questions"]:
        spec = asked[q["id"]]
        local = err.local_outcomes(60.0 if spec["issue"] == "x" else 80.0)
        hits = sum(1 for y in local if (y >= spec["threshold"] if spec["op"] == ">="
                                        else y <= spec["threshold"]))
        assert q["p"]["median"] == pytest.approx((hits + 0.5) / (len(local) + 1))
        assert 0 < q["p"]["median"] < 1
    # status quo x = 50, y = 0 says q1 yes, q2 yes, q3 no, q4 no: misses q2 and q3
    assert scores["status quo"]["brier"] == pytest.approx(2 / 4)
    assert scores["status quo"]["log"] == pytest.approx((2 * ln99 + 2 * ln01) / 4)
    assert scores["always 0.5"]["brier"] == pytest.approx(0.25)
    assert scores["always 0.5"]["log"] == pytest.approx(math.log(0.5))
    calib = scores["median (uncalibrated)"]["calibration"]
    assert (calib[0]["count"], calib[0]["observed"]) == (3, pytest.approx(1 / 3))
    assert (calib[4]["count"], calib[4]["observed"]) == (1, 1.0)
    numeric = {n["name"]: n for n in data["numeric"]}
    # uncalibrated, the point forecast is the samples' median, x = 60 and y = 80
    assert numeric["median (uncalibrated)"]["point"] == "sample median"
    assert numeric["median (uncalibrated)"]["forecasts"] == {"x": 60.0, "y": 80.0}
    assert numeric["median (uncalibrated)"]["mae"] == pytest.approx((8 + 10) / 2)
    assert numeric["status quo"]["mae"] == pytest.approx((2 + 70) / 2)
    assert numeric["status quo"]["point"] == "status quo"
    # every sample is the same point: the inputs-only distribution's CRPS is its error
    assert numeric["median (uncalibrated)"]["crps"] == pytest.approx((8 + 10) / 2)
    # calibrated, it is the median of the calibrated distribution: of the real outcomes
    # in each forecast's window with the tails at the ends (x: 50, y: 67 with today's
    # error file), scored against the observed 52 and 70
    medians = {"x": window_median(err.local_outcomes(60.0)),
               "y": window_median(err.local_outcomes(80.0))}
    assert numeric["median"]["point"] == "calibrated median"
    assert numeric["median"]["forecasts"] == pytest.approx(medians)
    errors = {"x": abs(medians["x"] - 52), "y": abs(medians["y"] - 70)}
    assert numeric["median"]["errors"] == pytest.approx(errors)
    assert numeric["median"]["mae"] == pytest.approx((errors["x"] + errors["y"]) / 2)
    # where the calibrated median differs from the samples', so do the errors
    assert medians["x"] != 60.0 and medians["y"] != 80.0
    assert errors["x"] != 8 and errors["y"] != 10
    assert numeric["status quo"]["crps"] == pytest.approx((2 + 70) / 2)
    assert set(numeric) == {"median", "median (uncalibrated)", "status quo", "climatology"}
    text = CliRunner().invoke(app, ["backtest", str(DATA / "small.yaml"),
                                    str(DATA / "small-resolved.yaml"), "--model",
                                    "median,compromise", "--samples", "300", "--numeric",
                                    str(observed)], env={"COLUMNS": "200"})  # no wrapping
    assert text.exit_code == 0 and "Calibration: compromise" in text.stdout
    # each row of the numeric table says which median it scores, each question its coding
    rows = [line for line in text.stdout.splitlines() if "median" in line]
    assert any("│ median " in r and "calibrated median" in r for r in rows), rows
    assert any("median (uncalibrated)" in r and "sample median" in r for r in rows), rows
    assert "x >= 70" in text.stdout


def window_median(outcomes: Sequence[float]) -> float:
    """The median of one window's predictive distribution, counted in whole units: each
    of the m outcomes weighs 2, each end of the scale 1, so half the mass is m + 1; where
    the cumulative weight stops exactly at one half, the midpoint of the flat stretch."""
    atoms = sorted([(float(y), 2) for y in outcomes] + [(0.0, 1), (100.0, 1)])
    half, cum = len(outcomes) + 1, 0
    for k, (y, w) in enumerate(atoms):
        cum += w
        if cum > half:
            return y
        if cum == half:
            return (y + next(z for z, _ in atoms[k + 1:] if z > y)) / 2
    raise AssertionError("unreachable")


def test_calibrated_and_sample_medians_by_hand() -> None:
    # one window of three real outcomes, 10, 20 and 90: each weighs 1/4, each end 1/8;
    # the distribution function reaches 1/8, 3/8 and 5/8 at 0, 10 and 20: median 20
    err = ErrorModel.from_pairs("hand", [50.0] * 3, [10, 20, 90], k=3)
    x = np.array([[40.0], [50.0], [70.0]])  # the samples' median is 50
    cal = distribution_scores("m", ("a",), x, {"a": 30.0}, err)
    raw = distribution_scores("m (uncalibrated)", ("a",), x, {"a": 30.0}, None)
    assert (cal.point, cal.forecasts, cal.mae) == (CALIBRATED_MEDIAN, {"a": 20.0}, 10.0)
    assert (raw.point, raw.forecasts, raw.mae) == (SAMPLE_MEDIAN, {"a": 50.0}, 20.0)
    # four outcomes 10, 20, 80 and 90 (1/5 each, 1/10 at each end): the function is
    # exactly 1/2 from 20 to 80, so the median is the midpoint, 50
    flat = ErrorModel.from_pairs("hand", [50.0] * 4, [10, 20, 80, 90], k=4)
    assert distribution_scores("m", ("a",), x, {"a": 30.0}, flat).forecasts == {"a": 50.0}
    # issues without an observation are not scored
    two = distribution_scores("m", ("a", "b"), np.hstack([x, x]), {"b": 0.0}, err)
    assert (two.issues, two.errors) == (1, {"b": 20.0})


def test_bad_observations_are_located(tmp_path: Path) -> None:
    observed = tmp_path / "observed.yaml"
    observed.write_text("x: 55\nz: 3\ny: .nan\n")
    result = CliRunner().invoke(app, ["backtest", str(DATA / "small.yaml"),
                                      str(DATA / "small-resolved.yaml"), "--numeric",
                                      str(observed)])
    assert result.exit_code == 1
    assert f"{observed}:2:4: error: z: found 'z'; expected an issue of the scenario" in (
        result.output)
    assert f"{observed}:3:4: error: y: found nan; expected a number from 0 to 100" in (
        result.output)


def test_a_file_without_resolutions_has_nothing_to_score(tmp_path: Path) -> None:
    open_only = tmp_path / "open.yaml"
    open_only.write_text('questions:\n  - {id: a, text: "?", issue: x, op: ">=", '
                         'threshold: 5}\n')
    result = CliRunner().invoke(app, ["backtest", str(DATA / "small.yaml"), str(open_only),
                                      "--samples", "50"])
    assert result.exit_code == 1 and "nothing to score" in result.output


def test_the_public_question_set_fits_the_default_scenario() -> None:
    from statecraft import api
    from tests.conftest import REPO

    loaded = api.load()
    qs = api.load_questions(REPO / "questions" / "south-caucasus-2021.yaml", loaded)
    assert len(qs.questions) >= 12
    resolved = [q for q in qs.questions if q.resolution is not None]
    assert len(resolved) >= 10
    assert all(q.source and q.resolved_on for q in resolved)
    assert all(dt_ok(q.resolved_on) for q in resolved)
    assert {q.issue for q in qs.questions} == {i.id for i in loaded.scenario.issues}
    observed = api.load_observed(REPO / "questions" / "south-caucasus-2021-observed.yaml",
                                 loaded)
    assert set(observed) <= {i.id for i in loaded.scenario.issues}


def dt_ok(day: object) -> bool:
    """Resolved after the article (autumn 2021) and not in the future."""
    import datetime as dt

    return isinstance(day, dt.date) and dt.date(2021, 10, 1) < day <= dt.date.today()
