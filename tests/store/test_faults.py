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
        done = api.forecast(api.load(SMALL), samples=300 + attempt, seed=attempt, model="eum",
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
        f"        ids.append(api.forecast(api.load({str(SMALL)!r}), samples=200, seed=k,\n"
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


def test_rerun_of_a_stored_run_matches_and_a_tampered_one_does_not(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    store = RunStore(tmp_path)
    made = api.forecast(api.load(SMALL), samples=1500, seed=3, model="eum", store=store,
                        method="lhs")
    args = ["runs", "show", made.run_id or "", "--rerun", "--store", str(tmp_path), "--json"]
    same = CliRunner().invoke(app, args)
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["matches"] is True
    path = store.parquet_path(made.run_id or "")
    table = pq.read_table(path).to_pandas()
    table.loc[7, "outcome.x"] += 0.5
    pq.write_table(__import__("pyarrow").Table.from_pandas(table, preserve_index=False), path)
    tampered = CliRunner().invoke(app, args)
    assert tampered.exit_code == 1
    assert json.loads(tampered.stdout)["max_abs_diff"] == pytest.approx(0.5)
