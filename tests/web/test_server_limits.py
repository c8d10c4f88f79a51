"""Against ``statecraft serve`` in its own process, over real sockets: a chunked body is
refused after about 1 MiB with the server's memory unchanged, a forecast whose client
disconnects is stopped within a second and its run marked interrupted, and a request
naming another host is refused."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from benchmarks.bench_server import rss_mib, server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with server(str(tmp_path_factory.mktemp("web-store"))) as (url, pid):
        yield url, pid


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def status_of(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        got = sock.recv(4096)
        if not got:
            break
        head += got
    return int(head.split(b" ", 2)[1])


def chunked_post(url: str, path: str, content_type: str, first: bytes, total: int) -> int:
    """POST ``total`` bytes as chunks; the status the server answers (it may stop reading
    long before the client stops sending)."""
    sock = connect(url)
    host = urlsplit(url).netloc
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n").encode())

    def feed() -> None:
        block = b" " * 65536
        sent = 0
        try:
            sock.sendall(b"%x\r\n%s\r\n" % (len(first), first))
            while sent < total:
                sock.sendall(b"%x\r\n%s\r\n" % (len(block), block))
                sent += len(block)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: it reads no more

    sender = threading.Thread(target=feed, daemon=True)
    sender.start()
    try:
        return status_of(sock)
    finally:
        sock.close()
        sender.join(timeout=30)


def test_chunked_bodies_stop_at_the_limit(served: tuple[str, int]) -> None:
    url, pid = served
    urllib.request.urlopen(url + "/api/scenarios", timeout=30).read()
    before = rss_mib(pid)
    head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.yaml\"\r\n"
            b"Content-Type: text/yaml\r\n\r\n")
    for _ in range(3):
        assert chunked_post(url, "/api/validate", "application/json", b'{"text": "',
                            5 << 20) == 413
        assert chunked_post(url, "/ui/upload", "multipart/form-data; boundary=b", head,
                            5 << 20) == 413
    after = rss_mib(pid)
    print(f"server memory {before:.0f} -> {after:.0f} MiB over six 5 MB chunked bodies")
    assert after - before < 16  # nothing near 6 x 5 MB was held


def runs(url: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(url + "/api/runs", timeout=30) as r:
        return list(json.loads(r.read()))


def test_a_client_that_disconnects_stops_its_forecast(served: tuple[str, int]) -> None:
    url, _ = served
    known = {r["id"] for r in runs(url)}
    body = json.dumps({"samples": 5000, "model": "smp"}).encode()
    sock = connect(url)
    sock.sendall((f"POST /api/forecast HTTP/1.1\r\nHost: {urlsplit(url).netloc}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                  ).encode() + body)
    deadline = time.monotonic() + 60
    while True:  # wait until the run is registered and running
        mine = [r for r in runs(url) if r["id"] not in known]
        if mine and mine[0]["status"] == "running":
            break
        assert time.monotonic() < deadline and not mine, mine
        time.sleep(0.05)
    time.sleep(0.3)  # well into the model's work
    sock.close()
    left = time.monotonic()
    while True:
        (run,) = [r for r in runs(url) if r["id"] not in known]
        if run["status"] != "running":
            break
        assert time.monotonic() - left < 10, "the forecast went on after its client left"
        time.sleep(0.02)
    stopped = time.monotonic() - left
    print(f"stopped {stopped:.2f} s after the client disconnected")
    assert run["status"] == "interrupted" and "client disconnected" in str(run["error"])
    assert stopped < 1.5


def test_another_host_name_is_refused(served: tuple[str, int]) -> None:
    url, _ = served
    for method, path, data in (("GET", "/api/runs", None), ("POST", "/api/forecast",
                                                            b'{"samples": 10}')):
        sock = connect(url)
        extra = (f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                 if data else "")
        sock.sendall((f"{method} {path} HTTP/1.1\r\nHost: evil.example\r\n{extra}"
                      "Connection: close\r\n\r\n").encode() + (data or b""))
        assert status_of(sock) == 400
        sock.close()
