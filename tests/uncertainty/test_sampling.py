"""Sampling methods and distributions: triangular ranges and Latin hypercube designs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from statecraft.api.running import model_function
from statecraft.scenario import load_scenario_text
from statecraft.uncertainty import BLOCK, run_batch, sample
from tests.conftest import DATA

TEXT = (DATA / "small.yaml").read_text()
SMALL = load_scenario_text(TEXT, "small.yaml").scenario
TRIANGULAR = load_scenario_text(TEXT + "sampling: triangular\n", "small.yaml").scenario


def test_draws_are_named_and_match_the_model_inputs() -> None:
    got = sample(SMALL, 1000, np.random.default_rng(2))
    assert got.names == ("salience.c.x", "position.a.y")
    np.testing.assert_array_equal(got.values[:, 0], got.inputs.salience[:, 2, 0])
    np.testing.assert_array_equal(got.values[:, 1], got.inputs.position[:, 0, 1])


def test_triangular_ranges_peak_at_the_midpoint() -> None:
    uni = sample(SMALL, 40_000, np.random.default_rng(3)).values[:, 1]  # [10, 30]
    tri = sample(TRIANGULAR, 40_000, np.random.default_rng(3)).values[:, 1]
    assert tri.min() >= 10 and tri.max() <= 30
    assert abs(tri.mean() - 20) < 0.1
    # the middle half of the range holds 75% of a triangular density, 50% of a uniform one
    assert abs(((tri > 15) & (tri < 25)).mean() - 0.75) < 0.01
    assert abs(((uni > 15) & (uni < 25)).mean() - 0.5) < 0.01
    # variance (b - a)^2 / 24 for the symmetric triangle, (b - a)^2 / 12 for the uniform
    assert abs(tri.var() - 400 / 24) < 0.3 and abs(uni.var() - 400 / 12) < 0.5


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 300), seed=st.integers(0, 2**32 - 1))
def test_latin_hypercube_uses_every_stratum_once(n: int, seed: int) -> None:
    got = sample(SMALL, n, np.random.default_rng(seed), method="lhs")
    for k, (lo, hi) in enumerate([(0.2, 0.6), (10.0, 30.0)]):
        strata = np.floor((got.values[:, k] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n))


def test_latin_hypercube_runs_do_not_depend_on_chunking() -> None:
    args = {"samples": 2 * BLOCK + 7, "seed": 4, "model": "compromise", "issue_ids": ["x", "y"],
            "method": "lhs", "model_fn": model_function("compromise")}
    whole = run_batch(TEXT, chunk_size=4 * BLOCK, **args)  # type: ignore[arg-type]
    pieces = run_batch(TEXT, chunk_size=1, **args)  # type: ignore[arg-type]
    np.testing.assert_array_equal(whole.outcomes, pieces.outcomes)
    plain = run_batch(TEXT, chunk_size=1, **{**args, "method": "random"})  # type: ignore[arg-type]
    assert not np.array_equal(whole.outcomes, plain.outcomes)
