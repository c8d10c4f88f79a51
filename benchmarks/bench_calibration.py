"""What calibration costs a forecast (a measurement, never a test).

Times ``statecraft forecast --samples N --questions ...`` on the bundled default scenario
with the EUM, uncalibrated and calibrated, side by side in one run: each repetition runs
both commands in fresh child processes (so imports, start-up, the saved run and the
summaries are all timed), alternating their order. The kernel is compiled once before
timing. Prints each configuration's median wall time and the calibrated/uncalibrated
ratio (target: at most 1.10), and the time the calibration step alone takes in process.

    python benchmarks/bench_calibration.py                 # 100,000 samples, 3 repetitions
    python benchmarks/bench_calibration.py --samples 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _command(samples: int, store: str, calibrated: bool) -> list[str]:
    cmd = [sys.executable, "-m", "statecraft", "forecast", "--samples", str(samples),
           "--model", "eum", "--seed", "1", "--json", "--store", store,
           "--questions", str(ROOT / "questions" / "south-caucasus-2021.yaml")]
    return cmd if calibrated else [*cmd, "--uncalibrated"]


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _calibration_step(samples: int) -> tuple[float, float]:
    """Seconds for the calibrated summaries and probabilities of one forecast, in process,
    beside the inputs-only ones."""
    from statecraft import api
    from statecraft.analysis.questions import probabilities
    from statecraft.uncertainty.runner import summary

    loaded = api.load()
    qset = api.load_questions(ROOT / "questions" / "south-caucasus-2021.yaml", loaded)
    run = api.forecast(loaded, samples=samples, seed=1, model="eum")
    done = run.result.outcomes[run.result.completed()]
    t0 = time.perf_counter()
    summary(run.result)
    probabilities(qset, run.result.issue_ids, done)
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    run.calibrated_rows()
    probabilities(qset, run.result.issue_ids, done, run.errors)
    calibrated = time.perf_counter() - t0
    return plain, calibrated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as store:
        subprocess.run(_command(2048, store, True), check=True, stdout=subprocess.DEVNULL)
        times: dict[bool, list[float]] = {False: [], True: []}
        for rep in range(args.repeat):
            for calibrated in ((False, True) if rep % 2 == 0 else (True, False)):
                times[calibrated].append(_time(_command(args.samples, store, calibrated)))
    plain, cal = statistics.median(times[False]), statistics.median(times[True])
    print(f"statecraft forecast, default scenario, EUM, {args.samples:,} samples, "
          f"{args.repeat} repetitions (median wall seconds, whole command)")
    print(f"  uncalibrated  {plain:8.2f}  {times[False]}")
    print(f"  calibrated    {cal:8.2f}  {times[True]}")
    print(f"  ratio calibrated / uncalibrated: {cal / plain:.3f} (target <= 1.10)")
    step_plain, step_cal = _calibration_step(args.samples)
    print(f"  in process: inputs-only summaries and probabilities {step_plain:.3f} s, "
          f"calibrated ones {step_cal:.3f} s")


if __name__ == "__main__":
    main()
