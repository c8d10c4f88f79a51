"""The actors' utility over issue positions: the options game's payoffs
(``statecraft.games.tree``).

Bueno de Mesquita's basic utility (1994; Scholz et al. 2011, step 1) of an outcome x for
an actor at x_i is ``1 - 2 |x_i - x| / R``. For whole outcomes (the leaves of an options
game) R is the full 0-100 scale, so every leaf is judged on one yardstick, and an actor's
payoff is the salience-weighted sum over the issues it takes a stance on.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
SCALE = 100.0


def outcome_utility(outcome: FloatArray, position: FloatArray, salience: FloatArray,
                    present: NDArray[np.bool_]) -> FloatArray:
    """Payoff per actor of an outcome.

    ``outcome`` is ``(batch, issue)``; ``position`` and ``salience`` are
    ``(batch, actor, issue)``; ``present`` is ``(actor, issue)``. Returns
    ``(batch, actor)``: the sum over issues with a stance of ``s * (1 - 2 |x_i - x| / 100)``.
    """
    u = 1.0 - 2.0 * np.abs(position - outcome[:, None, :]) / SCALE
    total: FloatArray = np.where(present[None], salience * u, 0.0).sum(axis=2)
    return total
