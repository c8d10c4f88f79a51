"""A run store that cannot register a run (its registry overwritten at its start) does not
stop a forecast: the command line, the API and the page give its results and say it was
not saved, and why, naming no path on the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft.cli import app
from tests.conftest import DATA

runner = CliRunner()
SMALL = DATA / "small.yaml"


def _damaged_store(root: Path) -> Path:
    """A store with one saved run whose registry's first bytes were then overwritten."""
    got = runner.invoke(app, ["forecast", str(SMALL), "--samples", "20", "--model",
                              "compromise", "--store", str(root), "--quiet"])
    assert got.exit_code == 0, got.output
    for extra in ("runs.sqlite-wal", "runs.sqlite-shm"):
        (root / extra).unlink(missing_ok=True)
    with (root / "runs.sqlite").open("r+b") as f:
        f.write(b"GARBAGE" * 8)
    return root


def test_the_command_line_forecasts_and_says_it_was_not_saved(tmp_path: Path) -> None:
    store = _damaged_store(tmp_path / "store")
    got = runner.invoke(app, ["forecast", str(SMALL), "--samples", "30", "--store",
                              str(store), "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert data["run_id"] is None and len(data["issues"]) == 2
    assert "damaged" in data["not_saved"]
    assert "was not saved" in got.stderr and str(store) in got.stderr
    plain = runner.invoke(app, ["forecast", str(SMALL), "--samples", "30", "--store",
                                str(store)])
    assert plain.exit_code == 0 and "not saved" in plain.stderr
    assert "Small test scenario" in plain.stdout  # its table of results
    quiet = runner.invoke(app, ["forecast", str(SMALL), "--samples", "30", "--store",
                                str(store), "--quiet"])
    assert quiet.exit_code == 0 and "not saved" in quiet.stderr  # said under --quiet too


def test_a_forecast_that_was_saved_says_nothing_of_it(tmp_path: Path) -> None:
    got = runner.invoke(app, ["forecast", str(SMALL), "--samples", "30", "--store",
                              str(tmp_path / "store"), "--json"])
    data = json.loads(got.stdout)
    assert data["run_id"] and data["not_saved"] is None


def test_the_api_and_the_page_forecast_with_a_damaged_store(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    store = _damaged_store(tmp_path / "store")
    c = TestClient(create_app(store), base_url="http://127.0.0.1:8000")
    body = {"text": SMALL.read_text(), "samples": 20, "model": "compromise"}
    got = c.post("/api/forecast", json=body)
    assert got.status_code == 200, got.text
    data = got.json()
    assert data["run_id"] is None and data["issues"]
    assert "damaged" in data["not_saved"] and str(tmp_path) not in got.text
    page = c.post("/ui/forecast", json=body)
    assert page.status_code == 200, page.text
    assert 'id="not-saved"' in page.text and "was not saved" in page.text
    assert 'id="issue-results"' in page.text and str(tmp_path) not in page.text
    # the page as loaded says forecasts can still be run: they can
    assert "Forecasts can still be run" in c.get("/").text


def test_a_busy_store_is_still_an_error_to_retry(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from statecraft import api
    from statecraft.store import RunStore, StoreBusy

    store = RunStore(tmp_path / "store")

    def locked(**_: object) -> None:
        raise StoreBusy("the run store is busy (another process is writing); try again")

    monkeypatch.setattr(store, "start", locked)
    with pytest.raises(StoreBusy):
        api.forecast_run(api.load(SMALL), samples=20, seed=1, model="compromise", store=store)
