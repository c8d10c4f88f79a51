"""The two baseline models of the literature on EU decision making.

- compromise: the mean of positions weighted by capability x salience (Achen 2006;
  van den Bos 1991), the strongest simple predictor on the DEU data.
- median: the capability x salience weighted median (Black 1948), the Condorcet winner
  under single-peaked preferences when votes are weighted.

Both are one-shot: round 0 holds the initial positions and the forecast.
"""

from __future__ import annotations

from statecraft.models.inputs import ModelInputs
from statecraft.models.median import weighted_median
from statecraft.models.trajectory import Trajectory


def compromise(inputs: ModelInputs) -> Trajectory:
    """Capability x salience weighted mean of positions, per issue."""
    w = inputs.weight
    forecast = (w * inputs.position).sum(axis=1) / w.sum(axis=1)
    return Trajectory.one_shot("compromise", inputs, forecast)


def median(inputs: ModelInputs) -> Trajectory:
    """Capability x salience weighted median of positions, per issue."""
    forecast = weighted_median(inputs.position, inputs.weight, axis=1)
    return Trajectory.one_shot("median", inputs, forecast)
