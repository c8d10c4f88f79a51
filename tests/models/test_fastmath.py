"""The compiled kernel's own exp and log agree with NumPy's to the last bit or one ulp."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statecraft.models import _fastmath

if not _fastmath.AVAILABLE:
    pytest.skip("numba is not installed (the 'fast' extra)", allow_module_level=True)

SMALLEST_NORMAL = np.finfo(float).tiny


def ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.abs(got - want) / np.spacing(np.abs(want))


def fast_exp(a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    _fastmath.fast_exp_array(np.ascontiguousarray(a, dtype=float), out)
    return out


def fast_log(a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    _fastmath.fast_log_array(np.ascontiguousarray(a, dtype=float), out)
    return out


def test_exp_within_one_ulp_on_a_dense_sample() -> None:
    rng = np.random.default_rng(5)
    # the kernel's arguments: r * log(y) with r in [0.5, 2] and y in (0, 1]
    a = np.concatenate([-rng.exponential(3.0, 200_000), rng.uniform(-708, 709, 200_000),
                        rng.uniform(-1e-9, 1e-9, 1_000)])
    assert ulps(fast_exp(a), np.exp(a)).max() <= 1.0


def test_log_within_one_ulp_on_a_dense_sample() -> None:
    rng = np.random.default_rng(6)
    a = np.concatenate([rng.uniform(0, 1, 200_000), 1 - rng.uniform(0, 1e-6, 10_000),
                        10.0 ** rng.uniform(-307, 300, 100_000)])
    a = a[a > 0]
    assert ulps(fast_log(a), np.log(a)).max() <= 1.0


@given(st.floats(min_value=-708.0, max_value=709.0))
@settings(max_examples=300, deadline=None)
def test_exp_property(v: float) -> None:
    got, want = fast_exp(np.array([v]))[0], np.exp(v)
    assert abs(got - want) <= np.spacing(want)


@given(st.floats(min_value=SMALLEST_NORMAL, max_value=1e308))
@settings(max_examples=300, deadline=None)
def test_log_property(v: float) -> None:
    got, want = fast_log(np.array([v]))[0], np.log(v)
    assert abs(got - want) <= np.spacing(abs(want)) or got == want


def test_special_values() -> None:
    e = fast_exp(np.array([0.0, -0.0, -np.inf, -708.5, -1e308, 1.0]))
    assert e[0] == 1.0 and e[1] == 1.0
    assert e[2] == 0.0 and e[3] == 0.0 and e[4] == 0.0  # flushed below the normal range
    assert e[5] == pytest.approx(np.e, rel=1e-16)
    lg = fast_log(np.array([0.0, 1.0, 0.5, 2.0, 5e-324]))
    assert lg[0] == -np.inf and lg[1] == 0.0
    assert lg[2] == np.log(0.5) and lg[3] == np.log(2.0)
    assert lg[4] == np.log(SMALLEST_NORMAL)  # a subnormal counts as the smallest normal
