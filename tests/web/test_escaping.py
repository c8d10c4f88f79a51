"""Everything from a scenario, a request or the store is escaped where the page shows it:
validation messages that echo a value, a hostile model name, a scenario's own text."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft.web import create_app
from tests.conftest import DATA

BASE = "http://127.0.0.1:8000"
SMALL = (DATA / "small.yaml").read_text()
SVG = "<svg onload=alert(1)>"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url=BASE)


def assert_escaped(html: str, raw: str) -> None:
    assert raw not in html
    assert raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html


def test_a_validation_message_echoing_a_value_is_escaped(client: TestClient) -> None:
    text = SMALL.replace("capability: 1,", f"capability: '{SVG}',")
    got = client.post("/ui/upload", files={"file": ("s.yaml", text.encode(), "text/yaml")})
    assert got.status_code == 422 and "capability" in got.text
    assert_escaped(got.text, SVG)
    # the file name is echoed too
    named = client.post("/ui/upload", files={"file": (f"{IMG}.yaml", b"name: [", "text/yaml")})
    assert named.status_code == 422
    assert "<img" not in named.text


def test_a_hostile_model_name_is_escaped(client: TestClient) -> None:
    got = client.post("/ui/forecast", json={"samples": 10, "model": IMG})
    assert got.status_code == 400 and "unknown model" in got.text
    assert_escaped(got.text, IMG)
    api = client.post("/api/forecast", json={"samples": 10, "model": IMG})
    assert api.status_code == 400 and api.headers["content-type"] == "application/json"


def test_a_scenarios_own_text_is_escaped_on_every_page(client: TestClient) -> None:
    text = (SMALL.replace("name: Small test scenario", f"name: '{SCRIPT}'")
            .replace("name: Alpha", f"name: '{IMG}'")
            .replace("question: How far does X go?", 'question: "\\"><svg onload=alert(1)>"')
            .replace("50: half", f"50: '{SCRIPT}'")
            .replace("title: Hand-made test figures", f"title: '{IMG}'"))
    stances = client.post("/ui/stances", json={"text": text})
    assert stances.status_code == 200, stances.text
    for raw in (SCRIPT, IMG, '"><svg onload=alert(1)>'):
        assert raw not in stances.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stances.text
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in stances.text
    assert stances.text.count("<script") == 0 and stances.text.count("<img") == 0
    # forecast it: the results, the runs table and the comparison escape it too
    for _ in range(2):
        run = client.post("/ui/forecast", json={"text": text, "samples": 20,
                                                "model": "compromise"})
        assert run.status_code == 200 and "<script" not in run.text
    page = client.get("/")
    assert_escaped(page.text, SCRIPT)  # the runs table's scenario names
    ids = [r["id"] for r in client.get("/api/runs").json()]
    cmp = client.get(f"/ui/compare?a={ids[1]}&b={ids[0]}")
    assert cmp.status_code == 200 and "<svg" not in cmp.text and "<script" not in cmp.text
