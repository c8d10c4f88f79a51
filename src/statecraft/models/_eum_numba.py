"""A compiled kernel for the scholz2011 EUM, for large Monte Carlo batches.

The same arithmetic as ``eum.py``'s NumPy path (``_scholz_round``, ``offers``,
``weighted_median``), written as loops over one bargaining problem at a time so that
nothing of size problems x actors^3 is ever held in memory, and run in parallel over
problems. Used only when numba is installed (the ``fast`` extra); tests check it agrees
with the NumPy path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

try:
    import numba
except ImportError:  # the NumPy path serves
    numba = None  # type: ignore[assignment]

AVAILABLE = numba is not None

# how many past rounds the kernel keeps to detect a cycle (periods 2 to CYCLE - 1)
CYCLE = 9


def _kernel_source(
    x0: Any, cap: Any, sal: Any, present: Any, q: float, max_rounds: int, tol: float,
    eps: float, jump: bool, out_x: Any, out_med: Any, out_rounds: Any,
) -> None:  # pragma: no cover - compiled
    n_prob, n = x0.shape
    for p in numba.prange(n_prob):
        # work on the actors present on this issue only: absent ones never act or count
        m = 0
        for c in range(n):
            if present[p, c]:
                m += 1
        idx = np.empty(m, dtype=np.int64)
        m = 0
        for c in range(n):
            if present[p, c]:
                idx[m] = c
                m += 1
        x = np.empty(m)
        sl = np.empty(m)
        w = np.empty(m)
        pres = np.ones(m, dtype=np.bool_)
        lo, hi = np.inf, -np.inf
        for c in range(m):
            x[c] = x0[p, idx[c]]
            sl[c] = sal[p, idx[c]]
            w[c] = cap[p, idx[c]] * sl[c]
            lo = min(lo, x[c])
            hi = max(hi, x[c])
        span = hi - lo if hi >= lo else 0.0
        med = _median(x, w, pres)
        out_rounds[p] = 0
        if span > 0:
            d = np.empty((m, m))
            log_d = np.empty((m, m))
            log_lo = np.empty((m, m))
            log_hi = np.empty((m, m))
            vt = np.empty((m, m))
            num = np.empty((m, m))
            r = np.ones(m)
            new_x = np.empty(m)
            # the last CYCLE states, to spot a run that has entered a cycle (see below)
            hist = np.empty((CYCLE, m))
            for c in range(m):
                hist[0, c] = x[c]
            for rnd in range(1, max_rounds + 1):
                for i in range(m):
                    for j in range(i, m):
                        dij = abs(x[i] - x[j]) / span
                        d[i, j] = dij
                        d[j, i] = dij
                        # logs shared by every power of this pair (x**r = exp(r log x))
                        ld = np.log(dij) if dij > 0 else -np.inf
                        lo_ = np.log(max(0.5 - 0.5 * dij, 0.0)) if dij < 1 else -np.inf
                        hi_ = np.log(0.5 + 0.5 * dij)
                        log_d[i, j] = ld
                        log_d[j, i] = ld
                        log_lo[i, j] = lo_
                        log_lo[j, i] = lo_
                        log_hi[i, j] = hi_
                        log_hi[j, i] = hi_
                # stage 1: risk exponents from utilities with r = 1
                for a in range(m):
                    for k in range(m):
                        vt[a, k] = w[k] * d[k, a]
                _numerators(vt, pres, num)
                den = _denominator(num, pres)
                dmin, dmax = np.inf, -np.inf
                for i in range(m):
                    if not pres[i]:
                        continue
                    danger = 0.0
                    for j in range(m):
                        if j != i and pres[j]:
                            pij = num[j, i] / den if den > 0 else 0.0
                            danger += 2 * d[j, i] * (1 - 2 * sl[i] * (1 - pij))
                    r[i] = danger
                    dmin = min(dmin, danger)
                    dmax = max(dmax, danger)
                width = dmax - dmin
                for i in range(m):
                    big_r = (2 * r[i] - dmax - dmin) / width if width > 0 else 0.0
                    big_r = min(max(big_r, -1.0), 1.0) if pres[i] else 0.0
                    r[i] = (1 - big_r / 3) / (1 + big_r / 3)
                # stage 2: votes curved by each voter's exponent
                for a in range(m):
                    for k in range(m):
                        vt[a, k] = w[k] * np.exp(r[k] * log_d[k, a])
                _numerators(vt, pres, num)
                den = _denominator(num, pres)
                moved = False
                for i in range(m):
                    new_x[i] = x[i]
                    if not pres[i]:
                        continue
                    u_sq = q * (2.0 - 4.0 * 0.5 ** r[i])
                    best_conf, conf_target = np.inf, np.inf
                    best_key, comp_target = np.inf, np.inf
                    for j in range(m):
                        if j == i or not pres[j] or x[j] == x[i]:
                            continue
                        u_s = 2.0 - 4.0 * np.exp(r[i] * log_lo[i, j])
                        u_f = 2.0 - 4.0 * np.exp(r[i] * log_hi[i, j])
                        pij = num[i, j] / den if den > 0 else 0.0
                        pji = num[j, i] / den if den > 0 else 0.0
                        sj, si = sl[j], sl[i]
                        av = sj * (pij * u_s + (1 - pij) * u_f) + (1 - sj) * u_s - u_sq
                        bv = si * (pji * u_s + (1 - pji) * u_f) + (1 - si) * u_s - u_sq
                        if abs(av) < eps:
                            av = 0.0
                        if abs(bv) < eps:
                            bv = 0.0
                        if bv > av + eps and av > 0:
                            dist = abs(x[j] - x[i])
                            if (best_conf == np.inf
                                    or dist < best_conf - 1e-12 * max(1.0, abs(best_conf))):
                                best_conf, conf_target = dist, x[j]
                            elif (dist <= best_conf + 1e-12 * max(1.0, abs(best_conf))
                                  and x[j] < conf_target):
                                conf_target = x[j]
                        elif bv > 0 and av < 0 and bv > abs(av) + eps:
                            target = x[i] + (x[j] - x[i]) * abs(av / bv)
                            key = (abs(av) * x[i] + abs(bv) * x[j]) / (abs(av) + abs(bv))
                            if (best_key == np.inf
                                    or key < best_key - 1e-12 * max(1.0, abs(best_key))):
                                best_key, comp_target = key, target
                            elif (key <= best_key + 1e-12 * max(1.0, abs(best_key))
                                  and target < comp_target):
                                comp_target = target
                    if conf_target < np.inf:
                        new_x[i] = conf_target
                    elif comp_target < np.inf:
                        new_x[i] = comp_target
                    if new_x[i] != x[i]:
                        moved = True
                for i in range(m):
                    x[i] = new_x[i]
                new_med = _median(x, w, pres)
                if moved:
                    out_rounds[p] = rnd
                settle = (not moved) or (tol >= 0 and abs(new_med - med) < tol * span)
                med = new_med
                if settle:
                    break
                # The rounds are a deterministic map of the positions alone, so once the
                # positions repeat those of `period` rounds ago the run cycles for good:
                # every step of the cycle has moved and none has settled. Jump to the state
                # the cycle is in at max_rounds instead of computing the remaining rounds.
                jumped = False
                for period in range(2, (min(rnd, CYCLE - 1) if jump else 1) + 1):
                    past = (rnd - period) % CYCLE
                    same = True
                    for c in range(m):
                        if hist[past, c] != x[c]:
                            same = False
                            break
                    if same:
                        ahead = (max_rounds - rnd) % period
                        slot = (rnd - period + ahead) % CYCLE
                        for c in range(m):
                            x[c] = hist[slot, c]
                        med = _median(x, w, pres)
                        out_rounds[p] = max_rounds
                        jumped = True
                        break
                if jumped:
                    break
                slot = rnd % CYCLE
                for c in range(m):
                    hist[slot, c] = x[c]
        for c in range(n):
            out_x[p, c] = x0[p, c]
        for c in range(m):
            out_x[p, idx[c]] = x[c]
        out_med[p] = med


def _numerators_source(vt: Any, present: Any, num: Any) -> None:  # pragma: no cover
    n = vt.shape[0]
    for i in range(n):
        for j in range(n):
            total = 0.0
            if present[i] and present[j]:
                for k in range(n):
                    total += max(vt[j, k] - vt[i, k], 0.0)
            num[i, j] = total


def _denominator_source(num: Any, present: Any) -> float:  # pragma: no cover
    n = num.shape[0]
    total = 0.0
    for i in range(n):
        for j in range(n):
            if present[i] and present[j]:
                total += num[i, j]
    return 2.0 * total


def _median_source(x: Any, w: Any, present: Any) -> float:  # pragma: no cover
    order = np.argsort(x, kind="mergesort")
    total = 0.0
    for k in range(x.shape[0]):
        total += w[k]
    half = 0.5 * total * (1.0 - 1e-12)
    cum = 0.0
    for k in order:
        cum += w[k]
        if cum >= half:
            return float(x[k])
    return float(x[order[-1]])


if AVAILABLE:
    _jit = numba.njit(cache=True, fastmath=False)
    _numerators = _jit(_numerators_source)
    _denominator = _jit(_denominator_source)
    _median = _jit(_median_source)
    _kernel = numba.njit(cache=True, parallel=True)(_kernel_source)


def run_scholz(
    x0: NDArray[np.float64], cap: NDArray[np.float64], sal: NDArray[np.float64],
    present: NDArray[np.bool_], *, q: float, max_rounds: int, tol: float | None, eps: float,
    jump_cycles: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Final positions, final weighted medians and rounds taken, per problem.

    ``jump_cycles=False`` computes every round even once a run has entered a cycle (the
    results are the same; tests use it to show so).
    """
    if not AVAILABLE:
        raise RuntimeError("numba is not installed (pip install 'statecraft[fast]')")
    n_prob, n = x0.shape
    out_x = np.empty((n_prob, n))
    out_med = np.empty(n_prob)
    out_rounds = np.zeros(n_prob, dtype=np.int64)
    _kernel(np.ascontiguousarray(x0), np.ascontiguousarray(cap), np.ascontiguousarray(sal),
            np.ascontiguousarray(present), float(q), int(max_rounds),
            -1.0 if tol is None else float(tol), float(eps), bool(jump_cycles),
            out_x, out_med, out_rounds)
    return out_x, out_med, out_rounds
