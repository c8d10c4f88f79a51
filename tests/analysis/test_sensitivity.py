"""Sensitivity indices against closed-form Sobol indices, and offer influence against the
round-by-round trace."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.analysis.sensitivity import (
    first_order_indices,
    offer_influence,
    salib_first_order,
    salib_sobol,
    sobol_design,
    swing,
)
from statecraft.cli import app
from tests.conftest import DATA


def test_linear_model_matches_its_sobol_indices() -> None:
    # y = 2 x0 + x1 with independent uniform inputs: Var = (4 + 1) / 12, so the first-order
    # indices are 4/5 and 1/5, and 0 for the unused x2
    rng = np.random.default_rng(0)
    x = rng.random((40_000, 3))
    got = first_order_indices(x, 2 * x[:, 0] + x[:, 1])
    np.testing.assert_allclose(got, [0.8, 0.2, 0.0], atol=0.02)


def test_salib_estimates_match_the_closed_form_indices() -> None:
    # y = 2 x0 + x1 + x0 x2 on uniform inputs: Var(E[y|x0]) = (2.5^2) / 12, Var(E[y|x1]) =
    # 1/12, Var(E[y|x2]) = (0.5^2) / 12, and the x0 x2 interaction adds 1/144; total 7.5/12
    # + 1/144 = 91/144. So S = (75, 12, 3) / 91 and ST(x0) = 76/91, ST(x2) = 4/91.
    rng = np.random.default_rng(0)
    x = rng.random((20_000, 3))

    def f(u: np.ndarray) -> np.ndarray:
        return 2 * u[:, 0] + u[:, 1] + u[:, 0] * u[:, 2]

    first = salib_first_order(x, f(x), seed=1)
    np.testing.assert_allclose(first.first, [75 / 91, 12 / 91, 3 / 91], atol=0.03)
    assert np.all(first.first_conf > 0) and np.all(first.first_conf < 0.05)
    design = sobol_design(3, 4096, seed=2)
    assert design.shape == (4096 * 5, 3)
    both = salib_sobol(f(design), 3, seed=3)
    assert both.total is not None and both.total_conf is not None
    np.testing.assert_allclose(both.first, [75 / 91, 12 / 91, 3 / 91], atol=0.03)
    np.testing.assert_allclose(both.total, [76 / 91, 12 / 91, 4 / 91], atol=0.03)
    # the library-free estimator agrees
    np.testing.assert_allclose(first_order_indices(x, f(x)), first.first, atol=0.03)
    flat = salib_first_order(x, np.ones(len(x)), seed=1)
    assert np.all(flat.first == 0)


def test_an_indicator_set_by_one_input_is_explained_by_it_alone() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((20_000, 2))
    y = (x[:, 1] > 0.5).astype(float)
    got = first_order_indices(x, y)
    assert got[1] > 0.97 and got[0] < 0.01
    s = swing(x, y)
    assert s[1] == pytest.approx(1.0) and abs(s[0]) < 0.05
    assert np.all(first_order_indices(x, np.ones(20_000)) == 0)  # nothing varies
    with pytest.raises(ValueError, match="at least 40 samples"):
        first_order_indices(x[:10], y[:10])


def test_influence_adds_up_to_the_accepted_offers_of_the_trace() -> None:
    loaded = api.load(DATA / "small.yaml")
    traj = api.run_scenario(loaded, "eum", record_offers=True)
    rows = offer_influence(traj, "x")
    moved = sum(r.moved_others for r in rows)
    assert moved == pytest.approx(sum(r.was_moved for r in rows))
    trace = api.trace_offers(loaded.scenario, traj, "x")
    accepted = [o for rnd in trace for o in rnd["offers"] if o["accepted"]]
    assert moved == pytest.approx(sum(abs(o["to"] - o["from"]) for o in accepted))
    assert sum(r.offers_accepted for r in rows) == len(accepted) > 0
    assert rows[0].moved_others == max(r.moved_others for r in rows)


def test_explain_command_ranks_the_input_that_decides_the_question() -> None:
    result = CliRunner().invoke(app, ["explain", str(DATA / "small.yaml"), "--questions",
                                      str(DATA / "small-questions.yaml"), "--question",
                                      "x-high", "--samples", "2000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 0 < data["probability"] < 1
    # on issue x only c's salience is uncertain: the more c (at 100) cares, the higher x
    top = data["inputs"][0]
    assert top["input"] == "salience.c.x" and top["index"] > 0.5 and top["swing"] > 0
    assert data["inputs"][1]["index"] < 0.05
    assert {i["actor"] for i in data["influence"]} == {"a", "b", "c"}
    assert top["index_conf"] > 0 and top["total"] is None
    both = CliRunner().invoke(app, ["explain", str(DATA / "small.yaml"), "--questions",
                                    str(DATA / "small-questions.yaml"), "--question", "x-high",
                                    "--samples", "2000", "--total", "512", "--json"])
    assert both.exit_code == 0, both.output
    ranked = json.loads(both.stdout)["inputs"]
    assert ranked[0]["input"] == "salience.c.x" and ranked[0]["total"] > 0.5
    assert ranked[0]["total"] >= ranked[0]["index"] - ranked[0]["total_conf"]
    assert all(r["total"] < 0.05 for r in ranked[1:])
    bad = CliRunner().invoke(app, ["explain", str(DATA / "small.yaml"), "--questions",
                                   str(DATA / "small-questions.yaml"), "--question", "x-high",
                                   "--total", "500"])
    assert bad.exit_code == 1 and "power of two" in bad.output
    missing = CliRunner().invoke(app, ["explain", str(DATA / "small.yaml"), "--questions",
                                       str(DATA / "small-questions.yaml"), "--question", "zz"])
    assert missing.exit_code == 1 and "no question 'zz'" in missing.output
