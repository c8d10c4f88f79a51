"""Two saved runs side by side: what changed in their inputs, and what it did to each
issue's forecast distribution and each question's probability.

Runs of different scenarios compare as far as they can: the actors and issues only one
has are listed as such, inputs and distributions are compared on those both have, and a
question set is asked only when it applies to both runs (every issue it names is in
both); when it does not, ``questions_note`` says why in one line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from statecraft.analysis.compare import differences, input_differences, only_in
from statecraft.analysis.questions import QuestionSet
from statecraft.api.loading import bundled_questions_dir, load_questions
from statecraft.api.reports import forecast_summary, stored_errors
from statecraft.api.results.common import Provenance, QuestionProbability
from statecraft.api.results.comparison import Comparison, IssueShift, QuestionShift
from statecraft.api.results.forecast import Forecast
from statecraft.api.running import model_settings
from statecraft.api.stored import StoredRun, load_run
from statecraft.calibration.predictive import ErrorModel
from statecraft.scenario import Loaded, ScenarioError
from statecraft.store import RunStore


def _bundled_questions(run: StoredRun) -> tuple[QuestionSet | None, str]:
    """The bundled question set named like the run's scenario file (or the file an edited
    scenario was edited from), if it fits it, and that file's name."""
    edited = run.record.edited_from or {}
    scenario_path = run.record.scenario_path or edited.get("path")
    if not scenario_path:
        return None, ""
    path = bundled_questions_dir() / Path(str(scenario_path)).name
    if not path.is_file():
        return None, ""
    try:
        return load_questions(path, run.loaded), path.name
    except ScenarioError:
        return None, ""


@dataclass(frozen=True)
class _Side:
    """One forecast to compare: its label (a run's id), scenario, samples, errors (None:
    uncalibrated) and what produced it (``_settings``)."""

    label: str
    loaded: Loaded
    issue_ids: tuple[str, ...]
    outcomes: np.ndarray
    errors: ErrorModel | None
    settings: dict[str, object]
    model: str


def _settings(run: StoredRun) -> dict[str, object]:
    rec = run.record
    try:  # by today's names, defaults left out: a run saved under older names compares alike
        params = model_settings(rec.model, rec.params)
    except ValueError:
        params = dict(rec.params)
    return {"scenario": rec.scenario_name, "model": rec.model, "params": params,
            "seed": rec.seed, "samples": rec.samples, "method": rec.method,
            "calibration": rec.calibration}


def _stored_side(run: StoredRun) -> _Side:
    return _Side(run.run_id, run.loaded, run.issue_ids, run.outcomes, stored_errors(run),
                 _settings(run), run.model)


def compare_runs(store: RunStore, a: str, b: str,
                 questions: QuestionSet | None = None) -> Comparison:
    """Compare two complete runs of the store (ids or unambiguous prefixes)."""
    ra, rb = load_run(store, a), load_run(store, b)
    qs, bundled = (questions, "") if questions is not None else _bundled_questions(ra)
    return _compare(_stored_side(ra), _stored_side(rb), qs, bundled)


def _forecast_side(fc: Forecast, label: str) -> _Side:
    if fc.loaded is None or fc.outcomes is None:
        raise ValueError(f"forecast {label} kept no samples to compare")
    p = fc.provenance
    model = p.models[0]
    calibration = None if p.calibration is None else dict(p.calibration)
    return _Side(fc.run_id or label, fc.loaded, fc.issue_ids, fc.outcomes, fc.errors,
                 {"scenario": p.scenario, "model": model,
                  "params": dict(p.settings.get(model, {})), "seed": p.seed,
                  "samples": p.samples, "method": p.method, "calibration": calibration},
                 model)


def compare_forecasts(a: Forecast, b: Forecast, questions: QuestionSet | None = None
                      ) -> Comparison:
    """Compare two forecasts made here (saved or not), as ``compare_runs`` compares saved
    runs: by default on the bundled questions of ``a``'s scenario (those it was asked, when
    it is not bundled, if they apply to ``b``)."""
    sa, sb = _forecast_side(a, "a"), _forecast_side(b, "b")
    bundled = ""
    if questions is None:
        from statecraft.api.bottomline import bundled_questions_for

        questions = bundled_questions_for(sa.loaded)
        where = sa.loaded.path or (sa.loaded.cited.path if sa.loaded.cited else None)
        bundled = Path(where).name if questions is not None and where else ""
    return _compare(sa, sb, questions, bundled)


def _compare(ra: _Side, rb: _Side, qs: QuestionSet | None, bundled: str) -> Comparison:
    """``rb`` against ``ra``: see ``compare_runs``."""
    from statecraft.analysis.questions import probabilities

    sa, sb = ra.loaded.scenario, rb.loaded.scenario
    ea, eb = ra.errors, rb.errors
    both_calibrated = ea is not None and eb is not None
    if not both_calibrated:  # one calibrated and one not would not compare like with like
        ea = eb = None
    rows_a = {r.issue: r for r in forecast_summary(sa, ra.issue_ids, ra.outcomes, ea)}
    rows_b = {r.issue: r for r in forecast_summary(sb, rb.issue_ids, rb.outcomes, eb)}
    issues = tuple(IssueShift(issue, rows_a[issue].question, rows_a[issue], rows_b[issue],
                              both_calibrated)
                   for issue in ra.issue_ids if issue in rows_b)
    asked: tuple[QuestionShift, ...] = ()
    note = ""
    if qs is not None:
        lacking = {"a": _missing(qs, ra.issue_ids), "b": _missing(qs, rb.issue_ids)}
        if lacking["a"] or lacking["b"]:
            what = (f"the bundled questions of run a's scenario ({bundled})" if bundled
                    else "the questions given")
            side = "a" if lacking["a"] else "b"
            note = (f"no question compared: {what} ask about issues run {side} does not "
                    f"have ({', '.join(lacking[side])})")
        else:
            pa = probabilities(qs, ra.issue_ids, ra.outcomes, ea)
            pb = probabilities(qs, rb.issue_ids, rb.outcomes, eb)
            asked = tuple(QuestionShift(QuestionProbability.of(x), QuestionProbability.of(y))
                          for x, y in zip(pa, pb, strict=True))
    actors_a, actors_b, issues_a, issues_b = only_in(sa, sb)
    identity = ra.settings["calibration"] if both_calibrated else None
    provenance = Provenance.now(
        "compare", sa.name, tuple(dict.fromkeys((ra.model, rb.model))),
        seed=None, samples=int(ra.outcomes.shape[0]) + int(rb.outcomes.shape[0]),
        calibration=identity if isinstance(identity, dict) else None)
    return Comparison(
        ra.label, rb.label,
        tuple(differences(ra.settings, rb.settings)),
        tuple(input_differences(sa, sb)),
        tuple(issues_a), tuple(issues_b), issues, asked,
        tuple(actors_a), tuple(actors_b), note, int(ra.outcomes.shape[0]),
        int(rb.outcomes.shape[0]), provenance)


def _missing(qs: QuestionSet, issue_ids: tuple[str, ...]) -> list[str]:
    """The issues the questions ask about that a run lacks, each once, in question order."""
    return list(dict.fromkeys(q.issue for q in qs.questions if q.issue not in issue_ids))
