"""A short, bounded load test of the forecast API (the full 60 s one is a benchmark)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from benchmarks.bench_server import load, server

SECONDS = float(os.environ.get("STATECRAFT_LOAD_SECONDS", "8"))
RSS_GROWTH_BOUND_MIB = 150

pytestmark = pytest.mark.slow


def test_forecast_api_under_load_serves_every_request(tmp_path: Path) -> None:
    with server(str(tmp_path)) as (url, pid):
        r = load(url, pid, seconds=SECONDS, clients=4, samples=50)
    assert r.requests >= 10
    assert r.errors == []
    assert r.rss_end_mib - r.rss_start_mib < RSS_GROWTH_BOUND_MIB
    print(f"{r.requests} requests, p99 {r.percentile(99) * 1e3:.0f} ms, "
          f"memory {r.rss_start_mib:.0f} -> {r.rss_end_mib:.0f} MiB")
