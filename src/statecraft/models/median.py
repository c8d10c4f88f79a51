"""The weighted median, vectorised: the forecast of the median model and of the EUM.

Definition used throughout statecraft: sort the actors by position; the weighted median
is the position of the first actor at which the cumulative weight reaches half of the
total (the lower weighted median). This is the Condorcet winner among the actors'
positions under linear (distance) preferences weighted by capability x salience.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# Cumulative sums of many weights carry rounding error; a position whose cumulative weight
# is within this relative distance of half the total counts as reaching it.
_HALF_RTOL = 1e-12


def weighted_median(position: FloatArray, weight: FloatArray, axis: int = -2) -> FloatArray:
    """Lower weighted median of ``position`` along ``axis`` with non-negative ``weight``.

    ``position`` and ``weight`` share a shape; the result drops ``axis``. Every slice must
    have a positive total weight (callers check this; see ``ModelInputs``).
    """
    x = np.moveaxis(np.asarray(position, dtype=np.float64), axis, -1)
    w = np.moveaxis(np.asarray(weight, dtype=np.float64), axis, -1)
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    half = 0.5 * cum[..., -1:]
    reached = cum >= half * (1.0 - _HALF_RTOL)
    first = np.argmax(reached, axis=-1)[..., None]
    return np.take_along_axis(xs, first, axis=-1)[..., 0]
