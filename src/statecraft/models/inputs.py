"""The arrays every bargaining model consumes, with their shapes checked once, here.

Shapes follow DESIGN.md: ``(batch, actor, issue)``. A stance the scenario leaves out is
marked absent in ``present``; models must ignore absent actors on that issue (an absent
actor is not the same as an actor with zero salience, which some models still let act).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ModelInputs:
    """Capabilities, positions, saliences and status quo for a batch of model runs.

    Attributes:
        actor_ids: actor ids, in the order of the actor axis.
        issue_ids: issue ids, in the order of the issue axis.
        capability: ``(batch, actor)``, each > 0.
        position: ``(batch, actor, issue)``, on the 0-100 scale.
        salience: ``(batch, actor, issue)``, in [0, 1]; 0 where the stance is absent.
        present: ``(actor, issue)``, True where the scenario gives a stance.
        status_quo: ``(issue,)``, on the 0-100 scale.
    """

    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    capability: FloatArray
    position: FloatArray
    salience: FloatArray
    present: BoolArray
    status_quo: FloatArray

    def __post_init__(self) -> None:
        n_actor, n_issue = len(self.actor_ids), len(self.issue_ids)
        if self.capability.ndim != 2 or self.capability.shape[1] != n_actor:
            raise ValueError(f"capability must be (batch, {n_actor}), got {self.capability.shape}")
        batch = self.capability.shape[0]
        want = (batch, n_actor, n_issue)
        for name in ("position", "salience"):
            arr = getattr(self, name)
            if arr.shape != want:
                raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
        if self.present.shape != (n_actor, n_issue):
            raise ValueError(f"present must be ({n_actor}, {n_issue}), got {self.present.shape}")
        if self.status_quo.shape != (n_issue,):
            raise ValueError(f"status_quo must be ({n_issue},), got {self.status_quo.shape}")
        for name in ("capability", "position", "salience", "status_quo"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"{name} holds NaN or infinity; models take finite numbers only")
        if np.any(self.capability <= 0):
            raise ValueError("capability must be > 0 for every actor")
        if np.any((self.salience < 0) | (self.salience > 1)):
            raise ValueError("salience must lie in [0, 1]")
        weight = self.weight.sum(axis=1)  # (batch, issue)
        dead = np.flatnonzero(np.any(weight <= 0, axis=0))
        if dead.size:
            names = ", ".join(self.issue_ids[i] for i in dead)
            raise ValueError(
                f"no actor has positive capability x salience on issue(s) {names}; "
                "a forecast there would divide by zero"
            )

    @property
    def batch(self) -> int:
        """Number of runs in the batch."""
        return int(self.capability.shape[0])

    @property
    def weight(self) -> FloatArray:
        """Capability x salience, ``(batch, actor, issue)``, zero where a stance is absent."""
        return self.weight_of(slice(None))

    def weight_of(self, rows: slice | NDArray[np.intp]) -> FloatArray:
        """``weight`` for some batch rows only (for chunked runs)."""
        w = self.capability[rows][:, :, None] * self.salience[rows]
        return np.where(self.present[None, :, :], w, 0.0)

    def take(self, rows: slice | NDArray[np.intp]) -> ModelInputs:
        """The same inputs restricted to some batch rows (for chunked runs)."""
        return ModelInputs(
            actor_ids=self.actor_ids,
            issue_ids=self.issue_ids,
            capability=self.capability[rows],
            position=self.position[rows],
            salience=self.salience[rows],
            present=self.present,
            status_quo=self.status_quo,
        )
