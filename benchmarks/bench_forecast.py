"""Speed and memory of a large Monte Carlo forecast (a measurement, never a test).

Runs ``statecraft forecast`` on the bundled default scenario with the EUM: by default
1,000,000 samples, saved to a throwaway run store (so the Parquet writing is timed too),
once in this process (the compiled kernel's threads on every core), then with one and
with two worker processes (each worker single-threaded, so the two runs differ only in
the number of processes). Each configuration runs in a fresh child process, which
reports its wall time, its own peak memory and its workers' peak memory.

    python benchmarks/bench_forecast.py                  # 1,000,000 samples
    python benchmarks/bench_forecast.py --samples 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def child(samples: int, workers: int, store: str) -> None:
    """Run one forecast here and print time and peak memory as JSON."""
    from statecraft import api
    from statecraft.store import RunStore

    loaded = api.load()
    api.forecast(loaded, samples=2048, seed=1, workers=0)  # compile the kernel first
    t0 = time.perf_counter()
    run = api.forecast(loaded, samples=samples, seed=7, workers=workers,
                       chunk_size=16_384, store=RunStore(store))
    seconds = time.perf_counter() - t0
    assert not run.result.failures and run.result.completed().all()
    size = os.path.getsize(RunStore(store).parquet_path(run.run_id or ""))
    print(json.dumps({
        "seconds": seconds, "samples_per_s": samples / seconds, "parquet_mib": size / 2**20,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), int(args.child[1]), args.child[2])
        return
    print(f"EUM forecast of the default scenario, {args.samples:,} samples, run store on, "
          f"{os.cpu_count()} cores")
    print(f"  {'configuration':<34} {'seconds':>8} {'samples/s':>10} {'peak MiB':>9} "
          f"{'worker MiB':>10} {'Parquet MiB':>11}")
    rates = {}
    for label, workers, threads in (("in process, all cores (threads)", 0, None),
                                    ("1 worker process, 1 thread", 1, "1"),
                                    ("2 worker processes, 1 thread each", 2, "1")):
        env = dict(os.environ)
        if threads:
            env["NUMBA_NUM_THREADS"] = threads
        with tempfile.TemporaryDirectory() as store:
            out = subprocess.run([sys.executable, __file__, "--child", str(args.samples),
                                  str(workers), store], env=env, capture_output=True,
                                 text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rates[workers] = r["samples_per_s"]
        print(f"  {label:<34} {r['seconds']:>8.1f} {r['samples_per_s']:>10.0f} "
              f"{r['peak_mib']:>9.0f} {r['worker_peak_mib']:>10.0f} {r['parquet_mib']:>11.0f}")
    print(f"  speed-up from 1 to 2 worker processes: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
