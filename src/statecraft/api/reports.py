"""What a forecast looks like to a reader: the per-issue summary, figures and the HTML report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from statecraft.analysis.questions import QuestionSet
from statecraft.api.calibration import calibrated_rows, read_error_file
from statecraft.api.options import options_analysis
from statecraft.api.results.common import (
    CalibratedRow,
    CalibratedSummary,
    IssueSummary,
    Json,
    Provenance,
    QuestionProbability,
    Settings,
)
from statecraft.api.results.forecast import Forecast
from statecraft.api.running import MODEL_SPECS, run_model
from statecraft.api.stored import StoredRun, stored_scenario
from statecraft.calibration.predictive import ErrorModel
from statecraft.models.trajectory import Convergence
from statecraft.scenario import (
    Loaded,
    Scenario,
)
from statecraft.uncertainty.runner import redraw

if TYPE_CHECKING:
    from statecraft.api.monte_carlo import ForecastRun
    from statecraft.store import RunRecord


def forecast_summary(scenario: Scenario, issue_ids: tuple[str, ...],
                     outcomes: np.ndarray, errors: ErrorModel | None = None
                     ) -> tuple[IssueSummary, ...]:
    """Per issue (``IssueSummary``): status quo, median, 5% and 95% over samples and their
    counts in ten bins (the inputs' spread), the calibrated predictive summary when
    ``errors`` are given (median, 50/80/90% intervals, histogram), and the named point
    nearest the median (the calibrated one when there is one): ``anchor``, which says so
    when no sample of the model reached that point (``anchor_reached`` False;
    ``reached``: the lowest and highest sample)."""
    from statecraft.analysis.bottomline import named_point
    from statecraft.uncertainty.runner import outcome_summary

    calibrated = (calibrated_rows(errors, issue_ids, outcomes) if errors is not None
                  else [None] * len(issue_ids))
    rows = []
    for k, (row, cal) in enumerate(zip(outcome_summary(issue_ids, outcomes), calibrated,
                                       strict=True)):
        issue = scenario.issue(row["issue"])
        x = outcomes[:, k]
        reached = (float(np.min(x)), float(np.max(x)))
        near = named_point(row["median"] if cal is None else cal["median"], issue.scale,
                           reached)
        anchor = f"{near.point:g}: {near.label}"
        if near.outside:
            anchor += (f" (no sample of the model reached it: they ran from {reached[0]:.1f} "
                       f"to {reached[1]:.1f})")
        rows.append(IssueSummary(
            issue.id, issue.question, float(issue.status_quo), row["median"], row["p05"],
            row["p95"], tuple(int(c) for c in row["histogram"]), anchor, not near.outside,
            reached, None if cal is None else CalibratedSummary.of(cal)))
    return tuple(rows)


def question_rows(questions: QuestionSet, issue_ids: tuple[str, ...], outcomes: np.ndarray,
                  errors: ErrorModel | None = None) -> tuple[QuestionProbability, ...]:
    """Each question's probability over the samples (``outcomes``' rows): calibrated by
    ``errors`` with the share of samples beside it (``uncalibrated``), or that share."""
    from statecraft.analysis.questions import probabilities

    probs = probabilities(questions, issue_ids, outcomes, errors)
    if errors is None:
        return tuple(QuestionProbability.of(p) for p in probs)
    raw = probabilities(questions, issue_ids, outcomes)
    return tuple(QuestionProbability.of(p, u) for p, u in zip(probs, raw, strict=True))


def calibrated_summaries(issues: Sequence[IssueSummary]
                         ) -> list[CalibratedRow] | None:
    """The issues' calibrated summaries as the bottom line reads them (None: uncalibrated)."""
    if not issues or any(r.predictive is None for r in issues):
        return None
    return [r.predictive.row() for r in issues if r.predictive is not None]


def forecast_result(loaded: Loaded, run: ForecastRun,
                    questions: QuestionSet | None = None) -> Forecast:
    """A forecast's typed result (``api.results.Forecast``): per issue its summary, per
    question of ``questions`` its probability, its bottom line and how its samples' runs
    ended, from the completed samples of ``run`` (``api.forecast_run``'s answer): what
    ``api.forecast`` returns. The bottom
    line is left out (None) when no sample completed or a chunk failed.

    Without ``questions``, a bundled scenario's bundled question set is the one its
    questions show and its bottom line scores (as the report and the page), so a score
    the bottom line quotes has its questions beside it."""
    from statecraft.api.bottomline import bundled_questions_for, forecast_bottom_line
    from statecraft.api.convergence import convergence_lines
    from statecraft.api.running import model_settings

    if questions is None:
        questions = bundled_questions_for(loaded)
    result = run.result
    outcomes = result.outcomes[result.completed()]
    any_done = outcomes.shape[0] > 0
    issues = (forecast_summary(loaded.scenario, result.issue_ids, outcomes, run.errors)
              if any_done else ())
    asked = (question_rows(questions, result.issue_ids, outcomes, run.errors)
             if questions is not None and any_done else ())
    conv = run.convergence()
    bottom = None
    if any_done and not result.failures:
        bottom = forecast_bottom_line(
            loaded, model=result.model, params=result.params, issue_ids=result.issue_ids,
            outcomes=outcomes, errors=run.errors,
            calibrated=None if run.errors is None else calibrated_summaries(issues),
            convergence=conv, questions=questions)
    cited = loaded.cited
    provenance = Provenance.now(
        "forecast", loaded.scenario.name, (result.model,),
        settings={result.model: model_settings(result.model, result.params)},
        seed=result.seed, samples=result.samples, method=result.method,
        calibration=run.calibration)
    return Forecast(
        provenance, run.run_id, int(outcomes.shape[0]), tuple(result.failures), issues,
        asked, bottom, conv, tuple(convergence_lines(conv)),
        None if cited is None else {"name": cited.name, "sha256": cited.sha256},
        None if cited is None else tuple(cited.edits(loaded.scenario)),
        loaded, result.issue_ids, outcomes, run.errors, questions, not_saved=run.not_saved)


def forecast_report(fc: Forecast, *, history_samples: int = 200) -> str:
    """``report_html`` of a forecast made here: its own questions, or the bundled ones."""
    if fc.loaded is None or fc.outcomes is None:
        raise ValueError("this forecast kept no samples to report")
    p = fc.provenance
    model = p.models[0]
    return report_html(fc.loaded, model=model, seed=p.seed or 0, issue_ids=fc.issue_ids,
                       outcomes=fc.outcomes, questions=fc.question_set, run_id=fc.run_id,
                       history_samples=history_samples, method=p.method,
                       params=p.settings.get(model), errors=fc.errors,
                       convergence=fc.convergence)


def describe_calibration(calibration: Mapping[str, Json] | None) -> str:
    """A run's error file in words: "model-errors.json v4, sha256 b4894f8c1ea1…"."""
    if calibration is None:
        return "none (uncalibrated: the inputs' spread alone)"
    sha = calibration.get("sha256")
    return (f"{calibration.get('file', '?')} v{calibration.get('version', '?')}, "
            + ("none" if sha is None else f"sha256 {str(sha)[:12]}…"))


def run_errors(rec: RunRecord) -> tuple[ErrorModel | None, str]:
    """The measured errors that calibrate a saved run as it was calibrated (None when it
    was not), and a note when what is shown differs from what was saved: the errors cannot
    calibrate it now (shown uncalibrated), or they come from another error file than the
    one recorded ("" otherwise)."""
    if rec.calibration is None:
        return None, ""
    from statecraft.api.monte_carlo import measured_errors

    try:
        errors, identity = measured_errors(rec.model, rec.params)
    except ValueError as exc:  # the run is still shown, saying what is missing
        return None, (f"run {rec.id} was calibrated, but cannot be now ({exc}); showing the "
                      "inputs' spread alone")
    if identity["sha256"] != rec.calibration.get("sha256"):
        return errors, (f"run {rec.id} was calibrated with "
                        f"{describe_calibration(rec.calibration)}; shown calibrated with "
                        f"{describe_calibration(identity)}")
    return errors, ""


def run_issues(rec: RunRecord, issue_ids: tuple[str, ...], outcomes: np.ndarray,
               errors: ErrorModel | None) -> tuple[IssueSummary, ...]:
    """A saved run's issue summaries (as ``forecast_summary``), the scenario read from the
    text stored with it; a text that no longer validates is a ``ScenarioError``."""
    return forecast_summary(stored_scenario(rec).scenario, issue_ids, outcomes, errors)


def stored_errors(stored: StoredRun) -> ErrorModel | None:
    """The measured errors that calibrate a stored run (None when it was uncalibrated)."""
    if stored.record.calibration is None:
        return None
    from statecraft.api.monte_carlo import measured_errors

    return measured_errors(stored.model, stored.record.params)[0]


def stored_questions(stored: StoredRun) -> QuestionSet | None:
    """The bundled question set of a saved run of a bundled scenario (the file it ran, or
    the one an edited run was edited from), as ``forecast`` takes it for the scenario;
    None for any other run, or when the set does not fit it."""
    from pathlib import Path

    from statecraft.api.loading import bundled_questions_dir, is_bundled, load_questions
    from statecraft.scenario import ScenarioError

    rec = stored.record
    where = rec.scenario_path or (rec.edited_from or {}).get("path")
    if not where or not is_bundled(str(where)):
        return None
    found = bundled_questions_dir() / Path(str(where)).name
    if not found.is_file():
        return None
    try:
        return load_questions(found, stored.loaded)
    except ScenarioError:
        return None


HISTORY_MODELS = tuple(n for n, s in MODEL_SPECS.items() if s.history)
"""The models that keep their rounds' history (``statecraft.models.registry``), so that a
forecast has rounds to plot."""


def trajectories_png(loaded: Loaded, *, model: str, seed: int, run_samples: int,
                     samples: int = 200, method: str = "random",
                     params: Settings | None = None, dpi: int = 110) -> bytes:
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
    return plots.trajectories(traj.issue_ids, traj.forecasts, dpi=dpi, final=traj.forecast)


def report_html(loaded: Loaded, *, model: str, seed: int, issue_ids: tuple[str, ...],
                outcomes: np.ndarray, questions: QuestionSet | None = None,
                run_id: str | None = None, history_samples: int = 200,
                method: str = "random", params: Settings | None = None,
                errors: ErrorModel | None = None,
                convergence: Convergence | None = None) -> str:
    """The self-contained HTML report of a forecast (see ``statecraft.report``).

    ``seed``, ``method`` and ``params`` are the forecast's, so that the rounds plotted are
    those of its own first samples. With the model's measured ``errors`` the report shows
    calibrated distributions and probabilities beside the inputs' spread, and how
    calibrated those errors are out of sample on the DEU decisions (a PIT histogram).
    ``questions`` default to the bundled set of a bundled scenario (edited or not; as
    ``forecast`` and the bottom line take them): the report shows their probabilities
    and the backtest of the resolved ones, and its bottom line (``api.forecast_bottom_line``)
    scores those same questions, so it never quotes a score the report does not show. It
    says how the samples' runs ended (``convergence``; None: not known, as for a run
    saved before that was kept).
    """
    from statecraft.analysis.backtest import baselines, resolved, score
    from statecraft.analysis.questions import probabilities
    from statecraft.api.bottomline import bundled_questions_for, forecast_bottom_line
    from statecraft.api.convergence import convergence_lines
    from statecraft.api.deals import article_price
    from statecraft.report import plots
    from statecraft.report.build import render

    scenario = loaded.scenario
    if questions is None:
        questions = bundled_questions_for(loaded)
    summary = forecast_summary(scenario, issue_ids, outcomes, errors)
    calibrated = None if errors is None else calibrated_summaries(summary)
    bottom = forecast_bottom_line(
        loaded, model=model, params=params, issue_ids=issue_ids, outcomes=outcomes,
        errors=errors, calibrated=calibrated, convergence=convergence, questions=questions)
    figures = {"distributions": plots.distributions(
        scenario, issue_ids, outcomes,
        calibrated=None if calibrated is None else [dict(c) for c in calibrated])}
    calibration_ctx = None
    if errors is not None:
        from statecraft.calibration.crossval import model_score

        ef = read_error_file()
        oof = model_score(ef.table, model, seed=int(ef.made.get("seed", 0)))
        figures["pit"] = plots.pit_histogram(oof.pit, model)
        calibration_ctx = {"identity": ef.identity, "score": oof.as_dict(),
                           "source": ef.made.get("source", {}), "folds": ef.made.get("folds")}
    if model in HISTORY_MODELS:
        figures["trajectories"] = trajectories_png(
            loaded, model=model, seed=seed, run_samples=int(outcomes.shape[0]),
            samples=history_samples, method=method, params=params)
    asked: tuple[QuestionProbability, ...] = ()
    backtest_ctx = None
    if questions is not None:
        probs = probabilities(questions, issue_ids, outcomes, errors)
        raw = probabilities(questions, issue_ids, outcomes)
        asked = tuple(QuestionProbability.of(p, u) for p, u in zip(probs, raw, strict=True))
        figures["questions"] = plots.question_probabilities(
            [a.id for a in asked], [a.probability for a in asked],
            [a.std_error for a in asked], [a.resolution for a in asked])
        done = [p for p in probs if p.question.resolution is not None]
        if done:
            status_quo = {i.id: i.status_quo for i in scenario.issues}
            said = [bool(p.question.resolution) for p in done]
            mine = score(model, [p.probability for p in done], said)
            plain = [u for p, u in zip(probs, raw, strict=True)
                     if p.question.resolution is not None]
            extra = ([score(f"{model} (uncalibrated)", [u.probability for u in plain], said)]
                     if errors is not None else [])
            backtest_ctx = {"scores": [mine, *extra, *baselines(resolved(questions.questions),
                                                                status_quo)]}
            figures["calibration"] = plots.calibration(mine.calibration, model)
    options = None
    if scenario.options is not None:
        game = options_analysis(loaded)
        options = game.to_dict()
        figures["options"] = plots.options_tree(game.node_dicts())
    from statecraft import __version__

    return render(scenario=scenario, model=model, samples=int(outcomes.shape[0]), seed=seed,
                  version=__version__, summary=[r.to_dict() for r in summary],
                  figures=figures, questions=[a.to_dict() for a in asked], options=options,
                  backtest=backtest_ctx,
                  run_id=run_id, calibration=calibration_ctx, cited=loaded.cited,
                  bottom_line=bottom.as_dict(),
                  convergence=convergence_lines(convergence),
                  price=article_price(loaded))
