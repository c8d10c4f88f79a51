"""Modes of sampled distributions: separate humps are found with their shares, a single
hump (or a flat stretch, or one value) is one mode, and a sliver is not a mode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statecraft.analysis.modes import MIN_SHARE, bandwidth, find_modes


def test_the_bandwidth_is_silvermans_rule() -> None:
    x = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    sd = np.std(x, ddof=1)  # 15.81
    iqr = 30.0 - 10.0  # numpy's quantiles of five points: 10 and 30
    assert bandwidth(x) == pytest.approx(0.9 * min(sd, iqr / 1.34) * 5 ** -0.2)
    atom = np.r_[np.full(90, 25.0), np.linspace(0, 100, 10)]
    assert bandwidth(atom) == pytest.approx(0.9 * np.std(atom, ddof=1) * 100 ** -0.2)


def test_two_humps_are_two_modes_with_their_shares() -> None:
    rng = np.random.default_rng(3)
    x = np.r_[rng.normal(20, 5, 300), rng.normal(70, 5, 200)]
    got = find_modes(x)
    assert got.count == 2 and got.samples == 500
    (a, b) = got.modes
    assert a.location == pytest.approx(20, abs=2) and b.location == pytest.approx(70, abs=2)
    assert a.share == pytest.approx(0.6, abs=0.01) and b.share == pytest.approx(0.4, abs=0.01)
    assert a.high < b.low


def test_one_hump_a_flat_stretch_and_one_value_are_one_mode() -> None:
    rng = np.random.default_rng(4)
    for _ in range(50):
        assert find_modes(rng.normal(50, 10, 500)).count == 1
        assert find_modes(rng.uniform(60, 100, 500)).count == 1
        assert find_modes(rng.exponential(10, 500)).count == 1
    one = find_modes(np.full(500, 3.0))
    assert one.count == 1 and one.modes[0].location == 3.0 and one.modes[0].share == 1.0


def test_a_sliver_under_the_minimum_share_is_not_a_mode() -> None:
    rng = np.random.default_rng(5)
    big = rng.normal(20, 4, 490)
    sliver = rng.normal(80, 1, int(0.6 * MIN_SHARE * 500))
    assert find_modes(np.r_[big, sliver]).count == 1
    enough = rng.normal(80, 1, int(2 * MIN_SHARE * 500))
    got = find_modes(np.r_[big, enough])
    assert got.count == 2 and got.modes[1].share == pytest.approx(enough.size / (490 + enough.size))


def test_three_modes_and_nans_ignored() -> None:
    rng = np.random.default_rng(6)
    x = np.r_[rng.normal(10, 3, 100), rng.normal(50, 3, 300), rng.normal(90, 3, 100), np.nan]
    got = find_modes(x)
    assert [round(m.location / 10) for m in got.modes] == [1, 5, 9]
    assert sum(m.share for m in got.modes) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no samples"):
        find_modes(np.array([np.nan]))


def test_a_point_most_samples_reach_but_for_rounding_is_one_value() -> None:
    """A model's sums in another order differ in the last bits: 450 samples at 100 that
    way (an IQR of 1e-14) and 50 spread lower are two modes, found on a grid of the
    spread's size, not one of 1e-15 steps."""
    rng = np.random.default_rng(7)
    x = np.r_[100.0 - rng.choice([0.0, 1.4210854715202004e-14], 450), rng.uniform(50, 60, 50)]
    assert np.quantile(x, 0.75) > np.quantile(x, 0.25)
    got = find_modes(x)
    assert got.count == 2 and got.bandwidth > 1
    assert got.modes[1].location == pytest.approx(100, abs=1)
    assert got.modes[1].share == pytest.approx(0.9)


def test_a_pile_at_a_bound_is_a_mode_there_when_the_density_is_reflected() -> None:
    rng = np.random.default_rng(8)
    # a fifth of the samples on 0 (the scale's end) and a broad hump from 20 to 100
    x = np.concatenate([np.zeros(150), rng.uniform(0.0, 4.0, 50), rng.uniform(20, 100, 800)])
    got = find_modes(x, (0.0, 100.0))
    assert got.count == 2
    low, high = got.modes
    assert low.location == 0.0 and low.share == pytest.approx(0.2)
    assert 20 <= high.location <= 100 and high.share == pytest.approx(0.8)
    # every mode lies within the bounds, none at a mirror image beyond them
    assert all(0.0 <= m.location <= 100.0 for m in got.modes)


def test_reflection_keeps_a_plateau_touching_a_bound_one_mode() -> None:
    """Two samples' worth of a plateau from 0 to 25 and a thin tail: the plateau's peak is
    the one mode, though its mirror image beyond 0 is as high (the bundled scenario's
    azerbaijan_alignment)."""
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.uniform(0.0, 25.0, 1900), rng.uniform(25.0, 80.0, 100)])
    got = find_modes(x, (0.0, 100.0))
    assert got.count == 1 and got.modes[0].location < 25.0
    assert find_modes(x).count == 1


def test_the_reflected_density_keeps_its_mass_within_the_bounds() -> None:
    from statecraft.analysis.modes import _density

    rng = np.random.default_rng(10)
    x = np.concatenate([np.full(200, 100.0), rng.uniform(0.0, 85.0, 800)])
    h = bandwidth(x)
    for bounds in (None, (0.0, 100.0)):
        grid, dens = _density(x, h, bounds)
        step = grid[1] - grid[0]
        inside = (grid >= 0.0) & (grid <= 100.0)
        mass = float(dens[inside].sum() * step)
        top = float(dens[np.argmin(np.abs(grid - 100.0))])
        if bounds is None:  # the kernel spills about half the pile, and a little of the
            assert 0.85 < mass < 0.92  # plateau, beyond the ends
            free_top = top
        else:
            assert mass == pytest.approx(1.0, abs=0.01)
            assert top == pytest.approx(2 * free_top, rel=0.05)  # the pile at full height
            assert np.any(np.isclose(grid, 0.0, atol=1e-9))  # a grid point on the bound


def test_one_value_and_a_tiny_spread_are_one_mode_within_bounds_too() -> None:
    # the compromise model gives every sample the same forecast when only weights vary
    # that it ignores; the mean of equal floats can differ from them in the last bit
    same = np.full(20, 70.95238095238095)
    for bounds in (None, (0.0, 100.0)):
        got = find_modes(same, bounds)
        assert got.count == 1 and got.modes[0].location == pytest.approx(70.95238095238095)
        tiny = find_modes(43.2 + np.arange(20) * 1e-8, bounds)  # a grid of 81 points or so
        assert tiny.count == 1 and tiny.modes[0].share == 1.0
    # samples far from both bounds are not mirrored: the grid stays near them
    from statecraft.analysis.modes import _density

    grid, _ = _density(50.0 + np.arange(20) * 1e-3, 1e-4, (0.0, 100.0))
    assert grid.size < 10_000 and grid.min() > 49.0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(n=st.integers(30, 20_000), seed=st.integers(0, 2**32 - 1),
       lo=st.floats(0.0, 90.0), width=st.floats(1.0, 100.0), bounded=st.booleans())
def test_samples_spread_evenly_are_one_even_mode_never_a_peak(
        n: int, seed: int, lo: float, width: float, bounded: bool) -> None:
    """Uniform samples of any size from 30: one mode, spread evenly over (nearly) the whole range,
    never a peak at the noise's highest point (the bundled peacekeepers peaked at 74.9,
    75.1 or 99.9 by seed before)."""
    hi = min(lo + width, 100.0)
    x = np.random.default_rng(seed).uniform(lo, hi, n)
    got = find_modes(x, (0.0, 100.0) if bounded else None)
    assert got.count == 1
    even = got.modes[0].even
    assert even is not None, got
    assert lo <= even[0] < even[1] <= hi
    if n >= 1000:  # the top is the range, less the kernel's smoothing of its edges
        assert even[2] > 0.9 and even[1] - even[0] > 0.9 * (hi - lo)


def test_peaks_are_still_peaks_with_enough_samples() -> None:
    rng = np.random.default_rng(11)
    x = np.r_[rng.normal(20, 5, 300), rng.normal(70, 5, 200)]
    assert [m.even for m in find_modes(x).modes] == [None, None]
    for _ in range(20):
        one = find_modes(rng.normal(50, 10, 5000), (0.0, 100.0))
        assert one.count == 1 and one.modes[0].even is None
        assert one.modes[0].location == pytest.approx(50, abs=3)
        # a ramp has its mode at its high end
        ramp = find_modes(100 * np.sqrt(rng.uniform(0, 1, 5000)), (0.0, 100.0))
        assert ramp.modes[0].even is None and ramp.modes[0].location > 90
    # a plateau beside a peak: the peak is a peak, the plateau even
    both = find_modes(np.r_[rng.uniform(0, 40, 3000), rng.normal(80, 2, 2000)], (0.0, 100.0))
    assert both.count == 2 and both.modes[1].even is None
    assert both.modes[0].even is not None and both.modes[0].even[1] <= 40.0
    # a pile as narrow as the kernel is a peak, however few samples
    assert find_modes(np.r_[np.full(30, 10.0), rng.uniform(0, 100, 30)]).modes[0].even is None
