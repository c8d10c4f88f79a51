"""Start-up: whole processes side by side, each figure measured in this run (a measurement,
never a test).

``statecraft run`` on a small scenario is nearly all start-up: starting Python and
importing what the command uses. This times, in one run on this machine, alternating round
by round so that drift in the machine's speed falls on all alike:

- floors: ``python -c pass`` (the interpreter), ``python -c "import numpy"`` (anything
  that uses NumPy pays this), and the libraries ``statecraft run`` uses (NumPy, pydantic,
  PyYAML, typer, rich);
- ``python -c "import statecraft.cli"`` (declaring the commands);
- ``statecraft validate`` and ``statecraft run --json`` (smp and eum) on KTAB's smallest
  reference dataset (dummyData_3Dim, 7 actors x 3 dimensions) as a scenario;
- KTAB's ``smpc`` on the same dataset, when given ``--ktab-smpc PATH`` (a whole process
  as ``bench_smp.py`` runs it: ``--logmin``, SQLite and its log to files in a fresh folder).

Wall and CPU (user + system, this process's children) seconds are printed as medians with
their range, and the ratios are of medians measured in this run; then the cumulative
import time of ``statecraft.cli`` as ``python -X importtime`` reports it, once a round.
Without ``--ktab-smpc`` no KTAB figure is printed (``bench_smp.py`` lists those recorded
elsewhere, with where and when).

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --ktab-smpc ~/KTAB/examples/smp/smpc --rounds 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from bench_smp import Ktab, anchors
from statecraft import __version__
from statecraft.scenario.ktab import read_ktab_csv
from statecraft.scenario.ktab_scenario import ktab_to_scenario

DATASET = "dummyData_3Dim"
USED_LIBRARIES = "import numpy, pydantic, yaml, typer, rich.console"
"""What ``statecraft run`` cannot do without: its floor."""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run``, which starts one child process and waits for it."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0, _children_cpu() - cpu0


def _process(cmd: Sequence[str], cwd: Path) -> Callable[[], object]:
    def go() -> None:
        done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} exited with {done.returncode}:\n"
                             f"{done.stderr.decode(errors='replace')[-2000:]}")
    return go


IMPORT_LINE = re.compile(r"import time:\s*\d+\s*\|\s*(\d+)\s*\|\s*statecraft\.cli$")


def cli_import_seconds(cwd: Path) -> float:
    """Cumulative import time of ``statecraft.cli`` as ``python -X importtime`` reports it."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import statecraft.cli"],
                          cwd=cwd, capture_output=True, text=True, check=True)
    for line in done.stderr.splitlines():
        found = IMPORT_LINE.match(line.strip())
        if found:
            return int(found.group(1)) / 1e6
    raise SystemExit("python -X importtime printed no line for statecraft.cli")


def scenario(tmp: Path) -> tuple[Path, Path]:
    """KTAB's CSV and the same data as a statecraft scenario (``statecraft ktab-import``)."""
    csv = anchors() / f"{DATASET}.csv"
    if not csv.is_file():
        raise SystemExit(f"{csv} is absent (set STATECRAFT_SHARED to the shared folder)")
    path = tmp / f"{DATASET}.yaml"
    data = read_ktab_csv(csv.read_text())
    path.write_text(yaml.safe_dump(ktab_to_scenario(data), sort_keys=False))
    return csv, path


def fmt(xs: Sequence[float]) -> str:
    return (f"{statistics.median(xs) * 1e3:8.0f} ms ({min(xs) * 1e3:5.0f}-"
            f"{max(xs) * 1e3:5.0f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ktab-smpc", type=Path, metavar="PATH",
                    help="a build of KTAB's smpc, timed in the same rounds")
    ap.add_argument("--rounds", type=int, default=10, help="rounds (default 10)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    ktab = Ktab(args.ktab_smpc) if args.ktab_smpc else None

    py = sys.executable
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Start-up benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, statecraft "
          f"{__version__}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {load}; {args.rounds} rounds, medians (min-max) of whole processes")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so modules without a .pyc are compiled "
              "in every process (run `python -m compileall` on the source to time what an "
              "installed package does)")

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp_name:
        tmp = Path(tmp_name)
        csv, path = scenario(tmp)
        sc = [py, "-m", "statecraft"]
        commands: dict[str, Callable[[], object]] = {
            "python -c pass": _process([py, "-c", "pass"], tmp),
            "python -c 'import numpy'": _process([py, "-c", "import numpy"], tmp),
            f"python -c '{USED_LIBRARIES}'": _process([py, "-c", USED_LIBRARIES], tmp),
            "python -c 'import statecraft.cli'": _process([py, "-c", "import statecraft.cli"],
                                                          tmp),
            "statecraft validate": _process([*sc, "validate", str(path)], tmp),
            "statecraft run --model smp --json": _process(
                [*sc, "run", str(path), "--model", "smp", "--json"], tmp),
            "statecraft run --model eum --json": _process(
                [*sc, "run", str(path), "--model", "eum", "--json"], tmp),
        }
        if ktab is not None:
            commands["KTAB smpc --csv"] = lambda: ktab.run(csv)
        wall: dict[str, list[float]] = {k: [] for k in commands}
        cpu: dict[str, list[float]] = {k: [] for k in commands}
        imports: list[float] = []
        for run in commands.values():  # one warm-up each: file cache, .pyc files
            run()
        for _ in range(args.rounds):
            for name, run in commands.items():
                w, c = timed(run)
                wall[name].append(w)
                cpu[name].append(c)
            imports.append(cli_import_seconds(tmp))

    print(f"\nscenario: {DATASET} (7 actors, 3 issues), from {csv}")
    if ktab is not None:
        print(f"KTAB: {ktab.smpc}, timed in this run (logger settings: {ktab.conf_from})")
    else:
        print("KTAB: not timed (no --ktab-smpc given); bench_smp.py lists figures recorded "
              "elsewhere, with where and when")
    width = max(len(k) for k in commands)
    print(f"\n{'':<{width}}  {'wall':>22}  {'cpu (user+sys)':>22}")
    for name in commands:
        print(f"{name:<{width}}  {fmt(wall[name]):>22}  {fmt(cpu[name]):>22}")
    print(f"\n-X importtime, statecraft.cli cumulative: {fmt(imports)}")

    def med(d: dict[str, list[float]], k: str) -> float:
        return statistics.median(d[k])

    print("\nratios of this run's medians (wall; cpu)")
    floor = "python -c 'import numpy'"
    for name in ("statecraft run --model smp --json", "statecraft run --model eum --json",
                 "statecraft validate"):
        line = (f"  {name} / import numpy: {med(wall, name) / med(wall, floor):.2f}; "
                f"{med(cpu, name) / med(cpu, floor):.2f}")
        if ktab is not None:
            k = "KTAB smpc --csv"
            line += (f"   / KTAB smpc: {med(wall, name) / med(wall, k):.2f}; "
                     f"{med(cpu, name) / med(cpu, k):.2f}")
        print(line)
    if ktab is not None:
        k = "KTAB smpc --csv"
        print(f"  import numpy / KTAB smpc: {med(wall, floor) / med(wall, k):.2f}; "
              f"{med(cpu, floor) / med(cpu, k):.2f}")


if __name__ == "__main__":
    main()
