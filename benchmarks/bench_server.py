"""A bounded load test of the web app's forecast API (a measurement, never a timed test).

Starts ``statecraft serve`` on a free loopback port with a throwaway run store, then for
``--seconds`` (default 60) keeps ``--clients`` concurrent clients posting small forecasts
(``--samples`` each, the bundled scenario) to ``/api/forecast``, as the app's own page
does (its Host and Origin). Prints requests served, errors, latency percentiles and the
server's resident memory before and after.

    python benchmarks/bench_server.py                 # 60 s
    python benchmarks/bench_server.py --seconds 10
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What a load run saw."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rss_start_mib: float = 0.0
    rss_end_mib: float = 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else 0.0


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def server(store: str) -> Iterator[tuple[str, int]]:
    """``statecraft serve`` on a free loopback port: yields its URL and pid."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "statecraft", "serve", "--port", str(port),
                             "--store", store], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/scenarios", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def post(url: str, body: bytes, timeout: float = 60) -> int:
    """POST JSON as the app's own page would: from the app's origin (the server refuses
    state-changing requests from any other)."""
    parts = urllib.parse.urlsplit(url)
    req = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/json", "Origin": f"{parts.scheme}://{parts.netloc}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        r.read()
        return int(r.status)


def load(url: str, pid: int, *, seconds: float, clients: int, samples: int) -> LoadResult:
    """Hammer /api/forecast for ``seconds`` with ``clients`` threads."""
    body = json.dumps({"bundled": "south-caucasus-2021.yaml", "samples": samples}).encode()
    for _ in range(3):  # warm up: compile, caches, first figure
        post(url + "/api/forecast", body)
    out = LoadResult(rss_start_mib=rss_mib(pid))
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                status = post(url + "/api/forecast", body)
                error = None if status == 200 else f"HTTP {status}"
            except (urllib.error.URLError, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            with lock:
                out.requests += 1
                out.latencies.append(time.perf_counter() - t0)
                if error:
                    out.errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.rss_end_mib = rss_mib(pid)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as store, server(store) as (url, pid):
        r = load(url, pid, seconds=args.seconds, clients=args.clients, samples=args.samples)
    print(f"{args.seconds:g} s, {args.clients} clients, {args.samples} samples per forecast")
    print(f"  requests served: {r.requests} ({r.requests / args.seconds:.1f}/s)")
    print(f"  errors: {len(r.errors)}" + (f" (first: {r.errors[0]})" if r.errors else ""))
    print(f"  latency p50 {r.percentile(50) * 1e3:.0f} ms, p99 {r.percentile(99) * 1e3:.0f} ms,"
          f" max {max(r.latencies, default=0) * 1e3:.0f} ms")
    print(f"  server memory: {r.rss_start_mib:.0f} MiB after warm-up, "
          f"{r.rss_end_mib:.0f} MiB at the end ({r.rss_end_mib - r.rss_start_mib:+.0f} MiB)")


if __name__ == "__main__":
    main()
