"""Monte Carlo forecasts, backtests of resolved questions, and what explains a question's
probability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from statecraft.analysis.backtest import NumericScore, ProbabilityScore
from statecraft.analysis.questions import Question, QuestionSet
from statecraft.analysis.sensitivity import Influence
from statecraft.api.running import DEFAULT_MODEL, MODELS, run_model
from statecraft.scenario import (
    Loaded,
)
from statecraft.store import RunStore
from statecraft.uncertainty.runner import BatchResult, redraw, run_batch


@dataclass(frozen=True)
class ForecastRun:
    """A Monte Carlo forecast and, when it was saved, its id in the run store."""

    result: BatchResult
    run_id: str | None


def forecast(loaded: Loaded, *, samples: int, seed: int, model: str = DEFAULT_MODEL,
             chunk_size: int = 8192, workers: int = 0, method: str = "random",
             dask: str | None = None, store: RunStore | None = None,
             params: dict[str, Any] | None = None,
             progress: Callable[[int], None] | None = None) -> ForecastRun:
    """Forecast distributions over ``samples`` draws of the scenario's ranges.

    ``workers`` > 0 runs chunks in a process pool of that size (spawned, not forked: the
    compiled EUM's thread pool does not survive a fork); ``dask`` runs them on the Dask
    cluster whose scheduler has that address. Either way the results are identical to an
    in-process run with the same seed. With a ``store`` the run is registered before it
    starts and its per-sample inputs and outcomes are streamed to it; a run that does not
    finish (an exception, Ctrl-C) is marked so and leaves no data file.
    """
    import multiprocessing
    from concurrent.futures import Executor, ProcessPoolExecutor

    from statecraft import __version__
    from statecraft.uncertainty.sampling import METHODS

    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}; expected one of "
                         + ", ".join(METHODS))
    if workers > 0 and dask:
        raise ValueError("give either workers or a Dask scheduler, not both")
    base = str(loaded.path.resolve().parent) if loaded.path else None
    issue_ids = tuple(i.id for i in loaded.scenario.issues)
    kwargs: dict[str, Any] = {
        "samples": samples, "seed": seed, "model": model, "chunk_size": chunk_size,
        "base_dir": base, "issue_ids": issue_ids, "progress": progress, "method": method,
        "params": dict(params or {})}

    def go(executor: Executor | None) -> ForecastRun:
        if store is None:
            return ForecastRun(run_batch(loaded.text, executor=executor, **kwargs), None)
        with store.start(scenario_name=loaded.scenario.name, scenario_text=loaded.text,
                         scenario_path=str(loaded.path) if loaded.path else None,
                         model=model, params=kwargs["params"], seed=seed, samples=samples,
                         method=method, issue_ids=issue_ids, version=__version__) as writer:
            result = run_batch(loaded.text, executor=executor, sink=writer.write, **kwargs)
            writer.finish(completed=int(result.completed().sum()), seconds=result.seconds,
                          failures=[f.__dict__ for f in result.failures])
        return ForecastRun(result, writer.id)

    if dask:
        from distributed import Client

        with Client(dask, timeout="10s") as client:  # type: ignore[no-untyped-call]
            return go(client.get_executor())
    if workers > 0:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
            return go(pool)
    return go(None)


@dataclass(frozen=True)
class Backtest:
    """Scores of each model's question probabilities (and point forecasts) beside baselines."""

    models: tuple[str, ...]
    questions: tuple[dict[str, Any], ...]  # per resolved question: its forecasts and outcome
    scores: tuple[ProbabilityScore, ...]  # the models', then the baselines'
    numeric: tuple[NumericScore, ...]  # empty without observations
    samples: int
    seed: int


def backtest(loaded: Loaded, questions: QuestionSet, models: list[str], *, samples: int,
             seed: int, observed: dict[str, float] | None = None, bins: int = 5,
             workers: int = 0) -> Backtest:
    """Score resolved questions (and observed positions) for each model, with baselines.

    Each model forecasts ``samples`` Monte Carlo samples with the same seed, so the models
    see the same sampled inputs; nothing is saved in the run store.
    """
    from statecraft.analysis.backtest import baselines, numeric_score, resolved, score
    from statecraft.analysis.questions import probabilities

    asked = resolved(questions.questions)
    if not asked:
        raise ValueError("no question in the file has a resolution: nothing to score")
    status_quo = {i.id: i.status_quo for i in loaded.scenario.issues}
    outcome = [bool(q.resolution) for q in asked]
    rows: list[dict[str, Any]] = [
        {"id": q.id, "issue": q.issue, "resolution": q.resolution,
         "status_quo": float(q.holds(np.asarray(status_quo[q.issue]))), "p": {}}
        for q in asked]
    scores, numeric = [], []
    for model in models:
        result = forecast(loaded, samples=samples, seed=seed, model=model,
                          workers=workers).result
        done = result.outcomes[result.completed()]
        probs = probabilities(QuestionSet(questions=asked), result.issue_ids, done)
        for row, pr in zip(rows, probs, strict=True):
            row["p"][model] = pr.probability
        scores.append(score(model, [pr.probability for pr in probs], outcome, bins))
        if observed:
            point = dict(zip(result.issue_ids, np.median(done, axis=0).tolist(), strict=True))
            numeric.append(numeric_score(model, point, observed))
    if observed:
        numeric.append(numeric_score("status quo", status_quo, observed))
    return Backtest(tuple(models), tuple(rows),
                    (*scores, *baselines(asked, status_quo, bins)), tuple(numeric),
                    samples, seed)


@dataclass(frozen=True)
class Explanation:
    """What drives one question's probability, and who moved its issue in the median run."""

    question: Question
    model: str
    samples: int
    seed: int
    probability: float
    inputs: tuple[dict[str, Any], ...]  # ranked: name, index, swing, low, high
    median_sample: int
    median_position: float
    influence: tuple[Influence, ...]


def explain(loaded: Loaded, question: Question, *, samples: int, seed: int,
            model: str = DEFAULT_MODEL, method: str = "random", bins: int = 20,
            top: int = 10) -> Explanation:
    """Rank the uncertain inputs by how much they move a question's probability.

    See ``statecraft.analysis.sensitivity`` for the estimator. The median run is the
    sample whose final position on the question's issue is nearest the median over all
    samples; it is run again with its offers recorded, to say who moved the issue.
    """
    from statecraft.analysis.sensitivity import first_order_indices, offer_influence, swing
    from statecraft.uncertainty.runner import ChunkResult
    from statecraft.uncertainty.sampling import uncertain_inputs

    chunks: list[ChunkResult] = []
    base = str(loaded.path.resolve().parent) if loaded.path else None
    issue_ids = tuple(i.id for i in loaded.scenario.issues)
    result = run_batch(loaded.text, samples=samples, seed=seed, model=model, method=method,
                       base_dir=base, issue_ids=issue_ids, sink=chunks.append)
    if result.failures:
        raise ValueError(f"the forecast failed: {result.failures[0].error}")
    names = chunks[0].input_names
    if not names:
        raise ValueError("the scenario has no [low, high] ranges: nothing is uncertain")
    x = np.concatenate([c.inputs for c in chunks])
    k = issue_ids.index(question.issue)
    final = result.outcomes[:, k]
    y = question.holds(final).astype(float)
    s_idx = first_order_indices(x, y, bins=bins)
    sw = swing(x, y)
    declared = {r.name: r for r in uncertain_inputs(loaded.scenario)}
    order = sorted(range(len(names)), key=lambda j: (-s_idx[j], -abs(np.nan_to_num(sw[j]))))
    ranked = tuple({"input": names[j], "index": float(s_idx[j]), "swing": float(sw[j]),
                    "low": declared[names[j]].low, "high": declared[names[j]].high}
                   for j in order[:top])
    median_row = int(np.argmin(np.abs(final - np.median(final))))
    again = redraw(loaded.scenario, [median_row], seed=seed, samples=samples,
                   method=method).inputs
    influence: tuple[Influence, ...] = ()
    if model in ("eum", "smp"):
        traj = run_model(again, model, record_offers=True)
        influence = tuple(offer_influence(traj, question.issue))
    return Explanation(question, model, samples, seed, float(y.mean()), ranked, median_row,
                       float(final[median_row]), influence)
