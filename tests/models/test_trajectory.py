"""How runs ended, counted and put in words; the shortest period of a cycle; the
ensemble's endings from its components'."""

from __future__ import annotations

import numpy as np
import pytest

from statecraft.models import ModelInputs
from statecraft.models.ensemble import _endings, ensemble
from statecraft.models.eum import eum
from statecraft.models.trajectory import (
    NOT_CONVERGED,
    Trajectory,
    shortest_period,
    summarise_convergence,
    trailing_window,
)

# rows: samples; columns: issues "a" and "b"
ENDINGS = np.array([[1, 2], [0, -1], [6, 1], [1, -1], [1, 3]])


def test_counts_per_issue() -> None:
    summary = summarise_convergence(ENDINGS, ("a", "b"), model="eum", max_rounds=50)
    a, b = summary.of("a"), summary.of("b")
    assert (a.runs, a.fixed_point, a.by_rule, a.cycled, a.not_converged) == (5, 3, 1, 1, 0)
    assert (a.settled, a.shortest_cycle, a.longest_cycle) == (4, 6, 6)
    assert (b.fixed_point, b.cycled, b.not_converged, b.shortest_cycle, b.longest_cycle) == (
        1, 2, 2, 2, 3)
    assert not summary.all_settled
    assert summary.as_dict()["issues"]["b"]["not_converged"] == 2


def test_words() -> None:
    summary = summarise_convergence(ENDINGS, ("a", "b"), max_rounds=50)
    assert summary.sentences() == [
        "a: 1 of 5 samples cycled (every 6 rounds; each such forecast is the mean over its "
        "cycle); 4 settled",
        "b: 2 of 5 samples cycled (every 2 to 3 rounds; each such forecast is the mean over "
        "its cycle); 2 did not settle in 50 rounds (each such forecast is the mean of the "
        "forecasts of rounds 26-50); 1 settled",
    ]
    calm = summarise_convergence(np.array([[1], [0]]), ("c",), max_rounds=50)
    assert calm.sentences() == [] and calm.all_settled
    assert calm.sentences(unsettled_only=False) == ["c: all 2 samples settled"]
    alone = summarise_convergence(np.array([[-1, 4, 1]]), ("x", "y", "z"), max_rounds=1)
    assert [alone.of(i).words(1) for i in "xyz"] == [
        "did not settle in 1 round; its forecast is round 1's forecast",
        "cycles every 4 rounds; its forecast is the mean over the cycle", "settled"]


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="must be \\(runs, 2 issues\\)"):
        summarise_convergence(np.zeros(3, dtype=int), ("a", "b"))
    with pytest.raises(ValueError, match=">= -1"):
        summarise_convergence(np.array([[-2, 1]]), ("a", "b"))
    with pytest.raises(KeyError, match="no issue 'c'"):
        summarise_convergence(ENDINGS, ("a", "b")).of("c")


def test_trailing_window() -> None:
    assert [trailing_window(n) for n in (0, 1, 2, 3, 8, 50, 51)] == [
        (0, 0), (1, 1), (2, 2), (2, 3), (5, 8), (26, 50), (26, 51)]


def test_shortest_period_ignores_only_the_last_bits() -> None:
    a, b, c = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([5.0, 6.0])
    tiny = np.array([0.0, 4e-9])  # within 1e-9 of a range of 10 (1e-8)
    cycles = np.stack([
        np.stack([a, b, a, b, a]),  # an exact 4-cycle that is a 2-cycle
        np.stack([a, b, a + tiny, b, a]),  # a 2-cycle but for 4e-9
        np.stack([a, b, a + 100 * tiny, b, a]),  # apart by 4e-7: a true 4-cycle
        np.stack([a, a + tiny, a, a + tiny, a]),  # a fixed point but for the last bits
        np.stack([a, b, c, b, a]),  # a 4-cycle
    ])
    assert shortest_period(cycles, np.full(5, 10.0)).tolist() == [2, 2, 4, 1, 4]


def test_one_shot_models_settle_at_round_zero() -> None:
    inputs = _swap()
    one = Trajectory.one_shot("median", inputs, np.array([[20.0]]))
    assert one.cycle_length.tolist() == [[1]] and one.converged_round.tolist() == [[0]]
    assert one.convergence().all_settled


def _swap() -> ModelInputs:
    # two actors trading places every round (see tests/models/test_eum.py)
    return ModelInputs(("a0", "a1", "a2", "a3"), ("x",), np.array([[2.0, 2, 1, 2]]),
                       np.array([[[100.0], [20], [20], [80]]]),
                       np.array([[[0.6], [0.6], [0.4], [0.4]]]), np.ones((4, 1), bool),
                       np.array([50.0]))


def test_ensemble_endings_come_from_its_bargaining_components() -> None:
    inputs = _swap()
    ens = ensemble(inputs, weights={"eum": 0.5, "compromise": 0.5}, engine="numpy")
    run = eum(inputs, keep_history=False, engine="numpy")
    assert ens.cycle_length.tolist() == run.cycle_length.tolist() == [[2]]
    assert ens.converged_round.tolist() == [[0]]
    assert ensemble(inputs, weights={"compromise": 1.0}).cycle_length.tolist() == [[1]]


def test_ensemble_endings_combine_the_worst() -> None:
    def run(cycle: list[int], since: list[int], rounds: list[int]) -> Trajectory:
        c = np.array([cycle])
        return Trajectory("x", {}, ("a",), tuple("pqrs"[:len(cycle)]), np.zeros((1, 1, 1, 1)),
                          np.zeros((1, 1, len(cycle))), np.zeros((1, len(cycle))),
                          np.array([rounds]), c, np.array([since]))

    eum_run = run([1, 0, 3, 1], [2, 5, 1, 4], [2, 5, 3, 4])
    smp_run = run([0, 2, -1, 1], [3, 1, -1, 9], [3, 2, 50, 9])
    rounds, cycle, since = _endings([eum_run, smp_run], (1, 4))
    assert cycle.tolist() == [[0, 2, NOT_CONVERGED, 1]]
    assert since.tolist() == [[3, 5, -1, 9]]
    assert rounds.tolist() == [[3, 5, 50, 9]]
