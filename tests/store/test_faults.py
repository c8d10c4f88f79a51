"""Store faults: forecasts killed at random points, and two processes writing at once."""

from __future__ import annotations

import json
import os
import random
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
from tests.conftest import DATA

SMALL = DATA / "small.yaml"

pytestmark = pytest.mark.slow


def _forecast_cmd(store: Path, samples: int, seed: int) -> list[str]:
    return [sys.executable, "-m", "statecraft", "forecast", str(SMALL), "--samples",
            str(samples), "--seed", str(seed), "--chunk-size", "1024", "--store", str(store),
            "--quiet", "--json"]


def test_sigkill_at_random_points_never_loses_or_half_writes_a_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    rng = random.Random(20261125)
    complete: dict[str, np.ndarray] = {}
    kills = 0
    for attempt in range(8):
        # a short run that completes, then a long one killed at a random moment: during
        # start-up, registration, sampling, a Parquet write or anywhere in between
        done = api.forecast_run(api.load(SMALL), samples=300 + attempt, seed=attempt, model="eum",
                            store=store)
        complete[done.run_id or ""] = done.result.outcomes
        proc = subprocess.Popen(_forecast_cmd(tmp_path, 3_000_000, 100 + attempt),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 3.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        # after every kill the store opens and every earlier complete run is intact
        records = store.list()
        for rec in records:
            if rec.status == "complete":
                _, outcomes = store.frames(rec.id)
                if rec.id in complete:
                    np.testing.assert_array_equal(outcomes.to_numpy(), complete[rec.id])
            else:
                assert rec.status == "incomplete", rec.status
                assert not store.parquet_path(rec.id).exists()
                with pytest.raises(StoreError, match="not complete"):
                    store.frames(rec.id)
    assert kills == 8  # the long runs really were killed, not finished
    assert {r.id for r in store.list() if r.status == "complete"} >= set(complete)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from statecraft import api\n"
        "from statecraft.store import RunStore, StoreBusy\n"
        "store = RunStore(sys.argv[1]); ids = []; busy = 0\n"
        "for k in range(6):\n"
        "    try:\n"
        f"        ids.append(api.forecast_run(api.load({str(SMALL)!r}), samples=200, seed=k,\n"
        "                   model='compromise', store=store).run_id)\n"
        "    except StoreBusy:\n"
        "        busy += 1\n"
        "print(json.dumps({'ids': ids, 'busy': busy}))\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    saved = [i for r in results for i in r["ids"]]
    # every run either saved whole or refused as busy: 12 attempts, none lost
    assert len(saved) + sum(r["busy"] for r in results) == 12
    store = RunStore(tmp_path)
    records = {r.id: r for r in store.list()}
    assert set(saved) == set(records)
    assert all(records[i].status == "complete" for i in saved)
    assert all(store.frames(i)[1].shape == (200, 2) for i in saved)


def _rewrite(store: RunStore, run_id: str, column: str, delta: float,
             record_hash: bool) -> None:
    """Change one value of a run's data file; with ``record_hash`` the registry is told
    the new file's SHA-256 too, as if the run had been saved that way (a store written
    by a sampler or model that has since changed)."""
    import hashlib
    import sqlite3

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = store.parquet_path(run_id)
    table = pq.read_table(path)
    frame = table.to_pandas()
    frame.loc[7, column] += delta
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False)
                   .replace_schema_metadata(table.schema.metadata), path)
    if record_hash:
        with sqlite3.connect(store.db_path) as db:
            db.execute("UPDATE runs SET data_sha256 = ? WHERE id = ?",
                       (hashlib.sha256(path.read_bytes()).hexdigest(), run_id))


@pytest.mark.parametrize("column", ["outcome.x", "salience.c.x"])
def test_rerun_of_a_stored_run_matches_and_a_changed_one_does_not(
        tmp_path: Path, column: str) -> None:
    store = RunStore(tmp_path)
    made = api.forecast_run(api.load(SMALL), samples=1500, seed=3, model="eum", store=store,
                        method="lhs")
    run_id = made.run_id or ""
    args = ["runs", "show", run_id, "--rerun", "--store", str(tmp_path), "--json"]
    same = CliRunner().invoke(app, args)
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["matches"] is True
    # a file changed behind the registry's back is refused before anything is re-run
    _rewrite(store, run_id, column, 0.5, record_hash=False)
    damaged = CliRunner().invoke(app, args)
    assert damaged.exit_code == 1
    assert f"run {run_id}: its data file is not the one saved with it" in damaged.output
    # recorded as saved: the re-run finds the difference in the inputs or the outcomes
    _rewrite(store, run_id, column, 0.0, record_hash=True)
    tampered = CliRunner().invoke(app, args)
    assert tampered.exit_code == 1, tampered.output
    got = json.loads(tampered.stdout)
    assert got["matches"] is False
    if column.startswith("outcome."):
        assert got["inputs_match"] is True and got["outcomes_match"] is False
        assert got["max_abs_diff"] == pytest.approx(0.5)
    else:  # an input changed: the re-drawn samples differ from the stored ones
        assert got["inputs_match"] is False and got["outcomes_match"] is True
        assert got["max_abs_input_diff"] == pytest.approx(0.5)
    text = CliRunner().invoke(app, args[:-1])
    assert text.exit_code == 1
    assert "DIFFER (largest difference 0.5)" in " ".join(text.stdout.split())
