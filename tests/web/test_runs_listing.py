"""Saved runs on the page and in the API: paged, a damaged store shown in place of the
table (the page still loads), store errors mapped to statuses by their type, and no
message naming a path on the server."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft.store import RunNotFound, StoreBusy, StoreDamaged, StoreError
from statecraft.web import create_app
from statecraft.web.app import MAX_RUNS_LIMIT, PAGE_RUNS, http_status
from tests.conftest import DATA

BASE = "http://127.0.0.1:8000"
SMALL = (DATA / "small.yaml").read_text()


def client_with_runs(store: Path, n: int) -> tuple[TestClient, list[str]]:
    """A client whose store holds ``n`` runs (newest first): one forecast, copied ``n - 1``
    times into the registry in one transaction, each copy with a copy of its data file
    (listing sees a complete run without one as damaged)."""
    c = TestClient(create_app(store), base_url=BASE)
    got = c.post("/api/forecast", json={"text": SMALL, "samples": 20, "model": "compromise"})
    assert got.status_code == 200, got.text
    db = sqlite3.connect(store / "runs.sqlite")
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM runs").fetchone())
    cols = list(row)
    ids = [f"20240101-000000-{i:06x}" for i in range(1, n)]
    with db:
        db.executemany(
            f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [tuple({**row, "id": run_id, "seq": row["seq"] + k}[c] for c in cols)
             for k, run_id in enumerate(ids, 1)])
    db.close()
    data = store / "runs" / f"{row['id']}.parquet"
    for run_id in ids:
        shutil.copyfile(data, data.with_name(f"{run_id}.parquet"))
    return c, [*reversed(ids), row["id"]]


def test_runs_are_paged(tmp_path: Path) -> None:
    c, ids = client_with_runs(tmp_path / "store", 45)
    first = c.get("/api/runs").json()
    assert [r["id"] for r in first] == ids[:PAGE_RUNS]
    assert "scenario_text" not in first[0]
    second = c.get(f"/api/runs?before={first[-1]['id']}&limit=20").json()
    assert [r["id"] for r in second] == ids[20:40]
    assert [r["id"] for r in c.get(f"/api/runs?limit={MAX_RUNS_LIMIT}").json()] == ids
    assert c.get(f"/api/runs?limit={MAX_RUNS_LIMIT + 1}").status_code == 422
    assert c.get("/api/runs?limit=0").status_code == 422
    assert c.get("/api/runs?before=nope").status_code == 404
    # the page: 20 rows and a control for the next 20
    page = c.get("/").text
    assert re.findall(r'<tr data-run="([^"]+)"', page) == ids[:PAGE_RUNS]
    assert f'id="older-runs" type="button" data-before="{ids[PAGE_RUNS - 1]}"' in page
    more = c.get(f"/ui/runs?before={ids[PAGE_RUNS - 1]}").text
    assert re.findall(r'<tr data-run="([^"]+)"', more) == ids[20:40]
    last = c.get(f"/ui/runs?before={ids[39]}").text
    assert re.findall(r'<tr data-run="([^"]+)"', last) == ids[40:]
    assert "older-runs" not in last


def test_the_page_with_20000_runs_answers_quickly(tmp_path: Path) -> None:
    c, ids = client_with_runs(tmp_path / "store", 20_000)
    c.get("/")  # warm: templates compiled, the bundled scenario read once
    took = []
    for _ in range(5):
        t0 = time.perf_counter()
        got = c.get("/")
        took.append(time.perf_counter() - t0)
        assert got.status_code == 200
    assert re.findall(r'<tr data-run="([^"]+)"', got.text) == ids[:PAGE_RUNS]
    print(f"/ with 20,000 runs: best {min(took) * 1e3:.0f} ms, worst {max(took) * 1e3:.0f} ms")
    assert min(took) < 0.2  # reading all 20,000 rows took over 2 s
    t0 = time.perf_counter()
    assert len(c.get("/api/runs").json()) == PAGE_RUNS
    print(f"/api/runs with 20,000 runs: {(time.perf_counter() - t0) * 1e3:.0f} ms")


def test_a_damaged_store_is_shown_in_place_of_the_runs(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "runs").mkdir(parents=True)
    (store / "runs" / "20240101-000000-aaaaaa.parquet").write_bytes(b"PAR1")
    (store / "runs.sqlite").write_bytes(b"")  # lost or truncated beside run data
    c = TestClient(create_app(store), base_url=BASE)
    page = c.get("/")
    assert page.status_code == 200
    assert 'id="store-problem"' in page.text and "registry is empty" in page.text
    assert 'id="run-button"' in page.text  # the page still works
    assert str(tmp_path) not in page.text
    listing = c.get("/api/runs")
    assert listing.status_code == 500 and "registry is empty" in listing.json()["detail"]
    assert str(tmp_path) not in listing.text
    assert "registry is empty" in c.get("/ui/runs").text


def test_a_changed_data_file_is_refused_by_every_page_that_reads_it(tmp_path: Path) -> None:
    c = TestClient(create_app(tmp_path / "store"), base_url=BASE)
    a = c.post("/api/forecast", json={"samples": 200, "model": "compromise"}).json()["run_id"]
    b = c.post("/api/forecast", json={"samples": 200, "model": "compromise"}).json()["run_id"]
    data = tmp_path / "store" / "runs" / f"{a}.parquet"
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))
    for url in (f"/api/runs/{a}", f"/api/compare?a={a}&b={b}", f"/api/runs/{a}/report",
                f"/api/runs/{a}/distributions.png", f"/ui/compare?a={a}&b={b}"):
        got = c.get(url)
        assert got.status_code == 500, (url, got.status_code)
        assert a in got.text and str(tmp_path) not in got.text, url
    assert c.get(f"/api/runs/{b}").status_code == 200
    missing = c.get("/api/runs/20990101-000000-ffffff")
    assert missing.status_code == 404 and str(tmp_path) not in missing.text


def test_store_errors_map_to_statuses_by_type_not_by_words() -> None:
    assert http_status(RunNotFound("the store is busy")) == 404
    assert http_status(StoreBusy("no run 'x'")) == 503
    assert http_status(StoreDamaged("no run 'x'")) == 500
    assert http_status(StoreError("run x is running, not complete")) == 409
