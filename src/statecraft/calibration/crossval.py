"""Out-of-fold forecasts and proper scores on decisions with known outcomes.

Input: a table of component forecasts per decided issue (every model's forecast, the
status quo and the procedural components of ``statecraft.models.ensemble``), the
outcomes, and each issue's fold (``statecraft.calibration.folds``). Everything that is
fitted (the ensemble's weights, the error distributions that calibrate a forecast) is
fitted on the other folds only:

- a model with nothing to fit forecasts every issue as it is;
- the ensemble's weights for fold k are fitted on the folds other than k; the pairs that
  calibrate it on fold k come from a nested split (for each other fold j, weights fitted
  without k and j predict j), so no outcome of fold k, nor an in-sample fit, shapes them;
- a model's calibrated predictive distribution on fold k uses (forecast, outcome) pairs
  from the other folds only.

Scores per model: the point forecast's mean absolute error, the calibrated distribution's
CRPS (``scoringrules``), the coverage of its 50%, 80% and 90% central intervals, and its
randomised PIT values. Baselines: the status quo (a point forecast, where known: its CRPS
is its absolute error) and climatology (the outcomes of the fitting folds, with the same
tail treatment as a calibrated forecast).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from statecraft.calibration.predictive import (
    LEVELS,
    LOWER,
    NEIGHBOURS,
    UPPER,
    ErrorModel,
    Mixture,
    climatology,
    level_label,
)
from statecraft.calibration.stacking import l1_simplex_weights
from statecraft.models.ensemble import ROLES
from statecraft.models.registry import measured

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

BASE_MODELS: tuple[str, ...] = measured()
"""The models whose own forecasts are scored (``statecraft.models.registry``)."""
ENSEMBLES: dict[str, tuple[str, ...]] = {
    "ensemble": ("compromise", "median", "eum", "smp", "status_quo", "agenda_setter",
                 "co_legislator"),
    "ensemble (models and status quo only)": ("compromise", "median", "eum", "smp",
                                              "exchange", "status_quo"),
    "ensemble (with exchange)": ("compromise", "median", "eum", "smp", "exchange",
                                 "status_quo", "agenda_setter", "co_legislator"),
}
"""The stacked ensembles scored: the first is ``--model ensemble``; the others are the
rest of the grid, reported beside it and never chosen by their scores.

The exchange model, offered to the first as a candidate, made it worse out of fold on
the DEU decisions (MAE 22.57 against 22.32 without it, CRPS 16.73 against 16.63; its
weights fitted on nine folds do not carry to the tenth), and the first no longer beat
the compromise model's MAE; so ``--model ensemble`` stacks the models it stacked before,
and ``ensemble (with exchange)`` shows what adding it would give."""



@dataclass(frozen=True)
class Table:
    """Component forecasts of the decided issues, with outcomes and folds."""

    issue_ids: tuple[str, ...]
    names: tuple[str, ...]
    components: FloatArray  # (issues, names)
    outcome: FloatArray  # (issues,)
    fold: IntArray  # (issues,)
    status_quo_known: NDArray[np.bool_]  # (issues,)

    def column(self, name: str) -> FloatArray:
        """One component's forecasts."""
        return self.components[:, self.names.index(name)]

    @property
    def folds(self) -> int:
        return int(self.fold.max()) + 1


@dataclass(frozen=True)
class ModelScore:
    """One forecaster's out-of-fold scores."""

    name: str
    issues: int
    mae: float
    crps: float | None
    coverage: dict[str, float]  # level ("50", "80", "90") -> share inside (randomised)
    coverage_closed: dict[str, float]  # the same for the closed interval [low, high]
    pit: tuple[float, ...] = field(default=(), repr=False)
    weights: dict[str, float] | None = None  # an ensemble's weights fitted on all issues

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (PIT values left out)."""
        return {"name": self.name, "issues": self.issues, "mae": self.mae, "crps": self.crps,
                "coverage": self.coverage, "coverage_closed": self.coverage_closed,
                "weights": self.weights}


def ensemble_forecasts(table: Table, names: Sequence[str]) -> tuple[FloatArray,
                                                                    list[FloatArray]]:
    """Out-of-fold ensemble forecasts, and per fold the weights fitted without it."""
    cols = [table.names.index(n) for n in names]
    f = table.components[:, cols]
    out = np.empty(len(table.issue_ids))
    weights = []
    for k in range(table.folds):
        test = table.fold == k
        w = l1_simplex_weights(f[~test], table.outcome[~test])
        out[test] = f[test] @ w
        weights.append(w)
    return np.clip(out, LOWER, UPPER), weights


def _nested_ensemble(table: Table, names: Sequence[str], outer: int) -> FloatArray:
    """Forecasts of the issues outside fold ``outer``, each by weights fitted on neither
    ``outer`` nor its own fold."""
    cols = [table.names.index(n) for n in names]
    f = table.components[:, cols]
    out = np.full(len(table.issue_ids), np.nan)
    for j in range(table.folds):
        if j == outer:
            continue
        fit = (table.fold != outer) & (table.fold != j)
        w = l1_simplex_weights(f[fit], table.outcome[fit])
        out[table.fold == j] = np.clip(f[table.fold == j] @ w, LOWER, UPPER)
    return out


def oof_forecasts(table: Table) -> dict[str, FloatArray]:
    """Every scored model's out-of-fold point forecasts."""
    out = {m: np.clip(table.column(m), LOWER, UPPER) for m in BASE_MODELS if m in table.names}
    for name, parts in ENSEMBLES.items():
        out[name] = ensemble_forecasts(table, parts)[0]
    return out


def runtime_forecasts(table: Table) -> dict[str, FloatArray]:
    """Out-of-fold forecasts of each model as it runs on a scenario: the base models as
    they are; the ensemble with each fold's weights but without the roles a scenario does
    not name (the compromise forecast standing in for them, as ``models.ensemble`` does),
    so its measured errors are those of what ``--model ensemble`` computes."""
    out = {m: f for m, f in oof_forecasts(table).items() if m in BASE_MODELS}
    parts = ENSEMBLES["ensemble"]
    plain = table.components.copy()
    for role in ROLES:
        plain[:, table.names.index(role)] = table.column("compromise")
    cols = [table.names.index(n) for n in parts]
    f = np.empty(len(table.issue_ids))
    for k, w in enumerate(ensemble_forecasts(table, parts)[1]):
        test = table.fold == k
        f[test] = plain[test][:, cols] @ w
    out["ensemble"] = np.clip(f, LOWER, UPPER)
    return out


def error_model(name: str, forecast: FloatArray, outcome: FloatArray) -> ErrorModel:
    """The error model of forecast/outcome pairs, as everywhere in statecraft."""
    return ErrorModel.from_pairs(name, forecast, outcome, NEIGHBOURS)


def crps(mix: Mixture, y: float) -> float:
    """The continuous ranked probability score of a predictive distribution at outcome
    ``y`` (``scoringrules``' exact quantile-decomposition form for weighted atoms)."""
    import scoringrules as sr

    points, weights = mix.atoms()
    value = sr.crps_ensemble(np.array([float(y)]), points[None, :], ens_w=weights[None, :],
                             estimator="qd", sorted_ensemble=True, backend="numpy")
    return float(np.asarray(value)[0])


def _score_distributions(name: str, mixtures: Sequence[Mixture], point: FloatArray,
                         outcome: FloatArray, rng: np.random.Generator) -> ModelScore:
    scores, pit = [], []
    for mix, y in zip(mixtures, outcome, strict=True):
        scores.append(crps(mix, float(y)))
        pit.append(mix.pit(float(y), float(rng.random())))
    return ModelScore(name, len(outcome), float(np.mean(np.abs(point - outcome))),
                      float(np.mean(scores)), pit_coverage(np.asarray(pit)),
                      closed_coverage(mixtures, outcome), tuple(pit))


def closed_coverage(mixtures: Sequence[Mixture], outcome: Sequence[float] | FloatArray
                    ) -> dict[str, float]:
    """Per level, the share of outcomes inside their distribution's closed central
    interval [low, high] (at least the nominal share in expectation where there are
    atoms)."""
    inside = dict.fromkeys((level_label(a) for a in LEVELS), 0)
    for mix, y in zip(mixtures, outcome, strict=True):
        for label, (lo, hi) in mix.intervals().items():
            inside[label] += int(lo <= y <= hi)
    return {k: v / len(mixtures) for k, v in inside.items()}


def pit_coverage(pit: FloatArray) -> dict[str, float]:
    """Per level a, the share of randomised PIT values in [(1 - a) / 2, (1 + a) / 2]: the
    coverage of the central a-interval, randomised where the distribution has atoms (an
    outcome at an atom counts in part), so a calibrated forecaster's is a exactly in
    expectation (Czado, Gneiting and Held 2009)."""
    return {level_label(a): float(np.mean((pit >= (1 - a) / 2) & (pit <= (1 + a) / 2)))
            for a in LEVELS}


def model_score(table: Table, name: str, *, seed: int = 0) -> ModelScore:
    """Out-of-fold scores (with PIT values) of one model or ensemble."""
    return next(s for s in score_table(table, seed=seed, only=name) if s.name == name)


def score_table(table: Table, *, seed: int = 0, only: str | None = None) -> list[ModelScore]:
    """Out-of-fold scores of every model and ensemble, then the two baselines.

    ``seed`` drives only the randomised PIT values (a calibrated forecaster's are uniform);
    each forecaster draws from its own generator, so its values do not depend on which
    others are scored.
    """
    forecasts = oof_forecasts(table)
    if only is not None:
        if only not in forecasts:
            raise ValueError(f"no out-of-fold forecasts for {only!r}; expected one of "
                             + ", ".join(forecasts))
        forecasts = {only: forecasts[only]}
    y = table.outcome
    scores = []
    for name, f in forecasts.items():
        mixtures: list[Mixture | None] = [None] * len(y)
        for k in range(table.folds):
            test = np.flatnonzero(table.fold == k)
            fit = table.fold != k
            if name in ENSEMBLES:
                nested = _nested_ensemble(table, ENSEMBLES[name], k)
                err = error_model(name, nested[fit], y[fit])
            else:
                err = error_model(name, f[fit], y[fit])
            for i in test:
                mixtures[i] = Mixture(err, f[i:i + 1])
        sc = _score_distributions(name, [m for m in mixtures if m is not None], f, y,
                                  _rng(seed, name))
        if name in ENSEMBLES:
            cols = [table.names.index(n) for n in ENSEMBLES[name]]
            w = l1_simplex_weights(table.components[:, cols], y)
            sc = ModelScore(sc.name, sc.issues, sc.mae, sc.crps, sc.coverage,
                            sc.coverage_closed, sc.pit,
                            dict(zip(ENSEMBLES[name], w.tolist(), strict=True)))
        scores.append(sc)
    if only is None:
        scores.append(_climatology(table, _rng(seed, "climatology")))
        scores.append(_status_quo(table))
    return scores


def _rng(seed: int, name: str) -> np.random.Generator:
    """The PIT draws of one forecaster: its own stream of the seed."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _climatology(table: Table, rng: np.random.Generator) -> ModelScore:
    y = table.outcome
    mixtures: list[Mixture | None] = [None] * len(y)
    point = np.empty(len(y))
    for k in range(table.folds):
        fit = table.fold != k
        mix = climatology(y[fit])
        med = float(mix.quantile([0.5])[0])
        for i in np.flatnonzero(~fit):
            mixtures[i] = mix
            point[i] = med
    return _score_distributions("climatology", [m for m in mixtures if m is not None], point,
                                y, rng)


def _status_quo(table: Table) -> ModelScore:
    known = table.status_quo_known
    sq = table.column("status_quo")[known]
    y = table.outcome[known]
    err = np.abs(sq - y)
    hit = {level_label(a): float(np.mean(err == 0)) for a in LEVELS}
    return ModelScore("status quo", int(known.sum()), float(err.mean()), float(err.mean()),
                      hit, hit)


def paired_difference(a: FloatArray, b: FloatArray, *, seed: int = 0,
                      reps: int = 2000) -> dict[str, float]:
    """Mean of ``a - b`` with a 90% bootstrap interval (issues resampled)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, d.size, size=(reps, d.size))].mean(axis=1)
    return {"mean": float(d.mean()), "low": float(np.quantile(means, 0.05)),
            "high": float(np.quantile(means, 0.95))}


def full_fit_weights(table: Table, name: str = "ensemble") -> dict[str, float]:
    """An ensemble's weights fitted on every issue: the weights ``--model ensemble`` uses
    on a new scenario."""
    parts = ENSEMBLES[name]
    cols = [table.names.index(n) for n in parts]
    w = l1_simplex_weights(table.components[:, cols], table.outcome)
    return dict(zip(parts, w.tolist(), strict=True))


def weights_by_fold(table: Table, name: str = "ensemble") -> list[Mapping[str, float]]:
    """An ensemble's weights fitted without each fold (to show how stable they are)."""
    parts = ENSEMBLES[name]
    return [dict(zip(parts, w.tolist(), strict=True))
            for w in ensemble_forecasts(table, parts)[1]]
