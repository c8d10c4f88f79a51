"""Monte Carlo forecasts in chunks, on any ``concurrent.futures.Executor``.

Determinism independent of chunking: samples are drawn in fixed blocks of ``BLOCK``
samples, block k from its own generator ``SeedSequence(seed, spawn_key=(k,))``; a chunk is
a run of whole blocks. So the same seed gives the same samples, bit for bit, whether the
run is done in one piece, in chunks of any size, in a process pool or on a cluster.
Chunk tasks take plain data (the scenario's text), so they pickle to any executor. A chunk
that fails is recorded with its error, never dropped silently.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from statecraft.models.trajectory import Trajectory
    from statecraft.scenario import Scenario
    from statecraft.uncertainty.sampling import Samples

BLOCK = 1024
"""Samples per seed block; chunk sizes are rounded up to a multiple of it."""


@dataclass(frozen=True)
class ChunkFailure:
    """A chunk whose run raised: which samples, and the error."""

    chunk: int
    first_sample: int
    last_sample: int
    error: str


@dataclass(frozen=True)
class BatchResult:
    """Final forecasts per sample and issue, with what produced them."""

    issue_ids: tuple[str, ...]
    outcomes: NDArray[np.float64]  # (samples, issue); NaN rows for failed chunks
    model: str
    params: dict[str, Any]
    seed: int
    samples: int
    failures: tuple[ChunkFailure, ...] = field(default=())
    seconds: float = 0.0
    method: str = "random"

    def completed(self) -> NDArray[np.bool_]:
        """Which samples have a result."""
        done: NDArray[np.bool_] = np.asarray(~np.isnan(self.outcomes).any(axis=1))
        return done


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The generator of seed block ``block``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))


def redraw(scenario: Scenario, rows: Sequence[int], *, seed: int, samples: int,
           method: str = "random") -> Samples:
    """Samples ``rows`` of a run of ``samples`` samples with this seed and method, drawn
    again (each from its seed block), in the order given: the very inputs the run used."""
    from statecraft.models.inputs import ModelInputs
    from statecraft.uncertainty.sampling import Samples, sample

    want = np.asarray(rows, dtype=np.intp)
    if want.ndim != 1 or want.size == 0:
        raise ValueError("rows must be a non-empty list of sample indices")
    if want.min() < 0 or want.max() >= samples:
        raise ValueError(f"rows must lie in 0..{samples - 1}, the run's samples")
    parts: dict[int, Samples] = {}
    for block in np.unique(want // BLOCK).tolist():
        n = min(BLOCK, samples - block * BLOCK)
        parts[block] = sample(scenario, n, block_rng(seed, block), method)  # type: ignore[arg-type]
    first = next(iter(parts.values()))
    pick = [(parts[r // BLOCK], r % BLOCK) for r in want.tolist()]
    inputs = ModelInputs(
        first.inputs.actor_ids, first.inputs.issue_ids,
        np.stack([p.inputs.capability[i] for p, i in pick]),
        np.stack([p.inputs.position[i] for p, i in pick]),
        np.stack([p.inputs.salience[i] for p, i in pick]),
        first.inputs.present, first.inputs.status_quo)
    return Samples(inputs, first.names, np.stack([p.values[i] for p, i in pick]))


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk produced: per sample, the drawn inputs and the final forecasts."""

    first_sample: int
    input_names: tuple[str, ...]
    inputs: NDArray[np.float64]  # (samples, inputs)
    outcomes: NDArray[np.float64]  # (samples, issues)


ChunkSink = Callable[[ChunkResult], None]
"""Called with each chunk's result, in sample order (e.g. to write it to the run store)."""


ModelFunction = Callable[..., "Trajectory"]
"""A model: compiled inputs (and keyword parameters) in, a ``Trajectory`` out. It must
pickle (a module-level function, or a ``functools.partial`` of one) to run on an executor."""


@lru_cache(maxsize=4)
def _scenario(scenario_text: str, base_dir: str | None) -> Scenario:
    """The scenario of a chunk's text, parsed once per process: every chunk of a run
    carries the same text (parsing it again for each cost a third of a second per
    100,000 samples)."""
    from statecraft.scenario import load_scenario_text

    # the text was validated before the run: its quotes need no second check, and a
    # chunk never opens the files a scenario's sources name
    return load_scenario_text(scenario_text, "<scenario>",
                              base_dir=Path(base_dir) if base_dir else None,
                              read_documents=False).scenario


def run_chunk(scenario_text: str, base_dir: str | None, model_fn: ModelFunction,
              params: dict[str, Any], seed: int, first_block: int, n_blocks: int,
              samples: int, method: str = "random") -> ChunkResult:
    """Inputs and final forecasts for the samples of blocks ``first_block`` .. ``+ n_blocks``."""
    from statecraft.uncertainty.sampling import sample

    scenario = _scenario(scenario_text, base_dir)
    outcomes, drawn = [], []
    names: tuple[str, ...] = ()
    for block in range(first_block, first_block + n_blocks):
        n = min(BLOCK, samples - block * BLOCK)
        if n <= 0:
            break
        got = sample(scenario, n, block_rng(seed, block), method)  # type: ignore[arg-type]
        names = got.names
        outcomes.append(model_fn(got.inputs, **params).forecast)
        drawn.append(got.values)
    return ChunkResult(first_block * BLOCK, names, np.concatenate(drawn),
                       np.concatenate(outcomes))


def run_batch(
    scenario_text: str,
    *,
    samples: int,
    seed: int,
    model: str,
    model_fn: ModelFunction,
    params: dict[str, Any] | None = None,
    chunk_size: int = 8 * BLOCK,
    executor: Executor | None = None,
    base_dir: str | None = None,
    issue_ids: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    method: str = "random",
    sink: ChunkSink | None = None,
    window: int = 8,
) -> BatchResult:
    """Run ``samples`` Monte Carlo samples of a scenario, chunk by chunk.

    ``model`` names the model (for the result); ``model_fn`` is the model run on each
    chunk with ``params``: the runner is handed it, and knows nothing of how models are
    looked up. ``executor`` None runs in this process; otherwise chunks are submitted to it (a
    ``ProcessPoolExecutor``, or a Dask ``Client.get_executor()``). ``progress`` is called
    with the number of samples done after each chunk; ``sink`` gets each chunk's inputs and
    outcomes, in order, so they can be written out without holding them all. ``method``
    is the sampling method (``random`` or ``lhs``; a Latin hypercube per seed block).
    ``window`` bounds how many chunks are submitted to the executor ahead of the one being
    collected.
    """
    if samples < 1:
        raise ValueError("samples must be at least 1")
    params = dict(params or {})
    blocks_per_chunk = max(1, -(-chunk_size // BLOCK))
    n_blocks = -(-samples // BLOCK)
    starts = list(range(0, n_blocks, blocks_per_chunk))
    outcomes = np.full((samples, len(issue_ids)), np.nan)
    failures = []
    t0 = time.perf_counter()
    args = [(scenario_text, base_dir, model_fn, params, seed, b, blocks_per_chunk, samples,
             method) for b in starts]
    # at most `window` chunks are in flight, and a chunk's result is dropped once written:
    # memory stays bounded however many chunks the run has
    in_flight: deque[Future[ChunkResult]] = deque()
    submitted = 0
    done = 0
    try:
        for k, a in enumerate(args):
            if executor is not None:
                while submitted < len(args) and len(in_flight) < window:
                    in_flight.append(executor.submit(run_chunk, *args[submitted]))
                    submitted += 1
            first = a[5] * BLOCK
            last = min(samples, (a[5] + blocks_per_chunk) * BLOCK) - 1
            try:
                result = run_chunk(*a) if executor is None else in_flight.popleft().result()
                outcomes[first:last + 1] = result.outcomes
            except Exception as exc:  # recorded, not lost: the run reports it
                failures.append(ChunkFailure(k, first, last, f"{type(exc).__name__}: {exc}"))
            else:
                if sink is not None:
                    sink(result)
                del result
            done += last - first + 1
            if progress is not None:
                progress(done)
    finally:
        for fut in in_flight:  # interrupted: do not leave work queued
            fut.cancel()
    return BatchResult(tuple(issue_ids), outcomes, model, params, seed, samples,
                       tuple(failures), time.perf_counter() - t0, method)


def outcome_summary(issue_ids: Sequence[str],
                    outcomes: NDArray[np.float64]) -> list[dict[str, Any]]:
    """Per issue: median, 5% and 95% quantiles, and a 10-bin histogram over 0-100."""
    rows = []
    for k, issue in enumerate(issue_ids):
        x = outcomes[:, k]
        counts, _ = np.histogram(x, bins=10, range=(0.0, 100.0))
        rows.append({"issue": issue, "median": float(np.median(x)),
                     "p05": float(np.quantile(x, 0.05)), "p95": float(np.quantile(x, 0.95)),
                     "histogram": counts.tolist()})
    return rows


def summary(result: BatchResult) -> list[dict[str, Any]]:
    """``outcome_summary`` of a batch's completed samples."""
    return outcome_summary(result.issue_ids, result.outcomes[result.completed()])
