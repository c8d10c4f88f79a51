"""What a forecast looks like to a reader: the per-issue summary, figures and the HTML report."""

from __future__ import annotations

from typing import Any

import numpy as np

from statecraft.analysis.questions import QuestionSet
from statecraft.api.options import options_analysis
from statecraft.api.running import run_model
from statecraft.scenario import (
    Loaded,
    Scenario,
)
from statecraft.uncertainty.runner import redraw


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
