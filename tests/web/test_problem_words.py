"""The web app's validation messages say whose value each problem concerns: a problem of
an edit made in the page names the actor, the issue and the field and never a line of the
file the user has not seen; one of an uploaded file keeps its line and adds those words."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
from fastapi.testclient import TestClient

from statecraft.web.app import create_app
from tests.conftest import DATA

BUNDLED = "south-caucasus-2021.yaml"
SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize(("change", "message"), [
    ({"salience": [1.5, 0.7]}, "Turkey on karabakh_status: salience 1.5 is above 1 (found "
                               "[1.5, 0.7])"),
    ({"salience": -0.1}, "Turkey on karabakh_status: salience -0.1 is below 0 (found -0.1)"),
    ({"position": [60, 40]}, "Turkey on karabakh_status: position low 60 is above its high "
                             "40 (found [60.0, 40.0]; give the lower end first)"),
    ({"position": [20, 140]}, "Turkey on karabakh_status: position 140 is above 100 (found "
                              "[20.0, 140.0])"),
])
def test_a_bad_edit_names_whose_value_it_is_and_no_line(client: TestClient,
                                                        change: dict[str, object],
                                                        message: str) -> None:
    body = {"bundled": BUNDLED, "changes": [{"actor": "tur", "issue": "karabakh_status",
                                             **change}]}
    got = client.post("/api/validate", json=body).json()
    assert got["ok"] is False
    [problem] = got["problems"]
    assert problem["message"] == message
    assert problem["line"] is None and problem["column"] is None
    assert problem["path"].startswith("changes[0]")
    # the page shows the words and neither a line nor the request's field path
    page = client.post("/ui/stances", json=body)
    assert page.status_code == 422
    assert f'<li class="problem">{message}</li>' in page.text
    assert "Line " not in page.text and "changes[0]" not in page.text
    refused = client.post("/api/forecast", json={**body, "samples": 10})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["message"] == message


def test_a_problem_only_the_edits_make_is_said_without_a_line(client: TestClient) -> None:
    # every salience on an issue at 0: each is in range, together they leave no weight
    text = SMALL
    body = {"text": text, "changes": [
        {"actor": a, "issue": "y", "salience": 0} for a in ("a", "b")]}
    got = client.post("/api/validate", json=body).json()
    assert got["ok"] is False
    [problem] = got["problems"]
    assert problem["line"] is None
    assert problem["message"].startswith("y: every salience on issue 'y' is 0")


def test_an_uploaded_file_keeps_its_line_and_names_whose_value(client: TestClient) -> None:
    bad = SMALL.replace("{actor: a, issue: x, position: 0, salience: 1.0",
                        "{actor: a, issue: x, position: 0, salience: [1.5, 0.7]")
    line = next(n for n, s in enumerate(bad.splitlines(), 1) if "[1.5, 0.7]" in s)
    got = client.post("/api/upload", files={"file": ("mine.yaml", bad.encode())}).json()
    assert got["ok"] is False
    [problem] = got["problems"]
    assert problem["line"] == line
    assert problem["message"] == ("Alpha on x, salience: found [1.5, 0.7]; expected a number "
                                  "from 0 to 1, or a [low, high] range within it")
    page = client.post("/ui/upload", files={"file": ("mine.yaml", bad.encode())})
    assert page.status_code == 422
    assert f"Line {line}, column " in page.text and "Alpha on x, salience: found" in page.text
    # text sent back for a forecast is worded the same way
    sent = client.post("/api/validate", json={"text": bad}).json()
    assert sent["problems"][0]["message"] == problem["message"]
    # an actor's capability, an issue's status quo
    cap = SMALL.replace("capability: 2,", "capability: 0,").replace("status_quo: 0\n",
                                                                   "status_quo: 120\n")
    got = client.post("/api/upload", files={"file": ("cap.yaml", cap.encode())}).json()
    assert [p["message"].split(":")[0] for p in got["problems"]] == [
        "Beta, capability", "y, status quo"]


def test_pydantic_wording_does_not_reach_the_page(client: TestClient) -> None:
    empty = SMALL[:SMALL.index("actors:")] + "actors: []\n" + SMALL[SMALL.index("issues:"):]
    got = client.post("/api/upload", files={"file": ("e.yaml", empty.encode())}).json()
    messages = " ".join(p["message"] for p in got["problems"])
    assert "found []; expected at least one actor" in messages
    assert "after validation" not in messages and "Input should" not in messages
