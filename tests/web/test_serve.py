"""``statecraft serve``: it says where it listens, and beyond loopback it wants its token
(printed at start, with a one-time sign-in link that sets the token's cookie)."""

from __future__ import annotations

import http.client
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

pytestmark = pytest.mark.slow


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(*args: str) -> Iterator[tuple[list[str], subprocess.Popen[str]]]:
    """``statecraft serve ARGS``; yields the lines it printed once it answers, and itself."""
    proc = subprocess.Popen([sys.executable, "-m", "statecraft", "serve", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    stderr = proc.stderr
    threading.Thread(target=lambda: [lines.put(x) for x in stderr], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any(x.startswith("serving on") for x in seen):
            assert time.monotonic() < deadline and proc.poll() is None, seen
            with suppress(queue.Empty):
                seen.append(lines.get(timeout=0.5).rstrip("\n"))
        time.sleep(0.5)  # the rest of the start-up lines
        while not lines.empty():
            seen.append(lines.get().rstrip("\n"))
        yield seen, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def ask(host: str, port: int, path: str, headers: dict[str, str] | None = None,
        deadline: float = 30) -> http.client.HTTPResponse:
    end = time.monotonic() + deadline
    while True:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", path, headers=headers or {})
            got = conn.getresponse()
            got.read()
            return got
        except ConnectionError:  # still starting
            assert time.monotonic() < end
            time.sleep(0.2)


def test_serve_on_loopback_prints_its_url(tmp_path: Path) -> None:
    port = free_port("127.0.0.1")
    with serving("--port", str(port), "--store", str(tmp_path)) as (said, _):
        assert f"serving on http://127.0.0.1:{port}" in said[0]
        assert not any("token" in line for line in said)
        assert ask("127.0.0.1", port, "/api/runs").status == 200


def test_serve_beyond_loopback_wants_its_token(tmp_path: Path) -> None:
    host = "127.0.0.2"  # a loopback address, but not one of the loopback names
    port = free_port(host)
    with serving("--host", host, "--port", str(port), "--store", str(tmp_path)) as (said, _):
        text = "\n".join(said)
        assert f"serving on http://{host}:{port}" in text
        token = re.search(r"access token: (\S+)", text)
        link = re.search(rf"http://{re.escape(host)}:{port}(/\?token=\S+)", text)
        assert token and link, text
        assert ask(host, port, "/api/runs").status == 401
        assert ask(host, port, "/api/runs", {
            "Authorization": f"Bearer {token[1]}"}).status == 200
        signed = ask(host, port, link[1])
        assert signed.status == 303
        cookie = signed.getheader("set-cookie") or ""
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert ask(host, port, "/", {"Cookie": cookie.split(";")[0]}).status == 200
        assert ask(host, port, link[1]).status == 401  # the link works once
        # the name it is bound to is allowed, other names are not, token or not
        assert ask(host, port, "/api/runs", {"Host": "evil.example",
                                             "X-Statecraft-Token": token[1]}).status == 400


def test_serve_refuses_a_weak_token(tmp_path: Path) -> None:
    got = subprocess.run([sys.executable, "-m", "statecraft", "serve", "--token", "short",
                          "--store", str(tmp_path)], capture_output=True, text=True,
                         timeout=60)
    assert got.returncode == 1 and "16 to 256" in got.stderr
