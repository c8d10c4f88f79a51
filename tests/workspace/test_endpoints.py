"""The workspace's endpoints through FastAPI's test client, behind the app's guard and
body limit as the page meets them."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft.api.loading import bundled_sources_dirs
from statecraft.scenario import load_scenario, load_scenario_text
from statecraft.scenario.load import bundled_scenarios_dir
from statecraft.scenario.quotes import QuoteIndex, normalise
from statecraft.web import create_app
from tests.conftest import DATA
from tests.workspace.pdfs import pdf_with_text, pdf_without_text

BUNDLED = "south-caucasus-2021.yaml"
ORIGIN = {"Origin": "http://127.0.0.1:8000"}
P_KEYS = {"path", "message", "severity", "where"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000",
                      headers=ORIGIN)


@pytest.fixture
def bundled(client: TestClient) -> dict[str, Any]:
    got = client.get("/api/workspace/start", params={"from": f"bundled:{BUNDLED}"})
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()
    return data


def _paths(problems: list[dict[str, Any]]) -> list[str]:
    assert all(set(p) == P_KEYS for p in problems), problems  # no file, line or column
    return [p["path"] for p in problems]


def test_the_page_is_served(client: TestClient) -> None:
    got = client.get("/workspace")
    assert got.status_code == 200 and "text/html" in got.headers["content-type"]
    assert "script-src 'self'" in got.headers["content-security-policy"]


def test_an_empty_start_shows_what_it_needs(client: TestClient) -> None:
    got = client.get("/api/workspace/start", params={"from": "empty"}).json()
    assert got["questions"] is None and got["scenario"]["actors"] == []
    assert _paths(got["problems"]) == ["actors", "issues", "stances"]
    assert got["problems"][0]["message"] == "found []; expected at least one actor"


def test_an_unknown_start_is_refused(client: TestClient) -> None:
    got = client.get("/api/workspace/start", params={"from": "bundled:../../etc/passwd"})
    assert got.status_code == 400 and BUNDLED in got.json()["detail"]


def test_a_bundled_start_holds_its_texts_and_questions(bundled: dict[str, Any]) -> None:
    assert bundled["problems"] == [] and bundled["questions"]["questions"]
    texts = [s for s in bundled["scenario"]["sources"] if "text" in s]
    assert texts and all("path" not in s for s in texts)
    assert "End of the War" in json.dumps(bundled["scenario"]["sources"])


def test_check_locates_problems_by_field_path(client: TestClient,
                                              bundled: dict[str, Any]) -> None:
    doc = bundled["scenario"]
    doc["stances"][3]["salience"] = 1.4
    doc["actors"][0]["capability"] = -1
    doc["issues"][1]["scale"] = {"0": "a", "100": "b"}
    questions = bundled["questions"]
    questions["questions"][0]["threshold"] = 140
    got = client.post("/api/workspace/check", json={"scenario": doc, "questions": questions})
    assert got.status_code == 200
    body = got.json()
    assert body["ok"] is False
    paths = _paths(body["problems"])
    assert {"stances[3].salience", "actors[0].capability", "issues[1].scale",
            "questions[0].threshold"} <= set(paths)
    salience = next(p for p in body["problems"] if p["path"] == "stances[3].salience")
    assert salience["message"].startswith("found 1.4; expected a number from 0 to 1")
    assert salience["where"] == "scenario" and salience["severity"] == "error"
    assert next(p for p in body["problems"] if p["path"] == "questions[0].threshold"
                )["where"] == "questions"
    assert "line" not in json.dumps(body).lower().replace("deadline", "")


def test_a_wrong_quote_in_an_inline_text_is_an_error_at_its_quote(
        client: TestClient, bundled: dict[str, Any]) -> None:
    doc = bundled["scenario"]
    k, j, ref = next((k, j, r) for k, s in enumerate(doc["stances"])
                     for j, r in enumerate(s["source"] if isinstance(s.get("source"), list)
                                           else []) if "doc" in r)
    ref["quote"] = "words the article never wrote"
    body = client.post("/api/workspace/check", json={"scenario": doc}).json()
    assert _paths(body["problems"]) == [f"stances[{k}].source[{j}].quote"]
    assert body["problems"][0]["message"] == (
        f"found 'words the article never wrote'; expected a passage found word for word in "
        f"source {ref['doc']!r}")


def test_save_then_open_gives_the_same_document(client: TestClient,
                                                bundled: dict[str, Any]) -> None:
    saved = client.post("/api/workspace/save", json={"scenario": bundled["scenario"],
                                                     "questions": bundled["questions"]})
    body = saved.json()
    assert body["ok"] is True and body["strict_ok"] is True
    assert body["filename"].endswith(".yaml") and body["questions_yaml"]
    loaded = load_scenario_text(body["scenario_yaml"], "saved.yaml", strict=True)
    original = load_scenario(bundled_scenarios_dir() / BUNDLED, strict=True,
                             sources_dirs=bundled_sources_dirs())
    assert (loaded.quotes_checked, loaded.quotes_unchecked) == (
        original.quotes_checked, original.quotes_unchecked)  # those of a url only
    again = client.post("/api/workspace/open", files={
        "file": (body["filename"], body["scenario_yaml"].encode(), "application/x-yaml")})
    assert again.status_code == 200
    assert again.json()["scenario"] == bundled["scenario"]
    questions = client.post("/api/workspace/open", data={"kind": "questions"}, files={
        "file": ("q.yaml", body["questions_yaml"].encode(), "application/x-yaml")}).json()
    assert questions["questions"] == bundled["questions"] and questions["scenario"] is None


def test_the_workbook_downloads_and_opens_again(client: TestClient,
                                                bundled: dict[str, Any]) -> None:
    got = client.post("/api/workspace/xlsx", json={"scenario": bundled["scenario"]})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert got.headers["content-disposition"].startswith("attachment; filename=")
    opened = client.post("/api/workspace/open", files={"file": ("book.xlsx", got.content)})
    body = opened.json()
    assert opened.status_code == 200 and body["problems"] == []
    texts = {s["id"]: s.get("text") for s in body["scenario"]["sources"]}
    want = {s["id"]: s.get("text") for s in bundled["scenario"]["sources"]}
    assert {k: v and v.strip() for k, v in texts.items()} == {
        k: v and v.strip() for k, v in want.items()}


def test_a_workbook_of_an_invalid_document_is_refused_by_field(client: TestClient) -> None:
    empty = client.get("/api/workspace/start", params={"from": "empty"}).json()["scenario"]
    got = client.post("/api/workspace/xlsx", json={"scenario": empty})
    assert got.status_code == 422 and _paths(got.json()["problems"])[0] == "actors"


def test_an_unparseable_upload_is_422_naming_the_file(client: TestClient) -> None:
    got = client.post("/api/workspace/open", files={"file": ("broken.yaml", b"a: [1, 2\n")})
    assert got.status_code == 422 and got.json()["detail"].startswith("broken.yaml: ")
    got = client.post("/api/workspace/open", files={"file": ("book.xlsx", b"PK not a zip")})
    assert got.status_code == 422 and got.json()["detail"].startswith("book.xlsx: not a "
                                                                      "readable .xlsx")
    got = client.post("/api/workspace/open", files={"file": ("notes.txt", b"name: x")})
    assert got.status_code == 422 and "expected a scenario (.yaml, .yml)" in got.json()[
        "detail"]


def test_an_uploaded_scenarios_paths_are_not_opened_but_named(client: TestClient,
                                                              tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("The secret sentence.")
    text = (DATA / "small.yaml").read_text().replace(
        "sources:\n", f"sources:\n  - {{id: leak, kind: document, title: L, path: {secret}}}\n",
        1)
    body = client.post("/api/workspace/open", files={"file": ("s.yaml", text.encode())}).json()
    leak = next(s for s in body["scenario"]["sources"] if s["id"] == "leak")
    assert "text" not in leak and leak["path"] == str(secret)
    warned = [w for w in body["warnings"] if w["path"] == "sources[0].path"]
    assert warned and "its text was not read" in warned[0]["message"]
    assert "secret sentence" not in json.dumps(body)


def test_extract_gives_a_pdfs_text(client: TestClient) -> None:
    raw = pdf_with_text(["Russia wants its peacekeepers to stay."])
    got = client.post("/api/workspace/extract", files={"file": ("a.pdf", raw, "application/pdf")})
    assert got.status_code == 200
    assert got.json() == {"text": "Russia wants its peacekeepers to stay.", "filename": "a.pdf",
                          "pages": 1, "warnings": []}


@pytest.mark.parametrize(("name", "raw", "said"), [
    ("scan.pdf", pdf_without_text(1), "scan.pdf: the PDF has no text layer"),
    ("bad.pdf", b"%PDF-1.7 nonsense", "bad.pdf: not a readable PDF"),
    ("notes.doc", b"text", "notes.doc: found the extension '.doc'"),
    ("latin.txt", b"caf\xe9", "latin.txt: not UTF-8 text"),
])
def test_extract_refuses_with_the_files_name(client: TestClient, name: str, raw: bytes,
                                             said: str) -> None:
    got = client.post("/api/workspace/extract", files={"file": (name, raw)})
    assert got.status_code == 422 and got.json()["detail"].startswith(said)


def test_extractions_at_once_are_limited(client: TestClient) -> None:
    from statecraft.web.workspace import EXTRACTIONS_AT_ONCE
    held = client.app.state.extractions  # type: ignore[attr-defined]
    raw = pdf_with_text(["Russia wants its peacekeepers to stay."])
    for _ in range(EXTRACTIONS_AT_ONCE):  # as many as run at once are under way
        assert held.acquire(blocking=False)
    got = client.post("/api/workspace/extract", files={"file": ("a.pdf", raw)})
    assert got.status_code == 503 and got.headers["retry-after"] == "5"
    assert got.json()["detail"].startswith(f"a.pdf: {EXTRACTIONS_AT_ONCE} files' texts")
    held.release()
    got = client.post("/api/workspace/extract", files={"file": ("a.pdf", raw)})
    assert got.status_code == 200  # one finished: the next is read, and lets its place go
    got = client.post("/api/workspace/extract", files={"file": ("b.pdf", b"%PDF nonsense")})
    assert got.status_code == 422  # a refused one lets its place go too
    assert held.acquire(blocking=False) and not held.acquire(blocking=False)


def test_a_50_mib_upload_is_refused_by_the_body_limit(client: TestClient) -> None:
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))
    got = client.post("/api/workspace/extract", files={"file": ("big.pdf", big)})
    assert got.status_code == 413
    assert got.json()["detail"].endswith("the limit is 1,048,576 bytes (1 MiB)")


def test_another_sites_page_is_refused(client: TestClient, bundled: dict[str, Any]) -> None:
    for path, kwargs in (("/api/workspace/check", {"json": {"scenario": bundled["scenario"]}}),
                         ("/api/workspace/save", {"json": {"scenario": bundled["scenario"]}}),
                         ("/api/workspace/extract", {"files": {"file": ("a.txt", b"x")}})):
        got = client.post(path, headers={"Origin": "http://evil.example"}, **kwargs)
        assert got.status_code == 403, path
        got = client.post(path, headers={"Sec-Fetch-Site": "cross-site"}, **kwargs)
        assert got.status_code == 403, path


def test_hostile_text_comes_back_as_json_text(client: TestClient) -> None:
    hostile = '<script>alert(1)</script>"); DROP --'
    empty = client.get("/api/workspace/start", params={"from": "empty"}).json()["scenario"]
    empty["name"] = hostile
    empty["actors"] = [{"id": "a", "name": hostile, "kind": "state", "capability": "<b>"}]
    got = client.post("/api/workspace/check", json={"scenario": empty})
    assert got.headers["content-type"] == "application/json"
    cap = next(p for p in got.json()["problems"] if p["path"] == "actors[0].capability")
    assert "'<b>'" in cap["message"]
    saved = client.post("/api/workspace/save", json={"scenario": empty}).json()
    assert saved["ok"] is False and saved["filename"] == "script-alert-1-script-drop-draft.yaml"
    again = client.post("/api/workspace/open", files={
        "file": ("x.yaml", saved["scenario_yaml"].encode())}).json()
    assert again["scenario"]["name"] == hostile and again["scenario"]["actors"][0][
        "name"] == hostile


def test_a_document_with_errors_is_saved_as_a_marked_draft_that_opens_unchanged(
        client: TestClient, bundled: dict[str, Any]) -> None:
    doc = bundled["scenario"]
    doc["stances"][0]["salience"] = 1.4
    doc["actors"][1]["name"] = ""
    check = client.post("/api/workspace/check", json={"scenario": doc}).json()
    n = len(check["problems"])
    assert n >= 2
    saved = client.post("/api/workspace/save", json={"scenario": doc}).json()
    assert saved["ok"] is False and len(saved["problems"]) == n
    assert saved["filename"].endswith("-draft.yaml")
    head = saved["scenario_yaml"].splitlines()[0]
    assert head.startswith("# DRAFT:") and f"{n} errors" in head and "validate" in head
    again = client.post("/api/workspace/open", files={
        "file": (saved["filename"], saved["scenario_yaml"].encode())}).json()
    assert again["scenario"] == doc
    assert again["problems"] == check["problems"]
    # a valid document is saved as it was: no header, no draft in its name
    bundled_doc = client.get("/api/workspace/start",
                             params={"from": f"bundled:{BUNDLED}"}).json()["scenario"]
    valid = client.post("/api/workspace/save", json={"scenario": bundled_doc}).json()
    assert valid["ok"] and not valid["scenario_yaml"].startswith("#")
    assert not valid["filename"].endswith("-draft.yaml")


def test_quote_suggestions_point_into_the_sources_text(client: TestClient,
                                                       bundled: dict[str, Any]) -> None:
    doc = bundled["scenario"]
    source = next(s for s in doc["sources"] if "text" in s)
    got = client.post("/api/workspace/quotes", json={
        "scenario": doc, "source": source["id"], "actor": "rus", "issue": "peacekeepers",
        "limit": 5})
    assert got.status_code == 200
    found = got.json()["suggestions"]
    assert 1 <= len(found) <= 5
    index = QuoteIndex(source["text"])
    for s in found:
        span = source["text"][s["start"]:s["end"]]
        assert normalise(span) == normalise(s["sentence"])
        assert index.contains(span)  # cited as selected, it passes the quote check
    cited = {normalise(r["quote"]) for st in doc["stances"]
             if st["actor"] == "rus" and st["issue"] == "peacekeepers"
             for r in (st["source"] if isinstance(st["source"], list) else [st["source"]])
             if "quote" in r}
    assert any(any(c in normalise(s["sentence"]) for c in cited) for s in found)


def test_quote_suggestions_refuse_unknown_ids(client: TestClient,
                                              bundled: dict[str, Any]) -> None:
    base = {"scenario": bundled["scenario"], "source": "nope", "actor": "rus", "limit": 3}
    got = client.post("/api/workspace/quotes", json=base)
    assert got.status_code == 422 and got.json()["detail"].startswith("source: found 'nope'")
    source = next(s["id"] for s in bundled["scenario"]["sources"] if "text" in s)
    got = client.post("/api/workspace/quotes", json={**base, "source": source, "actor": "x"})
    assert got.status_code == 422 and got.json()["detail"].startswith("actor: found 'x'")
    got = client.post("/api/workspace/quotes", json={**base, "source": source, "limit": 0})
    assert got.status_code == 422


def test_a_number_json_cannot_hold_comes_back_as_text_and_is_named(client: TestClient
                                                                     ) -> None:
    text = (DATA / "small.yaml").read_text()
    text = text.replace("capability: 1,", "capability: .inf,", 1)
    got = client.post("/api/workspace/open", files={"file": ("inf.yaml", text.encode())})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["scenario"]["actors"][0]["capability"] == ".inf"
    assert "actors[0].capability" in _paths(body["problems"])


def test_a_document_nested_too_deep_is_refused_by_where_it_starts(client: TestClient) -> None:
    body = '{"scenario": {"name": "x", "actors": ' + "[" * 150 + "]" * 150 + "}}"
    got = client.post("/api/workspace/check", content=body,
                      headers={"content-type": "application/json"})
    assert got.status_code == 422
    assert got.json()["detail"] == "actors[0][0][0]...: nested more than 100 levels deep"


def test_a_bundled_source_whose_file_is_missing_is_a_warning_naming_no_path(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from statecraft.api import workspace as ws

    monkeypatch.setattr(ws, "bundled_sources_dirs", lambda: (tmp_path,))
    started = ws.workspace_start(f"bundled:{BUNDLED}").to_dict()
    warned = [w for w in started["warnings"] if isinstance(w, dict)
              and str(w["path"]).endswith(".path")]
    assert warned and all("its file is not available here" in str(w["message"])
                          for w in warned)
    assert "/" not in " ".join(str(w["message"]) for w in warned)


def test_thousands_of_problems_are_answered_with_the_first_ones_and_a_count(
        client: TestClient) -> None:
    from statecraft.api.workspace import MAX_PROBLEMS_SHOWN, workspace_check
    bad = {"name": "x", "as_of": "2024-01-01",
           "stances": [{"actor": "zz", "issue": "q", "position": "p"}] * 2_000}
    full = workspace_check(bad)
    assert len(full.problems) > 2_000  # every bad stance is still found
    for path in ("/api/workspace/check", "/api/workspace/save"):
        got = client.post(path, json={"scenario": bad})
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["ok"] is False
        assert [p["path"] for p in body["problems"]] == [
            p.path for p in full.problems[:MAX_PROBLEMS_SHOWN]]
        assert body["omitted"] == {
            "problems": len(full.problems) - MAX_PROBLEMS_SHOWN,
            "warnings": max(0, len(full.warnings) - MAX_PROBLEMS_SHOWN)}
        assert len(got.content) < 200_000
    small = client.post("/api/workspace/check", json={"scenario": {"name": "x"}}).json()
    assert small["omitted"] == {"problems": 0, "warnings": 0} and small["problems"]


def test_half_of_a_surrogate_pair_is_named_at_its_field(client: TestClient) -> None:
    raw = (b'{"scenario": {"name": "\\ud800x", "as_of": "2024-01-01", '
           b'"actors": [{"id": "a", "n\\udc00": 1}]}, '
           b'"questions": {"questions": [{"id": "\\udbff"}]}}')
    for path in ("/api/workspace/check", "/api/workspace/save"):
        got = client.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert got.status_code == 200, got.text
        found = {(p["where"], p["path"]): p["message"] for p in got.json()["problems"]}
        assert found[("scenario", "name")].startswith("holds U+D800, an invalid character")
        assert found[("scenario", "actors[0]")].startswith("a key holds U+DC00, an invalid")
        assert found[("questions", "questions[0].id")].startswith("holds U+DBFF, an inv")
        assert not any("YAML" in m for m in found.values())


def test_documents_read_at_once_are_limited(client: TestClient,
                                            bundled: dict[str, Any]) -> None:
    """open, check, save, xlsx and quotes each parse and validate a whole document (about
    5 s of CPU a MiB): past CHECKS_AT_ONCE under way, another is answered 503 at once,
    with Retry-After, and one that ends lets its place go."""
    from statecraft.web.workspace import CHECKS_AT_ONCE
    held = client.app.state.document_checks  # type: ignore[attr-defined]
    body = {"scenario": bundled["scenario"], "questions": bundled["questions"]}
    source = next(s["id"] for s in bundled["scenario"]["sources"] if s.get("text"))
    calls = [
        lambda: client.post("/api/workspace/check", json=body),
        lambda: client.post("/api/workspace/save", json=body),
        lambda: client.post("/api/workspace/xlsx", json={"scenario": bundled["scenario"]}),
        lambda: client.post("/api/workspace/quotes", json={
            "scenario": bundled["scenario"], "source": source, "actor": "rus"}),
        lambda: client.post("/api/workspace/open", files={
            "file": ("s.yaml", b"name: x\n")}),
    ]
    for _ in range(CHECKS_AT_ONCE):
        assert held.acquire(blocking=False)
    for call in calls:
        got = call()
        assert got.status_code == 503, got.text
        assert got.headers["retry-after"] == "1"
        assert got.json()["detail"].startswith(
            f"{CHECKS_AT_ONCE} documents are being opened, checked or saved already")
    held.release()
    for call in calls:
        assert call().status_code in (200, 422)  # answered, and its place let go again
    assert held.acquire(blocking=False) and not held.acquire(blocking=False)


def test_a_document_the_workspace_holds_no_text_of_is_a_warning_counting_its_quotes(
        client: TestClient, bundled: dict[str, Any]) -> None:
    """A check with no errors said 'No problems' while every quote citing a source with
    only a path (which the workspace never opens) went unchecked."""
    scenario = json.loads(json.dumps(bundled["scenario"]))
    src = scenario["sources"][0]
    assert isinstance(src.get("text"), str)  # the bundled start inlines the article
    quoted = json.dumps(scenario).count(f'"doc": "{src["id"]}", "quote"')
    assert quoted > 100
    src.pop("text")
    src["path"] = "../sources/article.md"
    got = client.post("/api/workspace/check", json={"scenario": scenario}).json()
    assert got["ok"] is True and got["problems"] == []
    said = [w for w in got["warnings"] if w["path"] == "sources[0].path"]
    assert len(said) == 1, got["warnings"]
    assert said[0]["message"] == (
        f"source {src['id']!r}: the workspace holds no text of it, so the {quoted} quotes "
        "citing it are not checked; paste or upload its text (Add document, with this id)")
    # with its text again, nothing to say of it
    scenario["sources"][0] = bundled["scenario"]["sources"][0]
    again = client.post("/api/workspace/check", json={"scenario": scenario}).json()
    assert not [w for w in again["warnings"] if w["path"].startswith("sources[0]")]


@pytest.mark.parametrize("kind", ["scenario", "questions"])
def test_an_upload_whose_aliases_repeat_a_long_text_is_refused_at_once(
        client: TestClient, kind: str) -> None:
    import time

    bomb = ("name: &a " + "x" * 100_000 + "\nas_of: 2021-01-01\nextra:\n" + "- *a\n" * 1000)
    start = time.perf_counter()
    got = client.post("/api/workspace/open", data={"kind": kind},
                      files={"file": ("alias.yaml", bomb.encode())})
    assert got.status_code == 422, got.status_code
    assert len(got.content) < 2000 and time.perf_counter() - start < 5
    assert "expands to more than 2,097,152 characters of text" in got.json()["detail"]


def test_a_workbook_with_thousands_of_problems_is_answered_with_the_first_ones(
        client: TestClient) -> None:
    import openpyxl

    from statecraft.api.workspace import MAX_PROBLEMS_SHOWN
    from statecraft.scenario.xlsx import scenario_to_xlsx

    raw = scenario_to_xlsx(load_scenario(DATA / "small.yaml").scenario)
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    sheet = wb["stances"]
    for r in range(2, 1502):  # rows naming an actor and an issue, and no numbers
        sheet.cell(row=r, column=1, value="a")
        sheet.cell(row=r, column=2, value="x")
        for c in range(3, sheet.max_column + 1):
            sheet.cell(row=r, column=c, value=None)
    out = io.BytesIO()
    wb.save(out)
    got = client.post("/api/workspace/open", files={"file": ("bad.xlsx", out.getvalue())})
    assert got.status_code == 422, got.text
    lines = got.json()["detail"].splitlines()
    assert len(lines) == MAX_PROBLEMS_SHOWN + 1, len(lines)
    assert re.fullmatch(r"\.\.\. and [\d,]+ more problems, not listed", lines[-1])
    assert all(line.startswith("bad.xlsx: stances!") for line in lines[:-1])
