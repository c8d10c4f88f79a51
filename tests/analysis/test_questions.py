"""Question files: located errors, probabilities and their Monte Carlo standard errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from statecraft.analysis.questions import load_questions_text, probabilities
from statecraft.api.calibration import read_error_file
from statecraft.calibration.predictive import exceedance
from statecraft.cli import app
from statecraft.scenario import ScenarioError
from tests.conftest import DATA

QUESTIONS = (DATA / "small-questions.yaml").read_text()


def test_probabilities_by_hand() -> None:
    qs = load_questions_text(QUESTIONS, "q.yaml", {"x", "y"})
    outcomes = np.array([[60.0, 10.0], [50.0, 40.0], [49.9, 41.0], [10.0, 90.0]])
    # x >= 50: rows 0 and 1 -> 2 of 4 = 0.5, s.e. sqrt(.5 * .5 / 4) = 0.25
    # y <= 40: rows 0 and 1 -> 0.5 as well (40 itself counts)
    got = probabilities(qs, ("x", "y"), outcomes)
    assert [g.probability for g in got] == [0.5, 0.5]
    assert got[0].std_error == pytest.approx(0.25)
    assert got[1].question.resolution is False


def test_interval_is_clipped_to_probabilities() -> None:
    qs = load_questions_text(QUESTIONS, "q.yaml", {"x", "y"})
    # x >= 50 in 2 of 4 rows: 0.5 +- 1.96 x 0.25 = 0.01 .. 0.99; in 1 of 100 rows:
    # 0.01 +- 1.96 x sqrt(.01 x .99 / 100) = -0.0095 .. 0.0295, clipped below at 0
    half = probabilities(qs, ("x", "y"), np.array([[60.0, 10.0], [50.0, 40.0],
                                                   [49.9, 41.0], [10.0, 90.0]]))[0]
    assert half.interval95 == pytest.approx((0.01, 0.99))
    rare = np.zeros((100, 2))
    rare[0, 0] = 60.0
    low = probabilities(qs, ("x", "y"), rare)[0]
    assert low.interval95 == pytest.approx((0.0, 0.01 + 1.96 * np.sqrt(0.0099 / 100)))


@pytest.mark.parametrize(("edit", "needle"), [
    (lambda t: t.replace("issue: x,", "issue: z,"), "q.yaml:3:"),
    (lambda t: t.replace("threshold: 50}", "threshold: 120}"), "questions[0].threshold: found 120"),
    (lambda t: t.replace("resolution: false, ", ""), "give resolution and resolved_on together"),
    (lambda t: t.replace('op: "<="', 'op: "<"'), "questions[1].op"),
])
def test_bad_questions_are_located(edit: object, needle: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_questions_text(edit(QUESTIONS), "q.yaml", {"x", "y"})  # type: ignore[operator]
    assert any(needle in str(p) for p in exc.value.problems), [str(p) for p in exc.value.problems]


def test_forecast_with_questions() -> None:
    result = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "400",
                                      "--model", "compromise", "--json", "--uncalibrated",
                                      "--questions", str(DATA / "small-questions.yaml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    q = {a["id"]: a for a in data["questions"]}
    assert data["calibration"] is None and not q["x-high"]["calibrated"]
    # compromise on x: weights a 1 (at 0), b 1 (at 60), c 3 s_c (at 100), s_c ~ U(0.2, 0.6):
    # (60 + 300 s_c) / (2 + 3 s_c) >= 50  <=>  s_c >= 4/15, so P = (0.6 - 4/15) / 0.4 = 5/6
    p = q["x-high"]["probability"]
    se = (p * (1 - p) / 400) ** 0.5
    assert q["x-high"]["std_error"] == pytest.approx(se)
    assert abs(p - 5 / 6) < 3 * se
    assert 0.0 <= q["y-low"]["probability"] <= 1.0


def test_calibrated_forecast_is_the_default_and_says_which_errors_calibrated_it() -> None:
    args = ["forecast", str(DATA / "small.yaml"), "--samples", "400", "--model", "compromise",
            "--json", "--no-store", "--questions", str(DATA / "small-questions.yaml")]
    data = json.loads(CliRunner().invoke(app, args).stdout)
    plain = json.loads(CliRunner().invoke(app, [*args, "--uncalibrated"]).stdout)
    ef = read_error_file()
    assert data["calibration"] == ef.identity
    err = ef.error_model("compromise")
    for issue, raw in zip(data["issues"], plain["issues"], strict=True):
        # the inputs-only summary is unchanged; the calibrated one sits beside it
        assert {k: issue[k] for k in raw} == raw
        cal = issue["calibrated"]
        lo90, hi90 = cal["intervals"]["90"]
        lo50, hi50 = cal["intervals"]["50"]
        assert lo90 <= lo50 <= cal["median"] <= hi50 <= hi90
        assert sum(cal["histogram"]) == pytest.approx(1.0)
        # at least as wide as the inputs alone are: the model's error is added, not dropped
        assert hi90 - lo90 >= raw["p95"] - raw["p05"] - 1e-9
    for q in data["questions"]:
        assert q["calibrated"] and 0 < q["probability"] < 1
    # the calibrated probability is the mean of the samples' own probabilities; with
    # x-high's samples spread around 50, it lies strictly between its windows' extremes
    lows = [float(exceedance(err, np.array([v]), ">=", 50)[0]) for v in (0.0, 100.0)]
    assert min(lows) < next(q for q in data["questions"] if q["id"] == "x-high")[
        "probability"] < max(lows)


def test_question_file_with_unknown_issue_stops_the_run() -> None:
    bad = DATA / "small-questions.yaml"  # its issues x and y are not the default scenario's
    result = CliRunner().invoke(app, ["forecast", "--samples", "10", "--questions", str(bad)])
    assert result.exit_code == 1 and "an issue of the scenario" in result.output
