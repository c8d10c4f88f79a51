"""A complete run whose data file was deleted or cut short is listed as damaged (a stat and
a 4-byte read, no checksum) by ``runs list``, the API and the page's table, and its report
link opens a page saying the run is damaged (HTML, escaped), not bare JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft.cli import app
from statecraft.store import RunStore
from statecraft.store.runs import data_file_problem
from tests.conftest import DATA

runner = CliRunner()
SMALL = DATA / "small.yaml"


def _runs(store: Path, n: int) -> list[str]:
    ids = []
    for seed in range(n):
        got = runner.invoke(app, ["forecast", str(SMALL), "--samples", "20", "--model",
                                  "compromise", "--seed", str(seed), "--store", str(store),
                                  "--json", "--quiet"])
        assert got.exit_code == 0, got.output
        ids.append(json.loads(got.stdout)["run_id"])
    return ids


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, str, str, str]:
    """A store of three complete runs: the first's data file deleted, the second's cut
    short, the third whole."""
    store = tmp_path / "store"
    gone, cut, whole = _runs(store, 3)
    runs = RunStore(store)
    runs.parquet_path(gone).unlink()
    path = runs.parquet_path(cut)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return store, gone, cut, whole


def test_listing_marks_a_missing_or_cut_data_file(damaged: tuple[Path, str, str, str]
                                                  ) -> None:
    store, gone, cut, whole = damaged
    listed = {r.id: r for r in RunStore(store).list()}
    assert listed[gone].status == "damaged" and listed[gone].error == (
        "its data file is missing")
    assert listed[cut].status == "damaged" and "cut short" in (listed[cut].error or "")
    assert listed[whole].status == "complete" and listed[whole].error is None
    got = runner.invoke(app, ["runs", "list", "--store", str(store), "--json"])
    assert {r["id"]: r["status"] for r in json.loads(got.stdout)} == {
        gone: "damaged", cut: "damaged", whole: "complete"}


def test_what_counts_as_plainly_damaged(tmp_path: Path) -> None:
    assert data_file_problem(tmp_path / "none.parquet") == "its data file is missing"
    (tmp_path / "dir.parquet").mkdir()
    assert data_file_problem(tmp_path / "dir.parquet") == "its data file is not a regular file"
    (tmp_path / "short.parquet").write_bytes(b"PAR1")
    assert "cut short" in (data_file_problem(tmp_path / "short.parquet") or "")
    (tmp_path / "whole.parquet").write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    assert data_file_problem(tmp_path / "whole.parquet") is None


def test_the_page_lists_them_and_their_report_link_says_why(
        damaged: tuple[Path, str, str, str]) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    store, gone, cut, whole = damaged
    c = TestClient(create_app(store), base_url="http://127.0.0.1:8000")
    assert {r["id"]: r["status"] for r in c.get("/api/runs").json()}[gone] == "damaged"
    table = c.get("/ui/runs").text
    row = table[table.index(f'data-run="{gone}"'):]
    assert "<td>damaged</td>" in row[:row.index("</tr>")]
    for run_id in (gone, cut):
        got = c.get(f"/api/runs/{run_id}/report")
        assert got.status_code == 500
        assert got.headers["content-type"].startswith("text/html")
        assert "damaged" in got.text and run_id in got.text and "<!DOCTYPE html>" in got.text
        assert str(store) not in got.text
    assert c.get(f"/api/runs/{whole}/report").status_code == 200
    odd = c.get("/api/runs/%3Cb%3Ex/report")  # an id that is markup: shown as text
    assert odd.status_code == 404 and odd.headers["content-type"].startswith("text/html")
    assert "<b>x" not in odd.text and "&lt;b&gt;x" in odd.text


@pytest.mark.parametrize(("column", "value", "said"), [
    ("params", "{not json", "its params in the registry are not readable"),
    ("failures", "7", "its failures in the registry are not readable"),
    ("status", "weird", "unknown status 'weird' in the registry"),
    ("samples", "many", "its samples in the registry is not a whole number from 0 ('many')"),
    ("seconds", "x", "its seconds in the registry is not a number ('x')"),
    ("completed", -5, "its completed in the registry is not a whole number from 0 ('-5')"),
])
def test_a_damaged_registry_row_is_listed_damaged_and_hides_no_other_run(
        tmp_path: Path, column: str, value: object, said: str) -> None:
    """One unreadable row stopped runs list, GET /api/runs (500) and the page's table."""
    import sqlite3

    store = tmp_path / "store"
    first, second = _runs(store, 2)
    with sqlite3.connect(store / "runs.sqlite") as db:
        db.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (value, second))
    listed = {r.id: r for r in RunStore(store).list()}
    assert listed[first].status == "complete"
    assert listed[second].status == "damaged" and listed[second].error == said
    got = runner.invoke(app, ["runs", "list", "--store", str(store), "--json"])
    assert got.exit_code == 0, got.output
    assert {r["id"]: r["status"] for r in json.loads(got.stdout)} == {
        first: "complete", second: "damaged"}
    shown = runner.invoke(app, ["runs", "show", second, "--store", str(store)])
    assert shown.exit_code == 1 and said in shown.output  # the run itself says why
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    client = TestClient(create_app(store), base_url="http://127.0.0.1:8000")
    page = client.get("/api/runs")
    assert page.status_code == 200, page.text
    assert {r["id"]: r["status"] for r in page.json()} == {
        first: "complete", second: "damaged"}
    assert client.get("/ui/runs").status_code == 200


def test_a_store_whose_runs_folder_is_a_file_fails_the_run_in_words(tmp_path: Path) -> None:
    """The run's data file cannot be made: the forecast said '[Errno 20] Not a directory'
    alone, and its run was left 'running' (removing the partial file failed too)."""
    import shutil

    store = tmp_path / "store"
    _runs(store, 1)
    shutil.rmtree(store / "runs")
    (store / "runs").write_text("not a folder")
    got = runner.invoke(app, ["forecast", str(SMALL), "--samples", "20", "--model",
                              "compromise", "--store", str(store), "--quiet"])
    assert got.exit_code == 1
    assert re.search(r"runs/[\w-]+\.parquet\.part: cannot write run [\w-]+'s data file "
                     r"\(Not a directory\); fix the store", got.output), got.output
    assert "Traceback" not in got.output
    newest = RunStore(store).list()[0]
    assert newest.status == "failed" and "Not a directory" in (newest.error or "")


def test_a_row_without_an_id_is_listed_as_damaged_too(tmp_path: Path) -> None:
    import sqlite3

    store = tmp_path / "store"
    first, second = _runs(store, 2)
    with sqlite3.connect(store / "runs.sqlite") as db:
        db.execute("UPDATE runs SET id = NULL WHERE id = ?", (second,))
    got = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert got.exit_code == 0, got.output
    assert first in got.output and "damaged" in got.output and "Traceback" not in got.output
