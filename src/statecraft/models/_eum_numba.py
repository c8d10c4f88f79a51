"""A compiled kernel for the scholz2011 EUM, for large Monte Carlo batches.

The same arithmetic as ``eum.py``'s NumPy path (``_scholz_round``, ``offers``,
``weighted_median``), written as loops over one bargaining problem at a time so that
nothing of size problems x actors^3 is ever held in memory, and run in parallel over
blocks of problems on threads (the compiled code releases the GIL). One compiled function
does the work, so a first forecast after installing compiles little (about 3 s here; a
parallel-loop kernel took 6) and later ones load it from numba's cache. Used only when
numba is installed (the ``fast`` extra); tests check it agrees with the NumPy path.

Where the time goes and what is done about it: each round needs three logs per pair of
positions and three powers per ordered pair. The logs are recomputed only for pairs with
an actor that moved last round; logs and powers use ``_fastmath`` (within 1 ulp of NumPy,
in loops the compiler vectorises) and fused multiply-adds. Results therefore differ from
the NumPy path by rounding only: forecasts agree to 1e-6 and rounds taken are equal in
the tests, though a run that is chaotic can end with some positions apart.

Every state of a problem is kept (positions and the round's median, ``max_rounds + 1`` of
each per thread), so that a repeat of any earlier state, a cycle of any length, stops the
run; states are compared by a key first (a weighted sum of the positions, computed by one
uninlined function so that equal states always get equal keys) and then position by
position, so the detection is exact. The forecast of each ending is the one the NumPy path
gives (``eum.py``'s module docstring), summed round by round in the same order, and a run
at the cap whose median held exactly still over the window it averages is marked
``STEADY`` as there.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from statecraft.models.trajectory import NOT_CONVERGED, PERIOD_RTOL, STEADY

if TYPE_CHECKING:  # imported where the pool is made: a single NumPy run starts no threads
    from concurrent.futures import ThreadPoolExecutor

AVAILABLE = importlib.util.find_spec("numba") is not None
"""numba is installed. It is imported, and the kernel compiled or loaded from numba's
cache, on the kernel's first run (``_compile``), not with this module: a command that never
runs the kernel does not pay numba's import (a third of a second or more)."""

numba: Any = None  # the numba module, once _compile has run

# problems are split into at most this many blocks, handed to threads as they come free,
# and a block is never smaller than MIN_BLOCK problems (below that one thread does it all)
BLOCKS = 256
MIN_BLOCK = 64
LN_HALF = -0.6931471805599453


class KernelRun(NamedTuple):
    """What the kernel returns per problem."""

    positions: NDArray[np.float64]  # (problem, actor): the last state
    forecast: NDArray[np.float64]  # the run's forecast (the mean over a cycle or window)
    last_median: NDArray[np.float64]  # the last state's weighted median
    rounds: NDArray[np.int64]
    cycle_length: NDArray[np.int64]  # 1 fixed point, 0 tol, k cycle, -1 not converged,
    # -3 steady
    converged_round: NDArray[np.int64]


def _state_key_source(x: Any, m: int) -> float:  # pragma: no cover - compiled
    """A number equal for equal states (positions ``x[:m]``), to skip most comparisons.

    Compiled on its own, without fast-math, and called rather than inlined: every caller
    gets the same arithmetic, so equal states can never get different keys."""
    key = 0.0
    for c in range(m):
        key += x[c] * (c + 1.0)
    return key


def _period_source(hist: Any, back: int, k: int, m: int, tol: float
                   ) -> int:  # pragma: no cover - compiled
    """The shortest period, up to ``tol`` in every position, of the exact cycle of ``k``
    states from round ``back`` (``trajectory.shortest_period``, loop by loop)."""
    for period in range(1, k):
        if k % period != 0:
            continue
        fits = True
        for i in range(k + 1 - period):
            a = (back + i) * m
            b = (back + i + period) * m
            for c in range(m):
                if abs(hist[b + c] - hist[a + c]) > tol:
                    fits = False
                    break
            if not fits:
                break
        if fits:
            return period
    return k


def _solve_source(
    start: int, stop: int, x0: Any, cap: Any, sal: Any, present: Any, q: float,
    max_rounds: int, tol: float, eps: float, period_tol: float, out_x: Any, out_fc: Any,
    out_med: Any, out_ends: Any,
) -> None:  # pragma: no cover - compiled
    """Bargaining problems ``start`` to ``stop - 1`` (batch row x issue), each from round 0
    to its end: a fixed point, a repeat of an earlier state (a cycle), ``tol``, or the cap.

    One workspace, allocated here, serves every problem of the range: nothing is allocated
    inside the rounds. The problems are independent, so ranges run side by side on threads
    (``run_scholz``) give the same results as one range. ``out_ends[0, p]``: rounds,
    ``[1, p]``: cycle length, ``[2, p]``: converged round.
    """
    n = x0.shape[1]
    vecs = np.empty((6, n))
    mats = np.empty((20, n * n))
    ints = np.empty((2, n), dtype=np.int64)
    pairs = np.empty((2, n * n), dtype=np.int64)
    hist = np.empty((max_rounds + 1) * n)  # every state, to detect a cycle of any length
    mhist = np.empty(max_rounds + 1)  # every round's median
    hkey = np.empty(max_rounds + 1)  # every state's key
    x, sl, w, r, new_x, xprev = vecs[0], vecs[1], vecs[2], vecs[3], vecs[4], vecs[5]
    idx, order = ints[0], ints[1]
    # n x n quantities are stored flat, row-major with row length m: t = i * m + j
    d, log_d, log_lo, log_hi, wr, rr, vt = (
        mats[0], mats[1], mats[2], mats[3], mats[4], mats[5], mats[6])
    pow_lo, pow_hi, num, pd, pl, plo, phi = (
        mats[7], mats[8], mats[9], mats[10], mats[11], mats[12], mats[13])
    s_row, s_col, usq, share_t, e_a, e_b = (
        mats[14], mats[15], mats[16], mats[17], mats[18], mats[19])
    pair_i, pair_j = pairs[0], pairs[1]
    for p in range(start, stop):
        # work on the actors present on this issue only: absent ones never act or count
        # (m starts from n - n rather than the literal 0, so the helpers it is passed to
        # compile once, for an integer, not also for the literal)
        m = n - n
        for c in range(n):
            if present[p, c]:
                idx[m] = c
                m += 1
        lo, hi = np.inf, -np.inf
        for c in range(m):
            x[c] = x0[p, idx[c]]
            sl[c] = sal[p, idx[c]]
            w[c] = cap[p, idx[c]] * sl[c]
            lo = min(lo, x[c])
            hi = max(hi, x[c])
        span = hi - lo if hi >= lo else 0.0
        med = _median(x, w, m, order)
        fc = med
        out_ends[0, p] = 0  # all agree, or nobody is present: settled at round 0
        out_ends[1, p] = 1
        out_ends[2, p] = 0
        mm = m * m
        if span > 0:
            out_ends[1, p] = -1
            out_ends[2, p] = -1
            mhist[0] = med
            hkey[0] = _state_key(x, m)
            stopped = False
            for i in range(m):
                for j in range(m):
                    wr[i * m + j] = w[i]
                    s_row[i * m + j] = sl[i]
                    s_col[i * m + j] = sl[j]
            for c in range(m):
                hist[c] = x[c]
                xprev[c] = x[c]
                t = c * m + c
                d[t] = 0.0
                log_d[t] = -np.inf
                log_lo[t] = LN_HALF
                log_hi[t] = LN_HALF
            for rnd in range(1, max_rounds + 1):
                # distances and the logs shared by every power of a pair (y**r = exp(r log y)),
                # recomputed only for pairs with an actor that moved in the last round
                n_pairs = 0
                for i in range(m):
                    moved_i = rnd == 1 or xprev[i] != x[i]
                    for j in range(i + 1, m):
                        if moved_i or xprev[j] != x[j]:
                            pair_i[n_pairs] = i
                            pair_j[n_pairs] = j
                            pd[n_pairs] = abs(x[i] - x[j]) / span
                            n_pairs += 1
                for k in range(n_pairs):  # a SIMD loop
                    dk = pd[k]
                    pl[k] = fast_log(dk)
                    plo[k] = fast_log(max(0.5 - 0.5 * dk, 0.0))
                    phi[k] = fast_log(0.5 + 0.5 * dk)
                for k in range(n_pairs):
                    a = pair_i[k] * m + pair_j[k]
                    b = pair_j[k] * m + pair_i[k]
                    d[a] = d[b] = pd[k]
                    log_d[a] = log_d[b] = pl[k]
                    log_lo[a] = log_lo[b] = plo[k]
                    log_hi[a] = log_hi[b] = phi[k]
                for c in range(m):
                    xprev[c] = x[c]
                # stage 1: risk exponents from utilities with r = 1; vt[k * m + a] is k's
                # vote weight on a
                for t in range(mm):
                    vt[t] = wr[t] * d[t]
                den = _numerators(vt, m, num)
                dmin, dmax = np.inf, -np.inf
                for i in range(m):
                    danger = 0.0
                    for j in range(m):
                        if j != i:
                            pij = num[j * m + i] / den if den > 0 else 0.0
                            danger += 2 * d[j * m + i] * (1 - 2 * sl[i] * (1 - pij))
                    r[i] = danger
                    dmin = min(dmin, danger)
                    dmax = max(dmax, danger)
                width = dmax - dmin
                for i in range(m):
                    big_r = (2 * r[i] - dmax - dmin) / width if width > 0 else 0.0
                    big_r = min(max(big_r, -1.0), 1.0)
                    r[i] = (1 - big_r / 3) / (1 + big_r / 3)
                # stage 2: votes curved by each voter's exponent, and the powers in U_s, U_f
                # (row i raised to r_i in both)
                for i in range(m):
                    for j in range(m):
                        rr[i * m + j] = r[i]
                for t in range(mm):  # a SIMD loop
                    rt = rr[t]
                    vt[t] = wr[t] * fast_exp(rt * log_d[t])
                    pow_lo[t] = fast_exp(rt * log_lo[t])
                    pow_hi[t] = fast_exp(rt * log_hi[t])
                den = _numerators(vt, m, num)
                # the two expected utilities that decide i's offer to j (``a`` and ``b`` in
                # eum.offers) for every ordered pair at once, in a SIMD loop; p_ji reads the
                # transpose of the vote shares
                for i in range(m):
                    u_sq_i = q * (2.0 - 4.0 * fast_exp(r[i] * LN_HALF))
                    for j in range(m):
                        usq[i * m + j] = u_sq_i
                        share_t[i * m + j] = num[j * m + i]
                inv = 1.0 if den > 0 else 0.0
                safe = den if den > 0 else 1.0
                for t in range(mm):
                    u_s = 2.0 - 4.0 * pow_lo[t]
                    u_f = 2.0 - 4.0 * pow_hi[t]
                    pij = inv * (num[t] / safe)
                    pji = inv * (share_t[t] / safe)
                    sj = s_col[t]
                    si = s_row[t]
                    e_a[t] = sj * (pij * u_s + (1 - pij) * u_f) + (1 - sj) * u_s - usq[t]
                    e_b[t] = si * (pji * u_s + (1 - pji) * u_f) + (1 - si) * u_s - usq[t]
                moved = False
                for i in range(m):
                    xi = x[i]
                    new_x[i] = xi
                    best_conf, conf_target = np.inf, np.inf
                    best_key, comp_target = np.inf, np.inf
                    for j in range(m):
                        xj = x[j]
                        if j == i or xj == xi:
                            continue
                        t = i * m + j
                        av = e_a[t]
                        bv = e_b[t]
                        if abs(av) < eps:
                            av = 0.0
                        if abs(bv) < eps:
                            bv = 0.0
                        if bv > av + eps and av > 0:
                            best_conf, conf_target = _prefer(abs(xj - xi), xj, best_conf,
                                                             conf_target)
                        elif bv > 0 and av < 0 and bv > abs(av) + eps:
                            target = xi + (xj - xi) * abs(av / bv)
                            key = (abs(av) * xi + abs(bv) * xj) / (abs(av) + abs(bv))
                            best_key, comp_target = _prefer(key, target, best_key, comp_target)
                    if conf_target < np.inf:
                        new_x[i] = conf_target
                    elif comp_target < np.inf:
                        new_x[i] = comp_target
                    if new_x[i] != xi:
                        moved = True
                base = rnd * m
                for i in range(m):
                    x[i] = new_x[i]
                    hist[base + i] = x[i]
                new_med = _median(x, w, m, order)
                mhist[rnd] = new_med
                key = _state_key(x, m)
                hkey[rnd] = key
                # The rounds are a deterministic map of the positions alone, so once they
                # repeat an earlier state the run goes round the same states for ever
                back = rnd - 1 if not moved else -1
                if moved:
                    for j in range(rnd - 1):
                        if hkey[j] == key:
                            same = True
                            for c in range(m):
                                if hist[j * m + c] != x[c]:
                                    same = False
                                    break
                            if same:
                                back = j
                                break
                if back >= 0:  # a fixed point (back = rnd - 1) or a cycle
                    out_ends[0, p] = rnd - 1
                    out_ends[1, p] = _period(hist, back, rnd - back, m, period_tol * span)
                    out_ends[2, p] = back
                    acc = 0.0
                    for r2 in range(back, rnd):
                        acc += mhist[r2]
                    fc = acc / (rnd - back)
                    med = new_med
                    stopped = True
                    break
                if tol >= 0 and abs(new_med - med) < tol * span:
                    out_ends[0, p] = rnd
                    out_ends[1, p] = 0
                    out_ends[2, p] = rnd
                    fc = new_med
                    med = new_med
                    stopped = True
                    break
                med = new_med
            if not stopped:  # the cap: the mean over the last half of the rounds
                out_ends[0, p] = max_rounds
                first = max_rounds // 2 + 1 if max_rounds >= 1 else 0
                acc = 0.0
                # held still: two rounds or more, each the last's median (up to rounding)
                held = max_rounds > first
                for r2 in range(first, max_rounds + 1):
                    acc += mhist[r2]
                    if abs(mhist[r2] - mhist[max_rounds]) > period_tol * span:
                        held = False
                fc = acc / (max_rounds + 1 - first)
                out_ends[1, p] = STEADY if held else NOT_CONVERGED
        for c in range(n):
            out_x[p, c] = x0[p, c]
        for c in range(m):
            out_x[p, idx[c]] = x[c]
        out_fc[p] = fc
        out_med[p] = med


def _prefer_source(
    key: float, target: float, best_key: float, best_target: float,
) -> tuple[float, float]:  # pragma: no cover - compiled
    """The better of a candidate offer and the best so far: the smaller key wins; keys
    equal to within 1e-12 (relative) go to the lower target position."""
    tol = 1e-12 * max(1.0, abs(best_key))
    if best_key == np.inf or key < best_key - tol:
        return key, target
    if key <= best_key + tol and target < best_target:
        return best_key, target
    return best_key, best_target


def _numerators_source(vt: Any, m: int, num: Any) -> float:  # pragma: no cover
    """``num[i * m + j] = sum_k max(vt[k, j] - vt[k, i], 0)``; returns the denominator.

    Sums run in the NumPy path's order (k ascending, then the pairs row by row), each in a
    register rather than through memory.
    """
    total = 0.0
    for i in range(m):
        for j in range(m):
            acc = 0.0
            for k in range(m):
                acc += max(vt[k * m + j] - vt[k * m + i], 0.0)
            num[i * m + j] = acc
            total += acc
    return 2.0 * total


def _median_source(x: Any, w: Any, m: int, order: Any) -> float:  # pragma: no cover
    """Weighted median of ``x[:m]``; ``order`` is scratch space for a stable sort. With no
    actor present there is no median: NaN (never what a previous problem left behind)."""
    if m == 0:
        return np.nan
    for a in range(m):  # insertion sort: ties keep index order, like a stable sort
        v = x[a]
        b = a
        while b > 0 and x[order[b - 1]] > v:
            order[b] = order[b - 1]
            b -= 1
        order[b] = a
    total = 0.0
    for k in range(m):
        total += w[k]
    half = 0.5 * total * (1.0 - 1e-12)
    cum = 0.0
    for b in range(m):
        k = order[b]
        cum += w[k]
        if cum >= half:
            return float(x[k])
    return float(x[order[m - 1]])


# the compiled functions, bound by _compile; the kernel's source refers to them by these
# names, which numba reads when it compiles (on the first call)
fast_exp: Any = None
fast_log: Any = None
_numerators: Any = None
_state_key: Any = None
_period: Any = None
_median: Any = None
_prefer: Any = None
_solve: Any = None
_COMPILE_LOCK = threading.Lock()


def _compile() -> Any:
    """The kernel, compiled (or loaded from numba's cache) the first time it is asked for."""
    global numba, fast_exp, fast_log, _numerators, _state_key, _period, _median, _prefer
    global _solve
    with _COMPILE_LOCK:
        if _solve is None:
            import numba as numba_module

            from statecraft.models import _fastmath
            from statecraft.models._jit import njit

            numba = numba_module
            fast_exp, fast_log = _fastmath.fast_exp, _fastmath.fast_log
            jit = njit(error_model="numpy")
            _numerators = jit(_numerators_source)
            _state_key = njit(error_model="numpy", inline="never")(_state_key_source)
            _period = jit(_period_source)
            _median = jit(_median_source)
            _prefer = njit(error_model="numpy", inline="always")(_prefer_source)
            # "contract" lets a * b + c compile to one fused multiply-add (one rounding
            # instead of two): results move by an ulp against the NumPy path, which tests
            # allow for; nogil: ranges of problems run on threads side by side (see
            # ``run_scholz``)
            _solve = njit(nogil=True, error_model="numpy",
                          fastmath={"contract"})(_solve_source)
        return _solve


def run_scholz(
    x0: NDArray[np.float64], cap: NDArray[np.float64], sal: NDArray[np.float64],
    present: NDArray[np.bool_], *, q: float, max_rounds: int, tol: float | None, eps: float,
) -> KernelRun:
    """Per problem: the last positions, the forecast, the last median and how it ended."""
    if not AVAILABLE:
        raise RuntimeError("numba is not installed (pip install 'statecraft[fast]')")
    n_prob, n = x0.shape
    out_x = np.empty((n_prob, n))
    out_fc = np.empty(n_prob)
    out_med = np.empty(n_prob)
    out_ends = np.zeros((3, n_prob), dtype=np.int64)
    args: tuple[Any, ...] = (_read_only(x0, np.float64), _read_only(cap, np.float64),
            _read_only(sal, np.float64), _read_only(present, np.bool_), float(q), int(max_rounds),
            -1.0 if tol is None else float(tol), float(eps), PERIOD_RTOL, out_x, out_fc,
            out_med, out_ends)
    solve = _compile()
    solve(0, 0, *args)  # compiles (or loads from the cache) here, before any thread starts
    n_blocks = min(-(-n_prob // MIN_BLOCK), BLOCKS)
    threads = _threads()
    if n_blocks <= 1 or threads <= 1:
        solve(0, n_prob, *args)
    else:
        # blocks are handed out as threads come free (problems differ in how many rounds
        # they take); each writes only its own rows of the outputs
        bounds = [b * n_prob // n_blocks for b in range(n_blocks + 1)]
        pool = _pool(threads)
        futures = []
        try:
            for b in range(n_blocks):
                futures.append(pool.submit(solve, bounds[b], bounds[b + 1], *args))
            for f in futures:
                f.result()
        except BaseException:  # interrupted: blocks not yet started never start
            for f in futures:
                f.cancel()
            raise
    return KernelRun(out_x, out_fc, out_med, out_ends[0], out_ends[1], out_ends[2])


# The threads are started once per process and kept. A pool per call would start and end
# threads for every chunk, and the clean-up Python runs when a thread ends can swallow a
# Ctrl-C (an exception in a weakref callback is only printed), so a run went on to the end.
_POOL: tuple[int, int, ThreadPoolExecutor] | None = None  # (process id, threads, pool)
_POOL_LOCK = threading.Lock()


def _pool(threads: int) -> ThreadPoolExecutor:
    """This process's kernel threads (a forked child, or a new thread count, gets new ones)."""
    from concurrent.futures import ThreadPoolExecutor

    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[:2] != (os.getpid(), threads):
            if _POOL is not None and _POOL[0] == os.getpid():
                _POOL[2].shutdown(wait=True)  # idle but for callers in other threads
            _POOL = (os.getpid(), threads,
                     ThreadPoolExecutor(max_workers=threads, thread_name_prefix="statecraft-eum"))
        return _POOL[2]


def _read_only(a: NDArray[Any], dtype: type) -> NDArray[Any]:
    """A C-contiguous, read-only view (a copy only where the layout or type differs): the
    kernel is compiled for read-only inputs, whether the caller's arrays are writable or
    broadcast views, so it is compiled once."""
    view: NDArray[Any] = np.ascontiguousarray(a, dtype=dtype).view()
    view.flags.writeable = False
    return view


def _threads() -> int:
    """Threads to run on: numba's setting, which follows ``NUMBA_NUM_THREADS`` (by default
    the machine's cores)."""
    return max(1, int(getattr(numba.config, "NUMBA_NUM_THREADS", 1)))
