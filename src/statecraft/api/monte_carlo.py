"""Monte Carlo forecasts, backtests of resolved questions, and what explains a question's
probability."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from statecraft.analysis.questions import Question, QuestionSet
from statecraft.analysis.sensitivity import Influence
from statecraft.api.calibration import calibrated_rows, errors_for
from statecraft.api.results.backtest import Backtest, BacktestQuestion
from statecraft.api.results.common import CalibratedRow, Json, Provenance, Settings
from statecraft.api.results.explanation import Explanation, InputEffect
from statecraft.api.running import (
    DEFAULT_MODEL,
    model_function,
    model_settings,
    model_spec,
    run_model,
    sampled_settings,
)
from statecraft.calibration.predictive import ErrorModel
from statecraft.errors import BusyError, OptionError
from statecraft.models.trajectory import Convergence
from statecraft.scenario import (
    Loaded,
)
from statecraft.store import RunStore, StoreError
from statecraft.uncertainty.runner import BatchResult, Stopped, redraw, run_batch

if TYPE_CHECKING:
    from statecraft.api.results.forecast import Forecast


@dataclass(frozen=True)
class ForecastRun:
    """A Monte Carlo forecast and, when it was saved, its id in the run store; with the
    model's measured errors and the identity of their file when calibrated."""

    result: BatchResult
    run_id: str | None
    errors: ErrorModel | None = None
    calibration: Mapping[str, Json] | None = None
    not_saved: str | None = None
    """Why a forecast given a store was not saved in it (the store could not register
    it: damaged, read-only; a busy store is an error), naming no path; None when saved
    or not asked to be."""

    def calibrated_rows(self) -> list[CalibratedRow] | None:
        """Per issue, the calibrated predictive summary (None when uncalibrated)."""
        if self.errors is None:
            return None
        done = self.result.outcomes[self.result.completed()]
        return calibrated_rows(self.errors, self.result.issue_ids, done)

    def convergence(self) -> Convergence | None:
        """Per issue, how many completed samples settled, cycled or did not converge in
        their round cap."""
        return self.result.convergence()


def measured_errors(model: str, params: Settings | None = None
                    ) -> tuple[ErrorModel, dict[str, Json]]:
    """A model's measured errors for calibrating its forecasts, and their file's identity.

    The errors were measured with the model's default settings; other settings have no
    measured errors, and asking to calibrate them is an error, never a silent fallback
    (an ``OptionError`` about ``calibrated``: forecast them with ``calibrated=False``).
    Settings are compared with the defaults by their shared names (older names read).
    """
    changed = model_settings(model, params)
    if changed:
        shown = ", ".join(f"{k}={v}" for k, v in changed.items())
        raise OptionError(f"no measured errors for {model} with {shown}: the model-error "
                          "file measured it at its default settings only; forecast it "
                          "without calibration", "calibrated")
    return errors_for(model)


DASK_CONNECT_SECONDS = 3
"""How long ``forecast`` tries to reach a Dask scheduler before saying it cannot."""


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 200 characters."""
    return (" ".join(str(exc).split()) or type(exc).__name__)[:200]


def forecast(loaded: Loaded, *, samples: int, seed: int, model: str = DEFAULT_MODEL,
             questions: QuestionSet | None = None, chunk_size: int = 8192,
             workers: int = 0, method: str = "random", dask: str | None = None,
             store: RunStore | None = None, params: Settings | None = None,
             progress: Callable[[int], None] | None = None,
             calibrated: bool = True,
             should_stop: Callable[[], str | None] | None = None) -> Forecast:
    """A Monte Carlo forecast as a typed result (``api.results.Forecast``): per issue its
    distribution, per question of ``questions`` its probability (without ``questions``,
    a bundled scenario's bundled question set), its bottom line and how its samples' runs
    ended, with its provenance.

    It runs ``forecast_run`` with the same arguments (see there: what is checked, saved,
    calibrated and stopped); failed chunks do not raise: ``Forecast.failures`` lists
    them (and the bottom line is then None)."""
    from statecraft.api.reports import forecast_result

    run = forecast_run(loaded, samples=samples, seed=seed, model=model,
                       chunk_size=chunk_size, workers=workers, method=method, dask=dask,
                       store=store, params=params, progress=progress,
                       calibrated=calibrated, should_stop=should_stop)
    return forecast_result(loaded, run, questions)


def forecast_run(loaded: Loaded, *, samples: int, seed: int, model: str = DEFAULT_MODEL,
                 chunk_size: int = 8192, workers: int = 0, method: str = "random",
                 dask: str | None = None, store: RunStore | None = None,
                 params: Settings | None = None,
                 progress: Callable[[int], None] | None = None,
                 calibrated: bool = True,
                 should_stop: Callable[[], str | None] | None = None) -> ForecastRun:
    """The raw Monte Carlo run behind ``forecast``: every sample's inputs and outcome
    (``ForecastRun.result``), its id in the run store and the errors that calibrate it,
    over ``samples`` draws of the scenario's ranges.

    ``calibrated`` (the default) attaches the model's measured errors on real decisions
    (the bundled model-error file), read before anything runs: a missing, damaged or
    outdated file stops the forecast with an error naming it; the saved run records the
    file's name, version and hash. The per-sample outcomes are the same either way.

    ``workers`` > 0 runs chunks in a process pool of that size (spawned, not forked: this
    process may already run threads, a compiled kernel's or a web server's, and a forked
    child gets their locks but not the threads that would release them); ``dask`` runs
    them on the Dask cluster whose scheduler has that address (reached within
    ``DASK_CONNECT_SECONDS``, or a ``ValueError``). Either way the results are identical
    to an in-process run with the same seed. With a ``store`` the run is registered before
    it starts and its per-sample inputs and outcomes are streamed to it; a run that does
    not finish (an exception, Ctrl-C) is marked so and leaves no data file, and a data
    file that cannot be written (a full disk) is a ``StoreError`` naming the run. A store
    that cannot register the run (a damaged registry, read-only) does not stop the
    forecast: it runs unsaved, and ``ForecastRun.not_saved`` says why; a busy one (locked
    by another writer past the timeout) is a ``StoreBusy``, as before: try again.

    Every argument is checked before a run is registered: a bad one is a ``ValueError``
    with a one-line message (``seed`` 0 .. 2**63 - 1; ``samples`` at least 1 and within
    ``statecraft.uncertainty.limits``: at most ``MAX_SAMPLES`` and the memory available).

    ``should_stop`` is asked at least every ~0.2 s of model work in this process (between
    chunks on an executor): when it returns a reason, nothing more is run or submitted,
    the stored run is marked ``interrupted`` with the reason as its error, its partial
    data file is removed, and ``Stopped`` (``api.ForecastStopped``) is raised with
    ``reason`` and ``run_id``.
    """
    from concurrent.futures import Executor

    from statecraft import __version__
    from statecraft.uncertainty.limits import check_at_least, check_samples, check_seed
    from statecraft.uncertainty.sampling import METHODS, uncertain_inputs
    from statecraft.uncertainty.workers import worker_pool

    params = sampled_settings(model, params)  # checked; recorded by their shared names
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}; expected one of "
                         + ", ".join(METHODS))
    check_at_least("workers", workers, 0)
    check_at_least("chunk_size", chunk_size, 1)
    if workers > 0 and dask:
        raise ValueError("give either workers or a Dask scheduler, not both")
    check_seed(seed)
    issue_ids = tuple(i.id for i in loaded.scenario.issues)
    check_samples(samples, issues=len(issue_ids),
                  inputs=len(uncertain_inputs(loaded.scenario)))
    errors, identity = measured_errors(model, params) if calibrated else (None, None)
    base = str(loaded.path.resolve().parent) if loaded.path else None
    kwargs: dict[str, Any] = {
        "samples": samples, "seed": seed, "model": model, "model_fn": model_function(model),
        "chunk_size": chunk_size,
        "base_dir": base, "issue_ids": issue_ids, "progress": progress, "method": method,
        "params": params, "should_stop": should_stop}

    # an edit made here records its original's text; a copy that names its original only
    # in its own edited_from block carries that in the text it stores
    cited = loaded.cited if loaded.cited is not None and loaded.cited.text is not None else None

    def go(executor: Executor | None) -> ForecastRun:
        if store is None:
            return ForecastRun(run_batch(loaded.text, executor=executor, **kwargs), None,
                               errors, identity)
        try:
            started = store.start(
                scenario_name=loaded.scenario.name, scenario_text=loaded.text,
                scenario_path=str(loaded.path) if loaded.path else None, model=model,
                params=kwargs["params"], seed=seed, samples=samples, method=method,
                issue_ids=issue_ids, version=__version__, calibration=identity,
                edited_from=cited.origin() if cited else None,
                cited_text=cited.text if cited else None)
        except BusyError:
            raise  # locked for now by another writer: the caller tries again
        except StoreError as exc:  # the store cannot take it: the forecast still runs
            return ForecastRun(run_batch(loaded.text, executor=executor, **kwargs), None,
                               errors, identity, not_saved=exc.client_message)
        with started as writer:

            def unwritable(exc: OSError) -> StoreError:
                return StoreError(f"run {writer.id}: its data could not be written to the "
                                  f"run store ({exc.strerror or exc}); the run is marked "
                                  "failed and its partial data file removed")

            def write(chunk: Any) -> None:
                try:
                    writer.write(chunk)
                except OSError as exc:  # a full disk: the writer's exit removes the file
                    raise unwritable(exc) from None

            try:
                result = run_batch(loaded.text, executor=executor, sink=write, **kwargs)
            except Stopped as exc:
                writer.abandon("interrupted", exc.reason)
                raise Stopped(exc.reason, writer.id) from None
            try:
                writer.finish(completed=int(result.completed().sum()),
                              seconds=result.seconds,
                              failures=[f.__dict__ for f in result.failures])
            except OSError as exc:
                raise unwritable(exc) from None
        return ForecastRun(result, writer.id, errors, identity)

    if dask:
        try:
            from distributed import Client
        except ImportError:
            raise ValueError("dask: running on a Dask cluster needs the 'dask' extra "
                             "(pip install 'statecraft[dask]')") from None
        try:
            client = Client(dask, timeout=f"{DASK_CONNECT_SECONDS}s")  # type: ignore[no-untyped-call]
        except (ValueError, TypeError) as exc:
            raise ValueError(f"dask: {dask!r} is not a scheduler address "
                             f"({_one_line(exc)})") from None
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"dask: cannot reach a Dask scheduler at {dask!r} "
                             f"({_one_line(exc)})") from None
        with client:
            return go(client.get_executor())  # type: ignore[no-untyped-call]
    if workers > 0:
        with worker_pool(workers) as pool:  # spawned; each worker dies with this process
            return go(pool)
    return go(None)


def backtest(loaded: Loaded, questions: QuestionSet, models: list[str], *, samples: int,
             seed: int, observed: dict[str, float] | None = None, bins: int = 5,
             workers: int = 0, params: Mapping[str, Settings] | None = None,
             calibrated: bool = True) -> Backtest:
    """Score resolved questions (and observed positions) for each model, with baselines.

    Each model forecasts ``samples`` Monte Carlo samples with the same seed, so the models
    see the same sampled inputs; nothing is saved in the run store. Every model is scored
    twice: calibrated by its measured errors on real decisions, and on the inputs' spread
    alone ("uncalibrated"); each row's point forecast is its own distribution's median
    (calibrated: of the predictive mixture; uncalibrated: of the samples). With
    observations, the baselines are the status quo (a point forecast) and climatology: the
    outcomes of every decided DEU issue, as a distribution.

    ``params`` gives a model's settings by its name. Calibration was measured at each
    model's defaults, so other settings are refused unless ``calibrated`` is False: then
    every model is scored on the inputs' spread alone (``p`` None in each question row),
    and ``calibration`` is None. Every model and setting is checked before any runs.
    """
    from statecraft.analysis.backtest import (
        CLIMATOLOGY_MEDIAN,
        STATUS_QUO,
        baselines,
        distribution_scores,
        median_of,
        numeric_score,
        resolved,
        score,
    )
    from statecraft.analysis.questions import probabilities
    from statecraft.api.calibration import read_error_file
    from statecraft.calibration.predictive import climatology

    asked = resolved(questions.questions)
    if not asked:
        raise ValueError("no question in the file has a resolution: nothing to score")
    status_quo = {i.id: i.status_quo for i in loaded.scenario.issues}
    outcome = [bool(q.resolution) for q in asked]
    p_cal: list[dict[str, float | None]] = [{} for _ in asked]
    p_raw: list[dict[str, float]] = [{} for _ in asked]
    settings = {m: sampled_settings(m, (params or {}).get(m)) for m in models}
    if calibrated:
        for m in models:
            measured_errors(m, settings[m])
    scored, plain, numeric = [], [], []
    identity = None
    for model in models:
        run = forecast_run(loaded, samples=samples, seed=seed, model=model,
                           workers=workers, params=settings[model], calibrated=calibrated)
        identity = run.calibration
        result = run.result
        done = result.outcomes[result.completed()]
        qs = QuestionSet(questions=asked)
        probs = probabilities(qs, result.issue_ids, done, run.errors)
        raw = probabilities(qs, result.issue_ids, done)
        for cal, plain_p, pr, pu in zip(p_cal, p_raw, probs, raw, strict=True):
            cal[model] = pr.probability if calibrated else None
            plain_p[model] = pu.probability
        if calibrated:
            scored.append(score(model, [pr.probability for pr in probs], outcome, bins))
        plain.append(score(f"{model} (uncalibrated)", [pr.probability for pr in raw],
                           outcome, bins))
        if observed and run.errors is not None:
            numeric.append(distribution_scores(model, result.issue_ids, done, observed,
                                               run.errors))
        if observed:
            numeric.append(distribution_scores(f"{model} (uncalibrated)", result.issue_ids,
                                               done, observed, None))
    if observed:
        numeric.append(numeric_score("status quo", status_quo, observed, point=STATUS_QUO))
        mix = climatology(read_error_file().table.outcome)
        numeric.append(numeric_score("climatology", dict.fromkeys(status_quo, median_of(mix)),
                                     observed, dict.fromkeys(status_quo, mix),
                                     point=CLIMATOLOGY_MEDIAN))
    rows = tuple(BacktestQuestion(q.id, q.issue, q.condition, bool(q.resolution),
                                  float(q.holds(np.asarray(status_quo[q.issue]))), cal, raw_p)
                 for q, cal, raw_p in zip(asked, p_cal, p_raw, strict=True))
    provenance = Provenance.now("backtest", loaded.scenario.name, models,
                                settings={m: model_settings(m, settings[m]) for m in models},
                                seed=seed, samples=samples, calibration=identity)
    return Backtest(provenance, tuple(models), rows,
                    (*scored, *plain, *baselines(asked, status_quo, bins)), tuple(numeric))


def explain(loaded: Loaded, question: Question, *, samples: int, seed: int,
            model: str = DEFAULT_MODEL, method: str = "random", top: int = 10,
            calibrated: bool = True, total: int = 0,
            params: Settings | None = None) -> Explanation:
    """Rank the uncertain inputs by how much they move a question's probability.

    See ``statecraft.analysis.sensitivity`` for the estimators. Calibrated (the default),
    each sample contributes its calibrated predictive probability of the question, so the
    indices apportion the variance of that; uncalibrated, whether the sample meets it.
    First-order indices come from the forecast's own samples; ``total`` > 0 also runs a
    Sobol' design of ``total`` base samples (a power of two; ``total (D + 2)`` model runs)
    for first- and total-order indices, which then rank the inputs. The median run is the
    sample whose final position on the question's issue is nearest the median over all
    samples; it is run again with its offers recorded, to say who moved the issue.
    ``params`` are the model's settings (calibrated: its defaults only).
    """
    from statecraft.analysis.sensitivity import (
        offer_influence,
        salib_first_order,
        salib_sobol,
        sobol_design,
        swing,
    )
    from statecraft.uncertainty.runner import ChunkResult
    from statecraft.uncertainty.sampling import from_unit, uncertain_inputs

    if total and (total < 2 or total & (total - 1)):
        raise ValueError(f"total: found {total}; expected a power of two (e.g. 512)")
    settings = sampled_settings(model, params)
    errors, identity = measured_errors(model, settings) if calibrated else (None, None)
    chunks: list[ChunkResult] = []
    base = str(loaded.path.resolve().parent) if loaded.path else None
    issue_ids = tuple(i.id for i in loaded.scenario.issues)
    fn = model_function(model)
    result = run_batch(loaded.text, samples=samples, seed=seed, model=model, model_fn=fn,
                       method=method, base_dir=base, issue_ids=issue_ids,
                       sink=chunks.append, params=settings)
    if result.failures:
        raise ValueError(f"the forecast failed: {result.failures[0].error}")
    names = chunks[0].input_names
    if not names:
        raise ValueError("the scenario has no [low, high] ranges: nothing is uncertain")
    x = np.concatenate([c.inputs for c in chunks])
    k = issue_ids.index(question.issue)

    def per_sample(final: np.ndarray) -> np.ndarray:
        if errors is None:
            return question.holds(final).astype(float)
        return question.predictive(errors, final)

    final = result.outcomes[:, k]
    y = per_sample(final)
    idx = salib_first_order(x, y, seed=seed)
    if total:
        design = sobol_design(len(names), total, seed=seed)
        drawn = from_unit(loaded.scenario, design)
        idx = salib_sobol(per_sample(fn(drawn.inputs, **settings).forecast[:, k]), len(names),
                          seed=seed)
    sw = swing(x, y)
    declared = {r.name: r for r in uncertain_inputs(loaded.scenario)}
    rank = idx.total if idx.total is not None else idx.first
    order = sorted(range(len(names)), key=lambda j: (-rank[j], -idx.first[j],
                                                     -abs(np.nan_to_num(sw[j]))))
    ranked = tuple(InputEffect(
        names[j], float(idx.first[j]), float(idx.first_conf[j]),
        None if idx.total is None else float(idx.total[j]),
        None if idx.total_conf is None else float(idx.total_conf[j]), float(sw[j]),
        declared[names[j]].low, declared[names[j]].high) for j in order[:top])
    median_row = int(np.argmin(np.abs(final - np.median(final))))
    again = redraw(loaded.scenario, [median_row], seed=seed, samples=samples,
                   method=method).inputs
    influence: tuple[Influence, ...] = ()
    if model_spec(model).offers:
        traj = run_model(again, model, record_offers=True, **settings)
        influence = tuple(offer_influence(traj, question.issue))
    provenance = Provenance.now("explain", loaded.scenario.name, (model,),
                                settings={model: model_settings(model, settings)}, seed=seed,
                                samples=samples, method=method, calibration=identity)
    return Explanation(provenance, question, float(y.mean()), ranked, median_row,
                       float(final[median_row]), influence, total)
