"""A run whose forecast held still at the cap is stored as such (``ending.<issue>`` -3),
reads back and is counted apart; a store written before that ending existed (-1 for such
runs) still re-runs as matching."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from statecraft import api
from statecraft.models.trajectory import NOT_CONVERGED, STEADY
from statecraft.store import RunStore, StoreDamaged


def _rewrite(store: RunStore, run_id: str, column: str, values: np.ndarray) -> None:
    """Replace one ending column of a stored run, its checksum made to match."""
    path = store.parquet_path(run_id)
    table = pq.read_table(path)
    table = table.set_column(table.column_names.index(column), column,
                             pa.array(values.astype(np.int16)))
    pq.write_table(table, path)
    with sqlite3.connect(store.db_path) as db:
        db.execute("UPDATE runs SET data_sha256 = ? WHERE id = ?",
                   (hashlib.sha256(path.read_bytes()).hexdigest(), run_id))


def test_steady_endings_are_stored_read_back_and_rerun(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run = api.forecast_run(api.load(), samples=300, seed=3, model="eum", store=store,
                       calibrated=False)
    assert run.run_id is not None and run.result.cycle_length is not None
    k = run.result.issue_ids.index("mediation")
    kept = run.result.cycle_length[:, k]
    assert (kept == STEADY).sum() > 50  # mediation's median holds still in most samples
    stored = api.load_run(store, run.run_id)
    assert stored.cycle_length is not None
    np.testing.assert_array_equal(stored.cycle_length, run.result.cycle_length)
    conv = stored.convergence()
    assert conv is not None and conv.of("mediation").steady == int((kept == STEADY).sum())
    assert api.rerun(store, run.run_id).matches
    # a store from before -3 existed held -1 for those samples: still a match
    older = np.where(kept == STEADY, NOT_CONVERGED, kept)
    _rewrite(store, run.run_id, "ending.mediation", older)
    again = api.rerun(store, run.run_id)
    assert again.endings_match and again.matches
    # but a -3 stored where the run did not hold still is a difference
    wrong = np.where(kept == NOT_CONVERGED, STEADY, older)
    if (kept == NOT_CONVERGED).any():
        _rewrite(store, run.run_id, "ending.mediation", wrong)
        assert api.rerun(store, run.run_id).endings_match is False
    # and the runner's mark for a failed chunk, -2, is damage in a complete run's file
    _rewrite(store, run.run_id, "ending.mediation", np.full(kept.size, -2))
    with pytest.raises(StoreDamaged, match="ending column for mediation"):
        api.load_run(store, run.run_id)
