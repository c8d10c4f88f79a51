"""Provenance through the web app: a forecast of an edited scenario records what it was
edited from (never the bundled file's path), its scenario text downloads exactly as it
ran, and its results and report mark each edit with its cited value."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft import api
from statecraft.store import RunStore
from statecraft.web import create_app

BUNDLED = "south-caucasus-2021.yaml"
EDIT = {"actor": "rus", "issue": "azerbaijan_alignment", "salience": 0.3}
MARK = "rus on azerbaijan_alignment: salience 0.3 (edited; cited 0.7-0.9)"
ORIGIN = {"Origin": "http://127.0.0.1:8000"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


def test_an_edited_forecast_records_what_it_was_edited_from(client: TestClient,
                                                            tmp_path: Path) -> None:
    bundled = api.bundled_scenarios_dir() / BUNDLED
    plain = client.post("/api/forecast", json={"bundled": BUNDLED, "samples": 100}).json()
    got = client.post("/api/forecast", json={"bundled": BUNDLED, "samples": 100,
                                             "changes": [EDIT]})
    assert got.status_code == 200, got.text
    edited = got.json()
    assert edited["edited_from"] == {"name": BUNDLED, "sha256": sha(bundled.read_bytes())}
    assert [e["text"] for e in edited["edits"]] == [MARK]
    run = client.get(f"/api/runs/{edited['run_id']}").json()
    # the JSON names no path on the server; the store keeps them
    assert "scenario_path" not in run
    assert run["edited_from"] == {"name": BUNDLED, "sha256": sha(bundled.read_bytes())}
    stored = RunStore(tmp_path / "store").get(edited["run_id"])
    assert stored.scenario_path is None  # not the bundled file: its hash differs
    assert stored.edited_from is not None and stored.edited_from["path"] == str(bundled)
    assert run["scenario_hash"] != run["edited_from"]["sha256"]
    assert [e["text"] for e in run["edits"]] == [MARK]
    assert run["edits"][0]["cited"] == [0.7, 0.9] and run["edits"][0]["used"] == 0.3
    # the bundled file run as it is keeps its path, and has nothing to mark
    first = client.get(f"/api/runs/{plain['run_id']}").json()
    assert first["edited_from"] is None
    assert RunStore(tmp_path / "store").get(plain["run_id"]).scenario_path == str(bundled)
    assert first["edits"] is None and first["scenario_hash"] == sha(bundled.read_bytes())
    # the store holds the text the edit made, beside the bundled file's
    rec = RunStore(tmp_path / "store").get(edited["run_id"])
    assert rec.cited_text == bundled.read_text(encoding="utf-8")
    assert "salience: 0.3" in rec.scenario_text


def test_a_runs_scenario_downloads_exactly_as_it_ran(client: TestClient,
                                                     tmp_path: Path) -> None:
    bundled = api.bundled_scenarios_dir() / BUNDLED
    edited = client.post("/api/forecast", json={"samples": 100, "changes": [EDIT]}).json()
    run_id = edited["run_id"]
    got = client.get(f"/api/runs/{run_id}/scenario.yaml")
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/yaml; charset=utf-8"
    assert got.headers["content-disposition"] == (
        f'attachment; filename="statecraft-{run_id}.yaml"')
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert got.headers["x-content-type-options"] == "nosniff"  # never sniffed as HTML
    rec = RunStore(tmp_path / "store").get(run_id)
    assert got.content == rec.scenario_text.encode("utf-8")
    assert sha(got.content) == rec.scenario_hash
    cited = client.get(f"/api/runs/{run_id[:10]}/scenario.yaml?cited=true")
    assert cited.status_code == 200 and cited.content == bundled.read_bytes()
    assert 'filename="statecraft-' + run_id + '-cited.yaml"' in cited.headers[
        "content-disposition"]
    plain = client.post("/api/forecast", json={"samples": 100}).json()
    assert client.get(f"/api/runs/{plain['run_id']}/scenario.yaml").content == (
        bundled.read_bytes())
    assert client.get(f"/api/runs/{plain['run_id']}/scenario.yaml?cited=true"
                      ).status_code == 404
    assert client.get("/api/runs/nope/scenario.yaml").status_code == 404
    # the guard holds here as everywhere: another host name is refused
    assert client.get(f"/api/runs/{run_id}/scenario.yaml",
                      headers={"Host": "evil.example"}).status_code == 400


def test_the_page_shows_a_runs_edits_and_offers_its_scenario(client: TestClient) -> None:
    got = client.post("/ui/forecast", json={"samples": 100, "changes": [EDIT]},
                      headers=ORIGIN)
    assert got.status_code == 200, got.text
    edits = re.search(r'<div id="run-edits" class="edits">(.*?)</div>', got.text, re.S)
    assert edits is not None and BUNDLED in edits.group(1)
    assert re.search(r'<li data-actor="rus" data-issue="azerbaijan_alignment" '
                     r'data-field="salience">' + re.escape(MARK) + "</li>", edits.group(1))
    run_id = re.search(r"saved as run <code>([^<]+)</code>", got.text)
    assert run_id is not None
    assert f'<a id="run-scenario" href="/api/runs/{run_id[1]}/scenario.yaml">' in got.text
    plain = client.post("/ui/forecast", json={"samples": 100}, headers=ORIGIN)
    assert 'id="run-edits"' not in plain.text
    runs = client.get("/ui/runs").text
    row = re.search(rf'<tr data-run="{run_id[1]}">(.*?)</tr>', runs, re.S)
    assert row is not None
    assert (f'<a class="scenario-link" href="/api/runs/{run_id[1]}/scenario.yaml" title='
            f'"edited from {BUNDLED}"><span class="edited-run">edited</span> scenario</a>'
            ) in row.group(1)
    plain_id = re.search(r"saved as run <code>([^<]+)</code>", plain.text)
    assert plain_id is not None
    other = re.search(rf'<tr data-run="{plain_id[1]}">(.*?)</tr>', runs, re.S)
    assert other is not None and (f'href="/api/runs/{plain_id[1]}/scenario.yaml">scenario</a>'
                                  in other.group(1))


def test_the_report_of_an_edited_run_shows_the_quote_for_the_cited_value(
        client: TestClient) -> None:
    run_id = client.post("/api/forecast", json={"samples": 100, "changes": [EDIT]}
                         ).json()["run_id"]
    html = client.get(f"/api/runs/{run_id}/report").text
    assert f"<td>{MARK.split(': ', 1)[0]}</td><td>{MARK.split(': ', 1)[1]}</td>" in html
    table = re.search(r'<table id="stances">(.*?)</table>', html, re.S)
    assert table is not None
    row = re.search(r"<tr><td>rus</td><td>azerbaijan_alignment</td>(.*?)</tr>",
                    table.group(1), re.S)
    assert row is not None
    cells = row.group(1)
    assert '0.3<span class="edited">(edited; cited 0.7-0.9)</span>' in cells
    # the quotes come after the words saying they support the cited value, not 0.3
    said = cells.index("support the cited salience 0.7-0.9, not the edited value")
    assert said < cells.index("<blockquote>")
    # the other stances are shown as cited, unmarked
    other = re.search(r"<tr><td>aze</td><td>azerbaijan_alignment</td>(.*?)</tr>",
                      table.group(1), re.S)
    assert other is not None and "edited" not in other.group(1)


def test_the_page_says_what_each_source_supports_and_lists_sources_by_kind(
        client: TestClient) -> None:
    page = client.get("/").text
    row = re.search(r'<tr data-actor="rus" data-issue="azerbaijan_alignment">(.*?)</tr>',
                    page, re.S)
    assert row is not None
    assert ("What the cited position 0-25, salience 0.7-0.9 rests on (an edit made here is "
            "not supported by it):") in row.group(1)
    sources = re.search(r'<article class="issue-card" id="sources">(.*?)</article>', page,
                        re.S)
    assert sources is not None
    assert "<h4>Documents</h4>" in sources.group(1) and "<h4>Datasets</h4>" in sources.group(1)
    assert "<h4>The analyst's judgments</h4>" in sources.group(1)
    loaded = api.load()
    kinds = loaded.scenario.sources_by_kind()
    for doc in kinds["document"]:
        assert f'<li data-source="{doc.id}">' in sources.group(1)
