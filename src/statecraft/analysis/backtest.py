"""Scoring probability forecasts of resolved questions, beside two baselines.

- Brier score: the mean of ``(p - o)^2`` over questions, ``o`` 1 if the question resolved
  true, else 0 (lower is better; 0.25 is what always saying 0.5 scores).
- Log score: the mean of ``ln(p)`` for questions that resolved true and ``ln(1 - p)``
  for those that resolved false (higher is better, 0 is perfect). Probabilities are
  clipped to ``[LOG_CLIP, 1 - LOG_CLIP]`` first, so a confident miss costs ``ln(LOG_CLIP)``
  rather than minus infinity; a Monte Carlo share of 0 or 1 only says "fewer than one
  sample in n", not "impossible".
- Calibration: questions grouped by forecast probability into ``bins`` equal bins; per
  bin, how many questions, their mean forecast and the share that resolved true.
- Baselines, on the same questions: ``always 0.5``; and ``status quo``: the question is
  forecast true with probability 1 if the issue's status quo already meets it, else 0
  (nothing changes).
- Numeric scores: the mean absolute error of a point forecast against observed final
  positions, beside the status quo's, as the literature on EU decision making reports it;
  for forecast distributions also the CRPS (continuous ranked probability score, on the
  0-100 scale; lower is better; a point forecast's is its absolute error) and the share
  of observations inside the 50%, 80% and 90% central intervals. A distribution's point
  forecast is its own median: a calibrated forecast's is the median of the calibrated
  predictive mixture, an uncalibrated one's the median of the samples; each score says
  which (``NumericScore.point``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from statecraft.analysis.questions import Question
from statecraft.calibration.crossval import closed_coverage, crps
from statecraft.calibration.predictive import ErrorModel, Mixture

LOG_CLIP = 0.01


@dataclass(frozen=True)
class CalibrationBin:
    """One bin of a calibration table."""

    low: float
    high: float
    count: int
    mean_forecast: float | None
    observed: float | None


@dataclass(frozen=True)
class ProbabilityScore:
    """Brier and log scores of one forecaster over the same resolved questions."""

    name: str
    questions: int
    brier: float
    log: float
    calibration: tuple[CalibrationBin, ...]


def resolved(questions: Sequence[Question]) -> list[Question]:
    """The questions that have a resolution."""
    return [q for q in questions if q.resolution is not None]


def brier(p: NDArray[np.float64], o: NDArray[np.bool_]) -> float:
    """Mean squared difference between forecast probabilities and outcomes (0 or 1)."""
    return float(np.mean(np.square(p - o.astype(float))))


def log_score(p: NDArray[np.float64], o: NDArray[np.bool_]) -> float:
    """Mean log probability given to what happened, after clipping (see the docstring)."""
    q = np.clip(p, LOG_CLIP, 1 - LOG_CLIP)
    return float(np.mean(np.where(o, np.log(q), np.log1p(-q))))


def calibration(p: NDArray[np.float64], o: NDArray[np.bool_],
                bins: int = 5) -> tuple[CalibrationBin, ...]:
    """Questions binned by forecast probability (the last bin includes 1)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.minimum(np.searchsorted(edges, p, side="right") - 1, bins - 1)
    out = []
    for b in range(bins):
        sel = which == b
        n = int(sel.sum())
        out.append(CalibrationBin(float(edges[b]), float(edges[b + 1]), n,
                                  float(p[sel].mean()) if n else None,
                                  float(o[sel].mean()) if n else None))
    return tuple(out)


def score(name: str, p: Sequence[float], o: Sequence[bool], bins: int = 5) -> ProbabilityScore:
    """All probability scores of one forecaster."""
    pa = np.asarray(p, dtype=float)
    oa = np.asarray(o, dtype=bool)
    if pa.shape != oa.shape or pa.size == 0:
        raise ValueError("need one probability per resolved question, and at least one")
    if np.any((pa < 0) | (pa > 1) | ~np.isfinite(pa)):
        raise ValueError("probabilities must lie in [0, 1]")
    return ProbabilityScore(name, int(pa.size), brier(pa, oa), log_score(pa, oa),
                            calibration(pa, oa, bins))


def baselines(questions: Sequence[Question], status_quo: Mapping[str, float],
              bins: int = 5) -> list[ProbabilityScore]:
    """The two reference forecasters on the resolved questions."""
    qs = resolved(questions)
    o = [bool(q.resolution) for q in qs]
    half = score("always 0.5", [0.5] * len(qs), o, bins)
    sq = [float(q.holds(np.asarray(status_quo[q.issue]))) for q in qs]
    return [half, score("status quo", sq, o, bins)]


CALIBRATED_MEDIAN = "calibrated median"
"""The point forecast of a calibrated row: the median of the calibrated predictive mixture."""
SAMPLE_MEDIAN = "sample median"
"""The point forecast of an uncalibrated row: the median of the Monte Carlo samples."""
STATUS_QUO = "status quo"
CLIMATOLOGY_MEDIAN = "DEU median"
"""Climatology's point forecast: the median of every decided DEU issue's outcome."""


@dataclass(frozen=True)
class NumericScore:
    """Mean absolute error of point forecasts against observed positions; for a forecast
    distribution also its mean CRPS and how many observations its central intervals hold
    (closed intervals, per level "50", "80", "90"). ``point`` says what the point forecast
    is (e.g. ``CALIBRATED_MEDIAN``), ``forecasts`` gives it per issue."""

    name: str
    issues: int
    mae: float
    errors: dict[str, float]
    crps: float | None = None
    coverage: dict[str, float] | None = None
    point: str = ""
    forecasts: dict[str, float] | None = None


def numeric_score(name: str, forecast: Mapping[str, float],
                  observed: Mapping[str, float],
                  distributions: Mapping[str, Mixture] | None = None,
                  point: str = "") -> NumericScore:
    """MAE over the issues that have an observation; with a predictive distribution per
    issue, its CRPS and interval coverage too. A point forecast's CRPS is its MAE."""
    ids = [i for i in observed if i in forecast]
    if not ids:
        raise ValueError("no issue has both a forecast and an observed position")
    errors = {i: abs(forecast[i] - observed[i]) for i in ids}
    mae = float(np.mean(list(errors.values())))
    said = {i: float(forecast[i]) for i in ids}
    if distributions is None:
        return NumericScore(name, len(ids), mae, errors, mae, None, point, said)
    mixes = [distributions[i] for i in ids]
    ys = [observed[i] for i in ids]
    return NumericScore(name, len(ids), mae, errors,
                        float(np.mean([crps(m, y) for m, y in zip(mixes, ys, strict=True)])),
                        closed_coverage(mixes, ys), point, said)


def median_of(mix: Mixture) -> float:
    """A predictive distribution's median (the midpoint of a flat stretch at one half)."""
    return float(mix.quantile([0.5])[0])


def distribution_scores(name: str, issue_ids: Sequence[str], outcomes: NDArray[np.float64],
                        observed: Mapping[str, float],
                        errors: ErrorModel | None) -> NumericScore:
    """A model's numeric scores from its samples (rows of ``outcomes``, a column per issue):
    calibrated by ``errors``, the calibrated predictive mixture and its median; without,
    the samples themselves and their median."""
    asked = [(k, i) for k, i in enumerate(issue_ids) if i in observed]
    if errors is None:
        mixes = {i: Mixture.of_samples(outcomes[:, k]) for k, i in asked}
        point = {i: float(np.median(outcomes[:, k])) for k, i in asked}
        return numeric_score(name, point, observed, mixes, SAMPLE_MEDIAN)
    mixes = {i: Mixture(errors, outcomes[:, k]) for k, i in asked}
    return numeric_score(name, {i: median_of(m) for i, m in mixes.items()}, observed, mixes,
                         CALIBRATED_MEDIAN)
