"""The compromise and weighted-median baselines: hand-computed values and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from statecraft.models import ModelInputs, compromise, median
from statecraft.models.median import weighted_median
from statecraft.scenario import load_scenario, to_model_inputs
from tests.conftest import DATA

MODELS = [compromise, median]


def make_inputs(position: np.ndarray, salience: np.ndarray, capability: np.ndarray,
                present: np.ndarray | None = None) -> ModelInputs:
    """Inputs for one issue and a batch of one."""
    n = len(position)
    return ModelInputs(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=("x",),
        capability=capability.reshape(1, n).astype(float),
        position=position.reshape(1, n, 1).astype(float),
        salience=salience.reshape(1, n, 1).astype(float),
        present=np.ones((n, 1), dtype=bool) if present is None else present.reshape(n, 1),
        status_quo=np.array([50.0]),
    )


def test_small_scenario_by_hand() -> None:
    inputs = to_model_inputs(load_scenario(DATA / "small.yaml").scenario)
    # Issue x: weights c*s = a 1*1.0 = 1, b 2*0.5 = 1, c 3*0.4 = 1.2 (0.4 = mid of [0.2, 0.6]).
    #   mean   = (1*0 + 1*60 + 1.2*100) / 3.2 = 180 / 3.2 = 56.25
    #   median: sorted 0 (1), 60 (1), 100 (1.2); half of 3.2 is 1.6; cumulative 1, 2 -> 60
    # Issue y: a 1*0.5 = 0.5 at 20 (mid of [10, 30]), b 2*1.0 = 2 at 80; c absent.
    #   mean   = (0.5*20 + 2*80) / 2.5 = 170 / 2.5 = 68
    #   median: half of 2.5 is 1.25; cumulative 0.5, 2.5 -> 80
    np.testing.assert_allclose(compromise(inputs).forecast, [[56.25, 68.0]])
    np.testing.assert_allclose(median(inputs).forecast, [[60.0, 80.0]])


def test_tie_at_half_takes_lower_median() -> None:
    # Two equal weights: the cumulative weight reaches exactly half at the first actor.
    out = weighted_median(np.array([[100.0, 0.0]]), np.array([[1.0, 1.0]]), axis=-1)
    assert out[0] == 0.0


def test_trajectory_shape_and_metadata() -> None:
    inputs = to_model_inputs(load_scenario(DATA / "small.yaml").scenario)
    traj = median(inputs)
    assert traj.model == "median"
    assert traj.positions.shape == (1, 1, 3, 2)
    assert traj.forecasts.shape == (1, 1, 2)
    assert traj.rounds.tolist() == [[0, 0]]
    assert traj.version


def test_all_zero_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="divide by zero"):
        make_inputs(np.array([10.0, 90.0]), np.array([0.0, 0.0]), np.array([1.0, 1.0]))


def test_nan_is_refused() -> None:
    with pytest.raises(ValueError, match="NaN"):
        make_inputs(np.array([np.nan, 90.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]))


# ---- properties -------------------------------------------------------------------------

# Positions on a grid of 1/64 (exact in binary), so that distance comparisons in the
# Condorcet check are not decided by rounding (1 - 1e-31 == 1 in floating point).
positions = arrays(np.float64, st.integers(2, 9),
                   elements=st.integers(0, 6400).map(lambda k: k / 64))


@st.composite
def one_issue(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = draw(positions)
    n = len(pos)
    sal = draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    cap = draw(arrays(np.float64, n, elements=st.floats(0.01, 100)))
    if (sal * cap).sum() < 1e-6:
        sal[0] = 1.0
    return pos, sal, cap


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=one_issue(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=150, deadline=None)
def test_permuting_actors_changes_nothing(model, data, seed) -> None:  # type: ignore[no-untyped-def]
    pos, sal, cap = data
    perm = np.random.default_rng(seed).permutation(len(pos))
    a = model(make_inputs(pos, sal, cap)).forecast
    b = model(make_inputs(pos[perm], sal[perm], cap[perm])).forecast
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=one_issue())
@settings(max_examples=150, deadline=None)
def test_forecast_between_lowest_and_highest(model, data) -> None:  # type: ignore[no-untyped-def]
    pos, sal, cap = data
    f = model(make_inputs(pos, sal, cap)).forecast[0, 0]
    assert pos.min() - 1e-9 <= f <= pos.max() + 1e-9


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=one_issue(), where=st.floats(0, 100), cap=st.floats(0.01, 1000))
@settings(max_examples=150, deadline=None)
def test_zero_salience_actor_has_no_influence(model, data, where, cap) -> None:  # type: ignore[no-untyped-def]
    pos, sal, caps = data
    base = model(make_inputs(pos, sal, caps)).forecast
    more = model(make_inputs(np.append(pos, where), np.append(sal, 0.0),
                             np.append(caps, cap))).forecast
    np.testing.assert_allclose(base, more, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=one_issue(), where=st.floats(0, 100))
@settings(max_examples=100, deadline=None)
def test_absent_actor_has_no_influence(model, data, where) -> None:  # type: ignore[no-untyped-def]
    pos, sal, caps = data
    base = model(make_inputs(pos, sal, caps)).forecast
    present = np.append(np.ones(len(pos), dtype=bool), False)
    more = model(make_inputs(np.append(pos, where), np.append(sal, 1.0),
                             np.append(caps, 5.0), present)).forecast
    np.testing.assert_allclose(base, more, rtol=1e-9, atol=1e-9)


@given(data=one_issue())
@settings(max_examples=100, deadline=None)
def test_median_is_an_actors_position_beating_all_others(data) -> None:  # type: ignore[no-untyped-def]
    """The weighted median is a Condorcet winner: no actor's position beats it."""
    pos, sal, cap = data
    w = sal * cap
    m = median(make_inputs(pos, sal, cap)).forecast[0, 0]
    assert m in pos
    for other in pos:
        closer_to_other = w[np.abs(pos - other) < np.abs(pos - m)].sum()
        closer_to_median = w[np.abs(pos - m) < np.abs(pos - other)].sum()
        assert closer_to_other <= closer_to_median + 1e-9 * w.sum()


def test_ensemble_weights_are_checked_before_anything_runs() -> None:
    from statecraft.models.ensemble import ensemble

    inputs = to_model_inputs(load_scenario(DATA / "small.yaml").scenario)
    for bad in ({"compromise": 1.0, "median": -0.5}, {"compromise": 1.0, "median": float("nan")},
                {"compromise": 1.0, "bogus": 0.0}, {"compromise": 0.5}):
        with pytest.raises(ValueError, match="ensemble weights"):
            ensemble(inputs, weights=bad)
    got = ensemble(inputs, weights={"compromise": 0.5, "median": 0.5, "eum": 0.0})
    np.testing.assert_allclose(got.forecast, 0.5 * compromise(inputs).forecast
                               + 0.5 * median(inputs).forecast)
