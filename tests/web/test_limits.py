"""Work a request can cause is bounded: the body limit counts streamed bytes and stops
reading at it, a forecast past the web's size limit is refused before it starts, and one
past the time limit is stopped and its run marked interrupted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft.store import RunStore
from statecraft.web import MAX_UPLOAD, create_app
from statecraft.web.bounded import WEB_WORK_LIMIT
from statecraft.web.service import model_rounds
from tests.conftest import DATA

BASE = "http://127.0.0.1:8000"
CHUNK = 64 * 1024


def asgi_post(app: Any, path: str, chunks: Iterator[bytes], content_type: str,
              headers: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[int, int, bytes]:
    """POST a body in chunks straight to the ASGI app, as a server would stream a chunked
    upload: the answer's status, how many body bytes the app took, and the answer."""
    taken = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal taken
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"transfer-encoding", b"chunked"),
                         (b"content-type", content_type.encode()), *headers]}
    anyio.run(app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], taken, body


def five_mb(head: bytes) -> Iterator[bytes]:
    yield head
    for _ in range(5 * 1024 * 1024 // CHUNK):
        yield b" " * CHUNK


def test_a_chunked_body_is_refused_once_it_passes_the_limit(tmp_path: Path) -> None:
    app = create_app(tmp_path / "store")
    status, taken, body = asgi_post(app, "/api/validate", five_mb(b'{"text": "name: x"'),
                                    "application/json")
    assert status == 413 and "the limit is 1,048,576 bytes (1 MiB)" in json.loads(body)[
        "detail"]
    assert MAX_UPLOAD < taken <= MAX_UPLOAD + CHUNK + 32  # read up to the limit, no further
    # a multipart upload alike, to the page's and the API's upload
    head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.yaml\"\r\n"
            b"Content-Type: text/yaml\r\n\r\n")
    for path in ("/ui/upload", "/api/upload"):
        status, taken, body = asgi_post(app, path, five_mb(head),
                                        "multipart/form-data; boundary=b")
        assert status == 413 and b"1 MiB" in body, (path, body)
        assert taken <= MAX_UPLOAD + CHUNK + len(head), path
    # a length over the limit is refused before a byte is read
    status, taken, _ = asgi_post(app, "/api/validate", five_mb(b"{"), "application/json",
                                 ((b"content-length", str(5 << 20).encode()),))
    assert status == 413 and taken == 0


def test_a_body_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    app = create_app(tmp_path / "store")
    text = (DATA / "small.yaml").read_text()
    doc = json.dumps({"text": text}).encode()
    padded = doc[:-1] + b" " * (MAX_UPLOAD - len(doc)) + b"}"
    assert len(padded) == MAX_UPLOAD
    parts = iter([padded[i:i + CHUNK] for i in range(0, MAX_UPLOAD, CHUNK)])
    status, taken, body = asgi_post(app, "/api/validate", parts, "application/json")
    assert status == 200 and json.loads(body)["ok"] is True and taken == MAX_UPLOAD


def big_scenario(actors: int, issues: int) -> str:
    """A valid scenario of ``actors`` x ``issues`` stances."""
    lines = ["name: Many actors", "sources:",
             "  - {id: notes, kind: dataset, title: Made up, year: 2024}", "actors:"]
    lines += [f"  - {{id: a{i}, name: Actor {i}, kind: state, capability: {1 + i % 5}, "
              "source: {dataset: notes}}" for i in range(actors)]
    lines.append("issues:")
    lines += [f"  - {{id: i{k}, question: Issue {k}?, scale: {{0: none, 50: half, 100: all}}, "
              "status_quo: 50}" for k in range(issues)]
    lines.append("stances:")
    lines += [f"  - {{actor: a{i}, issue: i{k}, position: {(37 * i + 11 * k) % 101}, "
              "salience: 0.5, source: {dataset: notes}}"
              for i in range(actors) for k in range(issues)]
    return "\n".join(lines) + "\n"


def test_the_models_rounds_are_their_documented_defaults() -> None:
    # eum: Scholz et al.'s 50 rounds; smp: KTAB's 100 turns; the ensemble runs both
    assert model_rounds("eum") == 50 and model_rounds("smp") == 100
    assert model_rounds("compromise") == model_rounds("median") == 1
    assert model_rounds("ensemble") == 152
    with pytest.raises(ValueError, match="unknown model"):
        model_rounds("nope")


def test_a_forecast_over_the_webs_limit_is_refused_before_it_starts(tmp_path: Path) -> None:
    c = TestClient(create_app(tmp_path / "store"), base_url=BASE)
    text = big_scenario(60, 10)
    body = {"text": text, "samples": 5000, "model": "eum"}
    got = c.post("/api/forecast", json=body)
    assert got.status_code == 413, got.text
    detail = got.json()["detail"]
    assert ("60 actors x 10 issues x 5,000 samples x 50 rounds = 150,000,000" in detail
            and f"limit is {WEB_WORK_LIMIT:,}" in detail and "command line" in detail)
    page = c.post("/ui/forecast", json=body)
    assert page.status_code == 413 and "150,000,000" in page.text
    assert RunStore(tmp_path / "store").list() == []  # nothing was registered
    # the same scenario with fewer samples is within the limit and runs
    small = c.post("/api/forecast", json={**body, "samples": 100, "model": "compromise"})
    assert small.status_code == 200, small.text


def test_a_forecast_past_the_time_limit_is_stopped_and_marked(tmp_path: Path) -> None:
    c = TestClient(create_app(tmp_path / "store", forecast_seconds=0.5), base_url=BASE)
    got = c.post("/api/forecast", json={"samples": 5000, "model": "smp"})
    assert got.status_code == 503, got.text
    detail = got.json()["detail"]
    assert "took longer than the web limit of 0.5 s" in detail
    (run,) = RunStore(tmp_path / "store").list()
    assert run.status == "interrupted" and run.id in detail
    assert "web limit of 0.5 s" in str(run.error)
    assert not list((tmp_path / "store" / "runs").glob(f"{run.id}*"))  # no data file left


def doubling_options(levels: int) -> str:
    """The small scenario with an options game whose two choices at each level lead to the
    same next node: a short file whose expanded tree doubles with every level."""
    lines = ["as_of: 2024-01-01", "options:", "  root: n0", "  nodes:"]
    for k in range(levels):
        nxt = f", next: n{k + 1}" if k + 1 < levels else ""
        lines += [f"    - id: n{k}", f"      actor: {'abc'[k % 3]}", f"      label: Level {k}",
                  "      options:"]
        lines += [f"        - {{id: o{k}{c}, label: {c}, effects: [{{issue: x, set: "
                  f"{10 * j}}}]{nxt}, source: {{dataset: notes}}}}"
                  for j, c in enumerate("ab")]
    return (DATA / "small.yaml").read_text() + "\n".join(lines) + "\n"


def test_the_options_game_past_its_size_is_refused(tmp_path: Path) -> None:
    c = TestClient(create_app(tmp_path / "store"), base_url=BASE)
    small = c.post("/api/options", json={"text": doubling_options(3)})
    assert small.status_code == 200, small.text
    got = c.post("/api/options", json={"text": doubling_options(30)})
    assert got.status_code == 413, got.text  # over a limit, as too much work is
    assert "options game would have" in got.json()["detail"]
