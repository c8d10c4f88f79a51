"""The web's JSON names no path on the server and no machine or process: a stored run's
``scenario_path``, ``edited_from.path``, ``host``, ``pid`` and ``process_start`` are left
out of ``GET /api/runs`` and ``GET /api/runs/ID``; the command line's ``runs show --json``
keeps them."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft import api
from statecraft.cli import app
from statecraft.web import create_app
from statecraft.web.app import PRIVATE_RUN_FIELDS

BUNDLED = api.DEFAULT_SCENARIO
EDIT = {"actor": "rus", "issue": "azerbaijan_alignment", "salience": 0.3}


def test_the_api_gives_no_path_host_or_process(tmp_path: Path) -> None:
    store = tmp_path / "store"
    c = TestClient(create_app(store), base_url="http://127.0.0.1:8000")
    plain = c.post("/api/forecast", json={"bundled": BUNDLED, "samples": 50,
                                          "model": "compromise"}).json()
    edited = c.post("/api/forecast", json={"bundled": BUNDLED, "samples": 50,
                                           "model": "compromise", "changes": [EDIT]}).json()
    folder = str(api.bundled_scenarios_dir())
    answers = [c.get("/api/runs"), c.get(f"/api/runs/{plain['run_id']}"),
               c.get(f"/api/runs/{edited['run_id']}")]
    for got in answers:
        assert got.status_code == 200, got.text
        assert folder not in got.text and str(tmp_path) not in got.text
    for run in [*answers[0].json(), answers[1].json(), answers[2].json()]:
        assert not set(PRIVATE_RUN_FIELDS) & set(run), sorted(run)
    assert answers[2].json()["edited_from"]["name"] == BUNDLED
    assert "path" not in answers[2].json()["edited_from"]
    # the command line, on this machine, still says where and who
    shown = CliRunner().invoke(app, ["runs", "show", edited["run_id"], "--store",
                                     str(store), "--json"])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert record["host"] == socket.gethostname() and record["pid"] > 0
    assert record["edited_from"]["path"].startswith(folder)
