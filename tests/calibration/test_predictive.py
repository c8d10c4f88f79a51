"""Calibrated predictive distributions: checked against crepes' conformal predictive
system, against a known error distribution, and by invariants that must hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from statecraft.calibration.crossval import crps
from statecraft.calibration.predictive import (
    ErrorModel,
    Mixture,
    exceedance,
    probability,
    summary,
)

pairs = st.integers(min_value=5, max_value=60).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 100), min_size=n, max_size=n),
    st.lists(st.floats(0, 100), min_size=n, max_size=n)))


def _model(data: tuple[list[float], list[float]], k: int = 10) -> ErrorModel:
    return ErrorModel.from_pairs("m", data[0], data[1], k)


@settings(deadline=None)
@given(pairs, st.floats(0, 100), st.floats(0, 99.999))
def test_a_point_forecast_is_crepes_conformal_distribution_of_its_window(
        data: tuple[list[float], list[float]], x: float, t: float) -> None:
    crepes = pytest.importorskip("crepes")
    err = _model(data)
    local = err.local_outcomes(x)
    # crepes adds x back to y - x, which can miss y by a rounding step: keep t off atoms
    assume(np.all(np.abs(local - t) > 1e-6))
    cps = crepes.ConformalPredictiveSystem().fit(local - x)
    # crepes' unsmoothed p-value is the top of the conformal band; ours is its middle
    p = float(np.ravel(cps.predict(np.array([x]), y=np.array([t]), smoothing=False))[0])
    ours = float(Mixture(err, np.array([x])).cdf(t)[0])
    assert ours == pytest.approx(p - 0.5 / (local.size + 1), abs=1e-12)
    # and the probability of "<= t" is the same number
    assert float(exceedance(err, np.array([x]), "<=", t)[0]) == pytest.approx(ours, abs=1e-12)


@given(pairs, st.lists(st.floats(0, 100), min_size=1, max_size=40), st.floats(0.001, 99.999),
       st.sampled_from([">=", "<="]))
def test_probabilities_stay_inside_zero_and_one_away_from_the_ends(
        data: tuple[list[float], list[float]], x: list[float], t: float, op: str) -> None:
    err = _model(data)
    p, se = probability(err, np.array(x), op, t)  # type: ignore[arg-type]
    assert 0 < p < 1 and se >= 0
    # only the scale makes a question certain
    assert probability(err, np.array(x), ">=", 0.0)[0] == 1.0
    assert probability(err, np.array(x), "<=", 100.0)[0] == 1.0
    # the mixture's distribution function says the same as the per-sample mean
    mix = Mixture(err, np.array(x))
    below = float(mix.cdf(t, left=True)[0]) if op == ">=" else float(mix.cdf(t)[0])
    assert p == pytest.approx(1 - below if op == ">=" else below, abs=1e-12)


symmetric = st.tuples(st.floats(5, 95), st.lists(st.floats(0, 1), min_size=1, max_size=25))


def _symmetric_model(x: float, steps: list[float]) -> ErrorModel:
    """Every forecast at x, outcomes symmetric about x and inside the scale."""
    reach = min(x, 100 - x)
    d = np.array(steps) * reach
    y = np.concatenate([x + d, x - d])
    return ErrorModel.from_pairs("m", np.full(y.size, x), y, k=5)


@given(symmetric, st.floats(0.001, 99.999), st.floats(0.1, 3), st.floats(1, 4),
       st.sampled_from([">=", "<="]))
def test_widening_symmetric_errors_never_makes_a_probability_more_extreme(
        sym: tuple[float, list[float]], t: float, spread: float, wider: float,
        op: str) -> None:
    x, steps = sym
    err = _symmetric_model(x, steps)
    narrow = float(exceedance(err.scaled(spread), np.array([x]), op, t)[0])  # type: ignore[arg-type]
    wide = float(exceedance(err.scaled(spread * wider), np.array([x]), op, t)[0])  # type: ignore[arg-type]
    assert abs(wide - 0.5) <= abs(narrow - 0.5) + 1e-12


@given(symmetric, st.floats(0.5, 1))
def test_symmetric_errors_keep_the_models_median(sym: tuple[float, list[float]],
                                                 spread: float) -> None:
    x, steps = sym
    err = _symmetric_model(x, steps).scaled(spread)
    assert summary(err, np.array([x]))["median"] == pytest.approx(x, abs=1e-9)
    # a symmetric spread of samples around x keeps it too
    xs = np.array([x - 1.0, x, x + 1.0]) if 1 <= x <= 99 else np.array([x])
    assert summary(err, xs)["median"] == pytest.approx(x, abs=1e-9)


def test_a_known_error_distribution_is_recovered() -> None:
    rng = np.random.default_rng(11)
    f = rng.uniform(0, 100, 4000)
    y = np.clip(f + rng.normal(0, 12, f.size), 0, 100)
    err = ErrorModel.from_pairs("synthetic", f, y, k=400)
    truth = np.clip(50 + rng.normal(0, 12, 200_000), 0, 100)
    mix = Mixture(err, np.array([50.0]))
    for t in (20.0, 35.0, 45.0, 50.0, 60.0, 75.0):
        assert float(mix.cdf(t)[0]) == pytest.approx(float(np.mean(truth <= t)), abs=0.04)
    lo, hi = summary(err, np.array([50.0]))["intervals"]["90"]
    assert lo == pytest.approx(50 - 1.645 * 12, abs=2.5)
    assert hi == pytest.approx(50 + 1.645 * 12, abs=2.5)
    # fresh cases: the 50/80/90% intervals hold about that share of outcomes
    fx = rng.uniform(10, 90, 600)
    fy = np.clip(fx + rng.normal(0, 12, fx.size), 0, 100)
    for level in ("50", "80", "90"):
        inside = np.mean([summary(err, np.array([a]))["intervals"][level][0] <= b
                          <= summary(err, np.array([a]))["intervals"][level][1]
                          for a, b in zip(fx[:200], fy[:200], strict=True)])
        assert inside == pytest.approx(int(level) / 100, abs=0.07)


def test_quantiles_and_histogram_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(3)
    err = ErrorModel.from_pairs("m", rng.uniform(0, 100, 80), rng.choice(
        [0.0, 25.0, 50.0, 100.0, 63.0], 80), k=12)
    x = rng.uniform(0, 100, 500)
    mix = Mixture(err, x)
    # brute force: each sample's atoms and tail masses, written out
    pts, wts = [], []
    for xi in x:
        local = err.local_outcomes(float(xi))
        m = local.size
        pts += [*local, 0.0, 100.0]
        wts += [1 / (m + 1) / x.size] * m + [0.5 / (m + 1) / x.size] * 2
    pa, wa = np.array(pts), np.array(wts)
    for t in (0.0, 10.0, 25.0, 50.0, 63.0, 99.0, 100.0):
        assert float(mix.cdf(t)[0]) == pytest.approx(wa[pa <= t].sum(), abs=1e-12)
        assert float(mix.cdf(t, left=True)[0]) == pytest.approx(wa[pa < t].sum(), abs=1e-12)
    assert mix.histogram().sum() == pytest.approx(1.0)
    q = mix.quantile([0.1, 0.5, 0.9])
    for level, value in zip((0.1, 0.5, 0.9), q, strict=True):
        assert wa[pa < value].sum() <= level + 1e-12 and wa[pa <= value].sum() >= level - 1e-12


def test_crps_is_the_integral_of_the_squared_distance_of_distribution_functions() -> None:
    rng = np.random.default_rng(5)
    err = ErrorModel.from_pairs("m", rng.uniform(0, 100, 60), rng.uniform(0, 100, 60), k=15)
    mix = Mixture(err, rng.uniform(20, 80, 50))
    grid = np.linspace(0, 100, 200_001)
    for y in (0.0, 37.5, 100.0):
        f = mix.cdf(grid)
        exact = float(np.trapezoid((f - (grid >= y)) ** 2, grid))
        assert crps(mix, y) == pytest.approx(exact, abs=0.01)
    point = Mixture.of_samples(np.array([40.0]))
    assert crps(point, 55.0) == pytest.approx(15.0)


def test_bad_error_models_are_refused() -> None:
    with pytest.raises(ValueError, match="sorted"):
        ErrorModel("m", np.array([2.0, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        ErrorModel.from_pairs("m", [1.0], [120.0])
    with pytest.raises(ValueError, match="spread"):
        ErrorModel.from_pairs("m", [1.0], [1.0]).scaled(0)
    with pytest.raises(ValueError, match="op"):
        exceedance(ErrorModel.from_pairs("m", [1.0], [1.0]), np.array([1.0]), "<", 3)  # type: ignore[arg-type]


def test_a_median_of_a_million_samples_is_numpys() -> None:
    # the cumulative sum of a million weights rounds by more than 1e-12; the midpoint rule
    # must still see the flat stretch between the two middle samples
    x = np.random.default_rng(8).uniform(0, 100, 1_000_000)
    assert float(Mixture.of_samples(x).quantile([0.5])[0]) == pytest.approx(
        float(np.median(x)), abs=1e-9)
