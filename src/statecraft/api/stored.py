"""Runs read back from the run store, and re-run to check they reproduce; the scenario a
run used and, for an edited one, the cited original it was edited from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from statecraft.api.running import model_function
from statecraft.models.trajectory import (
    NOT_CONVERGED,
    STEADY,
    Convergence,
    summarise_convergence,
)
from statecraft.scenario import (
    Loaded,
    load_scenario_text,
)
from statecraft.scenario.provenance import Cited, Edit
from statecraft.store import RunRecord, RunStore


@dataclass(frozen=True)
class StoredRun:
    """A complete run read back from the store: its scenario, per-sample outcomes and how
    each sample's run ended (``cycle_length``, ``int16``; None for a run saved before
    that was kept: unknown)."""

    loaded: Loaded
    run_id: str
    model: str
    seed: int
    samples: int
    issue_ids: tuple[str, ...]
    outcomes: np.ndarray
    record: RunRecord
    cycle_length: np.ndarray | None = None
    round_cap: int | None = None  # the runs' round cap, as recorded with the data

    def convergence(self) -> Convergence | None:
        """Per issue, how many samples settled, cycled or did not converge (None when the
        run did not keep it)."""
        if self.cycle_length is None:
            return None
        return summarise_convergence(self.cycle_length, self.issue_ids, model=self.model,
                                     max_rounds=self.round_cap)


def stored_scenario(rec: RunRecord) -> Loaded:
    """The scenario a run used, from its stored text; for an edited one, with the cited
    original it was edited from (``Loaded.cited``), from the text stored with it (the
    registry checked both texts against their recorded hashes)."""
    # the stored text was validated when the run was made; reading it back never opens
    # the files its sources name (a run may come from text a web client sent), nor looks
    # again for the original an edited copy names (it may have changed since)
    loaded = load_scenario_text(rec.scenario_text, rec.scenario_path or f"<run {rec.id}>",
                                read_documents=False, check_original=False)
    if rec.edited_from is None or rec.cited_text is None:
        return loaded
    name = str(rec.edited_from.get("name", ""))
    original = load_scenario_text(rec.cited_text, f"<run {rec.id}: edited from {name}>",
                                  read_documents=False, check_original=False)
    path = rec.edited_from.get("path")
    # the values its sources cite: those its own edited_from block lists as cited (a copy
    # of a copy keeps the first original's), else the text it was edited from
    cited = loaded.cited.scenario if loaded.cited is not None else original.scenario
    return replace(loaded, cited=Cited(name, str(rec.edited_from["sha256"]), rec.cited_text,
                                       cited, str(path) if path is not None else None))


def run_edits(rec: RunRecord) -> list[Edit]:
    """The values of a run's scenario that differ from its cited original's (none for a
    run that was not edited)."""
    loaded = stored_scenario(rec)
    return [] if loaded.cited is None else loaded.cited.edits(loaded.scenario)



def load_run(store: RunStore, run_id: str) -> StoredRun:
    """A complete stored run, its data file checked against the registry (``StoreDamaged``
    if it does not match) and its scenario re-validated from the stored text."""
    rec = store.get(run_id)
    got = store.read_run(rec)
    outcomes = got.outcomes
    return StoredRun(stored_scenario(rec), rec.id, rec.model, rec.seed, rec.samples,
                     tuple(outcomes.columns), outcomes.to_numpy(dtype=np.float64), rec,
                     None if got.endings is None else got.endings.to_numpy(dtype=np.int16),
                     got.round_cap)


@dataclass(frozen=True)
class Rerun:
    """A stored run computed again from its stored scenario text and seed: whether the
    sampled inputs, the outcomes and how each run ended are the stored ones, bit for bit
    (``endings_match`` None: the run was saved before endings were kept)."""

    run_id: str
    samples: int
    matches: bool  # inputs, outcomes and the endings kept alike
    max_abs_diff: float  # of the outcomes (inf: different issues)
    inputs_match: bool = True
    max_abs_input_diff: float = 0.0  # inf: different inputs
    outcomes_match: bool = True
    endings_match: bool | None = None
    endings_differ: int = 0  # sample-issue pairs whose ending differs


def _largest(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """The largest absolute difference, NaN where both are NaN ignored (inf if only one is)."""
    both = np.isnan(a) & np.isnan(b)
    one = np.isnan(a) ^ np.isnan(b)
    if one.any():
        return float("inf")
    diff = np.abs(np.where(both, 0.0, a - b))
    return float(diff.max()) if diff.size else 0.0


class _InputCheck:
    """A chunk sink comparing each chunk's sampled inputs with the stored ones."""

    def __init__(self, names: tuple[str, ...], stored: NDArray[np.float64]) -> None:
        self.names = names
        self.stored = stored
        self.same = True
        self.worst = 0.0

    def __call__(self, chunk: Any) -> None:
        first, values = chunk.first_sample, chunk.inputs
        kept = self.stored[first:first + values.shape[0]]
        if tuple(chunk.input_names) != self.names or kept.shape != values.shape:
            self.same, self.worst = False, float("inf")
            return
        self.same &= bool(np.array_equal(values, kept, equal_nan=True))
        self.worst = max(self.worst, _largest(values, kept))


def rerun(store: RunStore, run_id: str, *, workers: int = 0) -> Rerun:
    """Re-run a complete stored run (not saving it) and compare its sampled inputs, its
    outcomes and how each sample's run ended with the stored ones, bit for bit."""
    from statecraft.uncertainty.runner import run_batch
    from statecraft.uncertainty.workers import worker_pool

    rec = store.get(run_id)
    frames = store.read_run(rec)
    inputs, outcomes = frames.inputs, frames.outcomes
    loaded = stored_scenario(rec)
    stored_inputs = inputs.drop(columns="seed")
    check = _InputCheck(tuple(stored_inputs.columns),
                        stored_inputs.to_numpy(dtype=np.float64))
    issue_ids = tuple(i.id for i in loaded.scenario.issues)
    kwargs: dict[str, Any] = {
        "samples": rec.samples, "seed": rec.seed, "model": rec.model,
        "model_fn": model_function(rec.model), "params": dict(rec.params),
        "method": rec.method, "issue_ids": issue_ids, "sink": check,
        "base_dir": str(loaded.path.resolve().parent) if loaded.path else None}
    if workers > 0:
        with worker_pool(workers) as pool:  # spawned; each worker dies with this process
            again = run_batch(loaded.text, executor=pool, **kwargs)
    else:
        again = run_batch(loaded.text, **kwargs)
    stored = outcomes.to_numpy(dtype=np.float64)
    if again.issue_ids != tuple(outcomes.columns) or again.outcomes.shape != stored.shape:
        same, worst = False, float("inf")
    else:
        same = bool(np.array_equal(again.outcomes, stored, equal_nan=True))
        worst = _largest(again.outcomes, stored)
    if again.failures:  # a chunk that failed now cannot be said to reproduce
        same = False
    ends_same: bool | None = None
    differ = 0
    if frames.endings is not None:
        kept = frames.endings.to_numpy(dtype=np.int16)
        if again.cycle_length is None or again.cycle_length.shape != kept.shape:
            ends_same, differ = False, int(kept.size)
        else:
            # a store written before STEADY existed holds NOT_CONVERGED for such runs
            older = (kept == NOT_CONVERGED) & (again.cycle_length == STEADY)
            differ = int(((again.cycle_length != kept) & ~older).sum())
            ends_same = differ == 0 and not again.failures
    return Rerun(rec.id, rec.samples, same and check.same and ends_same is not False, worst,
                 check.same, check.worst, same, ends_same, differ)


def distributions_png(stored: StoredRun, *, dpi: int = 80) -> bytes:
    """A saved run's forecasts over its samples, per issue, as a PNG: the status quo, the
    median and each actor's position on the issue's named scale, calibrated where the run
    was (the report's figure)."""
    from statecraft.api.calibration import calibrated_rows
    from statecraft.api.reports import stored_errors
    from statecraft.report import plots

    errors = stored_errors(stored)
    calibrated = (None if errors is None else
                  [dict(r) for r in calibrated_rows(errors, stored.issue_ids,
                                                    stored.outcomes)])
    return plots.distributions(stored.loaded.scenario, stored.issue_ids, stored.outcomes,
                               dpi=dpi, calibrated=calibrated)
