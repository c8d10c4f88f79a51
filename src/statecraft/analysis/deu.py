"""Backtesting models on the DEU data: mean absolute error against real outcomes.

Each model forecasts every issue with an outcome; the score is the mean absolute error on
the 0-100 scale, beside the status-quo baseline ("nothing changes": the reference point,
scored on the issues that have one), as the literature on EU decision making reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from statecraft.models.inputs import ModelInputs
from statecraft.models.trajectory import Trajectory
from statecraft.scenario.deu import DeuData, DeuIssue, to_model_inputs


@dataclass(frozen=True)
class Score:
    """One model's (or baseline's) error on the scored issues."""

    name: str
    settings: Mapping[str, Any]
    mae: float
    issues: int


def mean_absolute_error(forecast: np.ndarray, observed: np.ndarray) -> float:
    """Mean of |forecast - observed| (both 1-D, same length, at least one value)."""
    if forecast.shape != observed.shape or forecast.size == 0:
        raise ValueError("forecast and observed must be non-empty and of one length")
    return float(np.mean(np.abs(forecast - observed)))


def backtest(
    data: DeuData,
    models: Mapping[str, Callable[[ModelInputs], Trajectory]],
    *,
    capability: str = "votes",
) -> list[Score]:
    """Each model's MAE on the issues with an outcome, then the status-quo baseline."""
    inputs, issues = to_model_inputs(data, capability)
    scored = np.array([i.outcome is not None for i in issues])
    observed = np.array([i.outcome if i.outcome is not None else np.nan for i in issues])
    out = []
    for name, fn in models.items():
        traj = fn(inputs)
        out.append(Score(name, dict(traj.params), mean_absolute_error(
            traj.forecast[0, scored], observed[scored]), int(scored.sum())))
    out.append(status_quo_score(issues))
    return out


def status_quo_score(issues: list[DeuIssue]) -> Score:
    """"Nothing changes": the reference point as forecast, where both it and an outcome exist."""
    pairs = [(i.reference_point, i.outcome) for i in issues
             if i.reference_point is not None and i.outcome is not None]
    rp = np.array([p for p, _ in pairs], dtype=float)
    obs = np.array([o for _, o in pairs], dtype=float)
    return Score("status quo", {}, mean_absolute_error(rp, obs), len(pairs))
