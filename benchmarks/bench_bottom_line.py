"""What keeping each sample's ending and printing the bottom line cost the forecast command:
this checkout against another revision, side by side in one run (a measurement, never a
test).

Since the runs' endings are kept, a forecast carries an int16 per sample and issue through
the runner, writes them to the run's Parquet file (``ending.<issue>``), counts them per
issue, and opens with the bottom line (single runs of four models at the midpoints, the
bundled questions scored from the forecast's own probabilities). The other revision
(``--old``) is checked out into a temporary git worktree, and each side runs in fresh
processes with its own ``src`` first on ``sys.path``, alternately, ``--repeat`` times:

- ``text, saved``: ``statecraft forecast --samples N --seed 1 --store DIR`` as a user
  types it (the table, the bottom line, the saved run);
- ``json, not saved``: the same with ``--json --no-store``.

The best time of each is compared; wall times on a busy machine mislead, so the CPU time
(all threads) is printed beside them. ``--old`` names a revision without the change; the
change landed interleaved with others, so for a clean comparison make one: a worktree at
HEAD with the commits concerned reverted, committed there (detached, on no branch).

    python benchmarks/bench_bottom_line.py --old REV                 # 100,000 samples
    python benchmarks/bench_bottom_line.py --old REV --samples 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

VARIANTS: dict[str, list[str]] = {"text, saved": [], "json, not saved": ["--json", "--no-store"]}


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree / "src")
    env.pop("STATECRAFT_STORE", None)
    return env


def _command(tree: Path, samples: int, extra: list[str], store: str) -> tuple[float, float]:
    """Wall and CPU time (all threads) of one forecast command run from ``tree``'s code."""
    cmd = [sys.executable, "-m", "statecraft", "forecast", "--samples", str(samples),
           "--seed", "1", "--quiet", *extra]
    if "--no-store" not in extra:
        cmd += ["--store", store]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=_env(tree), cwd=tree)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="git revision of the code to compare with")
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    old_rev = subprocess.run(["git", "rev-parse", "--short", args.old], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), old_rev], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            sides = {f"before ({old_rev})": old, "now": ROOT}
            stores = {name: str(Path(tmp) / f"store-{k}") for k, name in enumerate(sides)}
            for name, tree in sides.items():  # each side's kernel compiled into its cache
                _command(tree, 2048, [], stores[name])
            got: dict[tuple[str, str], dict[str, list[float]]] = {
                (name, v): {"wall": [], "cpu": []} for name in sides for v in VARIANTS}
            for _ in range(args.repeat):
                for variant, extra in VARIANTS.items():
                    for name, tree in sides.items():  # alternately: drift hits both alike
                        wall, cpu = _command(tree, args.samples, extra, stores[name])
                        got[name, variant]["wall"].append(wall)
                        got[name, variant]["cpu"].append(cpu)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False, capture_output=True)
    print(f"forecast of the default scenario (eum), {args.samples:,} samples, "
          f"{os.cpu_count()} cores; seconds, best (median) of {args.repeat}, alternately:")
    mid = args.repeat // 2
    for variant in VARIANTS:
        print(f"  {variant}:")
        for name in sides:
            w, c = got[name, variant]["wall"], got[name, variant]["cpu"]
            print(f"    {name:<18} wall {min(w):7.2f} ({sorted(w)[mid]:6.2f})   "
                  f"cpu {min(c):7.2f} ({sorted(c)[mid]:6.2f})")
        before, now = list(sides)
        ratio_w = min(got[now, variant]["wall"]) / min(got[before, variant]["wall"])
        ratio_c = min(got[now, variant]["cpu"]) / min(got[before, variant]["cpu"])
        print(f"    now / before (best): wall {ratio_w:.3f}, cpu {ratio_c:.3f}; "
              "the target: <= 1.05")


if __name__ == "__main__":
    main()
