"""A backtest as a typed result: each resolved question's forecasts beside how it
resolved, and the scores of the models and the baselines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from statecraft.analysis.backtest import NumericScore, ProbabilityScore
from statecraft.api.results.common import FromProvenance, Json, Provenance, frame

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]


@dataclass(frozen=True)
class BacktestQuestion:
    """One resolved question: how it resolved, whether the status quo meets it (1 or 0),
    and each model's probability, calibrated (``p``; None when scored uncalibrated only)
    and on the inputs' spread alone (``p_uncalibrated``)."""

    id: str
    issue: str
    condition: str
    resolution: bool
    status_quo: float
    p: Mapping[str, float | None]
    p_uncalibrated: Mapping[str, float]

    def to_dict(self) -> dict[str, Json]:
        return {"id": self.id, "issue": self.issue, "condition": self.condition,
                "resolution": self.resolution, "status_quo": self.status_quo,
                "p": dict(self.p), "p_uncalibrated": dict(self.p_uncalibrated)}


def _score(s: ProbabilityScore) -> dict[str, Json]:
    return {"name": s.name, "questions": s.questions, "brier": s.brier, "log": s.log,
            "calibration": [dict(b.__dict__) for b in s.calibration]}


@dataclass(frozen=True)
class Backtest(FromProvenance):
    """Scores of each model's question probabilities (and point forecasts) beside
    baselines: ``scores`` are the models' (calibrated, then uncalibrated), then the
    baselines'; ``numeric`` (empty without observed positions) scores point forecasts
    and distributions against observed positions."""

    provenance: Provenance
    models: tuple[str, ...]
    questions: tuple[BacktestQuestion, ...]
    scores: tuple[ProbabilityScore, ...]
    numeric: tuple[NumericScore, ...]

    def to_frame(self) -> DataFrame:
        """Per resolved question (rows): how it resolved, the status quo's answer, and each
        model's probability, calibrated (``p[model]``) and not (``p_uncalibrated[model]``)."""
        rows = []
        for q in self.questions:
            row: dict[str, Json] = {"id": q.id, "issue": q.issue, "condition": q.condition,
                                    "resolution": q.resolution, "status_quo": q.status_quo}
            for m in self.models:
                row[f"p[{m}]"] = q.p.get(m)
                row[f"p_uncalibrated[{m}]"] = q.p_uncalibrated.get(m)
            rows.append(row)
        columns = ["id", "issue", "condition", "resolution", "status_quo",
                   *(f"{k}[{m}]" for m in self.models for k in ("p", "p_uncalibrated"))]
        return frame(rows, columns).set_index("id")

    def scores_frame(self) -> DataFrame:
        """Per forecaster (rows): questions scored, Brier score and log score."""
        return frame(({"forecaster": s.name, "questions": s.questions, "brier": s.brier,
                       "log": s.log} for s in self.scores),
                     ("forecaster", "questions", "brier", "log")).set_index("forecaster")

    def numeric_frame(self) -> DataFrame:
        """Per forecaster of observed positions (rows): MAE, CRPS and interval coverage."""
        rows = [{"forecaster": n.name, "point": n.point, "issues": n.issues, "mae": n.mae,
                 "crps": n.crps,
                 **{f"in_{k}": (n.coverage or {}).get(k) for k in ("50", "80", "90")}}
                for n in self.numeric]
        return frame(rows, ("forecaster", "point", "issues", "mae", "crps", "in_50",
                            "in_80", "in_90")).set_index("forecaster")

    def to_dict(self) -> dict[str, Json]:
        """The JSON of ``statecraft backtest --json``."""
        p = self.provenance
        return {"scenario": p.scenario, "samples": p.samples, "seed": p.seed,
                "calibration": None if p.calibration is None else dict(p.calibration),
                "questions": [q.to_dict() for q in self.questions],
                "scores": [_score(s) for s in self.scores],
                "numeric": [dict(n.__dict__) for n in self.numeric],
                "version": p.version, "provenance": p.to_dict()}
