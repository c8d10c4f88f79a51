"""An edited copy (a scenario with an edited_from block) uploaded to the page: its cards
mark each edited value with its cited one, its sources are said to support the cited
value, and a forecast of it lists the edits as a forecast of an edit made here does."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
from fastapi.testclient import TestClient

from statecraft.scenario.edit import StanceChange, with_stance_changes
from statecraft.web.app import create_app
from tests.conftest import DATA

TEXT = (DATA / "small.yaml").read_text(encoding="utf-8")
COPY = with_stance_changes(TEXT, "small.yaml", [StanceChange("c", "x", salience=0.3)])
MARK = "c on x: salience 0.3 (edited; cited 0.2-0.6)"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


def test_an_uploaded_copy_marks_its_edits(client: TestClient) -> None:
    page = client.post("/ui/upload", files={"file": ("copy.yaml", COPY.encode())})
    assert page.status_code == 200, page.text
    html = page.text
    assert "This scenario is an edited copy of <b>small.yaml</b>: 1 value is not the " \
           "cited one" in html
    row = html[html.index('<tr data-actor="c" data-issue="x">'):]
    row = row[:row.index("</tr>")]
    assert '<span class="file-edit">salience 0.3 (edited; cited 0.2-0.6)</span>' in row
    # its sources are said to support the cited value, not the edit
    assert "What the cited position 100, salience 0.2-0.6 rests on" in row
    # an unedited value is not marked
    other = html[html.index('<tr data-actor="a" data-issue="x">'):]
    assert "file-edit" not in other[:other.index("</tr>")]


def test_a_forecast_of_a_copy_lists_its_edits(client: TestClient) -> None:
    got = client.post("/api/forecast", json={"text": COPY, "samples": 30,
                                             "model": "compromise"}).json()
    assert got["edited_from"]["name"] == "small.yaml"
    assert [e["text"] for e in got["edits"]] == [MARK]
    run = client.get(f"/api/runs/{got['run_id']}").json()
    assert [e["text"] for e in run["edits"]] == [MARK]
    report = client.get(f"/api/runs/{got['run_id']}/report").text
    assert '0.3<span class="edited">(edited; cited 0.2-0.6)</span>' in report
    # the text it ran is the copy itself, block and all
    assert client.get(f"/api/runs/{got['run_id']}/scenario.yaml").text == COPY
    # a run of a scenario without edits lists none
    plain = client.post("/api/forecast", json={"text": TEXT, "samples": 30,
                                               "model": "compromise"}).json()
    assert plain["edited_from"] is None
    assert client.get(f"/api/runs/{plain['run_id']}").json()["edits"] is None
