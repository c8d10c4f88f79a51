"""Who may use the app, and what every answer carries: the trusted-host check, the
same-origin check on requests that change something, the access token, the security
headers and a page without inline script or style (through FastAPI's test client)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft.store import RunStore
from statecraft.web import create_app
from tests.conftest import DATA

BASE = "http://127.0.0.1:8000"
SMALL = (DATA / "small.yaml").read_text()


def make(tmp_path: Path, **options: object) -> TestClient:
    return TestClient(create_app(tmp_path / "store", **options),  # type: ignore[arg-type]
                      base_url=BASE)


def runs(tmp_path: Path) -> list[str]:
    return [r.id for r in RunStore(tmp_path / "store").list()]


def assert_headers(response: object) -> None:
    h = response.headers  # type: ignore[attr-defined]
    csp = {d.split()[0]: d.split()[1:] for d in h["content-security-policy"].split("; ")}
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"


def test_every_response_carries_the_security_headers(tmp_path: Path) -> None:
    c = make(tmp_path)
    answers = [
        c.get("/"), c.get("/static/app.js"), c.get("/static/app.css"), c.get("/api/runs"),
        c.get("/api/runs/nope"), c.get("/no-such-page"), c.get("/openapi.json"),
        c.post("/api/validate", content=b"{not json", headers={
            "content-type": "application/json"}),
        c.get("/api/runs", headers={"host": "evil.example"}),
        c.post("/api/validate", json={}, headers={"origin": "http://127.0.0.1:9"}),
        c.post("/api/validate", content=b"x" * (2 << 20)),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 404, 404, 200, 422, 400,
                                                403, 413]
    for a in answers:
        assert_headers(a)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_page_or_fragment_has_inline_script_style_or_handlers(tmp_path: Path) -> None:
    c = make(tmp_path)
    a = c.post("/ui/forecast", json={"text": SMALL, "samples": 50, "model": "compromise"})
    b = c.post("/ui/forecast", json={"samples": 50, "model": "compromise"})
    assert a.status_code == b.status_code == 200
    ids = runs(tmp_path)
    pages = [c.get("/"), a, b, c.post("/ui/stances", json={"text": SMALL}),
             c.get("/ui/runs"), c.get(f"/ui/compare?a={ids[1]}&b={ids[0]}")]
    for page in pages:
        assert page.status_code == 200, page.text
        html = page.text
        assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
        assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
        assert not HANDLER.search(html), HANDLER.search(html)
    assert re.findall(r"<script[^>]*>", pages[0].text) == [
        '<script src="/static/app.js" defer>']
    assert "data-css=" in pages[0].text  # positions travel as data for the script


def test_other_host_names_are_refused(tmp_path: Path) -> None:
    c = make(tmp_path)
    for method, url in (("GET", "/"), ("GET", "/api/runs"), ("POST", "/api/forecast")):
        got = c.request(method, url, json={"samples": 10}, headers={"host": "evil.example"})
        assert got.status_code == 400, (method, url)
        assert "'evil.example'" in got.json()["detail"] and "--allowed-host" in got.json()[
            "detail"]
    assert c.get("/api/runs", headers={"host": "evil.example:8000"}).status_code == 400
    assert c.get("/api/runs", headers={"host": "127.0.0.1.evil.example"}).status_code == 400
    assert runs(tmp_path) == []
    for host in ("127.0.0.1", "127.0.0.1:1234", "localhost:8000", "LOCALHOST", "[::1]:8000"):
        assert c.get("/api/runs", headers={"host": host}).status_code == 200, host
    more = make(tmp_path, allowed_hosts=["stats.example"])
    assert more.get("/api/runs", headers={"host": "stats.example:8000"}).status_code == 200
    assert more.get("/api/runs", headers={"host": "evil.example"}).status_code == 400


def test_requests_from_another_site_change_nothing(tmp_path: Path) -> None:
    c = make(tmp_path)
    body = {"samples": 10, "model": "compromise"}
    refused = [
        {"origin": "http://127.0.0.1:9999"},  # another port is another origin
        {"origin": "http://evil.example"},
        {"origin": "null"},  # a sandboxed frame or a file
        {"origin": "http://127.0.0.1:8000.evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},  # same site, other port: still not the app
        {"origin": BASE, "sec-fetch-site": "cross-site"},
    ]
    for headers in refused:
        got = c.post("/api/forecast", json=body, headers=headers)
        assert got.status_code == 403, headers
        assert "another site" in got.json()["detail"]
        form = c.post("/ui/upload", files={"file": ("s.yaml", SMALL.encode(), "text/yaml")},
                      headers=headers)
        assert form.status_code == 403, headers
        assert c.post("/api/upload", files={"file": ("s.yaml", SMALL.encode())},
                      headers=headers).status_code == 403
    assert runs(tmp_path) == []
    # the app's own pages, and programs (no Origin, no Sec-Fetch-Site), are served
    own = c.post("/api/forecast", json=body, headers={"origin": BASE,
                                                      "sec-fetch-site": "same-origin"})
    assert own.status_code == 200, own.text
    assert c.post("/api/forecast", json=body).status_code == 200
    assert len(runs(tmp_path)) == 2
    # reading is not refused: a cross-site page cannot read the answer anyway
    assert c.get("/api/runs", headers={"sec-fetch-site": "cross-site"}).status_code == 200


TOKEN = "k3Y-" + "x" * 28
CODE = "once-" + "y" * 20


def test_a_token_guards_every_request(tmp_path: Path) -> None:
    c = make(tmp_path, token=TOKEN, sign_in_code=CODE)
    for url in ("/", "/api/runs", "/static/app.js"):
        got = c.get(url)
        assert got.status_code == 401 and "access token" in got.json()["detail"]
        assert_headers(got)
    assert c.get("/api/runs", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert c.get("/api/runs", headers={"x-statecraft-token": TOKEN}).status_code == 200
    assert c.get("/api/runs", headers={"authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert c.get("/api/runs", headers={"x-statecraft-token": CODE}).status_code == 401
    # the one-time link sets the cookie and goes to the page
    signed = c.get(f"/?token={CODE}", follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"statecraft_token={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert c.get("/").status_code == 200  # the client keeps the cookie
    assert c.post("/api/forecast", json={"samples": 10, "model": "compromise"}
                  ).status_code == 200
    # ... once: a second browser cannot use the same link, but the token itself works
    other = make(tmp_path, token=TOKEN, sign_in_code=None)
    again = TestClient(c.app, base_url=BASE)
    assert again.get(f"/?token={CODE}", follow_redirects=False).status_code == 401
    assert again.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303
    assert other.get("/?token=wrong", follow_redirects=False).status_code == 401
    # the token does not lift the origin check
    assert c.post("/api/forecast", json={"samples": 10}, headers={
        "origin": "http://evil.example"}).status_code == 403
    for bad in ("short", "has space in it 123456", "semi;colon-0123456789"):
        with pytest.raises(ValueError, match="16 to 256"):
            create_app(tmp_path / "store", token=bad)
