"""A forecast's worker processes end when the process that started them is killed
(SIGKILL: no chance to shut its pool down), where they used to wait on their pipe for
ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from statecraft.uncertainty.workers import worker_pool

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(),
                                reason="reads processes from /proc")

WAIT_SECONDS = 60
"""A generous bound: the workers should go within a second or two of their parent."""


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` that run a multiprocessing child."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = next((int(line.split()[1]) for line in status.splitlines()
                     if line.startswith("PPid:")), -1)
        if ppid == pid and b"spawn_main" in cmdline:
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return not any(line.startswith("State:") and "Z" in line.split()[1]
                   for line in status.splitlines())


def test_workers_of_a_killed_forecast_exit(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-m", "statecraft", "forecast", "--workers", "2", "--samples",
         "2000000", "--chunk-size", "1000", "--no-store", "--quiet", "--uncalibrated"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.2)
            workers = _children(parent.pid)
        assert len(workers) >= 2, "the forecast never started its two workers"
        time.sleep(1.0)  # they are past their initializer and at work
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + WAIT_SECONDS
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if _alive(w)], "workers outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for w in workers:  # only the workers this test started, should any remain
            if _alive(w):
                os.kill(w, signal.SIGKILL)


def test_a_pool_still_runs_its_work() -> None:
    with worker_pool(2) as pool:
        assert sorted(pool.map(abs, [-3, 2, -1])) == [1, 2, 3]
