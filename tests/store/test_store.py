"""The run store: what a forecast saves, how it reads back, and what an interruption leaves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.store import RunStore, StoreError
from statecraft.uncertainty import BLOCK
from tests.conftest import DATA

SMALL = DATA / "small.yaml"


def forecast(store: RunStore, samples: int = 2 * BLOCK + 100, **kw: object) -> api.ForecastRun:
    args: dict[str, object] = {"samples": samples, "seed": 5, "model": "eum",
                               "chunk_size": BLOCK, "store": store}
    args.update(kw)
    return api.forecast_run(api.load(SMALL), **args)  # type: ignore[arg-type]


def test_a_forecast_is_saved_whole_and_reads_back_as_dataframes(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = forecast(store)
    assert run.run_id is not None
    rec = store.get(run.run_id)
    assert rec.status == "complete" and rec.completed == run.result.samples
    assert rec.scenario_text == SMALL.read_text() and len(rec.scenario_hash) == 64
    assert rec.model == "eum" and rec.seed == 5 and rec.version
    inputs, outcomes = store.frames(run.run_id)
    # one row per sample, the seed and every uncertain input as columns
    assert list(inputs.columns) == ["seed", "salience.c.x", "position.a.y"]
    assert (inputs["seed"] == 5).all() and inputs.index.name == "sample"
    assert inputs["salience.c.x"].between(0.2, 0.6).all()
    assert inputs["position.a.y"].between(10, 30).all()
    assert list(outcomes.columns) == ["x", "y"]
    np.testing.assert_array_equal(outcomes.to_numpy(), run.result.outcomes)
    assert not list((tmp_path / "runs").glob("*.part"))


def test_an_interrupted_run_is_marked_and_leaves_no_data(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    earlier = forecast(store, samples=300)
    calls = 0

    def interrupt(done: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        forecast(store, samples=4 * BLOCK, progress=interrupt)
    runs = store.list()
    assert [r.status for r in runs] == ["interrupted", "complete"]
    with pytest.raises(StoreError, match="interrupted, not complete"):
        store.frames(runs[0].id)
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [
        f"{earlier.run_id}.parquet"]
    assert store.frames(earlier.run_id)[1].shape == (300, 2)  # type: ignore[arg-type]


def _default_sigint() -> None:
    """Let the child take Ctrl-C even when this test runs where SIGINT is ignored (a
    shell's background job passes the ignore on to its children)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "statecraft", *args]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killing_a_forecast_midway_leaves_the_store_readable(tmp_path: Path, sig: int) -> None:
    store = RunStore(tmp_path)
    earlier = forecast(store, samples=500)
    proc = subprocess.Popen(_cli("forecast", str(SMALL), "--samples", "3000000", "--chunk-size",
                                 "1024", "--store", str(tmp_path), "--quiet"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint)
    part = None
    deadline = time.monotonic() + 120
    while part is None and time.monotonic() < deadline and proc.poll() is None:
        found = list((tmp_path / "runs").glob("*.part"))
        part = found[0] if found and found[0].stat().st_size > 0 else None
        time.sleep(0.05)
    assert part is not None, "the forecast never started writing"
    time.sleep(0.3)  # well inside the run: chunks are being appended
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    records = store.list()
    assert len(records) == 2
    latest = next(r for r in records if r.id != earlier.run_id)
    assert latest.status == ("incomplete" if sig == signal.SIGKILL else "interrupted")
    with pytest.raises(StoreError, match="not complete"):
        store.frames(latest.id)
    assert not store.parquet_path(latest.id).exists()
    if sig == signal.SIGINT:
        assert not part.exists()  # cleaned up on the way out
    else:  # a killed run cannot clean up: its partial file stays until `runs clean`
        assert part.exists()
        cleaned = CliRunner().invoke(app, ["runs", "clean", "--store", str(tmp_path), "--json"])
        assert cleaned.exit_code == 0, cleaned.output
        assert [f["run_id"] for f in json.loads(cleaned.stdout)["files"]] == [latest.id]
        assert not part.exists()
        assert [r.id for r in store.list()] == [r.id for r in records]  # both still listed
    assert store.frames(earlier.run_id)[1].shape == (500, 2)  # type: ignore[arg-type]


def test_clean_keeps_running_and_complete_runs(tmp_path: Path) -> None:
    from statecraft.uncertainty import run_batch

    store = RunStore(tmp_path)
    done = forecast(store, samples=300)
    loaded = api.load(SMALL)
    issues = tuple(i.id for i in loaded.scenario.issues)
    orphan = tmp_path / "runs" / "20200101-000000-abcdef.parquet.part"
    orphan.write_bytes(b"half a file")
    with store.start(scenario_name="small", scenario_text=loaded.text, scenario_path=None,
                     model="eum", params={}, seed=1, samples=BLOCK, method="random",
                     issue_ids=issues, version="test") as writer:
        run_batch(loaded.text, samples=BLOCK, seed=1, model="eum", issue_ids=issues,
                  model_fn=api.model_function("eum"), sink=writer.write)
        live = writer.frames.part
        assert live.exists()  # this process is alive: its run is running
        listed = store.clean(dry_run=True)
        assert [(g.run_id, g.status, g.bytes) for g in listed] == [
            ("20200101-000000-abcdef", "unregistered", 11)]
        assert orphan.exists()  # a dry run removes nothing
        assert [g.path for g in store.clean()] == [orphan]
        assert live.exists() and not orphan.exists()
        writer.finish(completed=BLOCK, seconds=0.0, failures=[])
    assert store.clean() == []
    assert {r.status for r in store.list()} == {"complete"}
    assert store.frames(done.run_id)[1].shape == (300, 2)  # type: ignore[arg-type]
    assert RunStore(tmp_path / "none").clean() == []


def test_runs_list_and_show_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["forecast", str(SMALL), "--samples", "600", "--model", "median",
                               "--store", str(tmp_path), "--json"])
    assert made.exit_code == 0, made.output
    run_id = json.loads(made.stdout)["run_id"]
    listed = runner.invoke(app, ["runs", "list", "--store", str(tmp_path), "--json"])
    assert [r["id"] for r in json.loads(listed.stdout)] == [run_id]
    shown = runner.invoke(app, ["runs", "show", run_id[:17], "--store", str(tmp_path),
                                "--json"])
    data = json.loads(shown.stdout)
    assert data["status"] == "complete" and data["model"] == "median"
    assert data["issues"] == json.loads(made.stdout)["issues"]
    missing = runner.invoke(app, ["runs", "show", "nope", "--store", str(tmp_path)])
    assert missing.exit_code == 1 and "no run 'nope'" in missing.output


def test_no_store_saves_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["forecast", str(SMALL), "--samples", "100", "--no-store",
                                      "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["run_id"] is None
    assert not (tmp_path / "s").exists()
