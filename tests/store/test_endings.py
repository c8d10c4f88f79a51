"""How each sample's run ended is kept with a run: the runner carries it, the Parquet file
stores it (``ending.<issue>``, int16, the round cap in its metadata), and it reads back,
is compared by a re-run, and is unknown (never a crash) for a run saved before it was kept."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.models.inputs import ModelInputs
from statecraft.models.trajectory import NOT_CONVERGED, Trajectory
from statecraft.store import RunStore, StoreDamaged
from statecraft.uncertainty import BLOCK
from statecraft.uncertainty.runner import UNKNOWN_ENDING, run_batch
from tests.conftest import DATA

SWAP = DATA / "swap.yaml"
SMALL = DATA / "small.yaml"


def _forecast(store: RunStore | None, path: Path = SWAP, samples: int = BLOCK + 50,
              **kw: object) -> api.ForecastRun:
    args: dict[str, object] = {"samples": samples, "seed": 3, "model": "eum",
                               "chunk_size": BLOCK, "store": store, "calibrated": False}
    args.update(kw)
    return api.forecast_run(api.load(path), **args)  # type: ignore[arg-type]


def test_the_runner_keeps_each_samples_ending_as_the_model_reports_it() -> None:
    run = _forecast(None)
    ends = run.result.cycle_length
    assert ends is not None and ends.dtype == np.int16 and ends.shape == (BLOCK + 50, 2)
    # x: the two swapping actors cycle every 2 rounds in every sample; y settles
    assert (ends[:, 0] == 2).all() and (ends[:, 1] == 1).all()
    one = api.run_scenario(api.load(SWAP), "eum")  # the run at the midpoints, alike
    assert one.cycle_length[0].tolist() == [2, 1]
    conv = run.convergence()
    assert conv is not None and conv.max_rounds == 50
    assert conv.of("x").cycled == BLOCK + 50 and conv.of("x").shortest_cycle == 2
    assert conv.of("y").settled == BLOCK + 50


def test_a_failed_chunk_marks_its_samples_unknown_and_they_are_not_counted() -> None:
    loaded = api.load(SMALL)
    issues = tuple(i.id for i in loaded.scenario.issues)
    calls = {"n": 0}
    fn = api.model_function("eum")

    def flaky(inputs: ModelInputs, **params: object) -> Trajectory:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("this chunk fails")
        return fn(inputs, **params)

    result = run_batch(loaded.text, samples=3 * BLOCK, seed=1, model="eum", model_fn=flaky,
                       issue_ids=issues, chunk_size=BLOCK)
    assert len(result.failures) == 1
    ends = result.cycle_length
    assert ends is not None
    assert (ends[BLOCK:2 * BLOCK] == UNKNOWN_ENDING).all()
    assert (ends[:BLOCK] >= NOT_CONVERGED).all() and (ends[2 * BLOCK:] >= NOT_CONVERGED).all()
    conv = result.convergence()
    assert conv is not None and conv.of("x").runs == 2 * BLOCK  # the failed chunk left out


def test_the_store_round_trips_the_endings_and_the_round_cap(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = _forecast(store, params={"max_rounds": 7})
    assert run.run_id is not None
    data = pq.read_table(store.parquet_path(run.run_id))
    assert [c for c in data.column_names if c.startswith("ending.")] == ["ending.x", "ending.y"]
    assert str(data.schema.field("ending.x").type) == "int16"
    assert data.schema.metadata[b"statecraft.round_cap"] == b"7"
    stored = api.load_run(store, run.run_id)
    assert stored.cycle_length is not None
    np.testing.assert_array_equal(stored.cycle_length, run.result.cycle_length)
    assert stored.round_cap == 7
    conv = stored.convergence()
    assert conv is not None and conv.max_rounds == 7 and conv.of("x").cycled == BLOCK + 50
    # the inputs read back are the inputs alone: no ending column among them
    inputs, outcomes = store.frames(run.run_id)
    assert not any(c.startswith("ending.") for c in inputs.columns)
    assert list(outcomes.columns) == ["x", "y"]
    again = api.rerun(store, run.run_id)
    assert again.matches and again.endings_match is True and again.endings_differ == 0


def _strip_endings(store: RunStore, run_id: str) -> None:
    """Make a run look saved before endings were kept: its data file without ending
    columns or round cap, its recorded checksum that of the new file."""
    path = store.parquet_path(run_id)
    table = pq.read_table(path)
    keep = [c for c in table.column_names if not c.startswith("ending.")]
    meta = {k: v for k, v in (table.schema.metadata or {}).items()
            if k != b"statecraft.round_cap"}
    old = table.select(keep).replace_schema_metadata(meta)
    pq.write_table(old, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with sqlite3.connect(store.db_path) as db:
        db.execute("UPDATE runs SET data_sha256 = ? WHERE id = ?", (digest, run_id))


def test_a_run_saved_before_endings_were_kept_reads_as_unknown(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = _forecast(store)
    assert run.run_id is not None
    _strip_endings(store, run.run_id)
    stored = api.load_run(store, run.run_id)
    assert stored.cycle_length is None and stored.convergence() is None
    np.testing.assert_array_equal(stored.outcomes, run.result.outcomes)
    again = api.rerun(store, run.run_id)
    assert again.matches and again.endings_match is None
    shown = CliRunner().invoke(app, ["runs", "show", run.run_id, "--store", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "is not known" in " ".join(shown.output.split())
    as_json = CliRunner().invoke(app, ["runs", "show", run.run_id, "--store", str(tmp_path),
                                       "--json"])
    assert as_json.exit_code == 0 and '"convergence": null' in as_json.stdout


def test_a_changed_ending_is_damage_or_a_difference_never_a_result(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = _forecast(store)
    assert run.run_id is not None
    path = store.parquet_path(run.run_id)
    table = pq.read_table(path)
    # an ending outside what a run can end with, checksum made to match: damage
    bad = table.set_column(table.column_names.index("ending.x"), "ending.x",
                           pa.array(np.full(table.num_rows, -5, dtype=np.int16)))
    pq.write_table(bad, path)
    with sqlite3.connect(store.db_path) as db:
        db.execute("UPDATE runs SET data_sha256 = ? WHERE id = ?",
                   (hashlib.sha256(path.read_bytes()).hexdigest(), run.run_id))
    with pytest.raises(StoreDamaged, match="ending column for x"):
        api.load_run(store, run.run_id)
    # a plausible but different ending: read, and the re-run says the endings differ
    other = table.set_column(table.column_names.index("ending.x"), "ending.x",
                             pa.array(np.full(table.num_rows, 3, dtype=np.int16)))
    pq.write_table(other, path)
    with sqlite3.connect(store.db_path) as db:
        db.execute("UPDATE runs SET data_sha256 = ? WHERE id = ?",
                   (hashlib.sha256(path.read_bytes()).hexdigest(), run.run_id))
    again = api.rerun(store, run.run_id)
    assert again.outcomes_match and again.inputs_match
    assert again.endings_match is False and not again.matches
    assert again.endings_differ == table.num_rows
