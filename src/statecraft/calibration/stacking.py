"""Stacking weights: the convex combination of component forecasts with the least mean
absolute error on the fitting data, found exactly as a linear program (HiGHS, through
SciPy). Least absolute error because the score that matters (MAE, and the CRPS that
reduces to it for point forecasts) is absolute; convex so the result stays on the scale
and reads as shares."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def l1_simplex_weights(components: FloatArray, outcome: FloatArray) -> FloatArray:
    """Weights ``w >= 0``, ``sum w = 1``, minimising ``sum_i |y_i - sum_k w_k F_ik|``.

    ``components`` is ``(items, k)``. Ties between equally good weightings are broken by
    the solver deterministically; the result is rounded to 1e-9 and renormalised.
    """
    from scipy.optimize import linprog  # imported here: a third of a second every command

    f = np.asarray(components, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if f.ndim != 2 or y.shape != (f.shape[0],) or f.shape[0] == 0:
        raise ValueError("components must be (items, k) and outcome (items,), items > 0")
    n, k = f.shape
    cost = np.concatenate([np.zeros(k), np.ones(n)])
    eye = np.eye(n)
    a_ub = np.block([[-f, -eye], [f, -eye]])
    b_ub = np.concatenate([-y, y])
    a_eq = np.concatenate([np.ones(k), np.zeros(n)])[None, :]
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * (k + n), method="highs")
    if not res.success:  # pragma: no cover - the program is always feasible and bounded
        raise RuntimeError(f"stacking failed: {res.message}")
    w = np.round(np.clip(res.x[:k], 0.0, None), 9)
    out: FloatArray = w / w.sum()
    return out
