"""The deals panel's routes: POST /api/deals and the page's fragment, with the scenario's
edits, an actor filter and samples; bad input is a 4xx naming it."""

from __future__ import annotations

import html

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from pathlib import Path

from fastapi.testclient import TestClient

from statecraft import api
from statecraft.api.deals import find_deals
from statecraft.web import create_app

DEFAULT = "south-caucasus-2021.yaml"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


def test_api_deals_are_the_apis(client: TestClient) -> None:
    got = client.post("/api/deals", json={"bundled": DEFAULT, "actor": "rus", "samples": 100})
    assert got.status_code == 200, got.text
    data = got.json()
    want = find_deals(api.load(None), actor="rus", samples=100, seed=7).to_dict()
    assert data == want
    assert data["deals"] and all("rus" in (d["actor_a"], d["actor_b"]) for d in data["deals"])


def test_an_edit_changes_the_deals(client: TestClient) -> None:
    plain = client.post("/api/deals", json={"bundled": DEFAULT}).json()["deals"]
    edited = client.post("/api/deals", json={"bundled": DEFAULT, "changes": [
        {"actor": "rus", "issue": "peacekeepers", "salience": 0.2}]}).json()["deals"]
    assert plain != edited


def test_the_panel_fragment_names_actors_and_escapes(client: TestClient) -> None:
    got = client.post("/ui/deals", json={"bundled": DEFAULT, "actor": "rus"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
    assert 'id="deals-table"' in got.text and "Russia on" in got.text
    text = (api.bundled_scenarios_dir() / DEFAULT).read_text()
    evil = text.replace("name: Russia\n", "name: \"<script>alert(1)</script>\"\n", 1)
    got = client.post("/ui/deals", json={"text": evil, "actor": "rus"})
    assert got.status_code == 200, got.text
    assert "<script>alert" not in got.text and "&lt;script&gt;" in got.text


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"bundled": DEFAULT, "actor": "zzz"}, 400, "unknown actor 'zzz'"),
    ({"bundled": DEFAULT, "samples": 2001}, 422, "samples"),
    ({"bundled": "nope.yaml"}, 400, "no bundled scenario 'nope.yaml'"),
])
def test_bad_input_is_refused_naming_it(client: TestClient, body: dict[str, object],
                                        status: int, words: str) -> None:
    got = client.post("/api/deals", json=body)
    assert got.status_code == status and words in got.text
    ui = client.post("/ui/deals", json=body)
    assert ui.status_code == status and words in html.unescape(ui.text)
