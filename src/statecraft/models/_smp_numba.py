"""A compiled SMP kernel for large Monte Carlo batches (used only if numba is installed).

The same arithmetic as ``smp.py``'s NumPy path, written as loops over one batch row at a
time (everything a row needs fits in cache) and run in parallel over rows. It covers
KTAB's default choices where the NumPy path covers all: proportional votes, the linear
victory law, the conditional PCE and the initiator's bargain; risk adjustment and range,
third-party commitment and the interpolation rule may vary. It returns final positions
only (no history, offers or per-turn diagnostics) and how each row ended (the same stopping
rules and exact cycle detection as the NumPy path); asked to, it also returns every state,
which ``smp.py`` uses for the few rows whose forecast is a mean over a cycle or over the
trailing window of turns. Tests check it agrees with the NumPy path.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray

from statecraft.models.trajectory import PERIOD_RTOL

AVAILABLE = importlib.util.find_spec("numba") is not None
"""numba is installed. It is imported, and the kernel compiled or loaded from numba's
cache, on the kernel's first run (``_compile``), not with this module: a command that never
runs the kernel does not pay numba's import (a third of a second or more)."""

numba: Any = None  # the numba module, once _compile has run
RISK_ADJUST = {"none": 0, "one_third": 1, "half": 2, "two_thirds": 3, "full": 4}
RISK_RANGE = {"min": 0, "mid": 1, "max": 2}
INTERP = {"s1p1": 1, "s2p2": 2, "s2pmax": 3}


def _row_source(x: Any, s: Any, cap: Any, draws: Any, stochastic: bool, max_rounds: int,
                min_rounds: int, stop_ratio: float, ra: int, rr: int, semi: bool,
                interp: int, period_tol: float, hist: Any, ends: Any
                ) -> None:  # pragma: no cover - compiled
    """One batch row from turn 0 to its end. Every state is written to ``hist[turn]``;
    ``ends`` gets the turns run, the cycle length (1 fixed point, 0 the movement rule,
    k a cycle, -1 not converged) and the turn it converged at (-1 if not)."""
    n, nd = x.shape
    for i in range(n):
        for k in range(nd):
            hist[0, i, k] = x[i, k]
    ends[0] = 0
    ends[1] = -1
    ends[2] = -1
    den = np.zeros(n)
    tot_sal = np.zeros(n)
    for i in range(n):
        for k in range(nd):
            den[i] += s[i, k] * s[i, k]
            tot_sal[i] += s[i, k]
    wsal = cap * tot_sal
    d = np.empty((n, n))
    c = np.empty((n + 1, n + 1))
    pv = np.empty((n + 1, n + 1))
    p = np.empty(n + 1)
    r = np.empty(n)
    u = np.empty((n, n, n))
    bi = np.empty((n, nd))
    bj = np.empty((n, nd))
    tgt = np.empty(n, dtype=np.int64)
    ptg = np.empty(n)
    uopt = np.empty((n, n + 1))
    live = np.empty(n + 1, dtype=np.bool_)
    mem = np.empty(n + 1, dtype=np.bool_)
    newx = np.empty((n, nd))
    first_move = 0.0
    for t in range(1, max_rounds + 1):
        # distances and the risk-neutral PCE
        for i in range(n):
            for j in range(n):
                acc = 0.0
                for k in range(nd):
                    v = s[i, k] * (x[i, k] - x[j, k])
                    acc += v * v
                d[i, j] = np.sqrt(acc / den[i]) if den[i] > 0 else 0.0
        for i in range(n):
            c[i, i] = 1e-8
            for j in range(i):
                cij = 0.0
                cji = 0.0
                for a in range(n):
                    v = cap[a] * ((1.0 - d[a, i]) - (1.0 - d[a, j]))
                    if v > 0:
                        cij += v
                    elif v < 0:
                        cji -= v
                c[i, j] = cij + 1e-8
                c[j, i] = cji + 1e-8
        tot = 0.0
        for i in range(n):
            q = 1.0
            for j in range(n):
                q *= 0.5 if i == j else c[i, j] / (c[i, j] + c[j, i])
            p[i] = q
            tot += q
        lo = 1.0
        hi = 0.0
        for i in range(n):
            p[i] /= tot
            lo = min(lo, p[i])
            hi = max(hi, p[i])
        for i in range(n):
            if hi - lo <= 0:
                r[i] = 0.0
            elif rr == 0:
                r[i] = (p[i] - lo) / (hi - lo)
            elif rr == 1:
                r[i] = (3.0 * p[i] - (hi + 2.0 * lo)) / (2.0 * (hi - lo))
            else:
                r[i] = (2.0 * p[i] - (hi + lo)) / (hi - lo)
        for h in range(n):
            for i in range(n):
                if ra == 0:
                    rhi = r[h]
                elif ra == 1:
                    rhi = (2.0 * r[h] + r[i]) / 3.0
                elif ra == 2:
                    rhi = (r[h] + r[i]) / 2.0
                elif ra == 3:
                    rhi = (r[h] + 2.0 * r[i]) / 3.0
                else:
                    rhi = r[i]
                for j in range(n):
                    dd = d[i, j]
                    u[h, i, j] = (1 - dd) * (1 + dd * rhi) if dd <= 1 else (1 - dd) * (1 + rhi)
        # challenges from the initiator's perspective
        for i in range(n):
            best = -np.inf
            tgt[i] = -1
            ptg[i] = 0.0
            uii = u[i, i, i]
            for j in range(n):
                if j == i:
                    continue
                uij = u[i, i, j]
                ci = wsal[i] * (uii - uij)
                cj = wsal[j] * (u[i, j, i] - u[i, j, j])
                chij0 = 1e-10 + max(ci, 0.0) + max(cj, 0.0)
                chji0 = 1e-10 + max(-ci, 0.0) + max(-cj, 0.0)
                chij = chij0
                chji = chji0
                if semi:
                    pos = 0.0
                    neg = 0.0
                    for m in range(n):
                        if m in (i, j):
                            continue
                        uni = u[i, m, i]
                        unj = u[i, m, j]
                        unn = u[i, m, m]
                        vn = wsal[m] * (uni - unj)
                        cni = chij0 + max(vn, 0.0)
                        cnj = chji0 + max(-vn, 0.0)
                        pin = cni / (cni + cnj)
                        v3 = wsal[m] * (pin * (unn - uni) + (1.0 - pin) * (unj - unn))
                        if v3 > 0:
                            pos += v3
                        elif v3 < 0:
                            neg -= v3
                    chij += pos
                    chji += neg
                ph = chij / (chij + chji)
                sj = tot_sal[j]
                gain = ((1.0 - sj) * 2.0 * uii + sj * (ph * 2.0 * uii + (1.0 - ph) * 2.0 * uij)
                        - (uii + uij))
                if gain > 1e-5 and gain > best:
                    best = gain
                    tgt[i] = j
                    ptg[i] = ph
        # bargains
        for i in range(n):
            j = tgt[i]
            live[i + 1] = j >= 0
            if j < 0:
                continue
            pi = ptg[i]
            pj = 1.0 - pi
            for k in range(nd):
                xi, xj, si, sj = x[i, k], x[j, k], s[i, k], s[j, k]
                if interp == 3:
                    di = max(pj - pi, 0.0)
                    dj = max(pi - pj, 0.0)
                    dik = di * sj * sj / (di * sj * sj + 1e-6 + (1.0 - di) * si * si)
                    djk = dj * si * si / (dj * si * si + 1e-6 + (1.0 - dj) * sj * sj)
                    bi[i, k] = xi + dik * (xj - xi)
                    bj[i, k] = xj + djk * (xi - xj)
                else:
                    if interp == 2:
                        wi = si * si * (pi * pi)
                        wj = sj * sj * (pj * pj)
                    else:
                        wi = si * pi
                        wj = sj * pj
                    dn = wi + 1e-6 + wj
                    bi[i, k] = np.floor(0.5 + ((wi + 1e-6) * xi + wj * xj) / dn * 10000.0
                                        ) / 10000.0
                    bj[i, k] = np.floor(0.5 + (wi * xi + (1e-6 + wj) * xj) / dn * 10000.0
                                        ) / 10000.0
        live[0] = True
        for a in range(n):
            ta = 0.0
            for m in range(n):
                ta += u[a, a, m]
            uopt[a, 0] = ta / n
            for i in range(n):
                if not live[i + 1]:
                    continue
                j = tgt[i]
                di2 = 0.0
                dj2 = 0.0
                for k in range(nd):
                    v = s[a, k] * (x[a, k] - bi[i, k])
                    di2 += v * v
                    v = s[a, k] * (x[a, k] - bj[i, k])
                    dj2 += v * v
                dbi = np.sqrt(di2 / den[a]) if den[a] > 0 else 0.0
                dbj = np.sqrt(dj2 / den[a]) if den[a] > 0 else 0.0
                ubi = (1 - dbi) * (1 + dbi * r[a]) if dbi <= 1 else (1 - dbi) * (1 + r[a])
                ubj = (1 - dbj) * (1 + dbj * r[a]) if dbj <= 1 else (1 - dbj) * (1 + r[a])
                uopt[a, i + 1] = (ta - u[a, a, i] - u[a, a, j] + ubi + ubj) / n
        for m1 in range(n + 1):
            if not live[m1]:
                continue
            for m2 in range(m1):
                if not live[m2]:
                    continue
                c12 = 0.0
                c21 = 0.0
                for a in range(n):
                    v = cap[a] * (uopt[a, m1] - uopt[a, m2])
                    if v > 0:
                        c12 += v
                    elif v < 0:
                        c21 -= v
                c12 += 1e-8
                c21 += 1e-8
                pv[m1, m2] = c12 / (c12 + c21)
                pv[m2, m1] = c21 / (c12 + c21)
            pv[m1, m1] = 0.5
        for kk in range(n):
            for m in range(n + 1):
                mem[m] = live[m] and (m == 0 or m - 1 == kk or tgt[m - 1] == kk)
            tot = 0.0
            for m in range(n + 1):
                if mem[m]:
                    q = 1.0
                    for m2 in range(n + 1):
                        if mem[m2]:
                            q *= pv[m, m2]
                    p[m] = q
                    tot += q
                else:
                    p[m] = 0.0
            pick = 0
            if stochastic:
                draw = draws[t - 1, kk]
                cum = 0.0
                pick = -1
                last = 0
                for m in range(n + 1):
                    if mem[m]:
                        last = m
                        cum += p[m] / tot
                        if pick < 0 and draw <= cum:
                            pick = m
                if pick < 0:
                    pick = last
            else:
                bestp = -1.0
                for m in range(n + 1):
                    if mem[m] and p[m] / tot > bestp:
                        bestp = p[m] / tot
                        pick = m
            for k in range(nd):
                if pick == 0:
                    newx[kk, k] = x[kk, k]
                elif pick - 1 == kk:
                    newx[kk, k] = bi[pick - 1, k]
                else:
                    newx[kk, k] = bj[pick - 1, k]
        move = 0.0
        for i in range(n):
            acc = 0.0
            for k in range(nd):
                v = newx[i, k] - x[i, k]
                acc += v * v
                x[i, k] = newx[i, k]
                hist[t, i, k] = newx[i, k]
            move += np.sqrt(acc)
        ends[0] = t
        if t == 1:
            first_move = move + 1e-4
        ruled = t >= min_rounds and move / first_move < stop_ratio
        back = -1
        if not stochastic and t >= min_rounds:  # a repeat of any earlier state: a cycle
            for j in range(t):
                same = True
                for i in range(n):
                    for k in range(nd):
                        if hist[j, i, k] != x[i, k]:
                            same = False
                            break
                    if not same:
                        break
                if same:
                    back = j
                    break
        if back == t - 1:
            ends[1] = 1
            ends[2] = t - 1
            break
        if ruled:
            ends[1] = 0
            ends[2] = t
            break
        if back >= 0:  # the period reported: the shortest up to last-bit rounding
            k = t - back
            ends[1] = k
            for period in range(1, k):
                if k % period != 0:
                    continue
                fits = True
                for j in range(back, t + 1 - period):
                    for i in range(n):
                        for kd in range(nd):
                            if abs(hist[j + period, i, kd] - hist[j, i, kd]) > period_tol:
                                fits = False
                    if not fits:
                        break
                if fits:
                    ends[1] = period
                    break
            ends[2] = back
            break


def _batch_source(x: Any, s: Any, cap: Any, draws: Any, stochastic: bool, max_rounds: int,
                  min_rounds: int, stop_ratio: float, ra: int, rr: int, semi: bool,
                  interp: int, ends: Any, record: bool, hist_out: Any
                  ) -> None:  # pragma: no cover
    n, nd = x.shape[1], x.shape[2]
    for b in numba.prange(x.shape[0]):
        hist = np.empty((max_rounds + 1, n, nd))
        _row(x[b], s[b], cap[b], draws[b], stochastic, max_rounds, min_rounds, stop_ratio, ra,
             rr, semi, interp, PERIOD_RTOL, hist, ends[b])
        if record:
            last = ends[b, 0]
            for t in range(max_rounds + 1):
                for i in range(n):
                    for k in range(nd):
                        hist_out[b, t, i, k] = hist[min(t, last), i, k]


# the compiled functions, bound by _compile; ``_batch_source`` calls ``_row`` by this name,
# which numba reads when it compiles (on the first call)
_row: Any = None
_batch: Any = None
_COMPILE_LOCK = threading.Lock()


def _compile() -> Any:
    """The kernel, compiled (or loaded from numba's cache) the first time it is asked for."""
    global numba, _row, _batch
    with _COMPILE_LOCK:
        if _batch is None:
            import numba as numba_module

            from statecraft.models._jit import njit

            numba = numba_module
            _row = njit(fastmath=False)(_row_source)
            _batch = njit(parallel=True)(_batch_source)
        return _batch


def run(x: NDArray[np.float64], s: NDArray[np.float64], cap: NDArray[np.float64],
        draws: NDArray[np.float64] | None, *, max_rounds: int, min_rounds: int,
        stop_ratio: float, risk_adjust: str, risk_range: str, semi: bool,
        interpolation: str, record: bool = False
        ) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64] | None]:
    """Final positions ``(batch, actor, issue)`` (0-1 scale), how each row ended
    ``(batch, 3)``: turns run, cycle length, converged turn (see ``_row_source``), and with
    ``record`` every state ``(batch, max_rounds + 1, actor, issue)`` (rows that stopped
    early repeat their last)."""
    b = x.shape[0]
    out = np.array(x, dtype=np.float64, order="C", copy=True)
    ends = np.zeros((b, 3), dtype=np.int64)
    stoch = draws is not None
    dr = draws if draws is not None else np.zeros((b, 1, 1))
    hist = (np.empty((b, max_rounds + 1, *x.shape[1:])) if record else np.empty((1, 1, 1, 1)))
    _compile()(out, np.ascontiguousarray(s), np.ascontiguousarray(cap), np.ascontiguousarray(dr),
           stoch, max_rounds, min_rounds, stop_ratio, RISK_ADJUST[risk_adjust],
           RISK_RANGE[risk_range], semi, INTERP[interpolation], ends, record, hist)
    return out, ends, hist if record else None
