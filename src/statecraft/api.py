"""The public Python API that the CLI, the web app and notebooks share.

Thin on purpose: it finds scenarios, loads them, runs a named model and shapes the result
for people; the work itself lives in ``scenario`` and ``models``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from statecraft import models
from statecraft.analysis.backtest import NumericScore, ProbabilityScore
from statecraft.analysis.deu import Score
from statecraft.analysis.deu import backtest as deu_backtest
from statecraft.analysis.questions import Question, QuestionSet, load_questions_text
from statecraft.analysis.sensitivity import Influence
from statecraft.models.inputs import ModelInputs
from statecraft.models.trajectory import OfferKind, Trajectory
from statecraft.rules import Timeline
from statecraft.rules import timeline as rules_timeline
from statecraft.scenario import (
    Loaded,
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    to_model_inputs,
)
from statecraft.scenario.deu import DeuData, read_deu_tsv, scenario_file_name, usable
from statecraft.scenario.deu import to_scenario as deu_to_scenario
from statecraft.scenario.ktab import read_ktab_csv, write_ktab_csv
from statecraft.scenario.ktab_scenario import ktab_to_scenario, scenario_to_ktab
from statecraft.store import RunRecord, RunStore
from statecraft.uncertainty.runner import BatchResult, redraw, run_batch

DEFAULT_SCENARIO = "south-caucasus-2021.yaml"

ModelFn = Callable[..., Trajectory]


def _models() -> dict[str, ModelFn]:
    found: dict[str, ModelFn] = {"compromise": models.compromise, "median": models.median}
    for name in ("eum", "smp"):
        fn = getattr(models, name, None)
        if fn is not None:
            found[name] = fn
    return found


MODELS: dict[str, ModelFn] = _models()
"""Every model by name."""

DEFAULT_MODEL = "eum" if "eum" in MODELS else "compromise"


def bundled_scenarios_dir() -> Path:
    """Where the bundled scenarios are: the source tree's ``scenarios/``, else the package's."""
    source_tree = Path(__file__).resolve().parents[2] / "scenarios"
    if (source_tree / DEFAULT_SCENARIO).is_file():
        return source_tree
    return Path(str(resources.files("statecraft") / "bundled" / "scenarios"))


def bundled_questions_dir() -> Path:
    """Where the bundled question sets are (``questions/``), found as the scenarios are."""
    source_tree = Path(__file__).resolve().parents[2] / "questions"
    if source_tree.is_dir():
        return source_tree
    return Path(str(resources.files("statecraft") / "bundled" / "questions"))


def default_scenario_path() -> Path:
    """The bundled default scenario, the South Caucasus in autumn 2021."""
    return bundled_scenarios_dir() / DEFAULT_SCENARIO


def load(path: str | Path | None = None, *, strict: bool = False) -> Loaded:
    """Load and validate a scenario file (the default scenario when ``path`` is None)."""
    return load_scenario(path if path is not None else default_scenario_path(), strict=strict)


def run_model(inputs: ModelInputs, model: str = DEFAULT_MODEL, **params: Any) -> Trajectory:
    """Run a model by name on compiled inputs."""
    try:
        fn = MODELS[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}") from None
    return fn(inputs, **params)


@dataclass(frozen=True)
class IssueForecast:
    """One issue's forecast, in words an analyst reads."""

    issue: str
    question: str
    status_quo: float
    forecast: float
    anchor_point: float
    anchor_text: str
    rounds: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.issue,
            "question": self.question,
            "status_quo": self.status_quo,
            "forecast": round(self.forecast, 6),
            "nearest_anchor": {"point": self.anchor_point, "text": self.anchor_text},
            "rounds": self.rounds,
        }


def summarise(scenario: Scenario, trajectory: Trajectory, row: int = 0) -> list[IssueForecast]:
    """Per issue: status quo, forecast and the named anchor nearest the forecast."""
    out = []
    for k, issue_id in enumerate(trajectory.issue_ids):
        issue = scenario.issue(issue_id)
        value = float(trajectory.forecast[row, k])
        point, text = issue.nearest_anchor(value)
        out.append(IssueForecast(issue_id, issue.question, issue.status_quo, value, point, text,
                                 int(trajectory.rounds[row, k])))
    return out


def trace_offers(scenario: Scenario, trajectory: Trajectory, issue_id: str,
                 row: int = 0) -> list[dict[str, Any]]:
    """Per round, the forecast and every offer made on one issue (needs recorded offers)."""
    if trajectory.offers is None:
        raise ValueError(f"the {trajectory.model} model recorded no offers")
    k = trajectory.issue_ids.index(issue_id)
    log = trajectory.offers
    actors = trajectory.actor_ids
    out: list[dict[str, Any]] = []
    for rnd in range(1, trajectory.positions.shape[0]):
        sel = (log.round == rnd) & (log.issue == k) & (log.batch == row)
        before = trajectory.positions[rnd - 1, row, :, k]
        offers = [
            {"challenger": actors[int(log.challenger[i])], "target": actors[int(log.target[i])],
             "kind": OfferKind(int(log.kind[i])).name.lower(),
             "from": float(before[int(log.target[i])]), "to": float(log.new_position[i]),
             "accepted": bool(log.accepted[i])}
            for i in sel.nonzero()[0]
        ]
        out.append({"round": rnd, "forecast": float(trajectory.forecasts[rnd, row, k]),
                    "offers": offers})
    return out


def run_scenario(loaded: Loaded, model: str = DEFAULT_MODEL, **params: Any) -> Trajectory:
    """Run a model on a loaded scenario at its best-guess (midpoint) values."""
    return run_model(to_model_inputs(loaded.scenario), model, **params)


# ---- DEU: real EU decisions with known outcomes ---------------------------------------

EUM_GRID: tuple[dict[str, Any], ...] = tuple(
    {"variant": v, "q": q, "max_rounds": r}
    for v in ("scholz2011", "literal") for q in (1.0, 0.5) for r in (10, 50)
)
"""The small, fixed grid of EUM settings reported beside the default (never tuned on)."""


def read_deu(path: str | Path) -> DeuData:
    """Read a DEU tab-separated file; errors name the file, row and column."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p}: cannot read the file ({exc})") from None
    try:
        return read_deu_tsv(text)
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None


def backtest_deu(path: str | Path, models: list[str], *, capability: str = "votes",
                 grid: bool = False) -> list[Score]:
    """MAE of each named model on the DEU issues with outcomes, and the status-quo baseline."""
    data = read_deu(path)
    fns: dict[str, Callable[[ModelInputs], Trajectory]] = {}
    for name in models:
        fn = MODELS.get(name)
        if fn is None:
            raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}")
        fns[name] = partial(fn, keep_history=False) if name == "eum" else fn
    if grid and "eum" in MODELS:
        for setting in EUM_GRID:
            label = "eum " + " ".join(f"{k}={v}" for k, v in setting.items())
            fns[label] = partial(MODELS["eum"], keep_history=False, **setting)
    return deu_backtest(data, fns, capability=capability)


def import_deu(path: str | Path, out_dir: str | Path, *, capability: str = "votes",
               force: bool = False) -> list[Path]:
    """Write one scenario file per DEU issue, and ``outcomes.yaml`` (issue id -> outcome).

    Every scenario is validated before anything is written; files go to a temporary
    folder renamed into place at the end, so a failure leaves nothing half-written. An
    existing non-empty folder is replaced only with ``force``.
    """
    data = read_deu(path)
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise ValueError(f"{out} exists and is not empty; use --force to replace it")
    texts: dict[str, str] = {}
    outcomes: dict[str, float] = {}
    for issue in data.issues:
        if not usable(issue):
            continue
        scenario = deu_to_scenario(data, issue, capability)
        text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
        name = scenario_file_name(issue)
        load_scenario_text(text, name, strict=True)  # raises ScenarioError on any problem
        texts[name] = text
        if issue.outcome is not None:
            outcomes[scenario["issues"][0]["id"]] = issue.outcome
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, text in texts.items():
            (tmp / name).write_text(text, encoding="utf-8")
        (tmp / "outcomes.yaml").write_text(yaml.safe_dump(outcomes, sort_keys=False),
                                           encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}-old-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out.iterdir())


# ---- strategic options and treaty rules -------------------------------------------------

def _date(as_of: dt.date | None, loaded: Loaded) -> dt.date:
    when = as_of or loaded.scenario.as_of
    if when is None:
        raise ValueError("the scenario has no as_of date; give --as-of")
    return when


def timeline(loaded: Loaded, as_of: dt.date | None = None) -> Timeline:
    """The scenario's rules on a date: in force, deadlines passed, deadlines coming."""
    return rules_timeline(list(loaded.scenario.rules), _date(as_of, loaded))


def options_analysis(loaded: Loaded, *, samples: int = 0, seed: int | None = None,
                     lam: float | None = None, as_of: dt.date | None = None) -> dict[str, Any]:
    """The options game: subgame-perfect choices, logit QRE probabilities and, with
    ``samples``, how often each option is the subgame-perfect choice over Monte Carlo
    samples of the uncertain inputs (stances, capabilities and effect ranges), as
    ``mc_share``, and each option's QRE probability averaged over them, as ``mc_qre``."""
    from statecraft.games import gambit
    from statecraft.games.tree import Move, build_tree, logit_qre, spe
    from statecraft.uncertainty import sample_inputs

    scenario = loaded.scenario
    if scenario.options is None:
        raise ValueError(f"scenario {scenario.name!r} has no options section")
    when = _date(as_of, loaded)
    rationality = scenario.options.rationality if lam is None else lam
    inputs = to_model_inputs(scenario)
    game = build_tree(scenario, inputs, as_of=when)
    solution = spe(game)
    probs = gambit.qre(game, rationality)
    shares: dict[Any, Any] = {}
    mean_qre: dict[Any, Any] = {}
    if samples > 0:
        rng = np.random.default_rng(seed)
        sampled = build_tree(scenario, sample_inputs(scenario, samples, rng), as_of=when,
                             rng=rng)
        for path, chosen in spe(sampled).choice.items():
            shares[path] = np.bincount(chosen, minlength=int(chosen.max()) + 1) / samples
        # The same agent QRE per sample, in closed form (it matches pygambit's; see tests).
        mean_qre = {path: p.mean(axis=0) for path, p in logit_qre(sampled, rationality).items()}
    nodes = []

    def walk(node: Any, depth: int) -> None:
        if not isinstance(node, Move):
            return
        entry: dict[str, Any] = {
            "path": [list(step) for step in node.path], "depth": depth, "node": node.node,
            "actor": node.actor, "label": node.label, "options": []}
        for k, (opt, label) in enumerate(zip(node.options, node.labels, strict=True)):
            item: dict[str, Any] = {"id": opt, "label": label}
            if node.probabilities is not None:
                item["probability"] = node.probabilities[k]
            else:
                item["spe"] = bool(solution.choice[node.path][0] == k)
                item["qre"] = probs[node.path][k]
                if node.path in shares:
                    counts = shares[node.path]
                    item["mc_share"] = float(counts[k]) if k < len(counts) else 0.0
                    item["mc_qre"] = float(mean_qre[node.path][k])
            entry["options"].append(item)
        nodes.append(entry)
        for child in node.children:
            walk(child, depth + 1)

    walk(game.root, 0)
    return {
        "scenario": scenario.name, "as_of": when.isoformat(), "players": list(game.players),
        "lambda": rationality, "samples": samples, "seed": seed, "nodes": nodes,
        "spe_outcome": dict(zip(inputs.issue_ids, map(float, solution.outcome[0]), strict=True)),
        "spe_payoffs": dict(zip(inputs.actor_ids, map(float, solution.value[0]), strict=True)),
    }


def export_efg(loaded: Loaded, path: str | Path, as_of: dt.date | None = None) -> None:
    """Write the options game (inputs at their midpoints) in Gambit's .efg format."""
    from statecraft.games import gambit
    from statecraft.games.tree import build_tree

    game = build_tree(loaded.scenario, to_model_inputs(loaded.scenario),
                      as_of=_date(as_of, loaded))
    Path(path).write_text(gambit.to_efg(game), encoding="utf-8")


# ---- Monte Carlo forecasts ------------------------------------------------------------

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


def _read_input(path: str | Path) -> tuple[bytes, str]:
    """A small input file's bytes and name; an unreadable file is a located problem."""
    p = Path(path)
    try:
        return p.read_bytes(), str(p)
    except OSError as exc:
        raise ScenarioError([Problem(str(p), None, None, (),
                                     f"cannot read the file: {exc.strerror}")]) from None


def load_observed(path: str | Path, loaded: Loaded) -> dict[str, float]:
    """Read and validate an observations file (issue id -> observed final position)."""
    from statecraft.analysis.questions import load_observed_text

    return load_observed_text(*_read_input(path), {i.id for i in loaded.scenario.issues})


def load_questions(path: str | Path, loaded: Loaded) -> QuestionSet:
    """Read and validate a question file against a scenario's issues."""
    return load_questions_text(*_read_input(path), {i.id for i in loaded.scenario.issues})


# ---- KTAB's CSV format --------------------------------------------------------------

def ktab_import(path: str | Path, out: str | Path | None = None, *,
                force: bool = False) -> tuple[str, Path | None]:
    """A KTAB CSV file as validated scenario YAML; written to ``out`` when given.

    The scenario is validated before anything is written, and written to a temporary
    file renamed into place; an existing ``out`` is replaced only with ``force``.
    """
    p = Path(path)
    try:
        data = read_ktab_csv(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p}: cannot read the file ({exc})") from None
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None
    text = yaml.safe_dump(ktab_to_scenario(data, f"KTAB scenario file {p.name}"),
                          sort_keys=False, allow_unicode=True)
    load_scenario_text(text, str(out or p.with_suffix(".yaml")), strict=True)
    if out is None:
        return text, None
    target = Path(out)
    if target.exists() and not force:
        raise ValueError(f"{target} exists; use --force to replace it")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return text, target


def ktab_export(loaded: Loaded, *, normalise: bool = False) -> str:
    """A scenario in KTAB's CSV format."""
    return write_ktab_csv(scenario_to_ktab(loaded.scenario, normalise=normalise))


# ---- Reports ----------------------------------------------------------------------------

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


def forecast_summary(scenario: Scenario, issue_ids: tuple[str, ...],
                     outcomes: np.ndarray) -> list[dict[str, Any]]:
    """Per issue: status quo, median, 5% and 95% over samples, and the nearest named point."""
    from statecraft.uncertainty.runner import outcome_summary

    rows = []
    for row in outcome_summary(issue_ids, outcomes):
        issue = scenario.issue(row["issue"])
        point, text = issue.nearest_anchor(row["median"])
        rows.append({"issue": issue.id, "question": issue.question,
                     "status_quo": issue.status_quo, "median": row["median"],
                     "p05": row["p05"], "p95": row["p95"], "anchor": f"{point:g}: {text}"})
    return rows


HISTORY_MODELS = ("eum", "smp")
"""The models that bargain in rounds, so that a forecast has a history to plot."""


def trajectories_png(loaded: Loaded, *, model: str, seed: int, run_samples: int,
                     samples: int = 200, method: str = "random",
                     params: dict[str, Any] | None = None, dpi: int = 110) -> bytes:
    """The round-by-round forecasts of a run's first ``samples`` samples, as a PNG.

    A forecast keeps only each sample's final round, so a few of its samples are drawn
    again (``uncertainty.runner.redraw``) and their rounds computed here.
    """
    from statecraft.report import plots

    if model not in HISTORY_MODELS:
        raise ValueError(f"model {model!r} has no rounds to plot; "
                         f"expected one of {', '.join(HISTORY_MODELS)}")
    few = redraw(loaded.scenario, range(min(samples, run_samples)), seed=seed,
                 samples=run_samples, method=method)
    traj = run_model(few.inputs, model, **(params or {}))
    return plots.trajectories(traj.issue_ids, traj.forecasts, dpi=dpi)


def report_html(loaded: Loaded, *, model: str, seed: int, issue_ids: tuple[str, ...],
                outcomes: np.ndarray, questions: QuestionSet | None = None,
                run_id: str | None = None, history_samples: int = 200,
                method: str = "random", params: dict[str, Any] | None = None) -> str:
    """The self-contained HTML report of a forecast (see ``statecraft.report``).

    ``seed``, ``method`` and ``params`` are the forecast's, so that the rounds plotted are
    those of its own first samples.
    """
    from statecraft.analysis.backtest import baselines, resolved, score
    from statecraft.analysis.questions import probabilities
    from statecraft.report import plots
    from statecraft.report.build import render

    scenario = loaded.scenario
    figures = {"distributions": plots.distributions(scenario, issue_ids, outcomes)}
    if model in HISTORY_MODELS:
        figures["trajectories"] = trajectories_png(
            loaded, model=model, seed=seed, run_samples=int(outcomes.shape[0]),
            samples=history_samples, method=method, params=params)
    asked: list[dict[str, Any]] = []
    backtest_ctx = None
    if questions is not None:
        probs = probabilities(questions, issue_ids, outcomes)
        asked = [{"id": p.question.id, "text": p.question.text, "probability": p.probability,
                  "std_error": p.std_error, "resolution": p.question.resolution,
                  "resolved_on": p.question.resolved_on} for p in probs]
        figures["questions"] = plots.question_probabilities(
            [a["id"] for a in asked], [a["probability"] for a in asked],
            [a["std_error"] for a in asked], [a["resolution"] for a in asked])
        done = [p for p in probs if p.question.resolution is not None]
        if done:
            status_quo = {i.id: i.status_quo for i in scenario.issues}
            mine = score(model, [p.probability for p in done],
                         [bool(p.question.resolution) for p in done])
            backtest_ctx = {"scores": [mine, *baselines(resolved(questions.questions),
                                                        status_quo)]}
            figures["calibration"] = plots.calibration(mine.calibration, model)
    options = None
    if scenario.options is not None:
        options = options_analysis(loaded)
        figures["options"] = plots.options_tree(options["nodes"])
    from statecraft import __version__

    return render(scenario=scenario, model=model, samples=int(outcomes.shape[0]), seed=seed,
                  version=__version__, summary=forecast_summary(scenario, issue_ids, outcomes),
                  figures=figures, questions=asked, options=options, backtest=backtest_ctx,
                  run_id=run_id)


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
                     method=rec.method, params=rec.params, workers=workers).result
    if again.issue_ids != stored.issue_ids:
        return Rerun(rec.id, rec.samples, False, float("inf"))
    same = bool(np.array_equal(again.outcomes, stored.outcomes, equal_nan=True))
    diff = np.abs(again.outcomes - stored.outcomes)
    worst = float(np.nanmax(diff)) if np.isfinite(diff).any() else 0.0
    return Rerun(rec.id, rec.samples, same, worst)
