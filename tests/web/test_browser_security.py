"""Attacks on the page in a real browser (Debian's chromium through Playwright): a scenario
with a payload in every free-text field runs no script and injects no element through
upload, forecast, comparison and reload; a page on another loopback port can neither
upload nor forecast through the app; the page's own work breaks no CSP rule."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.web.conftest import shot

pytestmark = pytest.mark.browser


def payloads(tag: str) -> str:
    """Every kind of payload at once; each would set ``window.__pwned`` to ``tag``."""
    return (f"<script>window.__pwned='{tag}'</script>"
            f"<img src=x onerror=\"window.__pwned='{tag}';alert('{tag}')\">"
            f"\"><svg onload=\"window.__pwned='{tag}'\">"
            f"'><img src=x onerror=window.__pwned='{tag}'>"
            f" javascript:window.__pwned='{tag}' {tag}")


NAME = payloads("name")
FIELDS = {
    "name": NAME, "description": payloads("description"),
    "actor a": payloads("actor-a"), "actor b": payloads("actor-b"),
    "question x": payloads("question-x"), "label x": payloads("label-x"),
    "quote": payloads("quote"), "doc title": payloads("doc-title"),
    "data title": payloads("data-title"), "note": payloads("note"),
}


def hostile_scenario() -> dict[str, Any]:
    note = {"dataset": "data", "note": FIELDS["note"]}
    quote = {"doc": "doc", "quote": FIELDS["quote"]}
    return {
        "name": FIELDS["name"], "description": FIELDS["description"],
        "sources": [
            {"id": "doc", "kind": "document", "title": FIELDS["doc title"],
             "url": "javascript:window.__pwned='url'"},
            {"id": "data", "kind": "dataset", "title": FIELDS["data title"], "year": 2024,
             "url": "javascript:alert('url')"}],
        "actors": [
            {"id": "a", "name": FIELDS["actor a"], "kind": "state", "capability": 1,
             "source": note},
            {"id": "b", "name": FIELDS["actor b"], "kind": "state", "capability": 2,
             "source": quote},
            {"id": "c", "name": "Gamma", "kind": "state", "capability": 3, "source": note}],
        "issues": [
            {"id": "x", "question": FIELDS["question x"], "status_quo": 50,
             "scale": {0: "none", 50: FIELDS["label x"], 100: "all"}},
            {"id": "y", "question": "How far does Y go?", "status_quo": 0,
             "scale": {0: "none", 40: "some", 100: "all"}}],
        "stances": [
            {"actor": "a", "issue": "x", "position": 0, "salience": 1.0, "source": quote},
            {"actor": "b", "issue": "x", "position": 60, "salience": 0.5, "source": note},
            {"actor": "c", "issue": "x", "position": 100, "salience": [0.2, 0.6],
             "source": quote},
            {"actor": "a", "issue": "y", "position": [10, 30], "salience": 0.5,
             "source": note},
            {"actor": "b", "issue": "y", "position": 80, "salience": 1.0, "source": quote}],
    }


class Watch:
    """What a page did that it should not: dialogs opened, CSP rules broken (or any other
    console error: a failed load, say), script errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: ("Content Security Policy" in m.text
                                       or m.type == "error") and self.csp.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def clean(self, images: int = 0) -> None:
        """No payload ran, no element was injected, no CSP rule was broken."""
        page = self.page
        assert page.evaluate("() => window.__pwned") is None
        assert self.dialogs == [] and self.csp == [] and self.errors == []
        assert page.locator("svg").count() == 0
        scripts = page.evaluate("() => [...document.scripts].map(s => s.src)")
        assert len(scripts) == 1 and scripts[0].endswith("/static/app.js")
        assert page.locator("img").count() == images
        assert page.locator("img:not(#distributions):not(#trajectories)").count() == 0


def test_payloads_in_every_field_run_nothing_and_show_as_written(
        server: str, browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(hostile_scenario(), sort_keys=False, allow_unicode=True))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    watch = Watch(page)
    page.goto(server)
    watch.clean()
    page.set_input_files("#upload", str(path))
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".includes('name')", timeout=30_000)
    watch.clean()
    # the text is shown as written
    assert page.locator("#scenario h2").inner_text() == NAME
    assert page.locator("#scenario .description").inner_text() == FIELDS["description"]
    card = page.locator('.issue-card[data-issue="x"]')
    assert card.locator("h3").inner_text().startswith(FIELDS["question x"])
    assert card.locator('.marker[data-actor="a"] .name').inner_text() == FIELDS["actor a"]
    card.locator("details.named summary").click()
    assert f"50: {FIELDS['label x']}" in card.locator("details.named").inner_text()
    row = card.locator('tr[data-actor="a"]')
    row.locator("details.source summary").click()
    assert row.locator("details.source q").inner_text() == FIELDS["quote"]
    assert row.locator("details.source cite").inner_text() == FIELDS["doc title"]
    other = page.locator('#actors tr[data-actor="a"]')
    other.locator("details.source summary").click()
    assert other.locator("details.source cite").inner_text() == FIELDS["data title"]
    assert FIELDS["note"] in other.locator("details.source").inner_text()
    assert page.locator('#actors tr[data-actor="b"] td').first.inner_text() == FIELDS[
        "actor b"]
    watch.clean()
    # forecast it, change a stance, forecast again, compare
    page.select_option("#model", "compromise")
    page.fill("#samples", "200")
    page.click("#run-button")
    page.wait_for_selector("#issue-results", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#run-button').disabled")
    page.wait_for_function("() => document.querySelector('#distributions').complete")
    watch.clean(images=1)
    stance = page.locator('#stances tr[data-actor="b"][data-issue="x"]')
    stance.locator(".pos-lo").fill("20")
    stance.locator(".pos-hi").fill("20")
    page.click("#run-button")
    page.wait_for_function("() => document.querySelectorAll('#runs-table tbody tr').length"
                           " >= 2 && !document.querySelector('#compare-button').disabled",
                           timeout=60_000)
    page.click("#compare-button")
    page.wait_for_selector("#changed-inputs li", timeout=30_000)
    assert "position.b.x" in page.locator("#changed-inputs").inner_text()
    assert page.locator('#compare-issues tr[data-issue="x"] td').first.get_attribute(
        "title") == FIELDS["question x"]
    page.wait_for_function("() => document.querySelector('#distributions').complete")
    watch.clean(images=1)
    shot(page, "hostile-compare.png")
    # reload: the runs table shows the stored names, as text
    page.reload()
    names = page.locator("#runs-table tbody tr td:nth-child(4)")
    assert names.first.inner_text() == NAME
    watch.clean()
    # and the page still works: the bundled scenario comes back and forecasts
    page.select_option("#bundled", "south-caucasus-2021.yaml")
    page.wait_for_function("() => document.querySelector('#scenario h2').textContent"
                           ".includes('South Caucasus')", timeout=30_000)
    page.select_option("#model", "compromise")
    page.click("#run-button")
    page.wait_for_selector("#question-results", timeout=60_000)
    watch.clean(images=page.locator("#distributions, #trajectories").count())


ATTACK = """<!DOCTYPE html><html><body>
<form id="up" method="post" enctype="multipart/form-data" action="APP/ui/upload">
<input type="file" name="file" id="file"></form>
<script>
const yaml = YAML;
const run = JSON.stringify({text: yaml, samples: 20, model: "compromise"});
window.done = (async () => {
  const out = {};
  const fd = new FormData();
  fd.append("file", new Blob([yaml], {type: "text/yaml"}), "s.yaml");
  const attempt = async (name, init) => {
    try { await fetch(name.split(" ")[0], init); out[name] = "answered"; }
    catch (e) { out[name] = "blocked"; }
  };
  await attempt("APP/ui/upload", {method: "POST", body: fd, mode: "no-cors"});
  await attempt("APP/api/forecast no-cors", {method: "POST", mode: "no-cors",
                headers: {"Content-Type": "text/plain"}, body: run});
  await attempt("APP/api/forecast cors", {method: "POST", body: run,
                headers: {"Content-Type": "application/json"}});
  return out;
})();
window.submitForm = () => {
  const dt = new DataTransfer();
  dt.items.add(new File([yaml], "s.yaml", {type: "text/yaml"}));
  document.getElementById("file").files = dt.files;
  document.getElementById("up").submit();
};
</script></body></html>"""


@pytest.fixture
def attacker(server: str) -> Iterator[str]:
    """A page on another loopback port that tries to use the app."""
    text = yaml.safe_dump({**hostile_scenario(), "name": "planted by another site"},
                          sort_keys=False)
    as_js = json.dumps(text).replace("</", "<\\/")  # no "</script>" inside the script
    html = ATTACK.replace("APP", server).replace("YAML", as_js).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}/"
    finally:
        site.shutdown()
        site.server_close()


def saved_runs(server: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(server + "/api/runs?limit=200", timeout=30) as r:
        return list(json.loads(r.read()))


def test_another_site_can_neither_upload_nor_forecast(server: str, browser: Any,
                                                      attacker: str) -> None:
    before = saved_runs(server)
    page = browser.new_page()
    # the statuses the app answered, read from the network layer: the page itself may
    # not see them (the browser withholds a cross-origin answer)
    # (a request's events may come in either order: its answer's extra info can reach us
    # before the request itself, so both are kept by request id and joined when read)
    requests: dict[str, tuple[str, str]] = {}
    statuses: dict[str, int] = {}
    cdp = page.context.new_cdp_session(page)
    cdp.on("Network.requestWillBeSent", lambda e: e["request"]["url"].startswith(server)
           and requests.update({e["requestId"]: (e["request"]["method"],
                                                 e["request"]["url"][len(server):])}))
    cdp.on("Network.responseReceivedExtraInfo",
           lambda e: statuses.update({e["requestId"]: e["statusCode"]}))
    cdp.send("Network.enable")

    def answers() -> list[tuple[str, str, int]]:
        return [(*requests[i], code) for i, code in list(statuses.items()) if i in requests]

    page.goto(attacker)
    # the browser gives the other site no answer to read (CORP, no CORS) ...
    assert set(page.evaluate("() => window.done").values()) == {"blocked"}
    # ... and the app refused each request before reading it (the network layer's
    # events may reach us after the page's promises settle: wait for them, bounded)
    expected = {("POST", "/ui/upload", 403), ("POST", "/api/forecast", 403)}
    for _ in range(100):
        if expected <= set(answers()):
            break
        page.wait_for_timeout(50)
    assert ("POST", "/ui/upload", 403) in answers()
    assert ("POST", "/api/forecast", 403) in answers()
    assert not [a for a in answers() if a[0] == "POST" and a[2] != 403], answers()
    # a form posted by the other site's page lands on the refusal, not on a fragment
    with page.expect_navigation():
        page.evaluate("() => window.submitForm()")
    assert page.url == server + "/ui/upload"
    assert "another site" in page.inner_text("body")
    assert page.locator("svg, img, script").count() == 0
    assert saved_runs(server) == before  # nothing planted
    # ... and the app's own page still shows nothing from it
    mine = browser.new_page()
    watch = Watch(mine)
    mine.goto(server)
    assert "planted by another site" not in mine.content()
    watch.clean()
