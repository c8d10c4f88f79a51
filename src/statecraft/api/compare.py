"""Two saved runs side by side: what changed in their inputs, and what it did to each
issue's forecast distribution and each question's probability.

Runs of different scenarios compare as far as they can: the actors and issues only one
has are listed as such, inputs and distributions are compared on those both have, and a
question set is asked only when it applies to both runs (every issue it names is in
both); when it does not, ``questions_note`` says why in one line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from statecraft.analysis.compare import Difference, differences, input_differences, only_in
from statecraft.analysis.questions import QuestionSet
from statecraft.api.loading import bundled_questions_dir, load_questions
from statecraft.api.reports import forecast_summary, stored_errors
from statecraft.api.running import model_settings
from statecraft.api.stored import StoredRun, load_run
from statecraft.scenario import ScenarioError
from statecraft.store import RunStore


@dataclass(frozen=True)
class Comparison:
    """Run ``b`` against run ``a``: per issue both summaries and the shift of the median
    (calibrated where both runs are), per question both probabilities and the shift."""

    a: str
    b: str
    settings: tuple[Difference, ...]
    inputs: tuple[Difference, ...]
    only_in_a: tuple[str, ...]  # issues
    only_in_b: tuple[str, ...]
    issues: tuple[dict[str, Any], ...]
    questions: tuple[dict[str, Any], ...] = field(default=())
    actors_only_in_a: tuple[str, ...] = field(default=())
    actors_only_in_b: tuple[str, ...] = field(default=())
    questions_note: str = ""  # why no question is compared, when a set did not apply
    samples_a: int = 0  # the samples each run's distributions are made of
    samples_b: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b,
                "settings": [d.as_dict() for d in self.settings],
                "inputs": [d.as_dict() for d in self.inputs],
                "only_in_a": list(self.only_in_a), "only_in_b": list(self.only_in_b),
                "actors_only_in_a": list(self.actors_only_in_a),
                "actors_only_in_b": list(self.actors_only_in_b),
                "issues": list(self.issues), "questions": list(self.questions),
                "questions_note": self.questions_note,
                "samples_a": self.samples_a, "samples_b": self.samples_b}


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


def _settings(run: StoredRun) -> dict[str, Any]:
    rec = run.record
    try:  # by today's names, defaults left out: a run saved under older names compares alike
        params = model_settings(rec.model, rec.params)
    except ValueError:
        params = dict(rec.params)
    return {"scenario": rec.scenario_name, "model": rec.model, "params": params,
            "seed": rec.seed, "samples": rec.samples, "method": rec.method,
            "calibration": rec.calibration}


def compare_runs(store: RunStore, a: str, b: str,
                 questions: QuestionSet | None = None) -> Comparison:
    """Compare two complete runs of the store (ids or unambiguous prefixes)."""
    from statecraft.analysis.questions import probabilities

    ra, rb = load_run(store, a), load_run(store, b)
    sa, sb = ra.loaded.scenario, rb.loaded.scenario
    ea, eb = stored_errors(ra), stored_errors(rb)
    both_calibrated = ea is not None and eb is not None
    if not both_calibrated:  # one calibrated and one not would not compare like with like
        ea = eb = None
    rows_a = {r["issue"]: r for r in forecast_summary(sa, ra.issue_ids, ra.outcomes, ea)}
    rows_b = {r["issue"]: r for r in forecast_summary(sb, rb.issue_ids, rb.outcomes, eb)}
    issues = []
    for issue in (i for i in ra.issue_ids if i in rows_b):
        x, y = rows_a[issue], rows_b[issue]
        ma = x["calibrated"]["median"] if both_calibrated else x["median"]
        mb = y["calibrated"]["median"] if both_calibrated else y["median"]
        issues.append({"issue": issue, "question": x["question"], "a": x, "b": y,
                       "median_a": ma, "median_b": mb, "shift": mb - ma,
                       "calibrated": both_calibrated})
    qs, bundled = (questions, "") if questions is not None else _bundled_questions(ra)
    asked: list[dict[str, Any]] = []
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
            asked = [{"id": x.question.id, "text": x.question.text,
                      "condition": x.question.condition, "a": x.probability,
                      "b": y.probability, "shift": y.probability - x.probability,
                      "std_error": float(np.hypot(x.std_error, y.std_error))}
                     for x, y in zip(pa, pb, strict=True)]
    actors_a, actors_b, issues_a, issues_b = only_in(sa, sb)
    return Comparison(
        ra.run_id, rb.run_id,
        tuple(differences(_settings(ra), _settings(rb))),
        tuple(input_differences(sa, sb)),
        tuple(issues_a), tuple(issues_b), tuple(issues), tuple(asked),
        tuple(actors_a), tuple(actors_b), note, int(ra.outcomes.shape[0]),
        int(rb.outcomes.shape[0]))


def _missing(qs: QuestionSet, issue_ids: tuple[str, ...]) -> list[str]:
    """The issues the questions ask about that a run lacks, each once, in question order."""
    return list(dict.fromkeys(q.issue for q in qs.questions if q.issue not in issue_ids))
