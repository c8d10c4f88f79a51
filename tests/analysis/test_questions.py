"""Question files: located errors, probabilities and their Monte Carlo standard errors."""

from __future__ import annotations

import json
from pathlib import Path

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
    (lambda t: t.replace('op: "<="', 'op: "=<"'), "questions[1].op"),
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
        inputs_only = ("issue", "median", "p05", "p95", "histogram", "counts", "reached")
        assert {k: issue[k] for k in inputs_only} == {k: raw[k] for k in inputs_only}
        assert raw["calibrated"] is False and raw["predictive"] is None
        assert issue["calibrated"] is True
        cal = issue["predictive"]
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


# --- bands: op between, low and high (both included) -------------------------------------

BAND = ('questions:\n'
        '  - {id: mid, text: "Does x end from 40 to 60?", issue: x, op: between, '
        'low: 40, high: 60}\n'
        '  - {id: low, text: "Does y end at 40 or below?", issue: y, op: "<=", '
        'threshold: 40}\n')


def test_a_band_includes_both_ends() -> None:
    qs = load_questions_text(BAND, "q.yaml", {"x", "y"})
    band = qs.questions[0]
    assert band.condition == "40 <= x <= 60" and qs.questions[1].condition == "y <= 40"
    x = np.array([39.99, 40.0, 50.0, 60.0, 60.01, 0.0, 100.0])
    assert band.holds(x).tolist() == [False, True, True, True, False, False, False]
    # x in [40, 60] in rows 1, 2 and 3 of 5: 0.6, s.e. sqrt(.6 * .4 / 5)
    got = probabilities(qs, ("x", "y"), np.column_stack([x[:5], np.zeros(5)]))[0]
    assert got.probability == pytest.approx(0.6)
    assert got.std_error == pytest.approx(np.sqrt(0.6 * 0.4 / 5))


@pytest.mark.parametrize(("edit", "k", "field", "message"), [
    (lambda t: t.replace("low: 40, high: 60", "low: 60, high: 40"), 0, "high",
     "found 40; expected a number no lower than low (60)"),
    (lambda t: t.replace("low: 40, high: 60", "low: 40, high: 60, threshold: 50"), 0,
     "threshold", "found 50; expected no threshold with op 'between' (its band is low to "
     "high)"),
    (lambda t: t.replace("low: 40, high: 60", "low: 40"), 0, "high",
     "missing field 'high' (op 'between' needs low and high)"),
    (lambda t: t.replace("low: 40, high: 60", "low: -1, high: 60"), 0, "low",
     "found -1; expected a number of at least 0"),
    (lambda t: t.replace("low: 40, high: 60", "low: 40, high: 101"), 0, "high",
     "found 101; expected a number of at most 100"),
    (lambda t: t.replace("threshold: 40}", "low: 40}"), 1, "threshold",
     "missing field 'threshold' (op '<=' needs it)"),
    (lambda t: t.replace("threshold: 40}", "threshold: 40, high: 50}"), 1, "high",
     "found 50; expected no high with op '<=' (low, high and include go with op "
     "'between')"),
])
def test_bad_bands_are_located(edit: object, k: int, field: str, message: str) -> None:
    text = edit(BAND)  # type: ignore[operator]
    with pytest.raises(ScenarioError) as exc:
        load_questions_text(text, "q.yaml", {"x", "y"})
    # located at the value when the field is there, else at the question
    line = 2 + k
    row = text.splitlines()[line - 1]
    col = row.index(f"{field}: ") + len(field) + 3 if f"{field}: " in row else 5
    want = f"q.yaml:{line}:{col}: error: questions[{k}].{field}: {message}"
    assert want in [str(p) for p in exc.value.problems], [str(p) for p in exc.value.problems]


def test_a_bad_band_is_reported_beside_other_problems() -> None:
    text = BAND.replace("low: 40, high: 60", "low: 60, high: 40").replace(
        "threshold: 40}", "threshold: 400}")
    with pytest.raises(ScenarioError) as exc:
        load_questions_text(text, "q.yaml", {"x", "y"})
    assert [(p.line, p.path) for p in exc.value.problems] == [
        (2, ("questions", 0, "high")), (3, ("questions", 1, "threshold"))]


def test_a_question_built_in_python_is_checked_too() -> None:
    from pydantic import ValidationError

    from statecraft.analysis.questions import Question

    with pytest.raises(ValidationError, match="no lower than low"):
        Question(id="a", text="?", issue="x", op="between", low=60, high=40)
    with pytest.raises(ValidationError, match="missing field 'threshold'"):
        Question(id="a", text="?", issue="x", op=">=")


def test_calibrated_band_by_hand() -> None:
    from statecraft.analysis.questions import Question
    from statecraft.calibration.predictive import ErrorModel

    # one window of six real outcomes: each weighs 1/7, each end of the scale 1/14
    err = ErrorModel.from_pairs("hand", [50.0] * 6, [0, 20, 40, 50, 60, 100], k=6)
    x = np.array([50.0, 30.0])

    def band(low: float, high: float) -> Question:
        return Question(id="b", text="?", issue="x", op="between", low=low, high=high)

    cases = [((40, 60), 3 / 7),          # 40, 50 and 60: both ends count
             ((40.5, 59.5), 1 / 7),      # 50 alone
             ((0, 20), 2 / 7 + 1 / 14),  # 0, 20 and the lower end's tail
             ((0, 0), 1 / 7 + 1 / 14),   # the outcome at 0 and the tail there
             ((100, 100), 1 / 7 + 1 / 14),
             ((0, 100), 1.0),
             ((41, 49), 0.0)]
    for (low, high), want in cases:
        got = band(low, high).predictive(err, x)
        assert got == pytest.approx([want, want]), (low, high)


def test_calibrated_band_is_the_predictive_distribution_between_its_ends() -> None:
    from statecraft.analysis.questions import Question
    from statecraft.calibration.predictive import Mixture

    err = read_error_file().error_model("eum")
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(0, 100, 300), [0.0, 25.0, 50.0, 100.0]])
    # ends drawn among the error file's own outcomes, so atoms sit on them, and at random
    ends = np.concatenate([rng.choice(err.outcome, 20), rng.uniform(0, 100, 20), [0, 100]])
    for e in (err, err.scaled(1.5)):
        mix = Mixture(e, x)
        for low, high in zip(np.sort(ends)[::2], np.sort(ends)[1::2], strict=True):
            q = Question(id="b", text="?", issue="x", op="between", low=low, high=high)
            want = float(mix.cdf(high)[0] - mix.cdf(low, left=True)[0])
            assert q.predictive(e, x).mean() == pytest.approx(want, abs=1e-12)


def test_forecast_and_backtest_with_a_band(tmp_path: Path) -> None:
    path = tmp_path / "band.yaml"
    path.write_text(BAND.replace("high: 60}", "high: 60, resolution: true, "
                                 "resolved_on: 2024-01-01}")
                    .replace("threshold: 40}", "threshold: 40, resolution: false, "
                             "resolved_on: 2024-01-01}"))
    got = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "300",
                                   "--model", "median", "--json", "--no-store",
                                   "--questions", str(path)])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    mid = next(q for q in data["questions"] if q["id"] == "mid")
    # the median model puts x at 60 in every sample: calibrated, the share of the real
    # outcomes in that forecast's window from 40 to 60
    local = read_error_file().error_model("median").local_outcomes(60.0)
    hits = sum(1 for y in local if 40 <= y <= 60)
    assert mid["probability"] == pytest.approx(hits / (len(local) + 1))
    assert mid["condition"] == "40 <= x <= 60"
    bt = CliRunner().invoke(app, ["backtest", str(DATA / "small.yaml"), str(path),
                                  "--model", "median", "--samples", "300", "--json"])
    assert bt.exit_code == 0, bt.output
    rows = {q["id"]: q for q in json.loads(bt.stdout)["questions"]}
    assert rows["mid"]["p_uncalibrated"]["median"] == 1.0  # 60 is in the band
    assert rows["mid"]["condition"] == "40 <= x <= 60"
    assert rows["mid"]["status_quo"] == 1.0  # so is x's status quo, 50
    assert rows["low"]["status_quo"] == 1.0  # y's, 0, is at or below 40


@pytest.mark.parametrize(("low", "high", "field", "message"), [
    ("1" + "0" * 400, "5", "low", "too large for a float"),  # no OverflowError on the way
    ("6", "-.inf", "high", "found -inf; expected a finite number"),
    ("6", '"5"', "high", "found 5.0; expected a number no lower than low (6)"),  # coerced
    ("150", "120", "low", "found 150; expected a number of at most 100"),
])
def test_odd_band_ends_are_one_located_problem_each(low: str, high: str, field: str,
                                                    message: str) -> None:
    text = ('questions:\n  - {id: a, text: "?", issue: x, op: between, '
            f'low: {low}, high: {high}}}\n')
    with pytest.raises(ScenarioError) as exc:
        load_questions_text(text, "q.yaml", {"x"})
    got = [(p.path, p.message) for p in exc.value.problems]
    assert any(path == ("questions", 0, field) and message in m for path, m in got), got
    assert len({path for path, _ in got}) == len(got), got  # nothing said twice


def test_runs_compare_shows_a_band_with_its_coding(tmp_path: Path) -> None:
    path = tmp_path / "band.yaml"
    path.write_text(BAND)
    store = str(tmp_path / "store")
    ids = [json.loads(CliRunner().invoke(app, [
        "forecast", str(DATA / "small.yaml"), "--samples", "200", "--seed", str(seed),
        "--model", "compromise", "--store", store, "--json"]).stdout)["run_id"]
        for seed in (1, 2)]
    got = CliRunner().invoke(app, ["runs", "compare", *ids, "--store", store, "--questions",
                                   str(path), "--json"])
    assert got.exit_code == 0, got.output
    rows = {q["id"]: q for q in json.loads(got.stdout)["questions"]}
    assert rows["mid"]["condition"] == "40 <= x <= 60"
    text = CliRunner().invoke(app, ["runs", "compare", *ids, "--store", store, "--questions",
                                    str(path)], env={"COLUMNS": "200"})
    assert "40 <= x <= 60" in text.stdout


def test_the_report_shows_a_band_with_its_coding(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="needs the 'report' extra")
    path = tmp_path / "band.yaml"
    path.write_text(BAND.replace('text: "Does x end from 40 to 60?"',
                                 'text: "Does x end <b>from</b> 40 to 60?"'))
    out = tmp_path / "report.html"
    got = CliRunner().invoke(app, ["report", str(DATA / "small.yaml"), "-o", str(out),
                                   "--samples", "200", "--questions", str(path),
                                   "--store", str(tmp_path / "store")])
    assert got.exit_code == 0, got.output
    html = out.read_text()
    assert "(counts as yes: 40 &lt;= x &lt;= 60)" in html
    assert "&lt;b&gt;from&lt;/b&gt;" in html and "<b>from</b>" not in html


STRICT = ('questions:\n'
          '  - {id: above, text: "Does x end above 50?", issue: x, op: ">", threshold: 50}\n'
          '  - {id: upto, text: "Does x end at 50 or below?", issue: x, op: "<=", '
          'threshold: 50}\n'
          '  - {id: below, text: "Does x end below 50?", issue: x, op: "<", threshold: 50}\n'
          '  - {id: from, text: "Does x end at 50 or above?", issue: x, op: ">=", '
          'threshold: 50}\n'
          '  - {id: band, text: "Does x end above 40, up to 60?", issue: x, op: between, '
          'low: 40, high: 60, include: high}\n')


def test_strict_operators_leave_the_threshold_out() -> None:
    qs = load_questions_text(STRICT, "q.yaml", {"x"})
    above, upto, below, start, band = qs.questions
    assert [q.condition for q in qs.questions] == [
        "x > 50", "x <= 50", "x < 50", "x >= 50", "40 < x <= 60"]
    x = np.array([0.0, 40.0, 49.99, 50.0, 50.01, 60.0, 100.0])
    assert above.holds(x).tolist() == [False, False, False, False, True, True, True]
    assert below.holds(x).tolist() == [True, True, True, False, False, False, False]
    assert band.holds(x).tolist() == [False, False, True, True, True, True, False]
    # a strict question and the other direction's inclusive one: exactly one holds
    assert (above.holds(x) ^ upto.holds(x)).all() and (below.holds(x) ^ start.holds(x)).all()
    # 4 of 7 above 50 uncalibrated; 50 counted on one side only
    got = probabilities(qs, ("x",), x[:, None])
    assert [g.probability for g in got[:4]] == [3 / 7, 4 / 7, 3 / 7, 4 / 7]


def test_calibrated_strict_questions_count_an_atom_at_the_threshold_once() -> None:
    from statecraft.analysis.questions import Question
    from statecraft.calibration.predictive import ErrorModel

    # one window of six real outcomes, two of them exactly 50: each weighs 1/7, each end
    # of the scale 1/14
    err = ErrorModel.from_pairs("hand", [50.0] * 6, [0, 20, 50, 50, 60, 100], k=6)
    x = np.array([50.0, 30.0])

    def q(op: str, t: float) -> Question:
        return Question(id="q", text="?", issue="x", op=op, threshold=t)

    cases = [((">=", 50), 4 / 7 + 1 / 14),  # 50, 50, 60, 100 and the upper tail
             ((">", 50), 2 / 7 + 1 / 14),   # 60, 100 and the upper tail
             (("<=", 50), 4 / 7 + 1 / 14),  # 0, 20, 50, 50 and the lower tail
             (("<", 50), 2 / 7 + 1 / 14),   # 0, 20 and the lower tail
             ((">", 100), 0.0), (("<", 0), 0.0),
             ((">", 0), 5 / 7 + 1 / 14),    # all but the outcome at 0 and the tail there
             (("<", 100), 5 / 7 + 1 / 14)]
    for (op, t), want in cases:
        assert q(op, t).predictive(err, x) == pytest.approx([want, want]), (op, t)
    total = q(">", 50).predictive(err, x) + q("<=", 50).predictive(err, x)
    assert total == pytest.approx([1.0, 1.0], abs=1e-15)

    def band(low: float, high: float, include: str) -> Question:
        return Question(id="b", text="?", issue="x", op="between", low=low, high=high,
                        include=include)

    bands = [((20, 50, "both"), 3 / 7), ((20, 50, "high"), 2 / 7),
             ((20, 50, "low"), 1 / 7), ((20, 50, "neither"), 0.0),
             ((0, 20, "high"), 1 / 7),  # the outcome at 0 and its tail left out
             ((50, 100, "low"), 3 / 7)]  # 50, 50, 60; 100 and its tail left out
    for (low, high, include), want in bands:
        got = band(low, high, include).predictive(err, x)
        assert got == pytest.approx([want, want], abs=1e-15), (low, high, include)


def test_calibrated_strict_band_is_the_predictive_mass_between_its_ends() -> None:
    from statecraft.analysis.questions import Question
    from statecraft.calibration.predictive import Mixture

    err = read_error_file().error_model("eum")
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(0, 100, 300), [0.0, 50.0, 100.0]])
    ends = np.sort(np.concatenate([rng.choice(err.outcome, 20), [0, 100]]))
    mix = Mixture(err, x)
    for low, high in zip(ends[::2], ends[1::2], strict=True):
        if low == high:
            continue
        for include in ("both", "low", "high", "neither"):
            q = Question(id="b", text="?", issue="x", op="between", low=low, high=high,
                         include=include)
            top = mix.cdf(high, left=include in ("low", "neither"))[0]
            bottom = mix.cdf(low, left=include in ("both", "low"))[0]
            assert q.predictive(err, x).mean() == pytest.approx(top - bottom, abs=1e-12)


@pytest.mark.parametrize(("edit", "k", "field", "message"), [
    (lambda t: t.replace("include: high", "include: top"), 4, "include",
     "expected 'both', 'low', 'high' or 'neither'"),
    (lambda t: t.replace("low: 40, high: 60, include: high",
                         "low: 60, high: 60, include: high"), 4, "include",
     "found 'high'; expected both: low and high are both 60"),
    (lambda t: t.replace('threshold: 50}\n  - {id: below', 'threshold: 50, include: low}\n'
                         '  - {id: below'), 1, "include",
     "found 'low'; expected no include with op '<='"),
])
def test_bad_strict_forms_are_located(edit: object, k: int, field: str, message: str) -> None:
    text = edit(STRICT)  # type: ignore[operator]
    with pytest.raises(ScenarioError) as exc:
        load_questions_text(text, "q.yaml", {"x"})
    got = [(p.path, p.message) for p in exc.value.problems]
    assert any(path == ("questions", k, field) and message in m for path, m in got), got
    qid = ("above", "upto", "below", "from", "band")[k]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if f"id: {qid}," in row)
    assert all(p.line == line for p in exc.value.problems), [str(p) for p in exc.value.problems]
