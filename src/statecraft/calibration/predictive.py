"""Calibrated predictive distributions: a model's Monte Carlo samples combined with where
real outcomes have landed when the model forecast something similar.

A model's measured error is a set of out-of-sample pairs (forecast ``f_j``, outcome
``y_j``) on decisions with known outcomes. For a forecast ``x``, the predictive
distribution is built from the ``k`` pairs whose forecasts lie nearest ``x`` (a window
of the pairs sorted by forecast; ties go to the lower window):

- mass ``1 / (m + 1)`` on each ``clip(x + s (y_j - x), 0, 100)``, with ``s`` the spread
  (1 by default, so the atoms are the outcomes themselves), and
- mass ``1 / (2 (m + 1))`` on each end of the scale, 0 and 100,

where ``m`` is the window's size: ``k``, widened to take in every pair whose forecast
equals one at the window's edges (tied forecasts are common: a median forecast is an
actor's position).

With ``s = 1`` this is the local outcome distribution "when the model said about ``x``,
this is what happened", the conformal predictive distribution of a sliding-window
Mondrian taxonomy (Vovk et al. 2019) with its smoothing set to one half, and the two
tails the conformal system leaves beyond the extremes placed at the ends of the scale:
an outcome beyond what has been seen stays possible, and on a bounded scale the furthest
it can go is an end. Outcomes at the very ends (common in real decisions: 29% of the DEU
outcomes) stay there rather than being shifted off the end, which is why this fits better
out of sample than residuals added to ``x``: on the DEU folds, residual-based 90%
intervals held 81-85% of the held-out outcomes (randomised at atoms), these hold 87-92%
(``statecraft backtest-deu``). No question about a threshold strictly inside the scale gets
probability 0 or 1; only the scale itself makes ``>= 0`` and ``<= 100`` certain.

Monte Carlo samples ``x_1 .. x_N`` of the inputs' uncertainty get the equal mixture of
their predictive distributions. Probabilities are exact means over samples; quantiles are
exact, and a quantile on a flat stretch of the distribution function is the stretch's
midpoint (as ``numpy.median`` does for an even count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

LOWER, UPPER = 0.0, 100.0
LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
"""The central predictive intervals every summary reports."""


def level_label(level: float) -> str:
    """How an interval's level is named in results: 0.5 -> "50"."""
    return f"{round(level * 100)}"
NEIGHBOURS = 50
"""Pairs per local window (fixed before any score was looked at)."""


@dataclass(frozen=True)
class ErrorModel:
    """A model's measured errors: (forecast, outcome) pairs sorted by forecast, the window
    size ``k`` and the spread ``s`` (see the module docstring)."""

    model: str
    forecast: FloatArray
    outcome: FloatArray
    k: int = NEIGHBOURS
    spread: float = 1.0

    def __post_init__(self) -> None:
        f, y = self.forecast, self.outcome
        if f.ndim != 1 or f.shape != y.shape or f.size == 0:
            raise ValueError("forecast and outcome must be non-empty 1-D arrays of one length")
        if not (np.all(np.isfinite(f)) and np.all(np.isfinite(y))):
            raise ValueError("forecasts and outcomes must be finite")
        if np.any((y < LOWER) | (y > UPPER)):
            raise ValueError(f"outcomes must lie in [{LOWER:g}, {UPPER:g}]")
        if np.any(np.diff(f) < 0):
            raise ValueError("pairs must be sorted by forecast (use ErrorModel.from_pairs)")
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if not self.spread > 0:
            raise ValueError("spread must be > 0")

    @staticmethod
    def from_pairs(model: str, forecast: Sequence[float] | FloatArray,
                   outcome: Sequence[float] | FloatArray, k: int = NEIGHBOURS) -> ErrorModel:
        """The error model of forecast/outcome pairs in any order (sorted stably here)."""
        f = np.asarray(forecast, dtype=float)
        y = np.asarray(outcome, dtype=float)
        if f.shape != y.shape or f.ndim != 1:
            raise ValueError("forecast and outcome must be 1-D arrays of one length")
        order = np.lexsort((y, f))
        return ErrorModel(model, f[order], y[order], k)

    @property
    def window(self) -> int:
        """Pairs per window before ties are taken in: ``k``, or all pairs when fewer."""
        return min(self.k, self.forecast.size)

    def scaled(self, spread: float) -> ErrorModel:
        """The same pairs with another spread (> 1: wider errors)."""
        return ErrorModel(self.model, self.forecast, self.outcome, self.k, spread)

    def window_of(self, x: FloatArray) -> IntArray:
        """The window (its index) of each forecast."""
        f, w = self.forecast, self.window
        mid = 0.5 * (f[: f.size - w] + f[w:])  # window s beats s + 1 while x <= mid[s]
        return np.searchsorted(mid, np.asarray(x, dtype=float), side="left").astype(np.intp)

    @cached_property
    def bounds(self) -> tuple[IntArray, IntArray]:
        """Per window, the first and one-past-last pair: the ``k`` nearest, widened to take
        in every pair whose forecast equals one at the window's edges, so tied forecasts
        are never split (by their outcomes or by their order)."""
        f, w = self.forecast, self.window
        starts = np.arange(f.size - w + 1)
        lo = np.searchsorted(f, f[starts], side="left").astype(np.intp)
        hi = np.searchsorted(f, f[starts + w - 1], side="right").astype(np.intp)
        return lo, hi

    def local_outcomes(self, x: float) -> FloatArray:
        """The outcomes of one forecast's window."""
        s = int(self.window_of(np.array([x]))[0])
        lo, hi = self.bounds
        return self.outcome[lo[s]:hi[s]]


def exceedance(err: ErrorModel, x: FloatArray, op: Literal[">=", "<="],
               threshold: float) -> FloatArray:
    """Per forecast ``x_i``: the predictive probability that ``outcome op threshold``."""
    x = np.asarray(x, dtype=float)
    t = float(threshold)
    if op not in (">=", "<="):
        raise ValueError(f"op must be '>=' or '<='; got {op!r}")
    if (op == ">=" and t <= LOWER) or (op == "<=" and t >= UPPER):
        return np.ones_like(x)
    if (op == ">=" and t > UPPER) or (op == "<=" and t < LOWER):
        return np.zeros_like(x)
    lo, hi = err.bounds
    which = err.window_of(x)
    if err.spread == 1.0:  # one probability per window, looked up per sample
        hit = err.outcome >= t if op == ">=" else err.outcome <= t
        cum = np.concatenate([[0], np.cumsum(hit)])
        per_window = (cum[hi] - cum[lo] + 0.5) / (hi - lo + 1)  # the half: the far tail
        out: FloatArray = per_window[which]
        return out
    res = np.empty_like(x)
    for s in np.unique(which).tolist():
        sel = which == s
        xs = x[sel][:, None]
        atoms = np.clip(xs + err.spread * (err.outcome[lo[s]:hi[s]][None, :] - xs),
                        LOWER, UPPER)
        count = (atoms >= t if op == ">=" else atoms <= t).sum(axis=1)
        res[sel] = (count + 0.5) / (hi[s] - lo[s] + 1)
    return res


def probability(err: ErrorModel, x: FloatArray, op: Literal[">=", "<="],
                threshold: float) -> tuple[float, float]:
    """The calibrated probability of ``outcome op threshold`` over Monte Carlo samples
    ``x``, and its Monte Carlo standard error (the spread of the per-sample
    probabilities over ``sqrt(N)``; the measured errors are taken as given)."""
    h = exceedance(err, np.asarray(x, dtype=float), op, threshold)
    if h.size == 0:
        raise ValueError("no samples")
    return float(h.mean()), float(np.sqrt(h.var() / h.size))


class Mixture:
    """The calibrated predictive distribution of a set of Monte Carlo samples, held as
    sorted atoms with their cumulative weights."""

    def __init__(self, err: ErrorModel, x: FloatArray) -> None:
        x = np.asarray(x, dtype=float).ravel()
        if x.size == 0:
            raise ValueError("no samples")
        lo, hi = err.bounds
        which = err.window_of(x)
        points, weights = [], []
        for s, count in zip(*np.unique(which, return_counts=True), strict=True):
            y = err.outcome[lo[s]:hi[s]]
            size = y.size
            if err.spread == 1.0:  # samples sharing a window share its atoms
                pts = y
                w = np.full(size, count / x.size / (size + 1))
            else:
                xs = x[which == s][:, None]
                pts = np.clip(xs + err.spread * (y[None, :] - xs), LOWER, UPPER).ravel()
                w = np.full(pts.size, 1.0 / x.size / (size + 1))
            points += [pts, np.array([LOWER, UPPER])]
            weights += [w, np.full(2, count / x.size / (2 * (size + 1)))]
        allp = np.concatenate(points)
        allw = np.concatenate(weights)
        order = np.argsort(allp, kind="stable")
        self.points = allp[order]
        self.weights = allw[order]
        self._cum = np.cumsum(self.weights)
        self._cum[-1] = 1.0

    @classmethod
    def of_samples(cls, x: FloatArray) -> Mixture:
        """The plain empirical distribution of samples (uncalibrated: no measured error)."""
        mix = cls.__new__(cls)
        pts = np.sort(np.asarray(x, dtype=float).ravel())
        if pts.size == 0:
            raise ValueError("no samples")
        mix.points = pts
        mix.weights = np.full(pts.size, 1.0 / pts.size)
        mix._cum = np.cumsum(mix.weights)
        mix._cum[-1] = 1.0
        return mix

    def cdf(self, y: FloatArray | float, *, left: bool = False) -> FloatArray:
        """``P(Y <= y)``, or with ``left`` ``P(Y < y)``, for each ``y``."""
        ya = np.atleast_1d(np.asarray(y, dtype=float))
        i = np.searchsorted(self.points, ya, side="left" if left else "right")
        cum = np.concatenate([[0.0], self._cum])
        out: FloatArray = cum[i]
        return out

    def quantile(self, q: Sequence[float] | FloatArray) -> FloatArray:
        """Quantiles; on a flat stretch of the distribution function, its midpoint."""
        qa = np.asarray(q, dtype=float)
        if np.any((qa <= 0) | (qa >= 1)):
            raise ValueError("quantile levels must lie strictly between 0 and 1")
        tol = max(1e-12, 8 * np.finfo(float).eps * self.points.size)  # the sums' rounding
        lower = self.points[np.minimum(np.searchsorted(self._cum, qa - tol, side="left"),
                                       self.points.size - 1)]
        upper = self.points[np.minimum(np.searchsorted(self._cum, qa + tol, side="right"),
                                       self.points.size - 1)]
        out: FloatArray = 0.5 * (lower + upper)
        return out

    def intervals(self) -> dict[str, tuple[float, float]]:
        """The central intervals of ``LEVELS``, keyed "50", "80", "90"."""
        qs = self.quantile([q for a in LEVELS for q in ((1 - a) / 2, (1 + a) / 2)])
        return {level_label(a): (float(qs[2 * i]), float(qs[2 * i + 1]))
                for i, a in enumerate(LEVELS)}

    def histogram(self, bins: int = 10) -> FloatArray:
        """Probability of each of ``bins`` equal bins over 0-100 (the last includes 100)."""
        edges = np.linspace(LOWER, UPPER, bins + 1)
        below = self.cdf(edges[:-1], left=True)
        out: FloatArray = np.diff(np.append(below, 1.0))
        return out

    def pit(self, y: float, u: float) -> float:
        """The randomised probability integral transform of outcome ``y`` with ``u`` in
        [0, 1): ``F(y-) + u (F(y) - F(y-))``; uniform when forecasts are calibrated."""
        lo = float(self.cdf(y, left=True)[0])
        return lo + u * (float(self.cdf(y)[0]) - lo)

    def atoms(self) -> tuple[FloatArray, FloatArray]:
        """Points and weights, for scoring rules."""
        return self.points, self.weights


def summary(err: ErrorModel, x: FloatArray, bins: int = 10) -> dict[str, Any]:
    """Median, the central intervals of ``LEVELS`` and a histogram (probabilities) of the
    calibrated predictive distribution of samples ``x``."""
    mix = Mixture(err, x)
    return {
        "median": float(mix.quantile([0.5])[0]),
        "intervals": {k: list(v) for k, v in mix.intervals().items()},
        "histogram": [float(v) for v in mix.histogram(bins)],
    }


def climatology(outcomes: FloatArray) -> Mixture:
    """The outcomes themselves as the predictive distribution of every case (with the same
    tails as a calibrated forecast): the forecaster that knows nothing of the case."""
    y = np.asarray(outcomes, dtype=float)
    return Mixture(ErrorModel.from_pairs("climatology", np.zeros(y.size), y, y.size),
                   np.zeros(1))
