"""The bottom line of a forecast, and what ``statecraft run`` adds to its single run:
the numbers gathered here, the sentences built by ``statecraft.analysis.bottomline``.

A forecast's bottom line reads its own samples, its calibrated predictive summaries (as
computed for its table, not again), how its samples' runs ended, single runs of the
compared models at the scenario's midpoints (milliseconds) and, where the scenario has
resolved questions (the bundled question set of a bundled scenario, or a question file),
their Brier scores from this forecast's own probabilities, beside always 0.5 and the
status quo: no extra forecast is run.

``run_notes`` samples the ranges ``MODE_SAMPLES`` times (seed ``MODE_SEED``, uncalibrated,
nothing saved) to find the issues whose distribution has more than one mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from statecraft.analysis.bottomline import (
    COMPARED,
    SCALE,
    BottomLine,
    IssueNumbers,
    RunNote,
    Scores,
    bottom_line,
    issue_numbers,
    named_point,
)
from statecraft.analysis.bottomline import run_notes as run_note_lines
from statecraft.analysis.modes import find_modes
from statecraft.models.trajectory import Convergence
from statecraft.scenario import Loaded, Scenario, ScenarioError, to_model_inputs

if TYPE_CHECKING:
    from statecraft.analysis.questions import QuestionSet
    from statecraft.api.results.common import CalibratedRow, Settings
    from statecraft.calibration.predictive import ErrorModel

__all__ = ["MODE_SAMPLES", "MODE_SEED", "bundled_questions_for", "forecast_bottom_line",
           "forecast_scores", "midpoint_runs", "run_note_lines", "run_notes"]

MODE_SAMPLES = 500
"""Samples ``statecraft run`` draws to look for issues with more than one mode."""

MODE_SEED = 7
"""Their seed (the forecast command's default), so that ``run`` always says the same."""


def midpoint_runs(loaded: Loaded, *, model: str, params: Mapping[str, Any] | None = None
                  ) -> dict[str, NDArray[np.float64]]:
    """Each compared model's forecast per issue in one run at the ranges' midpoints: the
    forecast's own model with its settings, the others at their defaults."""
    from statecraft.api.running import MODELS, run_model

    inputs = to_model_inputs(loaded.scenario)
    out = {}
    for name in COMPARED:
        if name not in MODELS:
            continue
        settings = dict(params or {}) if name == model else {}
        out[name] = run_model(inputs, name, **settings).forecast[0]
    return out


def bundled_questions_for(loaded: Loaded) -> QuestionSet | None:
    """The bundled question set of a bundled scenario (the same file name), edited or
    not; None for any other scenario, or when the set does not fit it."""
    from statecraft.api.loading import bundled_questions_dir, is_bundled, load_questions

    path = loaded.path
    if path is None and loaded.cited is not None and loaded.cited.path is not None:
        path = Path(loaded.cited.path)
    if path is None or not is_bundled(path):
        return None
    found = bundled_questions_dir() / Path(path).name
    if not found.is_file():
        return None
    try:
        return load_questions(found, loaded)
    except ScenarioError:
        return None


def forecast_scores(questions: QuestionSet | None, scenario: Scenario,
                    issue_ids: tuple[str, ...], outcomes: NDArray[np.float64],
                    errors: ErrorModel | None) -> Scores | None:
    """Brier scores of this forecast's probabilities of the resolved questions, beside
    always 0.5 and the status quo (None without resolved questions)."""
    from statecraft.analysis.backtest import baselines, resolved, score
    from statecraft.analysis.questions import QuestionSet, probabilities

    if questions is None:
        return None
    asked = resolved(questions.questions)
    if not asked:
        return None
    probs = probabilities(QuestionSet(questions=asked), issue_ids, outcomes, errors)
    said = [bool(q.resolution) for q in asked]
    status_quo = {i.id: i.status_quo for i in scenario.issues}
    half, sq = baselines(asked, status_quo)
    return Scores(score("forecast", [p.probability for p in probs], said), half, sq,
                  errors is not None)


def forecast_bottom_line(loaded: Loaded, *, model: str, params: Settings | None,
                         issue_ids: tuple[str, ...], outcomes: NDArray[np.float64],
                         errors: ErrorModel | None,
                         calibrated: Sequence[CalibratedRow] | None = None,
                         convergence: Convergence | None = None,
                         questions: QuestionSet | None = None) -> BottomLine:
    """The bottom line of a forecast's completed samples ``outcomes``.

    ``calibrated``: the calibrated summaries already computed (``calibrated_rows``), used
    as they are; ``questions``: the question set to score (default: the bundled set of a
    bundled scenario)."""
    scenario = loaded.scenario
    runs = midpoint_runs(loaded, model=model, params=params)
    numbers: list[IssueNumbers] = []
    for k, issue in enumerate(issue_ids):
        x = outcomes[:, k]
        conv = convergence.of(issue) if convergence is not None else None
        cap = convergence.max_rounds if convergence is not None else None
        models = {m: float(v[k]) for m, v in runs.items()}
        scale = scenario.issue(issue).scale
        if errors is not None and calibrated is not None:
            cal = calibrated[k]
            p05, p95 = np.quantile(x, [0.05, 0.95])
            iv = cal["intervals"]
            numbers.append(IssueNumbers(
                issue, dict(scale), float(cal["median"]), (iv["50"][0], iv["50"][1]),
                (iv["90"][0], iv["90"][1]), (float(p05), float(p95)),
                (float(x.min()), float(x.max())), True, int(x.size), models, conv, cap,
                find_modes(x, SCALE)))
        else:
            numbers.append(issue_numbers(issue, scale, x, errors, models=models,
                                         convergence=conv, max_rounds=cap))
    qset = questions if questions is not None else bundled_questions_for(loaded)
    return bottom_line(numbers, model=model,
                       scores=forecast_scores(qset, scenario, issue_ids, outcomes, errors))


def run_notes(loaded: Loaded, forecast: NDArray[np.float64], *, model: str,
              params: Settings | None = None) -> list[RunNote]:
    """Per issue, the modes of ``MODE_SAMPLES`` samples of the ranges and where the single
    run's ``forecast`` (per issue) lies among them: what ``statecraft run`` says beside it.

    A scenario without ranges, run by a model that draws nothing by chance, has every
    sample equal to the single run: its forecast stands for them, and nothing is run again
    (nor the compiled kernel loaded that a batch would take)."""
    from statecraft.uncertainty.sampling import uncertain_inputs

    issue_ids = tuple(i.id for i in loaded.scenario.issues)
    if uncertain_inputs(loaded.scenario) or (params or {}).get("stochastic"):
        from statecraft.api.running import model_function
        from statecraft.uncertainty.runner import run_batch

        base = str(loaded.path.resolve().parent) if loaded.path else None
        result = run_batch(loaded.text, samples=MODE_SAMPLES, seed=MODE_SEED, model=model,
                           model_fn=model_function(model), params=dict(params or {}),
                           base_dir=base, issue_ids=issue_ids)
        if result.failures:
            raise ValueError("the samples for the mode check failed: "
                             f"{result.failures[0].error}")
        outcomes = result.outcomes
    else:
        outcomes = np.repeat(np.asarray(forecast, dtype=np.float64)[None, :], MODE_SAMPLES,
                             axis=0)
    notes = []
    for k, issue in enumerate(issue_ids):
        x = outcomes[:, k]
        x = x[~np.isnan(x)]
        if x.size == 0:
            continue
        reached = (float(x.min()), float(x.max()))
        notes.append(RunNote(issue, find_modes(x, SCALE), float(forecast[k]),
                             named_point(float(forecast[k]), loaded.scenario.issue(issue).scale,
                                         reached)))
    return notes
