"""Advice: the smallest change found by re-running the model matches the hand computation,
applying the top option and forecasting again reaches the target, the search shortcut for
models that forecast each issue alone is exact, and bad input is refused by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from statecraft import api
from statecraft.analysis.advise import Target, only_issue, price_of
from statecraft.analysis.questions import Question, QuestionSet, probabilities
from statecraft.api.deals import advise, with_option
from statecraft.scenario import Loaded, to_model_inputs

ONE_ISSUE = """\
name: One issue
sources:
  - {id: notes, kind: dataset, title: Hand-made test figures, year: 2024}
actors:
  - {id: a, name: Alpha, kind: state, capability: 4, source: {dataset: notes}}
  - {id: b, name: Beta, kind: state, capability: 2, source: {dataset: notes}}
  - {id: c, name: Gamma, kind: state, capability: 3, source: {dataset: notes}}
issues:
  - id: x
    question: How far does X go?
    scale: {0: none, 50: half, 100: all}
    status_quo: 50
stances:
  - {actor: a, issue: x, position: 50, salience: 1.0, source: {dataset: notes}}
  - {actor: b, issue: x, position: 70, salience: 0.5, source: {dataset: notes}}
  - {actor: c, issue: x, position: 85, salience: 0.5, source: {dataset: notes}}
"""


@pytest.fixture()
def one_issue(tmp_path: Path) -> Loaded:
    path = tmp_path / "one.yaml"
    path.write_text(ONE_ISSUE)
    return api.load(path)


def test_the_advised_shift_is_the_hand_computation(one_issue: Loaded) -> None:
    """Weights (capability x salience): a 4, b 1, c 1.5, 6.5 in all. The compromise forecast
    is (4 x 50 + 1 x 70 + 1.5 x 85) / 6.5 = 397.5 / 6.5 = 61.15. For it to be <= 40 the
    weighted positions must drop by 4 x 10 + 1 x 30 + 1.5 x 45 = 137.5: a alone must move
    137.5 / 4 = 34.375 points (from 50 to 15.625); b could not (137.5 > its 70 points of
    room), nor c (137.5 / 1.5 = 91.7 > its 85), nor any salience change (a at salience 0
    leaves (70 + 127.5) / 2.5 = 79). So the top option is a's own move of 34.375 points,
    the forecast re-run with it meets the target in every sample, and persuading c all
    the way to 0 (cost 2 x 85) gets the mean to 270 / 6.5 = 41.5 only."""
    got = advise(one_issue, "a", issue="x", target="<= 40", model="compromise",
                 calibrated=False, samples=50)
    assert got.before == 0.0
    top = got.options[0]
    assert top.kind == "own position" and top.reaches
    (move,) = top.moves
    assert (move.actor, move.issue, move.field) == ("a", "x", "position")
    assert move.change == pytest.approx(-34.375, abs=0.1)
    assert move.change <= -34.375  # the smallest size found that reaches: not short of it
    assert top.cost == pytest.approx(34.375, abs=0.1)
    assert top.after == 1.0
    c = next(o for o in got.options if o.kind == "persuade position" and o.moves[0].actor == "c")
    assert not c.reaches and c.after == 0.0
    assert c.moves[0].change == pytest.approx(-85.0) and c.cost == pytest.approx(2 * 85.0)
    assert not any(o.reaches for o in got.options if o.kind.endswith("salience"))
    assert got.forecasts <= 1 + 16 * len(got.options)
    # applying the top option and forecasting again reaches the target
    applied = with_option(one_issue, top)
    assert applied.scenario.stances[0].position == pytest.approx(50 + move.change)
    run = api.forecast_run(applied, samples=50, seed=7, model="compromise", calibrated=False)
    assert float(np.max(run.result.outcomes[:, 0])) <= 40.0


def test_top_option_on_the_bundled_scenario_reaches_when_applied() -> None:
    """Calibrated, under the default model: the option found, written into the scenario
    and forecast again with the same samples, has at least the probability asked."""
    loaded = api.load(None)
    got = advise(loaded, "aze", issue="peacekeepers", target="<= 40", samples=300)
    top = got.options[0]
    assert top.reaches and top.before == got.before < 0.5 <= top.after
    run = api.forecast_run(with_option(loaded, top), samples=300, seed=7)
    q = QuestionSet(questions=[Question(id="t", text="t", issue="peacekeepers", op="<=",
                                        threshold=40)])
    (p,) = probabilities(q, run.result.issue_ids, run.result.outcomes, run.errors)
    assert p.probability >= 0.5
    assert p.probability == pytest.approx(top.after, abs=1e-9)
    assert got.calibration is not None and got.seed == 7 and got.samples == 300


SEPARABLE = sorted(name for name, spec in api.MODEL_SPECS.items() if spec.separable)


def test_the_registry_says_which_models_forecast_each_issue_alone() -> None:
    assert SEPARABLE == ["compromise", "eum", "median"]  # the models the test below checks


@pytest.mark.parametrize("model", SEPARABLE)
def test_models_said_to_forecast_each_issue_alone_do(model: str) -> None:
    from statecraft.uncertainty.runner import redraw

    loaded = api.load(None)
    inputs = redraw(loaded.scenario, range(64), seed=3, samples=64).inputs
    fn = api.model_function(model)
    whole = fn(inputs).forecast
    for k in range(len(inputs.issue_ids)):
        # the same up to the last bits of sums taken over other array layouts
        np.testing.assert_allclose(fn(only_issue(inputs, k)).forecast[:, 0], whole[:, k],
                                   rtol=0, atol=1e-9)


def test_russias_price_in_the_scenarios_utilities() -> None:
    """Russia's loss if peacekeepers' expected outcome (the weighted mean, 70.22) fell to
    40 is its salience there times the extra distance from its position (82.5):
    0.925 x (42.5 - 12.28); each concession compensates Russia's salience on that issue
    times the expected outcome's move towards it."""
    loaded = api.load(None)
    mid = to_model_inputs(loaded.scenario)
    k = mid.issue_ids.index("peacekeepers")
    r = mid.actor_ids.index("rus")
    w = mid.weight[0]
    mean = float((w[:, k] * mid.position[0, :, k]).sum() / w[:, k].sum())
    x, s = float(mid.position[0, r, k]), float(mid.salience[0, r, k])
    price = price_of(mid, actor="rus", payer="aze", target=Target.parse("<= 40",
                                                                         "peacekeepers"))
    assert price is not None
    assert price.outcome == pytest.approx(mean)
    assert price.loss == pytest.approx(s * ((x - 40) - (x - mean)))
    for c in price.concessions:
        q = mid.issue_ids.index(c.issue)
        assert c.compensates == pytest.approx(mid.salience[0, r, q] * abs(c.outcome_shift))
        assert c.compensates <= price.loss + 1e-9
    given = sum(c.compensates for c in price.package)
    assert given <= price.loss + 1e-9
    assert price.package_enough == (given >= price.loss - 1e-9)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"actor": "zzz"}, "unknown actor 'zzz'"),
    ({"issue": "nope"}, "unknown issue 'nope'"),
    ({"target": "<= 140"}, "outside the issue's scale"),
    ({"target": "=< 40"}, "no operator"),
    ({"target": "<= forty"}, "'forty' is not a number"),
    ({"probability": 1.5}, "the probability 1.5 is out of range"),
    ({"probability": 1e-300}, r"the probability 1e-300 is out of range; expected a "
                              r"probability from 0.01 to 0.99 \(probability\)$"),
    ({"probability": 1.0}, "the probability 1 is out of range; expected"),
    ({"target": "< 0"}, "no outcome on the issue's 0-100 scale is below 0, so the target "
                        "can never be met"),
    ({"target": "> 100"}, "is above 100, so the target can never be met"),
    ({"target": "<= 1_0"}, "'1_0' is not a number"),
    ({"target": "<= \u0664\u0660"}, "is not a number"),  # Arabic-Indic 40
    ({"target": "<= 1e1"}, "'1e1' is not a number"),
])
def test_bad_input_is_refused_by_name(kwargs: dict[str, object], words: str) -> None:
    args: dict[str, object] = {"actor": "aze", "issue": "peacekeepers", "target": "<= 40"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        advise(api.load(None), samples=10, **args)  # type: ignore[arg-type]


def test_a_target_already_met_is_said_so_without_a_search() -> None:
    got = advise(api.load(None), "aze", issue="peacekeepers", target=">= 0", samples=200)
    assert got.before == pytest.approx(1.0) and got.forecasts == 1  # the forecast as it is
    assert got.options == () and any("already met" in n for n in got.notes)


@pytest.mark.parametrize(("text", "threshold"), [("<= 40", 40.0), ("> 37.5", 37.5),
                                                 (">=.5", 0.5), ("< 12.", 12.0)])
def test_plain_decimal_targets_are_read(text: str, threshold: float) -> None:
    assert Target.parse(text, "x").threshold == threshold


def test_lowering_the_only_weighted_actors_salience_leaves_the_search_running() -> None:
    """One actor on one issue: the lever lowering its salience reached 0, the model had no
    weight to forecast from and the whole search failed ('would divide by zero')."""
    from statecraft import api
    from statecraft.api.deals import advise as advise_api

    text = "\n".join([
        "name: Alone", "as_of: 2021-10-01",
        "sources:", "  - {id: notes, kind: dataset, title: Made up, year: 2024}",
        "actors:", "  - {id: a0, name: Only, kind: state, capability: 2, "
        "source: {dataset: notes}}",
        "issues:", "  - {id: i0, question: Q?, scale: {0: low, 50: mid, 100: high}, "
        "status_quo: 50, "
        "source: {dataset: notes}}",
        "stances:", "  - {actor: a0, issue: i0, position: [10, 20], salience: [0.2, 0.9], "
        "source: {dataset: notes}}", ""])
    loaded = api.load_scenario_text(text, "alone.yaml")
    got = advise_api(loaded, "a0", issue="i0", target=">= 90", samples=50, calibrated=False)
    assert got.before < 0.5
    kinds = {o.kind for o in got.options}
    assert "own salience" in kinds and "own position" in kinds
    assert any(o.reaches for o in got.options if o.kind == "own position")
