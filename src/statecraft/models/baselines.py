"""The two baseline models of the literature on EU decision making.

- compromise: the mean of positions weighted by capability x salience (Achen 2006;
  van den Bos 1991), the strongest simple predictor on the DEU data.
- median: the capability x salience weighted median (Black 1948), the Condorcet winner
  under single-peaked preferences when votes are weighted.

Both are one-shot: round 0 holds the initial positions and the forecast.
"""

from __future__ import annotations

import numpy as np

from statecraft.models.inputs import ModelInputs
from statecraft.models.median import weighted_median
from statecraft.models.trajectory import Trajectory


def _one_shot(name: str, inputs: ModelInputs, forecast: np.ndarray) -> Trajectory:
    return Trajectory(
        model=name,
        params={},
        actor_ids=inputs.actor_ids,
        issue_ids=inputs.issue_ids,
        positions=inputs.position[None].copy(),
        forecasts=forecast[None].copy(),
        forecast=forecast,
        rounds=np.zeros(forecast.shape, dtype=np.int64),
    )


def compromise(inputs: ModelInputs) -> Trajectory:
    """Capability x salience weighted mean of positions, per issue."""
    w = inputs.weight
    forecast = (w * inputs.position).sum(axis=1) / w.sum(axis=1)
    return _one_shot("compromise", inputs, forecast)


def median(inputs: ModelInputs) -> Trajectory:
    """Capability x salience weighted median of positions, per issue."""
    forecast = weighted_median(inputs.position, inputs.weight, axis=1)
    return _one_shot("median", inputs, forecast)
