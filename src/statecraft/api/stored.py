"""Runs read back from the run store, and re-run to check they reproduce."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from statecraft.api.monte_carlo import forecast
from statecraft.scenario import (
    Loaded,
    load_scenario_text,
)
from statecraft.store import RunRecord, RunStore


@dataclass(frozen=True)
class StoredRun:
    """A complete run read back from the store: its scenario and per-sample outcomes."""

    loaded: Loaded
    run_id: str
    model: str
    seed: int
    samples: int
    issue_ids: tuple[str, ...]
    outcomes: np.ndarray
    record: RunRecord


def load_run(store: RunStore, run_id: str) -> StoredRun:
    """A complete stored run, its scenario re-validated from the stored text."""
    rec = store.get(run_id)
    _, outcomes = store.frames(rec.id)
    # the stored text was validated when the run was made; reading it back never opens
    # the files its sources name (a run may come from text a web client sent)
    loaded = load_scenario_text(rec.scenario_text, rec.scenario_path or f"<run {rec.id}>",
                                read_documents=False)
    return StoredRun(loaded, rec.id, rec.model, rec.seed, rec.samples,
                     tuple(outcomes.columns), outcomes.to_numpy(dtype=np.float64), rec)


@dataclass(frozen=True)
class Rerun:
    """A stored run computed again from its stored scenario text and seed."""

    run_id: str
    samples: int
    matches: bool
    max_abs_diff: float


def rerun(store: RunStore, run_id: str, *, workers: int = 0) -> Rerun:
    """Re-run a complete stored run (not saving it) and compare its outcomes bit for bit."""
    stored = load_run(store, run_id)
    rec = stored.record
    again = forecast(stored.loaded, samples=rec.samples, seed=rec.seed, model=rec.model,
                     method=rec.method, params=rec.params, workers=workers,
                     calibrated=False).result  # outcomes only: calibration does not touch them
    if again.issue_ids != stored.issue_ids:
        return Rerun(rec.id, rec.samples, False, float("inf"))
    same = bool(np.array_equal(again.outcomes, stored.outcomes, equal_nan=True))
    diff = np.abs(again.outcomes - stored.outcomes)
    worst = float(np.nanmax(diff)) if np.isfinite(diff).any() else 0.0
    return Rerun(rec.id, rec.samples, same, worst)
