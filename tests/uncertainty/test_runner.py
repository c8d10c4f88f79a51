"""Monte Carlo forecasts: seeded sampling, and results that do not depend on how the run
is cut into chunks or where the chunks run."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pytest
from typer.testing import CliRunner

from statecraft.api.running import model_function
from statecraft.cli import app
from statecraft.scenario import load_scenario
from statecraft.uncertainty import BLOCK, run_batch, sample_inputs, summary
from tests.conftest import DATA

SMALL = load_scenario(DATA / "small.yaml")
ISSUES = [i.id for i in SMALL.scenario.issues]


def run(**kw: object) -> object:
    args = {"samples": 2 * BLOCK + 300, "seed": 11, "model": "eum", "issue_ids": ISSUES}
    args.update(kw)
    args["model_fn"] = model_function(str(args["model"]))
    return run_batch(SMALL.text, **args)  # type: ignore[arg-type]


def test_sampling_stays_in_ranges_and_keeps_fixed_values() -> None:
    inputs = sample_inputs(SMALL.scenario, 5000, np.random.default_rng(1))
    # c's salience on x is the range [0.2, 0.6]; a's position on y is [10, 30]
    sal = inputs.salience[:, 2, 0]
    pos = inputs.position[:, 0, 1]
    assert sal.min() >= 0.2 and sal.max() <= 0.6 and abs(sal.mean() - 0.4) < 0.01
    assert pos.min() >= 10 and pos.max() <= 30 and abs(pos.mean() - 20) < 0.3
    assert np.all(inputs.position[:, 1, 0] == 60.0)  # fixed values are never perturbed
    again = sample_inputs(SMALL.scenario, 5000, np.random.default_rng(1))
    np.testing.assert_array_equal(inputs.salience, again.salience)


def test_chunk_size_does_not_change_any_sample() -> None:
    whole = run(chunk_size=10 * BLOCK)
    one_block = run(chunk_size=1)
    two_blocks = run(chunk_size=2 * BLOCK)
    np.testing.assert_array_equal(whole.outcomes, one_block.outcomes)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(whole.outcomes, two_blocks.outcomes)  # type: ignore[attr-defined]
    assert whole.completed().all()  # type: ignore[attr-defined]
    other_seed = run(seed=12)
    assert not np.array_equal(whole.outcomes, other_seed.outcomes)  # type: ignore[attr-defined]


def test_process_pool_gives_the_same_result() -> None:
    local = run(chunk_size=BLOCK)
    # spawned workers: the compiled EUM's OpenMP threads do not survive fork()
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        pooled = run(chunk_size=BLOCK, executor=pool)
    np.testing.assert_array_equal(local.outcomes, pooled.outcomes)  # type: ignore[attr-defined]


def test_failed_chunk_is_recorded_not_lost() -> None:
    result = run(chunk_size=BLOCK, params={"variant": "bogus"})
    assert len(result.failures) == 3  # type: ignore[attr-defined]
    first = result.failures[0]  # type: ignore[attr-defined]
    assert (first.first_sample, first.last_sample) == (0, BLOCK - 1)
    assert "model eum: setting 'variant': found 'bogus'" in first.error
    assert not result.completed().any()  # type: ignore[attr-defined]


def test_summary_quantiles_and_histogram() -> None:
    result = run(model="compromise")
    rows = summary(result)  # type: ignore[arg-type]
    x = result.outcomes[:, 0]  # type: ignore[attr-defined]
    assert rows[0]["median"] == pytest.approx(float(np.median(x)))
    assert rows[0]["p05"] <= rows[0]["median"] <= rows[0]["p95"]
    assert sum(rows[0]["histogram"]) == len(x)


def test_forecast_command_json() -> None:
    result = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "500",
                                      "--model", "median", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["completed"] == 500 and data["seed"] == 3
    assert [r["issue"] for r in data["issues"]] == ["x", "y"]


def test_dask_cluster_gives_the_same_result() -> None:
    distributed = pytest.importorskip("distributed", reason="needs the 'dask' extra")
    local = run(chunk_size=BLOCK)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        remote = run(chunk_size=BLOCK, executor=client.get_executor())
    np.testing.assert_array_equal(local.outcomes, remote.outcomes)  # type: ignore[attr-defined]
    assert not remote.failures  # type: ignore[attr-defined]


def test_forecast_command_on_a_dask_scheduler_address() -> None:
    distributed = pytest.importorskip("distributed", reason="needs the 'dask' extra")
    args = ["forecast", str(DATA / "small.yaml"), "--samples", "1500", "--seed", "9",
            "--chunk-size", "1024", "--json", "--no-store"]
    local = CliRunner().invoke(app, args)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = CliRunner().invoke(app, [*args, "--dask", cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout)["issues"] == json.loads(local.stdout)["issues"]


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_redraw_gives_back_the_very_samples_a_run_used(method: str) -> None:
    from statecraft.api import run_model
    from statecraft.uncertainty.runner import ChunkResult, redraw

    chunks: list[ChunkResult] = []
    samples = 2 * BLOCK + 300
    result = run(method=method, sink=chunks.append)
    drawn = np.concatenate([c.inputs for c in chunks])
    rows = [2 * BLOCK + 299, 0, 5, BLOCK + 3, 5]  # across blocks, out of order, repeated
    again = redraw(SMALL.scenario, rows, seed=11, samples=samples, method=method)
    np.testing.assert_array_equal(again.values, drawn[rows])
    assert again.names == chunks[0].input_names
    forecast = run_model(again.inputs, "eum", keep_history=False).forecast
    np.testing.assert_array_equal(forecast, result.outcomes[rows])  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=r"rows must lie in 0\.\.2347"):
        redraw(SMALL.scenario, [samples], seed=11, samples=samples)
    with pytest.raises(ValueError, match="non-empty"):
        redraw(SMALL.scenario, [], seed=11, samples=samples)
