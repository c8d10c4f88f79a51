"""Which uncertain inputs drive a question's probability, and which actors move an issue.

Sensitivity: variance-based indices of each input ``X_i`` for the question's per-sample
probability ``Y`` (calibrated, or the 0/1 indicator of meeting the condition). The
first-order index ``S_i = Var(E[Y | X_i]) / Var(Y)`` is the share of ``Y``'s variance
that ``X_i`` alone explains; the total-order index ``ST_i`` adds every interaction it
takes part in (``1 - ST_i`` is what the other inputs explain without it).

- From a forecast's own samples (no extra model runs, any stored run): first-order
  indices by SALib's RBD-FAST given-data analyser (Tarantola et al. 2006; Plischke 2010),
  with bootstrap confidence intervals (``salib_first_order``); and, as a check that needs
  no library, the correlation ratio ``first_order_indices`` (samples cut into ``bins``
  equal-count groups by ``X_i``, the variance of the group means less its expected value
  under no effect, ``(bins - 1) / (n - 1) * Var(Y)``, clipped at 0).
- Total-order indices need a design: a Saltelli/Sobol' design of ``N (D + 2)`` runs
  (``sobol_design``), analysed by SALib's Sobol' analyser with bootstrap confidence
  intervals (``salib_sobol``).

``swing`` adds the direction: the mean of ``Y`` among the top fifth of ``X_i``'s draws
minus that among the bottom fifth.

Influence: in one run, for every accepted offer on the issue, the distance the target
moved is credited to the actor that made the offer (``moved_others``) and charged to the
target (``was_moved``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Indices:
    """Sensitivity indices per input, with the half-widths of their confidence intervals
    (``None`` where not estimated)."""

    first: NDArray[np.float64]
    first_conf: NDArray[np.float64]
    total: NDArray[np.float64] | None = None
    total_conf: NDArray[np.float64] | None = None


def _problem(d: int) -> dict[str, Any]:
    return {"num_vars": d, "names": [f"x{k}" for k in range(d)], "bounds": [[0.0, 1.0]] * d}


def _salib(module: str) -> Any:
    try:
        import importlib

        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise ValueError("sensitivity indices need SALib: pip install "
                         "'statecraft[sensitivity]'") from None


def salib_first_order(x: NDArray[np.float64], y: NDArray[np.float64], *, seed: int,
                      conf_level: float = 0.95) -> Indices:
    """First-order indices of each column of ``x`` for ``y`` from given samples (RBD-FAST),
    with bootstrap confidence intervals; 0 when ``y`` does not vary."""
    d = x.shape[1]
    if d == 0:
        raise ValueError("no uncertain inputs")
    if float(np.var(y)) == 0.0:
        return Indices(np.zeros(d), np.zeros(d))
    rbd = _salib("analyze.rbd_fast")
    got = rbd.analyze(_problem(d), x, np.asarray(y, dtype=float), conf_level=conf_level,
                      seed=seed)
    first = np.clip(np.asarray(got["S1"], dtype=float), 0.0, 1.0)
    return Indices(first, np.asarray(got["S1_conf"], dtype=float))


def sobol_design(d: int, n: int, *, seed: int) -> NDArray[np.float64]:
    """A scrambled Saltelli/Sobol' design on the unit cube: ``n (d + 2)`` rows (``n`` a
    power of two) for first- and total-order indices."""
    design = _salib("sample.sobol").sample(_problem(d), n, calc_second_order=False,
                                           seed=seed)
    out: NDArray[np.float64] = np.asarray(design, dtype=float)
    return out


def salib_sobol(y: NDArray[np.float64], d: int, *, seed: int,
                conf_level: float = 0.95) -> Indices:
    """First- and total-order indices from outputs ``y`` of ``sobol_design(d, n)``, with
    bootstrap confidence intervals; 0 when ``y`` does not vary."""
    if float(np.var(y)) == 0.0:
        z = np.zeros(d)
        return Indices(z, z, z, z)
    got = _salib("analyze.sobol").analyze(_problem(d), np.asarray(y, dtype=float),
                                          calc_second_order=False, conf_level=conf_level,
                                          seed=seed)
    return Indices(np.asarray(got["S1"], dtype=float), np.asarray(got["S1_conf"], dtype=float),
                   np.asarray(got["ST"], dtype=float), np.asarray(got["ST_conf"], dtype=float))


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
