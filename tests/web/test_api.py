"""The web app's JSON API, through FastAPI's test client (no browser)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from pathlib import Path

from fastapi.testclient import TestClient

from statecraft.web import MAX_UPLOAD, create_app
from tests.conftest import DATA

DEFAULT = "south-caucasus-2021.yaml"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


def test_forecast_is_saved_and_its_report_downloads(client: TestClient) -> None:
    got = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 300})
    assert got.status_code == 200, got.text
    data = got.json()
    assert len(data["issues"]) == 7 and len(data["questions"]) >= 12
    png = client.get(data["distributions_url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    runs = client.get("/api/runs").json()
    assert [r["id"] for r in runs] == [data["run_id"]] and runs[0]["status"] == "complete"
    one = client.get(f"/api/runs/{data['run_id']}").json()
    assert [r["median"] for r in one["issues"]] == [r["median"] for r in data["issues"]]
    report = client.get(f"/api/runs/{data['run_id']}/report")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "<h2>Sources appendix</h2>" in report.text
    assert client.get("/api/runs/nope").status_code == 404


def test_compare_two_runs(client: TestClient) -> None:
    base = client.post("/api/forecast", json={"samples": 300}).json()
    edited = client.post("/api/forecast", json={"samples": 300, "changes": [
        {"actor": "rus", "issue": "peacekeepers", "salience": 0.2}]}).json()
    got = client.get(f"/api/compare?a={base['run_id']}&b={edited['run_id']}")
    assert got.status_code == 200, got.text
    data = got.json()
    assert [d["input"] for d in data["inputs"]] == ["salience.rus.peacekeepers"]
    assert data["inputs"][0]["b"] == 0.2
    moved = {r["issue"]: r["shift"] for r in data["issues"]}
    assert set(moved) == {r["issue"] for r in base["issues"]}
    assert data["questions"] and all("shift" in q for q in data["questions"])
    assert client.get(f"/api/compare?a={base['run_id']}&b=nope").status_code == 404
    # the page's comparison shows the same probabilities and shifts as the JSON
    page = client.get(f"/ui/compare?a={base['run_id']}&b={edited['run_id']}")
    assert page.status_code == 200, page.text
    for q in data["questions"]:
        a, b = q["a"], q["b"]
        row = page.text.split(f'<tr data-question="{q["id"]}">', 1)[1].split("</tr>", 1)[0]
        assert f"{a:.3f}</td>" in row and f"{b:.3f}</td>" in row
        assert f"{q['shift']:+.3f}</td>" in row


def test_no_scenario_named_means_the_bundled_default(client: TestClient) -> None:
    plain = client.post("/api/forecast", json={"samples": 100})
    assert plain.status_code == 200, plain.text
    named = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 100}).json()
    assert plain.json()["issues"] == named["issues"]
    assert [q["id"] for q in plain.json()["questions"]] == [q["id"] for q in named["questions"]]
    options = client.post("/api/options", json={})
    assert options.status_code == 200 and options.json() == client.post(
        "/api/options", json={"bundled": DEFAULT}).json()
    both = client.post("/api/forecast", json={"bundled": DEFAULT, "text": "name: x"})
    assert both.status_code == 400 and "not both" in both.json()["detail"]


def test_forecasts_are_calibrated_unless_asked_not_to_be(client: TestClient) -> None:
    from statecraft.api.calibration import read_error_file

    cal = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 300}).json()
    assert cal["calibration"] == read_error_file().identity
    for q in cal["questions"]:
        assert q["calibrated"] and 0 < q["probability"] < 1
    for row in cal["issues"]:
        assert row["calibrated"] is True  # a flag, as a question's; the summary beside it
        lo, hi = row["predictive"]["intervals"]["90"]
        assert lo <= row["predictive"]["median"] <= hi
    # the saved run says so too, and gives the same calibrated summary back
    one = client.get(f"/api/runs/{cal['run_id']}").json()
    assert one["calibration"] == cal["calibration"]
    assert [r["predictive"] for r in one["issues"]] == [r["predictive"] for r in cal["issues"]]
    plain = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 300,
                                               "calibrated": False}).json()
    assert plain["calibration"] is None
    assert all(r["calibrated"] is False and r["predictive"] is None for r in plain["issues"])
    assert [r["median"] for r in plain["issues"]] == [r["median"] for r in cal["issues"]]
    page = client.post("/ui/forecast", json={"bundled": DEFAULT, "samples": 100})
    assert page.status_code == 200 and "90% interval" in page.text


def test_a_saved_run_has_a_round_by_round_plot(client: TestClient) -> None:
    data = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 300}).json()
    url = data["trajectories_url"]
    assert url == f"/api/runs/{data['run_id']}/trajectories.png"
    png = client.get(url)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert client.get("/api/runs/nope/trajectories.png").status_code == 404
    assert client.get("/api/runs/nope/distributions.png").status_code == 404
    # a model without rounds has no round-by-round plot, and asking for one says why
    flat = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 50,
                                              "model": "compromise"}).json()
    assert flat["trajectories_url"] is None and flat["distributions_url"]
    refused = client.get(f"/api/runs/{flat['run_id']}/trajectories.png")
    assert refused.status_code == 400 and "no rounds to plot" in refused.json()["detail"]


def test_a_changed_salience_changes_the_probabilities(client: TestClient) -> None:
    base = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 400}).json()
    change = {"actor": "rus", "issue": "azerbaijan_alignment", "salience": [0.05, 0.05]}
    moved = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 400,
                                               "changes": [change]}).json()
    p = {q["id"]: q["probability"] for q in base["questions"]}
    q = {q["id"]: q["probability"] for q in moved["questions"]}
    assert p["azerbaijan-joins-russian-blocs"] != q["azerbaijan-joins-russian-blocs"]


def test_validation_errors_name_the_line(client: TestClient) -> None:
    text = (DATA / "small.yaml").read_text().replace("position: 60,", "position: 120,")
    got = client.post("/api/validate", json={"text": text}).json()
    assert got["ok"] is False
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "position: 120" in s)
    assert any(p["line"] == line and "120" in p["message"] for p in got["problems"])
    bad = client.post("/api/forecast", json={"text": text, "samples": 10})
    assert bad.status_code == 422 and bad.json()["problems"][0]["line"] == line
    bad_change = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 10,
                                                    "changes": [{"actor": "rus",
                                                                 "issue": "demining",
                                                                 "salience": 2}]})
    assert bad_change.status_code == 422


def test_no_endpoint_reads_a_path_the_client_names(client: TestClient) -> None:
    for name in ("../pyproject.toml", "/etc/passwd", "..%2F..%2Fpyproject.toml"):
        got = client.post("/api/validate", json={"bundled": name})
        assert got.status_code == 400 and "no bundled scenario" in got.json()["detail"]


def test_uploads_over_one_mib_are_refused(client: TestClient) -> None:
    big = b"# padding\n" * (MAX_UPLOAD // 10 + 1)
    got = client.post("/api/upload", files={"file": ("big.yaml", big, "text/yaml")})
    assert got.status_code == 413 and "limit is 1,048,576 bytes (1 MiB)" in got.json()["detail"]
    small = client.post("/api/upload", files={"file": ("s.yaml", (DATA / "small.yaml")
                                                       .read_bytes(), "text/yaml")})
    assert small.json()["ok"] is True
    latin1 = client.post("/api/upload", files={"file": ("l.yaml", "name: Caf\xe9\n".encode(
        "latin-1"), "text/yaml")}).json()
    assert latin1["ok"] is False and "not UTF-8" in latin1["problems"][0]["message"]


def test_options_and_the_openapi_schema(client: TestClient) -> None:
    got = client.post("/api/options", json={"bundled": DEFAULT}).json()
    assert got["nodes"] and "spe_outcome" in got
    schema = client.get("/openapi.json").json()
    assert {"/api/forecast", "/api/validate", "/api/options", "/api/runs"} <= set(
        schema["paths"])


def test_uploaded_text_never_makes_the_server_open_a_file(client: TestClient,
                                                         tmp_path: Path) -> None:
    # a source pointing at a file on the server: were it read, the quote would not be
    # found in it and validation would fail; it must not be read at all
    secret = tmp_path / "secret.txt"
    secret.write_text("nothing quoted here")
    text = (DATA / "small.yaml").read_text().replace(
        "    kind: dataset\n    title: Hand-made test figures\n    year: 2024\n",
        "    kind: dataset\n    title: Hand-made test figures\n    year: 2024\n"
        f"  - {{id: doc, kind: document, title: T, path: {secret}}}\n").replace(
        "capability: 1, source: {dataset: notes}",
        'capability: 1, source: {doc: doc, quote: "words that are not in the file"}')
    got = client.post("/api/validate", json={"text": text}).json()
    assert got["ok"] is True, got
    up = client.post("/api/upload", files={"file": ("s.yaml", text.encode(), "text/yaml")})
    assert up.json()["ok"] is True
    # nor does forecasting it, or reporting the saved run: no step opens the file
    import statecraft.scenario.load as load_module

    opened: list[Path] = []
    real = load_module._read_document

    def spy(path: Path) -> str | None:
        opened.append(path)
        return real(path)

    load_module._read_document = spy  # type: ignore[assignment]
    try:
        run = client.post("/api/forecast", json={"text": text, "samples": 50}).json()
        assert client.get(f"/api/runs/{run['run_id']}/report").status_code == 200
        client.post("/api/options", json={"text": text})
        web_opened = list(opened)
        with pytest.raises(load_module.ScenarioError):  # the spy does see a real read
            load_module.load_scenario_text(text, "s.yaml", sources_dirs=[tmp_path])
    finally:
        load_module._read_document = real  # type: ignore[assignment]
    assert web_opened == [] and opened == [secret]
    # the same text from the command line, with the file's folder allowed, does read the
    # file, and says the quote is absent
    from statecraft.scenario import ScenarioError, load_scenario_text

    with pytest.raises(ScenarioError, match="found word for word"):
        load_scenario_text(text, "s.yaml", sources_dirs=[tmp_path])


def test_progress_is_reported_under_the_clients_token(client: TestClient) -> None:
    assert client.get("/api/progress/unknown-token").status_code == 404
    got = client.post("/api/forecast", json={"samples": 2500, "model": "compromise",
                                             "progress_token": "abc-123"})
    assert got.status_code == 200
    assert client.get("/api/progress/abc-123").json() == {"done": 2500, "total": 2500}
    bad = client.post("/api/forecast", json={"samples": 10, "progress_token": "no spaces"})
    assert bad.status_code == 422


def test_two_changes_of_one_stance_are_refused_naming_it(client: TestClient) -> None:
    """The last of two changes of the same stance won, silently."""
    twice = [{"actor": "rus", "issue": "demining", "position": 10},
             {"actor": "aze", "issue": "demining", "position": 20},
             {"actor": "rus", "issue": "demining", "salience": 0.2}]
    for url in ("/api/forecast", "/api/validate"):
        got = client.post(url, json={"bundled": DEFAULT, "samples": 10, "changes": twice}
                          if url.endswith("forecast") else {"bundled": DEFAULT,
                                                            "changes": twice})
        problems = got.json()["problems"]
        assert [p["message"] for p in problems] == [
            "actor 'rus' on issue 'demining' is changed twice (changes 0 and 2); give one "
            "change per stance, with its position and salience together"], problems
        assert problems[0]["path"] == "changes[2]" and problems[0]["file"] == DEFAULT
        if url.endswith("forecast"):
            assert got.status_code == 422
    once = client.post("/api/forecast", json={"bundled": DEFAULT, "samples": 10,
                                              "changes": twice[:2]})
    assert once.status_code == 200, once.text


@pytest.mark.parametrize("loose", [{"samples": "100"}, {"samples": True}, {"samples": 100.0},
                                   {"seed": "7"}, {"seed": False}, {"calibrated": 1},
                                   {"calibrated": "yes"}])
def test_a_forecasts_numbers_and_switch_are_strict(client: TestClient,
                                                   loose: dict[str, object]) -> None:
    """A count is an integer and the switch a boolean: ``true`` is not one sample, nor
    ``"100"`` a hundred (refused, 422, naming the field), as deals' request refuses them."""
    got = client.post("/api/forecast", json={"bundled": DEFAULT, **loose})
    assert got.status_code == 422, got.text
    assert next(iter(loose)) in got.text
