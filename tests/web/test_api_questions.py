"""A forecast of a scenario's text asks the questions text sent with it (as the workspace's
Run does): its probabilities come back; a questions text with problems is answered 422
naming each, running nothing; a text over the request limit is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft import api
from statecraft.store import RunStore
from statecraft.web import create_app
from tests.conftest import DATA

SMALL = (DATA / "small.yaml").read_text()
QUESTIONS = """\
name: Small questions
questions:
  - id: x-past-half
    text: Does X go further than half?
    issue: x
    op: ">"
    threshold: 50
  - id: x-up-to-half
    text: Does X stop at half or before?
    issue: x
    op: "<="
    threshold: 50
    resolution: false
    resolved_on: 2024-06-01
"""


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


def test_the_questions_sent_are_answered_from_the_runs_samples(client: TestClient,
                                                                 tmp_path: Path) -> None:
    got = client.post("/api/forecast", json={"text": SMALL, "questions": QUESTIONS,
                                             "samples": 200, "calibrated": False})
    assert got.status_code == 200, got.text
    rows = {q["id"]: q for q in got.json()["questions"]}
    assert list(rows) == ["x-past-half", "x-up-to-half"]
    # each probability is the share of the saved run's samples meeting its condition
    stored = api.load_run(RunStore(tmp_path / "store"), got.json()["run_id"])
    x = stored.outcomes[:, stored.issue_ids.index("x")]
    assert rows["x-past-half"]["probability"] == pytest.approx(float(np.mean(x > 50)))
    assert rows["x-up-to-half"]["probability"] == pytest.approx(float(np.mean(x <= 50)))
    assert rows["x-past-half"]["resolution"] is None
    assert rows["x-up-to-half"]["resolution"] is False
    assert rows["x-up-to-half"]["text"] == "Does X stop at half or before?"
    # without questions, a scenario given as text asks none
    plain = client.post("/api/forecast", json={"text": SMALL, "samples": 20}).json()
    assert plain["questions"] == []


def test_a_bad_questions_text_is_422_naming_its_fields_and_runs_nothing(
        client: TestClient, tmp_path: Path) -> None:
    over = QUESTIONS.replace("threshold: 50\n    resolution", "threshold: 150\n    resolution")
    got = client.post("/api/forecast", json={"text": SMALL, "questions": over, "samples": 20})
    assert got.status_code == 422, got.text
    [problem] = got.json()["problems"]
    assert problem["file"] == "uploaded questions"
    assert problem["path"] == "questions[1].threshold" and "150" in problem["message"]
    assert problem["line"] == over.splitlines().index("    threshold: 150") + 1
    elsewhere = QUESTIONS.replace("issue: x\n    op: \">\"", "issue: z\n    op: \">\"")
    got = client.post("/api/forecast", json={"text": SMALL, "questions": elsewhere,
                                             "samples": 20})
    assert got.status_code == 422, got.text
    [problem] = got.json()["problems"]
    assert problem["path"] == "questions[0].issue"
    assert "'z'" in problem["message"] and "x, y" in problem["message"]
    for text in ("questions: [", "name: none", "- just a list"):
        broken = client.post("/api/forecast", json={"text": SMALL, "questions": text,
                                                    "samples": 20})
        assert broken.status_code == 422 and broken.json()["problems"], (text, broken.text)
    assert RunStore(tmp_path / "store").list() == []


def test_a_questions_text_over_the_limit_is_refused(client: TestClient,
                                                    tmp_path: Path) -> None:
    long = QUESTIONS + "#" * (1024 * 1024)
    got = client.post("/api/forecast", json={"text": SMALL, "questions": long,
                                             "samples": 20})
    assert got.status_code == 413, got.text
    assert "limit is 1,048,576 bytes" in got.json()["detail"]
    assert RunStore(tmp_path / "store").list() == []
