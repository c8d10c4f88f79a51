"""Speed of the Spatial Model of Politics beside KTAB's (a measurement, never a test).

Every figure printed as measured is measured in this run, on this machine:

- one deterministic run of each KTAB reference dataset, in ms: statecraft's model in
  process, the full run (history, offers, per-turn diagnostics; NumPy) and the short one
  (first and last turn only; the compiled kernel when numba is installed), and a whole
  fresh Python process that imports statecraft, reads the CSV and runs the model;
- stochastic runs: statecraft's batches of 1,000 samples and its single runs, in process;
- how the cost of a run grows with the number of actors (synthetic, one issue).

Given a build of KTAB's ``smpc`` (``--ktab-smpc PATH``; KAPSARC's C++ reference
implementation), it is timed in the same run on the same inputs, alternating with
statecraft round by round: a whole ``smpc`` process per run, as KTAB runs its own
reference comparisons (``--logmin``, SQLite to a file in a fresh folder, its log to a
file), with KTAB's own "Elapsed time" line read from that log; stochastic runs use
``StateTransitions`` Stochastic in an XML scenario written from the same CSV, one seed per
process. The ratios printed are of figures measured here. Without a build, KTAB's figures
recorded earlier are printed apart, each with where, when and how it was recorded.

    python benchmarks/bench_smp.py                               # statecraft only
    python benchmarks/bench_smp.py --ktab-smpc ~/KTAB/examples/smp/smpc
    python benchmarks/bench_smp.py --quick                       # fewer rounds and sizes
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from statecraft import __version__
from statecraft.models import ModelInputs, _smp_numba, smp
from statecraft.models.trajectory import Trajectory
from statecraft.scenario.ktab import KtabData, read_ktab_csv, write_ktab_csv

DATASETS = ("dummyData_3Dim", "SOE-Pol-Comp", "SOE-Policy", "dummyData_6Dim",
            "dummyData-a040")
STOCHASTIC = ("dummyData_3Dim", "SOE-Pol-Comp")
KTAB_MAX_ACTORS = 40
"""Largest synthetic size KTAB runs in the scaling (80 actors take it minutes)."""

# KTAB's default parameters (those of its reference logs) but stochastic state transitions,
# as its XML scenarios name them.
KTAB_PARAMETERS = (("VictoryProbModel", "Linear"), ("PCEModel", "Conditional"),
                   ("StateTransitions", "Stochastic"), ("VotingRule", "Prop"),
                   ("BigRAdjust", "OneThird"), ("BigRRange", "Mid"),
                   ("ThirdPartyCommit", "SemiCommit"), ("InterVecBrgn", "S2P2"),
                   ("BargnModel", "InitOnlyInterp"))

LOGGER_CONF = """* GLOBAL:
    FORMAT = %msg
    FILENAME = "smpc_log.txt"
    ENABLED = true
    TO_FILE = true
    TO_STANDARD_OUTPUT = false
"""
"""easylogging++ settings for a run, used when no ``smpc-logger.conf`` lies beside smpc:
the log goes to a file, as with KTAB's own configuration."""


@dataclass(frozen=True)
class Recorded:
    """KTAB's figures measured elsewhere, with where, when and how: printed apart, never as
    measured in this run."""

    where: str
    when: str
    how: str
    figures: tuple[tuple[str, str], ...]


RECORDED_KTAB: tuple[Recorded, ...] = (
    Recorded(
        where="statecraft's 2-core machine (Debian 12); smpc built with g++ 12.2 -O2 from "
              "KTAB's public sources (lsyaseen/KTAB 3b5b063, a copy of KAPSARC/KTAB)",
        when="2026-12-04 23:44 UTC, load average 1.6 rising to 5.0 from other work",
        how="bench_smp.py --ktab-smpc: medians of 5 rounds alternating with statecraft; "
            "smpc --logmin, SQLite and log to files",
        figures=(
            ("dummyData_3Dim", "81.5 ms as a process, 76.4 ms by its own timer"),
            ("SOE-Pol-Comp", "476 ms as a process, 470 ms by its own timer"),
            ("SOE-Policy", "1,649 ms as a process, 1,643 ms by its own timer"),
            ("dummyData_6Dim", "3,655 ms as a process, 3,639 ms by its own timer"),
            ("dummyData-a040", "9,991 ms as a process, 9,984 ms by its own timer"),
            ("dummyData_3Dim, stochastic", "5.9 runs/s, one run per process"),
            ("SOE-Pol-Comp, stochastic", "1.9 runs/s, one run per process"),
            ("synthetic, one issue", "10, 20, 40 actors: 402, 1,572, 10,277 ms by its own "
                                     "timer"),
        ),
    ),
    Recorded(
        where="the same machine and build",
        when="2026-12-05 00:06 UTC, load average 2.2 rising to 4.5 from other work",
        how="the same command",
        figures=(
            ("dummyData_3Dim", "93.9 ms as a process, 88.6 ms by its own timer"),
            ("SOE-Pol-Comp", "506 ms as a process, 501 ms by its own timer"),
            ("SOE-Policy", "1,602 ms as a process, 1,593 ms by its own timer"),
            ("dummyData_6Dim", "2,787 ms as a process, 2,782 ms by its own timer"),
            ("dummyData-a040", "6,920 ms as a process, 6,913 ms by its own timer"),
            ("dummyData_3Dim, stochastic", "10.4 runs/s, one run per process"),
            ("SOE-Pol-Comp, stochastic", "2.2 runs/s, one run per process"),
            ("synthetic, one issue", "10, 20, 40 actors: 303, 1,205, 7,638 ms by its own "
                                     "timer"),
        ),
    ),
)
"""KTAB's figures as this benchmark recorded them, printed apart when no build is given."""


def anchors() -> Path:
    env = os.environ.get("STATECRAFT_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    return root / "anchors" / "ktab"


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def timed_process(cmd: Sequence[str], cwd: Path) -> float:
    """Wall seconds of running ``cmd`` to completion in ``cwd`` (output to a file there)."""
    with open(cwd / "stdout.txt", "wb") as out:
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - t0
    if done.returncode != 0:
        tail = (cwd / "stdout.txt").read_text(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(cmd)} exited with {done.returncode}:\n{tail}")
    return wall


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


class Ktab:
    """A build of KTAB's smpc, run as a whole process in a fresh folder each time."""

    ELAPSED = re.compile(r"Elapsed time:\s*([0-9.]+)\s*seconds")

    def __init__(self, smpc: Path) -> None:
        if not smpc.is_file() or not os.access(smpc, os.X_OK):
            raise SystemExit(f"--ktab-smpc: {smpc} is not an executable file")
        self.smpc = smpc.resolve()
        beside = self.smpc.parent / "smpc-logger.conf"
        self.conf = beside.read_text() if beside.is_file() else LOGGER_CONF
        self.conf_from = str(beside) if beside.is_file() else "a minimal one (log to a file)"

    def run(self, scenario: Path, *, seed: int | None = None) -> tuple[float, float]:
        """One run: its wall seconds as a process, and KTAB's own elapsed seconds."""
        with tempfile.TemporaryDirectory(prefix="ktab-run-") as tmp:
            where = Path(tmp)
            (where / "smpc-logger.conf").write_text(self.conf)
            kind = "--xml" if scenario.suffix == ".xml" else "--csv"
            cmd = [str(self.smpc), "--logmin", kind, str(scenario),
                   "--connstr", "Driver=QSQLITE;Database=ktab-bench"]
            if seed is not None:
                cmd += ["--seed", str(seed)]
            t = timed_process(cmd, where)
            logs = [p for p in where.iterdir() if p.name.endswith("log.txt")]
            text = "".join(p.read_text(errors="replace") for p in logs)
            found = self.ELAPSED.findall(text)
            if not found or "History of actor positions" not in text:
                raise SystemExit(f"{' '.join(cmd)}: no finished run in its log "
                                 f"({', '.join(p.name for p in logs) or 'no log file'})")
            return t, float(found[-1])


def ktab_xml(data: KtabData, stochastic_seed: int = 1) -> str:
    """The scenario in KTAB's XML format, with its deterministic defaults except
    stochastic state transitions (the CSV format cannot carry model parameters)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<Scenario>",
             f"  <name>{escape(data.name)}</name>", f"  <desc>{escape(data.description)}</desc>",
             f"  <prngSeed>{stochastic_seed}</prngSeed>", "  <ModelParameters>"]
    lines += [f"    <{k}>{v}</{k}>" for k, v in KTAB_PARAMETERS]
    lines += ["  </ModelParameters>", "  <Dimensions>"]
    lines += [f"    <dName>{escape(d)}</dName>" for d in data.dimension_names]
    lines += ["  </Dimensions>", "  <Actors>"]
    for a in range(data.n_actors):
        lines += ["    <Actor>", f"      <name>{escape(data.actor_names[a])}</name>",
                  f"      <description>{escape(data.actor_descriptions[a])}</description>",
                  f"      <capability>{data.capability[a]!r}</capability>", "      <Position>"]
        lines += [f"        <dCoord>{x!r}</dCoord>" for x in data.position[a]]
        lines += ["      </Position>", "      <Salience>"]
        lines += [f"        <dSal>{x!r}</dSal>" for x in data.salience[a]]
        lines += ["      </Salience>", "    </Actor>"]
    # smpc requires this element; one pair restating the identity's diagonal changes nothing.
    first = escape(data.actor_names[0])
    lines += ["  </Actors>", "  <IdealAdjustment>", "    <iaPair>",
              f"      <adjustingIdeal>{first}</adjustingIdeal>",
              f"      <referencePos>{first}</referencePos>", "      <adjust>1</adjust>",
              "    </iaPair>", "  </IdealAdjustment>", "</Scenario>", ""]
    return "\n".join(lines)


def short_run(inputs: ModelInputs, **options: Any) -> Trajectory:
    """statecraft's short run: first and last turn only, no offers recorded."""
    return smp(inputs, keep_history=False, record_offers=False, **options)


def tiled(inputs: ModelInputs, batch: int) -> ModelInputs:
    """The same inputs repeated ``batch`` times."""
    rep = np.repeat
    return ModelInputs(inputs.actor_ids, inputs.issue_ids, rep(inputs.capability, batch, 0),
                       rep(inputs.position, batch, 0), rep(inputs.salience, batch, 0),
                       inputs.present, inputs.status_quo)


def synthetic(actors: int, seed: int) -> KtabData:
    """Random capabilities, positions and saliences on one dimension, as KTAB's CSV holds
    them (so both programs read the same numbers)."""
    rng = np.random.default_rng(seed)
    cap = np.round(rng.uniform(10, 200, actors), 3)
    pos = np.round(rng.uniform(0, 100, actors), 2)
    sal = np.round(rng.uniform(75, 99, actors), 2)
    return KtabData(f"synthetic-{actors}", "random actors, one dimension",
                    tuple(f"a{i}" for i in range(actors)), ("random",) * actors,
                    tuple(float(c) for c in cap), tuple((float(p),) for p in pos),
                    tuple((float(s),) for s in sal), ("d0",), ("s0",))


PROCESS = ("import sys; from pathlib import Path; from statecraft.models import smp; "
           "from statecraft.scenario.ktab import read_ktab_csv; "
           "smp(read_ktab_csv(Path(sys.argv[1]).read_text()).to_model_inputs())")
"""A whole statecraft process doing what smpc does, less its logging: start Python, import
statecraft, read the CSV, run the model once (the full run), exit."""


def ms(x: float) -> str:
    return f"{x * 1e3:,.1f}"


def header(ktab: Ktab | None) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    engine = "numba" if _smp_numba.AVAILABLE else "numpy"
    print(f"SMP benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, statecraft "
          f"{__version__}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {load}")
    print(f"statecraft short runs on the {engine} engine (numba "
          f"{'installed' if _smp_numba.AVAILABLE else 'absent'})")
    if ktab:
        print(f"KTAB: {ktab.smpc}, timed in this run (logger settings: {ktab.conf_from})")
    else:
        print("KTAB: no --ktab-smpc given; its figures recorded elsewhere are listed at the "
              "end, not measured in this run")


def deterministic(where: Path, rounds: int, ktab: Ktab | None, tmp: Path) -> None:
    print(f"\nDeterministic run of each reference dataset: medians of {rounds} rounds, "
          "alternating (ms)")
    cols = f"{'dataset':<16}{'turns':>6}{'full':>9}{'short':>8}{'process':>9}"
    if ktab:
        cols += f"{'KTAB smpc':>11}{'KTAB own':>10}{'smpc/process':>14}{'own/full':>10}"
    print(cols)
    for name in DATASETS:
        path = where / f"{name}.csv"
        if not path.is_file():
            print(f"{name:<16} (absent: {path})")
            continue
        inputs = read_ktab_csv(path.read_text()).to_model_inputs()
        turns = int(smp(inputs).rounds[0, 0])
        command = [sys.executable, "-c", PROCESS, str(path)]
        times: dict[str, list[float]] = {k: [] for k in ("full", "short", "process", "smpc", "own")}
        order = ["full", "short", "process"] + (["smpc"] if ktab else [])
        for r in range(rounds):
            for what in order if r % 2 == 0 else order[::-1]:
                if what == "full":
                    times["full"].append(timed(partial(smp, inputs)))
                elif what == "short":
                    times["short"].append(timed(partial(short_run, inputs)))
                elif what == "process":
                    times["process"].append(timed_process(command, tmp))
                elif ktab:
                    t, own = ktab.run(path)
                    times["smpc"].append(t)
                    times["own"].append(own)
        m = {k: median(v) for k, v in times.items() if v}
        line = (f"{name:<16}{turns:>6}{ms(m['full']):>9}{ms(m['short']):>8}"
                f"{ms(m['process']):>9}")
        if ktab:
            line += (f"{ms(m['smpc']):>11}{ms(m['own']):>10}{m['smpc'] / m['process']:>14.2f}"
                     f"{m['own'] / m['full']:>10.1f}")
        print(line)
    print("  full, short: statecraft's model in this process; process: a fresh Python process "
          "that imports statecraft, reads the CSV and runs the full model once")
    if ktab:
        print("  KTAB smpc: the whole process (--logmin, SQLite and log to files); KTAB own: "
              "its 'Elapsed time' (read, model, SQLite and log writes, no process start)")
        print("  smpc/process > 1: the statecraft process is faster; own/full > 1: "
              "statecraft's model is faster than KTAB's run as KTAB times it")


def stochastic(where: Path, rounds: int, ktab: Ktab | None, tmp: Path) -> None:
    engine = "numba" if _smp_numba.AVAILABLE else "numpy"
    print(f"\nStochastic runs (StateTransitions Stochastic): runs/s, medians of {rounds} "
          "alternating rounds")
    cols = f"{'dataset':<16}{'batch 1000':>12}{'one run':>10}"
    if ktab:
        cols += f"{'KTAB smpc':>11}{'KTAB own':>10}{'batch/smpc':>12}"
    print(cols)
    for name in STOCHASTIC:
        path = where / f"{name}.csv"
        if not path.is_file():
            print(f"{name:<16} (absent: {path})")
            continue
        data = read_ktab_csv(path.read_text())
        one = data.to_model_inputs()
        batch = tiled(one, 1000)
        xml = tmp / f"{name}-stochastic.xml"
        xml.write_text(ktab_xml(data))
        rates: dict[str, list[float]] = {k: [] for k in ("batch", "one", "smpc", "own")}
        order = ["batch", "one"] + (["smpc"] if ktab else [])
        for r in range(rounds):
            for what in order if r % 2 == 0 else order[::-1]:
                if what == "batch":
                    t = timed(partial(short_run, batch, stochastic=True,
                                      rng=np.random.default_rng(r)))
                    rates["batch"].append(1000 / t)
                elif what == "one":
                    t = timed(partial(smp, one, stochastic=True,
                                      rng=np.random.default_rng(1000 + r)))
                    rates["one"].append(1 / t)
                elif ktab:
                    t, own = ktab.run(xml, seed=r + 1)
                    rates["smpc"].append(1 / t)
                    rates["own"].append(1 / own)
        m = {k: median(v) for k, v in rates.items() if v}
        line = f"{name:<16}{m['batch']:>12,.0f}{m['one']:>10,.1f}"
        if ktab:
            line += f"{m['smpc']:>11,.1f}{m['own']:>10,.1f}{m['batch'] / m['smpc']:>12,.0f}"
        print(line)
    print(f"  batch 1000: samples/s of statecraft's short runs ({engine}) in batches of "
          "1,000; one run: a full stochastic run in process")
    if ktab:
        print("  KTAB smpc: one run per process (an XML scenario, a new seed each); KTAB own: "
              "by its 'Elapsed time'")


def scaling(quick: bool, ktab: Ktab | None, tmp: Path) -> None:
    print("\nScaling with actors (synthetic, one issue; statecraft in process"
          f"{', KTAB by its own timer' if ktab else ''}; ms per run)")
    sizes = (10, 20, 40) if quick else (10, 20, 40, 80)
    rows = []
    for n in sizes:
        csv = tmp / f"synthetic-{n}.csv"
        csv.write_text(write_ktab_csv(synthetic(n, seed=n)))
        inputs = read_ktab_csv(csv.read_text()).to_model_inputs()
        turns = max(int(short_run(inputs).rounds[0, 0]), 1)
        fast = min(timed(partial(short_run, inputs)) for _ in range(1 if quick else 3))
        full = timed(partial(smp, inputs))
        row = [float(n), fast, full]
        line = (f"  N={n:<4} turns={turns:<4} short {ms(fast):>9} ({fast / turns * 1e3:.3f}/turn)"
                f"   full {ms(full):>10}")
        if ktab and n <= KTAB_MAX_ACTORS:
            _, own = ktab.run(csv)
            row.append(own)
            line += f"   KTAB own {ms(own):>10}"
        rows.append(row)
        print(line)
    labels = ["short", "full"] + (["KTAB own"] if ktab else [])
    for k, label in enumerate(labels, start=1):
        have = [r for r in rows if len(r) > k]
        slope = np.polyfit(np.log([r[0] for r in have]), np.log([r[k] for r in have]), 1)[0]
        print(f"  fitted exponent ({label}, N <= {int(have[-1][0])}): cost of a run "
              f"~ N^{slope:.2f}")


def recorded() -> None:
    print("\nKTAB, recorded elsewhere (not measured in this run):")
    for r in RECORDED_KTAB:
        print(f"  where: {r.where}\n  when: {r.when}\n  how: {r.how}")
        for what, value in r.figures:
            print(f"    {what}: {value}")
    if not RECORDED_KTAB:
        print("  none recorded")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and sizes")
    ap.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 5)")
    ap.add_argument("--ktab-smpc", type=Path, default=None, metavar="PATH",
                    help="a build of KTAB's smpc, timed side by side")
    args = ap.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    if rounds < 1:
        raise SystemExit("--rounds: expected at least 1")
    ktab = Ktab(args.ktab_smpc) if args.ktab_smpc else None
    where = anchors()
    header(ktab)
    if _smp_numba.AVAILABLE:  # compile once, outside every timing
        warm = read_ktab_csv(write_ktab_csv(synthetic(5, 0))).to_model_inputs()
        short_run(warm)
        short_run(warm, stochastic=True, rng=np.random.default_rng(0))
    with tempfile.TemporaryDirectory(prefix="bench-smp-") as tmp:
        deterministic(where, rounds, ktab, Path(tmp))
        stochastic(where, 1 if args.quick else rounds, ktab, Path(tmp))
        scaling(args.quick, ktab, Path(tmp))
    if not ktab:
        recorded()


if __name__ == "__main__":
    main()
