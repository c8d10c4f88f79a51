"""What the convergence check costs: this checkout against the code before it, side by
side in one run (a measurement, never a test).

Before, a run stopped only when a round moved nobody (the compiled kernel also jumped
over cycles of up to 8 rounds to the cap's phase); now every state is kept and compared
with all earlier ones, and a run stops at a fixed point or a cycle of any length. The old
code is checked out from git into a temporary worktree (``--old``, by default the commit
before the check), and each side runs in fresh processes with its own ``src`` first on
``sys.path``, alternately, ``--repeat`` times; the best time of each is compared:

- the whole command, ``statecraft forecast --samples N --model eum --seed 1 --json
  --no-store`` (start-up, sampling, the compiled kernel, summaries, calibration);
- the compiled EUM kernel alone on N samples of the default scenario drawn beforehand
  (warm).

Wall times on a busy machine mislead; the CPU time (all threads) is printed beside them.

    python benchmarks/bench_convergence.py                      # 100,000 samples, 5 rounds
    python benchmarks/bench_convergence.py --samples 20000 --repeat 3 --old HEAD~3
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD = "d2d5264~1"  # the commit before the exact cycle detection

KERNEL = """
import json, sys, time
import numpy as np
from statecraft import api
from statecraft.models.eum import eum
from statecraft.uncertainty.sampling import sample_inputs
n = int(sys.argv[1])
inputs = sample_inputs(api.load().scenario, n, np.random.default_rng(1))
eum(inputs.take(slice(0, 64)), keep_history=False, engine="numba")  # loaded, warm
t0, c0 = time.perf_counter(), time.process_time()
traj = eum(inputs, keep_history=False, engine="numba")
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"seconds": seconds, "cpu": cpu}))
"""


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree / "src")
    return env


def _command(tree: Path, samples: int) -> tuple[float, float]:
    """Wall and CPU time (all threads) of the whole forecast command run from ``tree``'s
    code: on a busy machine the CPU time is the steadier measure of the work done."""
    cmd = [sys.executable, "-m", "statecraft", "forecast", "--samples", str(samples),
           "--model", "eum", "--seed", "1", "--json", "--no-store"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=_env(tree), cwd=tree)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _kernel(tree: Path, samples: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", KERNEL, str(samples)], check=True,
                         capture_output=True, text=True, env=_env(tree), cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--old", default=OLD, help="git revision of the code to compare with")
    args = parser.parse_args()
    old_rev = subprocess.run(["git", "rev-parse", "--short", args.old], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), old_rev], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            sides = {f"before ({old_rev})": old, "now": ROOT}
            for tree in sides.values():  # compile each side's kernel into its own cache
                _command(tree, 2048)
            got: dict[str, dict[str, list[float]]] = {
                k: {"command": [], "command cpu": [], "kernel": [], "kernel cpu": []}
                for k in sides}
            for _ in range(args.repeat):
                for name, tree in sides.items():  # alternately, so drift hits both alike
                    wall, cpu = _command(tree, args.samples)
                    got[name]["command"].append(wall)
                    got[name]["command cpu"].append(cpu)
                    k = _kernel(tree, args.samples)
                    got[name]["kernel"].append(k["seconds"])
                    got[name]["kernel cpu"].append(k["cpu"])
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False, capture_output=True)
    print(f"EUM, default scenario, {args.samples:,} samples, compiled kernel, "
          f"{os.cpu_count()} cores; seconds, best (median) of {args.repeat}, alternately:")
    cols = ["command", "command cpu", "kernel", "kernel cpu"]
    print(f"  {'':<18}" + "".join(f"{c:>17}" for c in cols))
    for name in sides:
        cells = "".join(f"{min(got[name][c]):>9.2f} ({sorted(got[name][c])[args.repeat // 2]:5.2f})"
                        for c in cols)
        print(f"  {name:<18}{cells}")
    before, now = list(sides)
    ratios = ", ".join(f"{c} {min(got[now][c]) / min(got[before][c]):.3f}" for c in cols)
    print(f"  now / before (best): {ratios}; the target: the command <= 1.05")


if __name__ == "__main__":
    main()
