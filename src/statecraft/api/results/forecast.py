"""A Monte Carlo forecast as a typed result: per issue its distribution, per question its
probability, the bottom line and how the samples' runs ended."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from statecraft.analysis.bottomline import BottomLine
from statecraft.analysis.questions import QuestionSet
from statecraft.api.results.common import (
    ISSUE_COLUMNS,
    QUESTION_COLUMNS,
    FromProvenance,
    IssueSummary,
    Json,
    Provenance,
    QuestionProbability,
    frame,
)
from statecraft.calibration.predictive import ErrorModel
from statecraft.models.trajectory import Convergence
from statecraft.scenario import Loaded
from statecraft.scenario.provenance import Edit
from statecraft.uncertainty.runner import ChunkFailure

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

    from statecraft.api.results.comparison import Comparison


@dataclass(frozen=True)
class Forecast(FromProvenance):
    """A forecast of a scenario over Monte Carlo samples of its ranges.

    ``issues`` holds each issue's summary, ``asked`` each question's probability (the
    bundled or given questions; ``questions()`` asks others of the same samples),
    ``bottom_line`` the forecast in sentences (None when no sample completed, or a chunk
    failed), ``convergence`` how the samples' runs ended (None: not kept). ``run_id`` is
    its id in the run store when it was saved; ``not_saved`` why not, when it was to be
    saved and the store could not take it. ``edited_from`` and ``edits`` say, for an
    edited scenario, what it was made from and each value used that is not the cited one.

    The samples themselves (``outcomes``, completed samples only), the measured errors
    that calibrate them and the scenario are kept (not shown, not compared), so that a
    notebook can ask more questions of them, compare and write the report.
    """

    provenance: Provenance
    run_id: str | None
    completed: int
    failures: tuple[ChunkFailure, ...]
    issues: tuple[IssueSummary, ...]
    asked: tuple[QuestionProbability, ...]
    bottom_line: BottomLine | None
    convergence: Convergence | None
    convergence_lines: tuple[str, ...] = ()
    edited_from: Mapping[str, str] | None = None
    edits: tuple[Edit, ...] | None = None
    loaded: Loaded | None = field(default=None, repr=False, compare=False)
    issue_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)
    outcomes: NDArray[np.float64] | None = field(default=None, repr=False, compare=False)
    errors: ErrorModel | None = field(default=None, repr=False, compare=False)
    question_set: QuestionSet | None = field(default=None, repr=False, compare=False)
    not_saved: str | None = None  # why a forecast given a store was not saved in it

    def issue(self, issue_id: str) -> IssueSummary:
        """One issue's summary, by id (a ``KeyError`` naming the ids there are)."""
        for row in self.issues:
            if row.issue == issue_id:
                return row
        raise KeyError(f"no issue {issue_id!r}; expected one of "
                       + ", ".join(r.issue for r in self.issues))

    def questions(self, questions: QuestionSet | str | Path | None = None
                  ) -> tuple[QuestionProbability, ...]:
        """Each question's probability: those asked with the forecast (``questions``
        None), or those of a question set or file, asked of the same samples (calibrated
        when the forecast is)."""
        if questions is None:
            return self.asked
        from statecraft.analysis.questions import probabilities
        from statecraft.api.loading import load_questions

        if self.loaded is None or self.outcomes is None:
            raise ValueError("this forecast kept no samples to ask questions of")
        qs = (questions if isinstance(questions, QuestionSet)
              else load_questions(questions, self.loaded))
        probs = probabilities(qs, self.issue_ids, self.outcomes, self.errors)
        if self.errors is None:
            return tuple(QuestionProbability.of(p) for p in probs)
        raw = probabilities(qs, self.issue_ids, self.outcomes)
        return tuple(QuestionProbability.of(p, u) for p, u in zip(probs, raw, strict=True))

    def to_frame(self) -> DataFrame:
        """Per issue (rows): status quo, the samples' median, 5% and 95%, the named point
        nearest the median, and the calibrated median and 50% and 90% intervals (empty
        when uncalibrated)."""
        return frame((r.row() for r in self.issues), ISSUE_COLUMNS).set_index("issue")

    def questions_frame(self) -> DataFrame:
        """Per question asked (rows): its probability, standard error and interval."""
        return frame((q.to_dict() for q in self.asked), QUESTION_COLUMNS).set_index("id")

    def samples_frame(self) -> DataFrame:
        """Each completed sample's final position per issue (rows: samples)."""
        import pandas as pd

        if self.outcomes is None:
            raise ValueError("this forecast kept no samples")
        return pd.DataFrame(self.outcomes, columns=list(self.issue_ids))

    def compare(self, other: Forecast) -> Comparison:
        """``other`` against this forecast: each issue's median shift, each question's
        probability shift and the inputs that differ (``api.compare_forecasts``)."""
        from statecraft.api.compare import compare_forecasts

        return compare_forecasts(self, other)

    def report(self, path: str | Path, *, history_samples: int = 200) -> Path:
        """Write the forecast's self-contained HTML report to ``path`` (a new file or one
        to replace, whole or not at all), and return the path."""
        from statecraft.api.reports import forecast_report
        from statecraft.atomic import write_output

        out = Path(path)
        write_output(out, forecast_report(self, history_samples=history_samples))
        return out

    def to_dict(self) -> dict[str, Json]:
        """The JSON of ``statecraft forecast --json`` and the web's ``/api/forecast``."""
        p = self.provenance
        return {"scenario": p.scenario, "model": p.model, "seed": p.seed,
                "samples": p.samples, "method": p.method, "run_id": self.run_id,
                "completed": self.completed,
                "failures": [dict(f.__dict__) for f in self.failures],
                "calibration": None if p.calibration is None else dict(p.calibration),
                "bottom_line": None if self.bottom_line is None
                else self.bottom_line.as_dict(),
                "convergence": None if self.convergence is None
                else self.convergence.as_dict(),
                "convergence_lines": list(self.convergence_lines),
                "issues": [r.to_dict() for r in self.issues],
                "questions": [q.to_dict() for q in self.asked],
                "edited_from": None if self.edited_from is None else dict(self.edited_from),
                "edits": None if self.edits is None else [e.as_dict() for e in self.edits],
                "not_saved": self.not_saved,
                "version": p.version, "provenance": p.to_dict()}
