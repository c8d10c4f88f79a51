"""The result every bargaining model returns: positions per round and the forecast.

One frozen type for all models (compromise, median, EUM, SMP) so that analysis, the
store and the interfaces never care which model produced a result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from statecraft.models.inputs import ModelInputs

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class OfferKind(IntEnum):
    """What one actor proposes to another in a bargaining round."""

    CONFLICT = 1
    COMPROMISE = 2
    CAPITULATION = 3
    BARGAIN = 4  # SMP-style bargain between a challenger and a target


@dataclass(frozen=True)
class OfferLog:
    """Offers made during a run, one entry per offer, as parallel 1-D arrays.

    Kept sparse (only offers that were made) so that large batches stay small. ``accepted``
    marks the offer each receiving actor acted on in that round.
    """

    round: IntArray
    batch: IntArray
    issue: IntArray
    challenger: IntArray
    target: IntArray
    kind: IntArray
    new_position: FloatArray
    accepted: NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.round.shape[0])

    @staticmethod
    def empty() -> OfferLog:
        """A log with no offers."""
        i = np.zeros(0, dtype=np.int64)
        return OfferLog(i, i, i, i, i, i, np.zeros(0), np.zeros(0, dtype=bool))


@dataclass(frozen=True)
class Trajectory:
    """What a model run produced, for a batch of runs.

    Attributes:
        model: the model's name (``"compromise"``, ``"median"``, ``"eum"``, ...).
        params: the model's parameters as run (JSON-serialisable values).
        actor_ids, issue_ids: the axis labels.
        positions: ``(rounds + 1, batch, actor, issue)``; round 0 holds the initial positions.
            Runs that settle early repeat their last positions up to the longest run.
        forecasts: ``(rounds + 1, batch, issue)``, the model's forecast after each round.
        forecast: ``(batch, issue)``, the final forecast.
        rounds: ``(batch, issue)``, rounds taken until the run settled (0 for one-shot models).
        offers: the offers made, when the model records them; else ``None``.
        seed: the seed of the generator the run used, if any.
        version: the statecraft version that produced it.
        diagnostics: optional model-specific arrays for explanations (e.g. the SMP's
            per-turn win probabilities), keyed by name; ``None`` when the model has none.
    """

    model: str
    params: Mapping[str, Any]
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    positions: FloatArray
    forecasts: FloatArray
    forecast: FloatArray
    rounds: IntArray
    offers: OfferLog | None = None
    seed: int | None = None
    version: str = field(default="")
    diagnostics: Mapping[str, NDArray[Any]] | None = None

    def __post_init__(self) -> None:
        if not self.version:
            from statecraft import __version__

            object.__setattr__(self, "version", __version__)

    @staticmethod
    def one_shot(model: str, inputs: ModelInputs, forecast: FloatArray,
                 params: Mapping[str, Any] | None = None) -> Trajectory:
        """The result of a model that forecasts in one step: round 0 holds the initial
        positions and the forecast."""
        return Trajectory(model=model, params=dict(params or {}), actor_ids=inputs.actor_ids,
                          issue_ids=inputs.issue_ids, positions=inputs.position[None].copy(),
                          forecasts=forecast[None].copy(), forecast=forecast,
                          rounds=np.zeros(forecast.shape, dtype=np.int64))

    @property
    def batch(self) -> int:
        """Number of runs in the batch."""
        return int(self.forecast.shape[0])
