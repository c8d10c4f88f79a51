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
    ({"bundled": DEFAULT, "samples": True}, 422, "samples"),
    ({"bundled": DEFAULT, "samples": "10"}, 422, "samples"),
    ({"bundled": DEFAULT, "seed": 7.0}, 422, "seed"),
    ({"bundled": DEFAULT, "top": False}, 422, "top"),
    ({"bundled": "nope.yaml"}, 400, "no bundled scenario 'nope.yaml'"),
])
def test_bad_input_is_refused_naming_it(client: TestClient, body: dict[str, object],
                                        status: int, words: str) -> None:
    got = client.post("/api/deals", json=body)
    assert got.status_code == status and words in got.text
    ui = client.post("/ui/deals", json=body)
    assert ui.status_code == status and words in html.unescape(ui.text)


def wide_scenario(actors: int, issues: int) -> str:
    """A valid scenario of ``actors`` x ``issues`` stances, positions and saliences spread
    so that many exchanges pay."""
    lines = ["name: Many actors", "sources:",
             "  - {id: notes, kind: dataset, title: Made up, year: 2024}", "actors:"]
    lines += [f"  - {{id: a{i}, name: Actor {i}, kind: state, capability: {1 + i % 5}, "
              "source: {dataset: notes}}" for i in range(actors)]
    lines.append("issues:")
    lines += [f"  - {{id: i{k}, question: Issue {k}?, scale: {{0: none, 50: half, 100: all}}, "
              "status_quo: 50}" for k in range(issues)]
    lines.append("stances:")
    lines += [f"  - {{actor: a{i}, issue: i{k}, position: {(37 * i + 11 * k) % 101}, "
              f"salience: {0.1 + ((7 * i + 3 * k) % 9) / 10:.1f}, source: {{dataset: notes}}}}"
              for i in range(actors) for k in range(issues)]
    return "\n".join(lines) + "\n"


def test_deals_over_the_webs_budget_are_refused_naming_the_numbers(
        client: TestClient) -> None:
    from statecraft.web.deals import DEALS_WORK_LIMIT

    body = {"text": wide_scenario(30, 30), "samples": 2000}
    got = client.post("/api/deals", json=body)
    assert got.status_code == 413, got.text
    detail = got.json()["detail"]
    assert ("435 pairs of actors x 435 pairs of issues x 2,001 (samples + 1) = 378,639,225"
            in detail and f"limit is {DEALS_WORK_LIMIT:,}" in detail
            and "command line" in detail)
    page = client.post("/ui/deals", json=body)
    assert page.status_code == 413 and "378,639,225" in page.text
    # fewer samples are within the budget and run
    assert client.post("/api/deals", json={**body, "samples": 10}).status_code == 200


def test_the_deals_returned_are_capped_saying_how_many_were_found(
        client: TestClient) -> None:
    from statecraft.web.deals import DEFAULT_TOP

    text = wide_scenario(12, 8)
    every = find_deals(api.load_scenario_text(text, "wide.yaml"), samples=20)
    assert len(every) > DEFAULT_TOP  # the default cuts this list
    got = client.post("/api/deals", json={"text": text, "samples": 20}).json()
    assert got["found"] == len(every) and got["shown"] == DEFAULT_TOP
    assert got["deals"] == [d.to_dict() for d in every.deals[:DEFAULT_TOP]]
    three = client.post("/api/deals", json={"text": text, "top": 3}).json()
    assert three["found"] == len(every) and [d["rank"] for d in three["deals"]] == [1, 2, 3]
    assert client.post("/api/deals", json={"text": text, "top": 0}).status_code == 422
    page = client.post("/ui/deals", json={"text": text})
    assert f"{len(every)} trades" in page.text and f"The first 20 of {len(every)}" in page.text


def test_deals_past_the_webs_time_limit_are_stopped(tmp_path: Path) -> None:
    quick = TestClient(create_app(tmp_path / "store", forecast_seconds=0.0),
                       base_url="http://127.0.0.1:8000")
    got = quick.post("/api/deals", json={"bundled": DEFAULT, "samples": 100})
    assert got.status_code == 503, got.text
    assert "stopped" in got.json()["detail"] and "web limit" in got.json()["detail"]
