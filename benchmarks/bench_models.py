"""Speed of the bargaining models (a measurement, never a test).

Prints, for the EUM on the bundled default scenario: runs per second at batch sizes 1,
1,000 and 100,000 of Monte Carlo samples of its inputs (every issue, until it settles,
repeats an earlier state, or reaches 50 rounds), the compiled and the NumPy engine side
by side, peak memory per batch size (each measured in a fresh process), how the runs
ended, the rate under the alternative stopping rule (``tol``) with how far it moves the
forecasts, and how the cost grows with actors and with issues
(synthetic scenarios), with the fitted exponent of each curve; and the compiled kernel's
own exp and log against the C library's and NumPy's.

    python benchmarks/bench_models.py            # full run
    python benchmarks/bench_models.py --quick    # small sizes only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from statecraft import api
from statecraft.models import ModelInputs
from statecraft.models.eum import eum
from statecraft.scenario import to_model_inputs
from statecraft.uncertainty.sampling import sample_inputs


def synthetic(batch: int, actors: int, issues: int, seed: int = 0) -> ModelInputs:
    """Random positions, saliences and capabilities, every actor on every issue."""
    rng = np.random.default_rng(seed)
    return ModelInputs(tuple(f"a{i}" for i in range(actors)), tuple(f"i{k}" for k in range(issues)),
                       rng.uniform(0.5, 10, (batch, actors)),
                       rng.integers(0, 101, (batch, actors, issues)).astype(float),
                       rng.uniform(0.1, 1, (batch, actors, issues)),
                       np.ones((actors, issues), bool), np.full(issues, 50.0))


def seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def default_inputs() -> ModelInputs:
    return to_model_inputs(api.load().scenario)


def sampled(batch: int, seed: int = 7) -> ModelInputs:
    """``batch`` Monte Carlo samples of the default scenario (every range drawn uniformly)."""
    return sample_inputs(api.load().scenario, batch, np.random.default_rng(seed))


def child(batch: int, engine: str) -> None:
    """Run once in this (fresh) process and print time and memory as JSON.

    ``peak_mib`` is the whole process's peak (the sampled inputs included);
    ``working_mib`` is the most the call itself held at once beyond the arrays it returns,
    traced in a second call: the part that must not grow with the batch.
    """
    inputs = sampled(batch)
    eum(sampled(2), keep_history=False, engine=engine)  # compile / warm up
    t = seconds(lambda: eum(inputs, keep_history=False, engine=engine), repeat=1)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    traj = eum(inputs, keep_history=False, engine=engine)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    kept = sum(a.nbytes for a in (traj.positions, traj.forecasts, traj.forecast, traj.rounds))
    print(json.dumps({"batch": batch, "engine": engine, "seconds": t, "peak_mib": rss,
                      "working_mib": (peak - kept) / 2**20}))


def in_child(batch: int, engine: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(batch), engine],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def fit_exponent(sizes: list[int], times: list[float]) -> float:
    """Slope of log(time) on log(size): cost ~ size ** slope."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def fastmath_rates(size: int = 1_000_000) -> None:
    """The kernel's exp and log against the C library's (in the same compiled loop) and
    NumPy's, on arguments like the kernel's: r * log(d) and d for d in (0, 1]."""
    import math

    import numba

    from statecraft.models import _fastmath

    @numba.njit(error_model="numpy")
    def libm_exp(a: np.ndarray, out: np.ndarray) -> None:
        for i in range(a.shape[0]):
            out[i] = math.exp(a[i])

    @numba.njit(error_model="numpy")
    def libm_log(a: np.ndarray, out: np.ndarray) -> None:
        for i in range(a.shape[0]):
            out[i] = math.log(a[i])

    rng = np.random.default_rng(3)
    d = rng.uniform(1e-6, 1.0, size)
    x = rng.uniform(0.5, 2.0, size) * np.log(d)
    out = np.empty(size)
    print(f"\nexp and log, {size:,} values (ns per value; ratio to the kernel's own):")
    for name, arg, fast, libm, numpy in (
            ("exp", x, _fastmath.fast_exp_array, libm_exp, np.exp),
            ("log", d, _fastmath.fast_log_array, libm_log, np.log)):
        fast(arg[:8], out[:8])
        libm(arg[:8], out[:8])
        t_fast = seconds(lambda f=fast, a=arg: f(a, out), repeat=5)
        t_libm = seconds(lambda f=libm, a=arg: f(a, out), repeat=5)
        t_np = seconds(lambda f=numpy, a=arg: f(a, out=out), repeat=5)
        print(f"  {name}: kernel's {t_fast / size * 1e9:.2f}, C library in the same loop "
              f"{t_libm / size * 1e9:.2f} ({t_libm / t_fast:.1f}x), NumPy "
              f"{t_np / size * 1e9:.2f} ({t_np / t_fast:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return

    inputs = default_inputs()
    n_actor, n_issue = len(inputs.actor_ids), len(inputs.issue_ids)
    print(f"EUM (scholz2011, Q = 1, 50 rounds at most) on the default scenario: "
          f"{n_actor} actors x {n_issue} issues")
    single = seconds(lambda: eum(inputs), repeat=5)
    print(f"  batch 1 (NumPy engine, full history kept): {single * 1e3:.1f} ms per run "
          f"({1 / single:.0f} runs/s)")
    batches = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    print(f"  {'batch':>8} {'engine':>7} {'runs/s':>10} {'peak MiB':>9} {'working MiB':>12}")
    rates: dict[tuple[int, str], float] = {}
    for batch in batches:
        for engine in ("numba", "numpy"):
            if engine == "numpy" and batch > 10_000:
                continue  # about 600 runs/s: 100,000 runs would take minutes
            r = in_child(batch, engine)
            rates[(batch, engine)] = batch / r["seconds"]
            print(f"  {batch:>8} {engine:>7} {rates[(batch, engine)]:>10.0f} "
                  f"{r['peak_mib']:>9.0f} {r['working_mib']:>12.1f}")
    print("  (peak: the whole process, sampled inputs included; working: what the call held"
          " beyond its inputs and the arrays it returns)")
    for batch in batches:
        if (batch, "numpy") in rates:
            print(f"  compiled / NumPy at batch {batch}: "
                  f"{rates[(batch, 'numba')] / rates[(batch, 'numpy')]:.1f}x")

    # the documented alternative stopping rule, beside the exact one (it changes results)
    eum(sampled(2), keep_history=False)  # compile before timing
    tol_inputs = sampled(10_000)
    exact = eum(tol_inputs, keep_history=False)
    ends = exact.cycle_length
    print(f"  how the 10,000 x {n_issue} runs ended: {np.mean(ends == 1):.0%} at a fixed "
          f"point, {np.mean(ends >= 2):.0%} in a cycle (median period "
          f"{np.median(ends[ends >= 2]) if (ends >= 2).any() else 0:.0f} rounds), "
          f"{np.mean(ends == -1):.0%} still moving at round 50")
    for tol in (0.001, 0.01):
        t = seconds(lambda tol=tol: eum(tol_inputs, keep_history=False, tol=tol), repeat=1)
        moved = np.abs(eum(tol_inputs, keep_history=False, tol=tol).forecast - exact.forecast)
        print(f"  stopping once the median moves < {tol} x range (tol={tol}), batch 10000: "
              f"{10_000 / t:.0f} runs/s; forecasts {moved.mean():.2f} points from the "
              f"default ones on average, {np.mean(moved > 1):.0%} by more than 1")

    runs = 200 if args.quick else 1_000
    eum(synthetic(2, 8, 1), keep_history=False)  # compile before timing
    actor_sizes = [8, 16, 32] if args.quick else [8, 16, 32, 64, 128]
    times = []
    print(f"\nCost as actors grow ({runs} runs of one issue, compiled engine, 50 rounds):")
    for n in actor_sizes:
        t = seconds(lambda n=n: eum(synthetic(runs, n, 1), keep_history=False), repeat=1)
        times.append(t)
        print(f"  {n:>4} actors: {t * 1e3 / runs:8.3f} ms per run")
    print(f"  fitted exponent: time ~ actors^{fit_exponent(actor_sizes, times):.2f}")
    issue_sizes = [1, 2, 4, 8, 16]
    times = []
    print(f"\nCost as issues grow ({runs} runs of 8 actors, compiled engine):")
    for k in issue_sizes:
        t = seconds(lambda k=k: eum(synthetic(runs, 8, k), keep_history=False), repeat=1)
        times.append(t)
        print(f"  {k:>4} issues: {t * 1e3 / runs:8.3f} ms per run")
    print(f"  fitted exponent: time ~ issues^{fit_exponent(issue_sizes, times):.2f}")
    fastmath_rates()


if __name__ == "__main__":
    main()
