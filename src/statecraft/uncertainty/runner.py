"""Monte Carlo forecasts in chunks, on any ``concurrent.futures.Executor``.

Determinism independent of chunking: samples are drawn in fixed blocks of ``BLOCK``
samples, block k from its own generator ``SeedSequence(seed, spawn_key=(k,))``; a chunk is
a run of whole blocks. So the same seed gives the same samples, bit for bit, whether the
run is done in one piece, in chunks of any size, in a process pool or on a cluster.
Chunk tasks take plain data (the scenario's text), so they pickle to any executor. A chunk
that fails is recorded with its error, never dropped silently.

Besides its final forecast, every sample keeps how its run ended on each issue
(``BatchResult.cycle_length``, the model's ``Trajectory.cycle_length`` as ``int16``: 1 a
fixed point, 0 the model's stopping rule, ``k >= 2`` a cycle of ``k`` rounds, -1 not
converged by the round cap), so that a forecast can say how many of its samples settled;
the samples of a failed chunk are marked ``UNKNOWN_ENDING``.

A run can be stopped: ``should_stop`` is asked between chunks, between seed blocks and,
in this process, between sub-batches of a block of about ``Pacer.seconds`` of model work
each (the models treat every sample on its own, so a block run in pieces gives the very
numbers it gives whole). When it gives a reason, nothing more is run or submitted and
``Stopped`` is raised.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from statecraft.errors import StoppedError
from statecraft.models import registry

if TYPE_CHECKING:
    from statecraft.models.inputs import ModelInputs
    from statecraft.models.trajectory import Convergence, Trajectory
    from statecraft.scenario import Scenario
    from statecraft.uncertainty.sampling import Samples

BLOCK = 1024
"""Samples per seed block; chunk sizes are rounded up to a multiple of it."""

POLL_SECONDS = 0.2
"""How long a wait for a chunk on an executor lasts before ``should_stop`` is asked again."""

ShouldStop = Callable[[], "str | None"]
"""Asked while a run goes on: None to go on, or the reason to stop."""

UNKNOWN_ENDING = -2
"""``cycle_length`` of a sample whose run is not known: its chunk failed."""

ENDING_MAX = int(np.iinfo(np.int16).max)
"""The longest cycle kept as such (``int16``): a longer one, possible only with a round
cap past 32,767, is kept as 32,767 rounds."""


def endings(cycle_length: NDArray[np.integer[Any]]) -> NDArray[np.int16]:
    """A model's ``cycle_length`` as kept per sample: ``int16``, a cycle longer than
    ``ENDING_MAX`` rounds kept as ``ENDING_MAX``."""
    out: NDArray[np.int16] = np.minimum(cycle_length, ENDING_MAX).astype(np.int16)
    return out


ROUND_SETTINGS = ("max_rounds", *sorted({old for s in registry.SPECS.values()
                                         for old, new in s.renamed if new == "max_rounds"}))
"""Where a model's ``Trajectory.params`` gives its round cap: ``max_rounds``, and the
names it had in earlier versions of a model (the registry's ``renamed``: the SMP's
``max_turns``), as runs stored then recorded it."""


def round_cap(traj: Trajectory) -> int | None:
    """The round cap a model's runs had, from its parameters as run (None: no single
    cap, as for a model without rounds or the ensemble)."""
    for name in ROUND_SETTINGS:
        value = traj.params.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


class Ran(NamedTuple):
    """What a model's run of a batch leaves per sample: final forecasts, ``endings``,
    and the round cap the runs had."""

    forecast: NDArray[np.float64]
    cycle_length: NDArray[np.int16]
    round_cap: int | None


def ran(traj: Trajectory) -> Ran:
    """What is kept of a model's run."""
    return Ran(traj.forecast, endings(traj.cycle_length), round_cap(traj))


class Stopped(StoppedError):
    """A run stopped because its ``should_stop`` gave ``reason``; nothing more was run.
    ``run_id`` names the stored run (marked interrupted) when there is one."""

    def __init__(self, reason: str, run_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.run_id = run_id


@dataclass(frozen=True)
class ChunkFailure:
    """A chunk whose run raised: which samples, and the error."""

    chunk: int
    first_sample: int
    last_sample: int
    error: str


@dataclass(frozen=True)
class BatchResult:
    """Final forecasts per sample and issue, and how each sample's run ended, with what
    produced them."""

    issue_ids: tuple[str, ...]
    outcomes: NDArray[np.float64]  # (samples, issue); NaN rows for failed chunks
    model: str
    params: dict[str, Any]
    seed: int
    samples: int
    failures: tuple[ChunkFailure, ...] = field(default=())
    seconds: float = 0.0
    method: str = "random"
    cycle_length: NDArray[np.int16] | None = None  # (samples, issue), ``endings`` of the
    # model's runs; UNKNOWN_ENDING rows for failed chunks; None: not kept
    round_cap: int | None = None  # the runs' round cap (None: none, or no chunk ran)

    def completed(self) -> NDArray[np.bool_]:
        """Which samples have a result."""
        done: NDArray[np.bool_] = np.asarray(~np.isnan(self.outcomes).any(axis=1))
        return done

    def convergence(self) -> Convergence | None:
        """Per issue, how many of the completed samples settled, cycled or did not converge
        in ``round_cap`` rounds; None when not kept."""
        from statecraft.models.trajectory import summarise_convergence

        if self.cycle_length is None:
            return None
        known = self.cycle_length[self.completed()]
        return summarise_convergence(known, self.issue_ids, model=self.model,
                                     max_rounds=self.round_cap)


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
    """What one chunk produced: per sample, the drawn inputs, the final forecasts and how
    each run ended."""

    first_sample: int
    input_names: tuple[str, ...]
    inputs: NDArray[np.float64]  # (samples, inputs)
    outcomes: NDArray[np.float64]  # (samples, issues)
    cycle_length: NDArray[np.int16]  # (samples, issues): ``endings`` of the runs
    round_cap: int | None = None  # the runs' round cap (``round_cap``)


ChunkSink = Callable[[ChunkResult], None]
"""Called with each chunk's result, in sample order (e.g. to write it to the run store)."""


ModelFunction = Callable[..., "Trajectory"]
"""A model: compiled inputs (and keyword parameters) in, a ``Trajectory`` out. It must
pickle (a module-level function, or a ``functools.partial`` of one) to run on an executor."""


class Pacer:
    """Asks ``should_stop`` often while a model runs in this process: a block's samples
    are run in sub-batches sized, from the time the last one took, to last about
    ``seconds`` each (starting at ``first`` samples; a sub-batch grows at most fourfold)."""

    def __init__(self, should_stop: ShouldStop, *, seconds: float = 0.1,
                 first: int = 1) -> None:
        self.should_stop = should_stop
        self.seconds = seconds
        self.size = max(1, first)
        self.polls = 0

    def check(self) -> None:
        """Raise ``Stopped`` if ``should_stop`` gives a reason."""
        self.polls += 1
        reason = self.should_stop()
        if reason is not None:
            raise Stopped(str(reason))

    def run(self, model_fn: ModelFunction, inputs: ModelInputs, params: dict[str, Any]
            ) -> Ran:
        """The model's final forecasts for every sample of ``inputs`` and how each run
        ended (``ran``), in sub-batches, asking ``should_stop`` before each."""
        n = inputs.batch
        parts: list[Ran] = []
        start = 0
        while start < n:
            self.check()
            stop = min(n, start + self.size)
            t0 = time.perf_counter()
            part = inputs if (start, stop) == (0, n) else inputs.take(slice(start, stop))
            parts.append(ran(model_fn(part, **params)))
            per_sample = (time.perf_counter() - t0) / (stop - start)
            want = int(self.seconds / per_sample) if per_sample > 0 else 4 * self.size
            self.size = max(1, min(4 * self.size, want))
            start = stop
        if len(parts) == 1:
            return parts[0]
        return Ran(np.concatenate([p.forecast for p in parts]),
                   np.concatenate([p.cycle_length for p in parts]), parts[0].round_cap)


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
                              read_documents=False, check_original=False).scenario


def run_chunk(scenario_text: str, base_dir: str | None, model_fn: ModelFunction,
              params: dict[str, Any], seed: int, first_block: int, n_blocks: int,
              samples: int, method: str = "random", pacer: Pacer | None = None
              ) -> ChunkResult:
    """Inputs, final forecasts and how each run ended, for the samples of blocks
    ``first_block`` .. ``+ n_blocks``.

    With a ``pacer`` (in this process only) each block is run in sub-batches, asking it
    whether to stop before each; the numbers are the same as without.
    """
    from statecraft.uncertainty.sampling import sample

    scenario = _scenario(scenario_text, base_dir)
    runs: list[Ran] = []
    drawn = []
    names: tuple[str, ...] = ()
    for block in range(first_block, first_block + n_blocks):
        n = min(BLOCK, samples - block * BLOCK)
        if n <= 0:
            break
        if pacer is not None:
            pacer.check()
        got = sample(scenario, n, block_rng(seed, block), method)  # type: ignore[arg-type]
        names = got.names
        runs.append(ran(model_fn(got.inputs, **params)) if pacer is None
                    else pacer.run(model_fn, got.inputs, params))
        drawn.append(got.values)
    return ChunkResult(first_block * BLOCK, names, np.concatenate(drawn),
                       np.concatenate([r.forecast for r in runs]),
                       np.concatenate([r.cycle_length for r in runs]), runs[0].round_cap)


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
    should_stop: ShouldStop | None = None,
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
    collected. ``should_stop`` (see the module docstring) is asked at least every
    ``Pacer.seconds`` of model work in this process, and every ``POLL_SECONDS`` while a
    chunk on an executor is awaited; when it gives a reason, the chunks not yet running on
    the executor are cancelled (those running finish there, unused) and ``Stopped`` is
    raised. ``seed`` and ``samples`` are checked first (``statecraft.uncertainty.limits``).
    """
    from statecraft.uncertainty.limits import check_samples, check_seed
    from statecraft.uncertainty.sampling import uncertain_inputs

    check_seed(seed)
    try:
        inputs = len(uncertain_inputs(_scenario(scenario_text, base_dir)))
    except Exception:  # a text that does not load fails in every chunk, where it is recorded
        inputs = 0
    check_samples(samples, issues=len(issue_ids), inputs=inputs)
    params = dict(params or {})
    pacer = None if should_stop is None else Pacer(should_stop)
    blocks_per_chunk = max(1, -(-chunk_size // BLOCK))
    n_blocks = -(-samples // BLOCK)
    starts = list(range(0, n_blocks, blocks_per_chunk))
    outcomes = np.full((samples, len(issue_ids)), np.nan)
    cycle_length = np.full((samples, len(issue_ids)), UNKNOWN_ENDING, dtype=np.int16)
    cap: int | None = None
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
            if pacer is not None:
                pacer.check()
            if executor is not None:
                while submitted < len(args) and len(in_flight) < window:
                    in_flight.append(executor.submit(run_chunk, *args[submitted]))
                    submitted += 1
            first = a[5] * BLOCK
            last = min(samples, (a[5] + blocks_per_chunk) * BLOCK) - 1
            try:
                if executor is None:
                    result = run_chunk(*a, pacer=pacer)
                else:
                    result = _collect(in_flight.popleft(), pacer)
                outcomes[first:last + 1] = result.outcomes
                cycle_length[first:last + 1] = result.cycle_length
                cap = result.round_cap if cap is None else cap
            except Stopped:
                raise
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
                       tuple(failures), time.perf_counter() - t0, method, cycle_length,
                       cap)


def _collect(future: Future[ChunkResult], pacer: Pacer | None) -> ChunkResult:
    """A chunk's result from an executor, asking the pacer (if any) whether to stop every
    ``POLL_SECONDS`` while it is awaited."""
    if pacer is None:
        return future.result()
    while True:
        pacer.check()
        try:
            return future.result(timeout=POLL_SECONDS)
        except TimeoutError:
            if future.done():  # the chunk itself raised it
                raise


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
