"""Runs at the round cap whose forecast held still while positions kept moving: told
apart from runs that did not settle (``STEADY``), alike on the NumPy path and the
compiled kernels, counted and worded apart."""

from __future__ import annotations

import numpy as np
import pytest

from statecraft.models import ModelInputs
from statecraft.models.ensemble import _endings
from statecraft.models.eum import eum
from statecraft.models.smp import smp
from statecraft.models.trajectory import (
    NOT_CONVERGED,
    PERIOD_RTOL,
    STEADY,
    Trajectory,
    held_still,
    summarise_convergence,
    trailing_window,
)
from tests.models.test_smp import synthetic


def _engines(module: str) -> list[str]:
    from statecraft.models import _eum_numba, _smp_numba

    fast = {"eum": _eum_numba, "smp": _smp_numba}[module].AVAILABLE
    return ["numpy", "numba"] if fast else ["numpy"]


def test_held_still_reads_only_the_trailing_window() -> None:
    # rounds 0-8 of four runs; a cap of 8 averages rounds 5-8
    f = np.array([[0, 0, 0, 0], [9, 1, 0, 0], [3, 2, 0, 0], [7, 3, 0, 0], [5, 4, 0, 0],
                  [2, 4, 1, 1], [2, 4, 1, 1], [2, 4, 1 + 1e-12, 1], [2, 4, 1, 1 + 1e-6]])
    assert trailing_window(8) == (5, 8)
    # the first held from round 5 (what came before does not count), the second from
    # round 4; the third moved by 1e-12 in round 7, last-bit rounding on a range of 100
    # (PERIOD_RTOL 1e-9 of it is 1e-7); the fourth by 1e-6 in round 8, which is movement
    assert held_still(f, 8, 100.0).tolist() == [True, True, True, False]
    assert held_still(f, 8, np.array([100.0, 100, 1e-4, 1e4])).tolist() == [
        True, True, False, True]  # each run's own range
    # a window of one round (caps 0 to 2) shows nothing holding
    for cap in (0, 1, 2):
        assert not held_still(np.zeros((cap + 1, 2)), cap, 1.0).any()
    assert held_still(np.zeros((4, 2)), 3, 1.0).all()  # rounds 2-3


def test_steady_runs_are_counted_and_worded_apart() -> None:
    ends = np.array([[STEADY, 1], [STEADY, NOT_CONVERGED], [1, STEADY], [2, NOT_CONVERGED]])
    summary = summarise_convergence(ends, ("a", "b"), model="eum", max_rounds=50)
    a, b = summary.of("a"), summary.of("b")
    assert (a.steady, a.not_converged, a.cycled, a.settled) == (2, 0, 1, 1)
    assert (b.steady, b.not_converged, b.settled) == (1, 2, 1)
    assert not summary.all_settled
    assert summary.as_dict()["issues"]["a"]["steady"] == 2
    assert summary.sentences() == [
        "a: 1 of 4 samples cycled (every 2 rounds; each such forecast is the mean over its "
        "cycle); 2 samples' forecasts held still over rounds 26-50 though positions kept "
        "moving; 1 settled",
        "b: the forecast of 1 of 4 samples held still over rounds 26-50 though positions kept "
        "moving; 2 did not settle in 50 rounds (each such forecast is the mean of the "
        "forecasts of rounds 26-50); 1 settled"]
    assert "did not settle" not in summary.of("a").words(50)
    only = summarise_convergence(np.array([[STEADY]]), ("x",), max_rounds=50)
    assert not only.all_settled and only.sentences() != []
    # a single run says at what its forecast held
    one = summarise_convergence(np.array([[STEADY, NOT_CONVERGED]]), ("x", "y"),
                                max_rounds=50, forecast=np.array([[72.5, 11.5]]))
    assert one.sentences(noun="run") == [
        "x: positions still moving, but its forecast held at 72.5 for the last 25 rounds",
        "y: did not settle in 50 rounds; its forecast is the mean of the forecasts of rounds "
        "26-50"]
    # the runner's mark for a failed chunk's sample is still no ending
    with pytest.raises(ValueError, match="-2"):
        summarise_convergence(np.array([[-2]]), ("x",))


def _midpoints() -> ModelInputs:
    from statecraft import api
    from statecraft.scenario import to_model_inputs

    return to_model_inputs(api.load().scenario)


def test_the_bundled_mediation_run_held_its_forecast_while_positions_moved() -> None:
    """The single run at the midpoints: mediation's median is 72.5 in every round while
    smaller actors keep trading offers; it is steady, not 'did not settle', on both
    paths, and the run says so."""
    inputs = _midpoints()
    k = inputs.issue_ids.index("mediation")
    full = eum(inputs, engine="numpy")
    assert full.cycle_length[0, k] == STEADY and full.converged_round[0, k] == -1
    first, last = trailing_window(50)
    assert (full.forecasts[first:last + 1, 0, k] == 72.5).all()
    moved = full.positions[last, 0, :, k] != full.positions[last - 1, 0, :, k]
    assert moved.any()  # positions still moving in the last round
    assert full.forecast[0, k] == 72.5
    # the issues whose median swings are still not converged
    swinging = full.cycle_length[0] == NOT_CONVERGED
    assert swinging.any()
    for j in np.flatnonzero(swinging):
        assert np.unique(full.forecasts[first:last + 1, 0, j]).size > 1
    for engine in _engines("eum"):
        fast = eum(inputs, keep_history=False, engine=engine)
        np.testing.assert_array_equal(fast.cycle_length, full.cycle_length)
    words = full.convergence().sentences(noun="run")
    assert ("mediation: positions still moving, but its forecast held at 72.5 for the last "
            "25 rounds") in words
    assert not any(w.startswith("mediation: did not settle") for w in words)


def test_eum_steady_runs_are_exactly_those_whose_median_held_on_both_paths() -> None:
    from statecraft import api
    from statecraft.uncertainty.sampling import sample_inputs

    inputs = sample_inputs(api.load().scenario, 200, np.random.default_rng(11))
    for cap in (20, 50):
        full = eum(inputs, max_rounds=cap, engine="numpy")
        first, last = trailing_window(cap)
        window = full.forecasts[first:last + 1]
        span = np.ptp(inputs.position, axis=1)  # every actor is present
        still = np.abs(window - window[-1:]).max(axis=0) <= PERIOD_RTOL * span
        at_cap = (full.cycle_length == STEADY) | (full.cycle_length == NOT_CONVERGED)
        np.testing.assert_array_equal(full.cycle_length == STEADY, at_cap & still)
        assert (full.cycle_length == STEADY).sum() > 20
        assert (full.cycle_length == NOT_CONVERGED).sum() > 20
        # the forecast is unchanged, the window's mean: here the held median
        steady = full.cycle_length == STEADY
        np.testing.assert_array_less(np.abs(full.forecast - window[-1])[steady],
                                     PERIOD_RTOL * span[steady] + 1e-12)
        for engine in _engines("eum"):
            fast = eum(inputs, max_rounds=cap, keep_history=False, engine=engine)
            # the compiled kernel's last bits differ, so a chaotic run can find a cycle on
            # one path and not the other (``_eum_numba``); of the runs both paths take to
            # the cap, the same are steady
            both = ~fast.converged & ~full.converged
            np.testing.assert_array_equal(fast.cycle_length[both], full.cycle_length[both])
            assert both.sum() > 0.95 * (~full.converged).sum()


@pytest.mark.parametrize("forecast", ["weighted_mean", "pce"])
def test_smp_marks_each_issue_whose_forecast_held_on_both_paths(forecast: str) -> None:
    """All issues of an SMP row are bargained together, so a row reaches its cap on
    every issue at once; an issue everyone agrees on keeps its forecast while positions
    move on the others, and only that issue is steady."""
    inputs = synthetic(50, 5, 3, seed=5)
    inputs.position[:, :, 2] = 40.0  # everyone agrees on issue 2
    kw = {"max_rounds": 6, "stop_ratio": 0.0, "forecast": forecast,
          "record_offers": False}
    full = smp(inputs, **kw)  # type: ignore[arg-type]
    capped = full.rounds[:, 0] == 6
    capped &= (full.cycle_length == STEADY).any(axis=1) | (
        full.cycle_length == NOT_CONVERGED).any(axis=1)
    first, last = trailing_window(6)
    window = full.forecasts[first:last + 1]  # on 0-100, the model's 0-1 times 100
    still = np.abs(window - window[-1:]).max(axis=0) <= PERIOD_RTOL * 100 * (1 + 1e-9)
    want = np.where(capped[:, None], np.where(still, STEADY, NOT_CONVERGED),
                    full.cycle_length)
    np.testing.assert_array_equal(full.cycle_length, want)
    if forecast == "weighted_mean":
        # the agreed issue holds still in every capped row; the others do not
        assert capped.sum() > 10
        assert (full.cycle_length[capped, 2] == STEADY).all()
        assert (full.cycle_length[capped, :2] == NOT_CONVERGED).mean() > 0.9
    for engine in _engines("smp"):
        fast = smp(inputs, keep_history=False, engine=engine, **kw)  # type: ignore[arg-type]
        np.testing.assert_array_equal(fast.cycle_length, full.cycle_length)
        np.testing.assert_allclose(fast.forecast, full.forecast, atol=1e-9)


def test_the_ensemble_is_steady_when_a_part_is_and_none_did_not_converge() -> None:
    def run(cycle: list[int]) -> Trajectory:
        c = np.array([cycle])
        k = len(cycle)
        return Trajectory("x", {}, ("a",), tuple("pqrs"[:k]), np.zeros((1, 1, 1, 1)),
                          np.zeros((1, 1, k)), np.zeros((1, k)), np.full((1, k), 50),
                          c, np.where(c >= 0, 3, -1))

    eum_run = run([STEADY, STEADY, 1, STEADY])
    smp_run = run([1, 2, STEADY, NOT_CONVERGED])
    _, cycle, since = _endings([eum_run, smp_run], (1, 4))
    assert cycle.tolist() == [[STEADY, STEADY, STEADY, NOT_CONVERGED]]
    assert since.tolist() == [[-1, -1, -1, -1]]


def test_one_steady_sample_is_said_in_the_singular() -> None:
    from statecraft.models.trajectory import IssueConvergence

    def words(cycled: int, steady: int) -> str:
        return IssueConvergence("x", runs=10, fixed_point=10 - cycled - steady, by_rule=0,
                                cycled=cycled, not_converged=0, shortest_cycle=2,
                                longest_cycle=2, steady=steady).words(50)

    assert "; 1 sample's forecast held still over rounds 26-50" in words(5, 1)
    assert "; 2 samples' forecasts held still over rounds 26-50" in words(5, 2)
    assert words(0, 1).startswith("the forecast of 1 of 10 samples held still")
    assert words(0, 3).startswith("3 of 10 samples' forecasts held still")
    assert "1 samples" not in words(5, 1) + words(0, 1)
