"""Which uncertain inputs drive a question's probability, and which actors move an issue.

Sensitivity: the first-order variance-based index of each input ``X_i`` for the
question's indicator ``Y`` (1 when a sample meets the condition), ``S_i = Var(E[Y | X_i]) /
Var(Y)``: the share of the indicator's variance that ``X_i`` alone explains (Sobol's first
order index). It is estimated from the forecast's own samples, with no extra model runs,
as a correlation ratio: samples are cut into ``bins`` equal-count groups by ``X_i``, the
variance of the group means is taken, and its expected value under no effect,
``(bins - 1) / (n - 1) * Var(Y)``, is subtracted (then clipped at 0). With independent
inputs this converges to the Sobol index as samples grow; it needs no special design
(unlike Saltelli sampling), so any stored run can be explained. ``swing`` adds the
direction: the probability among the top fifth of ``X_i``'s draws minus that among the
bottom fifth.

Influence: in one run, for every accepted offer on the issue, the distance the target
moved is credited to the actor that made the offer (``moved_others``) and charged to the
target (``was_moved``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from statecraft.models.trajectory import Trajectory


def first_order_indices(x: NDArray[np.float64], y: NDArray[np.float64],
                        bins: int = 20) -> NDArray[np.float64]:
    """Estimated first-order index of each column of ``x`` for ``y`` (see the docstring)."""
    n, d = x.shape
    if n < 2 * bins:
        raise ValueError(f"need at least {2 * bins} samples for {bins} bins, got {n}")
    var = float(np.var(y))
    if var == 0.0:
        return np.zeros(d)
    out = np.empty(d)
    for k in range(d):
        order = np.argsort(x[:, k], kind="stable")
        groups = np.array_split(y[order], bins)
        means = np.array([g.mean() for g in groups])
        sizes = np.array([g.size for g in groups])
        between = float(np.sum(sizes * np.square(means - y.mean())) / n)
        out[k] = max(0.0, (between - (bins - 1) / (n - 1) * var) / var)
    return out


def swing(x: NDArray[np.float64], y: NDArray[np.float64],
          share: float = 0.2) -> NDArray[np.float64]:
    """Mean of ``y`` where each input is in its top ``share`` minus where in its bottom."""
    lo = np.quantile(x, share, axis=0)
    hi = np.quantile(x, 1 - share, axis=0)
    out = np.empty(x.shape[1])
    for k in range(x.shape[1]):
        top, bottom = y[x[:, k] >= hi[k]], y[x[:, k] <= lo[k]]
        out[k] = (top.mean() if top.size else np.nan) - (bottom.mean() if bottom.size
                                                           else np.nan)
    return out


@dataclass(frozen=True)
class Influence:
    """How far one actor's offers moved others on an issue, and how far it was moved."""

    actor: str
    moved_others: float
    was_moved: float
    offers_accepted: int


def offer_influence(trajectory: Trajectory, issue_id: str, row: int = 0) -> list[Influence]:
    """Per actor, the movement its accepted offers caused on one issue in one run."""
    if trajectory.offers is None:
        raise ValueError(f"the {trajectory.model} run recorded no offers")
    k = trajectory.issue_ids.index(issue_id)
    log = trajectory.offers
    n = len(trajectory.actor_ids)
    moved, was, count = np.zeros(n), np.zeros(n), np.zeros(n, dtype=int)
    sel = np.nonzero((log.issue == k) & (log.batch == row) & log.accepted)[0]
    for i in sel:
        rnd, c, t = int(log.round[i]), int(log.challenger[i]), int(log.target[i])
        step = abs(float(log.new_position[i]) - float(trajectory.positions[rnd - 1, row, t, k]))
        moved[c] += step
        was[t] += step
        count[c] += 1
    ranked: Sequence[int] = sorted(range(n), key=lambda a: (-moved[a], -was[a]))
    return [Influence(trajectory.actor_ids[a], float(moved[a]), float(was[a]), int(count[a]))
            for a in ranked]
