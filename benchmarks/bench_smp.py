"""Speed of the Spatial Model of Politics (a measurement, never a test).

Prints, beside KTAB's own figures (C++, -O2, compute only, on this kind of machine):

- one deterministic run of each KTAB reference dataset, in ms: the full run (history,
  offers, per-turn diagnostics; NumPy) and the short one (first and last turn only; the
  compiled kernel when numba is installed);
- stochastic Monte Carlo on SOE-Pol-Comp: batches of 1,000 samples, in samples/s;
- how the cost of a run grows with the number of actors (synthetic, one issue), per
  turn, with the fitted exponent.

    python benchmarks/bench_smp.py            # full run
    python benchmarks/bench_smp.py --quick    # fewer repeats and sizes
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from statecraft.models import ModelInputs, _smp_numba, smp
from statecraft.scenario.ktab import read_ktab_csv

KTAB_MS = {"dummyData_3Dim": 12.7, "SOE-Pol-Comp": 98.0, "SOE-Policy": None,
           "dummyData_6Dim": 890.0, "dummyData-a040": 2260.0}
KTAB_STOCHASTIC = 7.6  # SOE-Pol-Comp runs per second, in-process


def anchors() -> Path:
    env = os.environ.get("STATECRAFT_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    return root / "anchors" / "ktab"


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest of ``repeats`` calls, in seconds."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def tiled(inputs: ModelInputs, batch: int) -> ModelInputs:
    """The same inputs repeated ``batch`` times."""
    rep = np.repeat
    return ModelInputs(inputs.actor_ids, inputs.issue_ids, rep(inputs.capability, batch, 0),
                       rep(inputs.position, batch, 0), rep(inputs.salience, batch, 0),
                       inputs.present, inputs.status_quo)


def synthetic(actors: int, issues: int = 1, seed: int = 0) -> ModelInputs:
    """Random positions, saliences and capabilities, batch 1."""
    rng = np.random.default_rng(seed)
    sal = rng.uniform(0.1, 1.0, (1, actors, issues))
    sal = sal / sal.sum(axis=2, keepdims=True) * rng.uniform(0.75, 0.99, (1, actors, 1))
    return ModelInputs(tuple(f"a{i}" for i in range(actors)),
                       tuple(f"i{k}" for k in range(issues)),
                       rng.uniform(10, 200, (1, actors)), rng.uniform(0, 100, (1, actors, issues)),
                       sal, np.ones((actors, issues), dtype=bool), np.full(issues, 50.0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    args = ap.parse_args()
    repeats = 2 if args.quick else 5
    where = anchors()
    short = {"keep_history": False, "record_offers": False}
    engine = "numba" if _smp_numba.AVAILABLE else "numpy"
    print(f"SMP benchmark (short runs on the {engine} engine; numba "
          f"{'installed' if _smp_numba.AVAILABLE else 'absent'})")
    if _smp_numba.AVAILABLE:  # compile once, outside every timing
        smp(synthetic(5), **short)  # type: ignore[arg-type]
        smp(synthetic(5), stochastic=True, rng=np.random.default_rng(0),
            **short)  # type: ignore[arg-type]

    print("\nDeterministic run, one scenario (ms)")
    print(f"{'dataset':<18}{'turns':>6}{'full':>10}{'short':>10}{'KTAB':>10}{'x faster':>10}")
    for name, ktab in KTAB_MS.items():
        path = where / f"{name}.csv"
        if not path.is_file():
            print(f"{name:<18} (absent: {path})")
            continue
        inputs = read_ktab_csv(path.read_text()).to_model_inputs()
        turns = int(smp(inputs).rounds[0, 0])
        full = best_of(lambda inputs=inputs: smp(inputs), repeats) * 1e3
        fast = best_of(lambda inputs=inputs: smp(inputs, **short),  # type: ignore[arg-type]
                       repeats) * 1e3
        kt = f"{ktab:10.1f}{ktab / fast:10.0f}" if ktab else f"{'-':>10}{'-':>10}"
        print(f"{name:<18}{turns:>6}{full:10.1f}{fast:10.1f}{kt}")

    path = where / "SOE-Pol-Comp.csv"
    if path.is_file():
        print("\nStochastic Monte Carlo, SOE-Pol-Comp, batches of 1,000 (samples/s)")
        inputs = tiled(read_ktab_csv(path.read_text()).to_model_inputs(), 1000)
        rates = []
        for seed in range(1 if args.quick else 3):
            t0 = time.perf_counter()
            smp(inputs, stochastic=True, rng=np.random.default_rng(seed),
                **short)  # type: ignore[arg-type]
            rates.append(1000 / (time.perf_counter() - t0))
        best = max(rates)
        print(f"  {engine:<8}{best:10.0f}  (KTAB {KTAB_STOCHASTIC}; "
              f"x{best / KTAB_STOCHASTIC:.0f}; target >= 760)")
        if _smp_numba.AVAILABLE:
            sub = inputs.take(slice(0, 200))
            t0 = time.perf_counter()
            smp(sub, stochastic=True, rng=np.random.default_rng(0), engine="numpy",
                **short)  # type: ignore[arg-type]
            print(f"  {'numpy':<8}{200 / (time.perf_counter() - t0):10.0f}  (batch of 200)")

    print("\nScaling with actors (synthetic, one issue; ms per turn)")
    sizes = (10, 20, 40) if args.quick else (10, 20, 40, 80)
    rows = []
    for n in sizes:
        inputs = synthetic(n, 1, seed=n)
        turns = max(int(smp(inputs, **short).rounds[0, 0]), 1)  # type: ignore[arg-type]
        fast = best_of(lambda inputs=inputs: smp(inputs, **short),  # type: ignore[arg-type]
                       repeats) / turns * 1e3
        full = best_of(lambda inputs=inputs: smp(inputs), 1 if n > 40 else repeats) / turns * 1e3
        rows.append((n, fast, full))
        print(f"  N={n:<4} turns={turns:<4} short {fast:9.3f}   full {full:9.3f}")
    ns = np.log([r[0] for r in rows])
    for label, col in (("short", 1), ("full", 2)):
        slope = np.polyfit(ns, np.log([r[col] for r in rows]), 1)[0]
        print(f"  fitted exponent ({label}): cost per turn ~ N^{slope:.2f} (KTAB: about N^4)")


if __name__ == "__main__":
    main()
