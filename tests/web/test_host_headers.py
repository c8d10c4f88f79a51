"""A request with two ``Host`` headers is refused (400), whatever their order: the guard
read the last and the framework the first, so ``Host: localhost`` then ``Host: evil.com``
got through."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from statecraft.web import create_app


def _get(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, Any]:
    """Send one GET through the whole app (guard included) as a server would pass it."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.mark.parametrize("hosts", [(b"localhost", b"evil.com"), (b"evil.com", b"localhost"),
                                   (b"127.0.0.1:8000", b"127.0.0.1:8000")])
def test_two_host_headers_are_refused(tmp_path: Path, hosts: tuple[bytes, bytes]) -> None:
    app = create_app(tmp_path / "store")
    status, body = _get(app, "/api/runs", [(b"host", hosts[0]), (b"Host", hosts[1])])
    assert status == 400
    assert "one Host header" in json.loads(body)["detail"]


def test_one_host_header_still_passes(tmp_path: Path) -> None:
    status, _ = _get(create_app(tmp_path / "store"), "/api/runs", [(b"host", b"localhost")])
    assert status == 200


@pytest.mark.parametrize(("name", "values"), [
    (b"origin", (b"http://evil.com", b"http://localhost")),
    (b"origin", (b"http://localhost", b"http://evil.com")),
    (b"sec-fetch-site", (b"cross-site", b"same-origin")),
])
def test_two_origin_or_fetch_site_headers_are_refused(tmp_path: Path, name: bytes,
                                                      values: tuple[bytes, bytes]) -> None:
    """The guard read the last Origin: 'Origin: http://evil.com' then the app's own got
    through (a browser sends one, but a proxy or the framework may read the first)."""
    app = create_app(tmp_path / "store")
    status, body = _get(app, "/api/runs", [(b"host", b"localhost"), (name, values[0]),
                                           (name, values[1])])
    assert status == 400
    what = "Origin" if name == b"origin" else "Sec-Fetch-Site"
    assert f"one {what} header" in json.loads(body)["detail"]
    status, _ = _get(app, "/api/runs", [(b"host", b"localhost"), (name, values[1])])
    assert status == 200
