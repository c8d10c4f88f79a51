"""Provenance that survives edits: a run keeps the exact scenario text it ran and, when it
was edited, what it was edited from; every value that differs from the cited scenario is
marked (the value used, then the cited one) in ``runs show``, the report and the page."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.scenario import load_scenario_text
from statecraft.scenario.edit import StanceChange, load_edited
from statecraft.scenario.provenance import Edit, differences, format_value, other_differences
from statecraft.store import RunStore, StoreDamaged
from statecraft.store import registry as registry_module
from tests.conftest import DATA, REPO

SMALL = DATA / "small.yaml"
TEXT = SMALL.read_text(encoding="utf-8")
BUNDLED = "south-caucasus-2021.yaml"


def sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def scenario(text: str) -> object:
    return load_scenario_text(text, "test.yaml").scenario


def cli(*args: str) -> tuple[int, str, bytes]:
    got = CliRunner().invoke(app, list(args))
    return got.exit_code, got.output, got.stdout_bytes


# ---- the pure comparison ----------------------------------------------------------------

def test_each_changed_value_is_listed_with_its_cited_one() -> None:
    edited = (TEXT.replace("capability: 2,", "capability: 2.5,")  # Beta
              .replace("status_quo: 0\n", "status_quo: 40\n")  # issue y
              .replace("{actor: c, issue: x, position: 100, salience: [0.2, 0.6]",
                       "{actor: c, issue: x, position: [90, 100], salience: 0.3"))
    cited, used = scenario(TEXT), scenario(edited)
    got = differences(cited, used)  # type: ignore[arg-type]
    assert got == [Edit("capability", "b", None, 2.0, 2.5),
                   Edit("status_quo", None, "y", 0.0, 40.0),
                   Edit("position", "c", "x", 100.0, (90.0, 100.0)),
                   Edit("salience", "c", "x", (0.2, 0.6), 0.3)]
    assert [f"{e.where}: {e.describe()}" for e in got] == [
        "b: capability 2.5 (edited; cited 2)",
        "y: status quo 40 (edited; cited 0)",
        "c on x: position 90-100 (edited; cited 100)",
        "c on x: salience 0.3 (edited; cited 0.2-0.6)"]
    assert got[3].as_dict() == {"field": "salience", "actor": "c", "issue": "x",
                                "cited": [0.2, 0.6], "used": 0.3,
                                "text": "c on x: salience 0.3 (edited; cited 0.2-0.6)"}
    assert not other_differences(cited, used)  # type: ignore[arg-type]


def test_the_same_values_make_no_difference() -> None:
    # a fixed value and the range from it to itself are the same value
    same = TEXT.replace("{actor: a, issue: y, position: [10, 30], salience: 0.5",
                        "{actor: a, issue: y, position: [10, 30], salience: [0.5, 0.5]")
    assert same != TEXT
    assert differences(scenario(TEXT), scenario(same)) == []  # type: ignore[arg-type]
    assert differences(scenario(TEXT), scenario(TEXT)) == []  # type: ignore[arg-type]


def test_a_stance_only_one_side_has_is_added_or_removed() -> None:
    line = "  - {actor: b, issue: y, position: 80, salience: 1.0, source: {dataset: notes}}\n"
    assert line in TEXT
    fewer = TEXT.replace(line, "")
    removed = differences(scenario(TEXT), scenario(fewer))  # type: ignore[arg-type]
    assert removed == [Edit("position", "b", "y", 80.0, None),
                       Edit("salience", "b", "y", 1.0, None)]
    assert removed[0].describe() == "position (removed; cited 80)"
    added = differences(scenario(fewer), scenario(TEXT))  # type: ignore[arg-type]
    assert added == [Edit("position", "b", "y", None, 80.0), Edit("salience", "b", "y", None, 1.0)]
    assert added[1].describe() == "salience 1 (added; not in the cited scenario)"


def test_other_changes_are_noticed_though_not_itemised() -> None:
    renamed = TEXT.replace("name: Beta", "name: Bravo")
    assert differences(scenario(TEXT), scenario(renamed)) == []  # type: ignore[arg-type]
    assert other_differences(scenario(TEXT), scenario(renamed))  # type: ignore[arg-type]


def test_values_are_written_as_the_page_writes_them() -> None:
    assert [format_value(v) for v in (0.3, (0.7, 0.9), (5.0, 5.0), 61.7, None)] == [
        "0.3", "0.7-0.9", "5", "61.7", "(absent)"]


# ---- an edited scenario knows its cited original -----------------------------------------

def test_an_edited_scenario_knows_what_it_was_edited_from() -> None:
    assert load_edited(TEXT, "small.yaml", []).cited is None
    loaded = load_edited(TEXT, "small.yaml", [StanceChange("c", "x", salience=0.3)],
                         path=str(SMALL))
    assert loaded.path is None and loaded.cited is not None
    assert loaded.cited.text == TEXT and loaded.cited.sha256 == sha(TEXT)
    assert loaded.cited.origin() == {"name": "small.yaml", "path": str(SMALL),
                                     "sha256": sha(TEXT)}
    assert loaded.cited.edits(loaded.scenario) == [Edit("salience", "c", "x", (0.2, 0.6), 0.3)]
    # the text that runs says so itself, as data (its edited_from block), wherever it is
    # saved: the value is changed where it was written and the block appended
    assert loaded.text == TEXT.replace(
        "{actor: c, issue: x, position: 100, salience: [0.2, 0.6]",
        "{actor: c, issue: x, position: 100, salience: 0.3") + (
        "# What this copy was edited from: each value under changes differs from its cited "
        "original's,\n# which is the value its sources support.\n"
        "edited_from:\n  name: small.yaml\n"
        f'  sha256: "{sha(TEXT)}"\n'
        "  changes:\n"
        "    - {actor: c, issue: x, field: salience, cited: [0.2, 0.6], used: 0.3}\n")
    assert loaded.scenario.edited_from is not None
    # a change to the value it already had changes nothing: the text is the file's
    same = load_edited(TEXT, "small.yaml", [StanceChange("a", "x", salience=1.0),
                                            StanceChange("c", "x", salience=(0.2, 0.6))])
    assert same.cited is None and same.text == TEXT


# ---- the run store --------------------------------------------------------------------

def edited_run(store: RunStore) -> str:
    loaded = load_edited(TEXT, "small.yaml", [StanceChange("c", "x", salience=0.3)],
                         path=str(SMALL))
    done = api.forecast_run(loaded, samples=60, seed=3, store=store, calibrated=False)
    assert done.run_id is not None
    return done.run_id


def plain_run(store: RunStore, path: Path = SMALL) -> str:
    done = api.forecast_run(api.load(path), samples=60, seed=3, store=store, calibrated=False)
    assert done.run_id is not None
    return done.run_id


def test_a_run_of_an_edited_scenario_records_its_cited_original(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id, plain = edited_run(store), plain_run(store)
    rec = store.get(run_id)
    assert rec.scenario_path is None  # it never claims the file's path
    assert rec.edited_from == {"name": "small.yaml", "path": str(SMALL), "sha256": sha(TEXT)}
    assert rec.cited_text == TEXT and rec.scenario_hash == sha(rec.scenario_text)
    assert rec.scenario_hash != rec.edited_from["sha256"]
    assert api.run_edits(rec) == [Edit("salience", "c", "x", (0.2, 0.6), 0.3)]
    listed = {r.id: r for r in store.list()}
    assert listed[run_id].edited_from == rec.edited_from
    # a run of the file as it is records its path and nothing more
    other = store.get(plain)
    assert other.scenario_path == str(SMALL) and other.edited_from is None
    assert other.cited_text is None and api.run_edits(other) == []
    # the stored scenario, read back, knows its cited original too
    stored = api.load_run(store, run_id)
    assert stored.loaded.cited is not None and stored.loaded.cited.text == TEXT


def test_a_changed_cited_text_is_damage(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id = edited_run(store)
    with sqlite3.connect(store.db_path) as db:
        db.execute("UPDATE runs SET cited_text = ? WHERE id = ?",
                   (TEXT.replace("position: 60", "position: 65"), run_id))
    with pytest.raises(StoreDamaged, match="edited from does not match"):
        store.get(run_id)


def test_a_run_is_started_with_a_consistent_origin_or_not_at_all(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    common = {"scenario_name": "s", "scenario_text": "x", "model": "eum", "params": {},
              "seed": 1, "samples": 1, "method": "random", "issue_ids": ("x",),
              "version": "0"}
    with pytest.raises(ValueError, match="both"):
        store.start(**common, scenario_path=None, edited_from={"name": "a", "sha256": sha("y")})
    with pytest.raises(ValueError, match="sha256"):
        store.start(**common, scenario_path=None, edited_from={"name": "a", "sha256": "0"},
                    cited_text="y")
    with pytest.raises(ValueError, match="no path of its own"):
        store.start(**common, scenario_path="/a.yaml",
                    edited_from={"name": "a", "sha256": sha("y")}, cited_text="y")
    assert store.list() == []


OLD_COLUMNS = ("id, created, finished, status, scenario_name, scenario_hash, scenario_text, "
               "scenario_path, model, params, seed, samples, method, completed, seconds, "
               "version, host, pid, failures, error, calibration, data_sha256, data_rows, "
               "process_start, seq")


def test_a_store_made_before_edits_were_recorded_is_read_then_migrated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = RunStore(tmp_path / "new")
    a = plain_run(new)
    old = tmp_path / "old"
    shutil.copytree(tmp_path / "new" / "runs", old / "runs")
    with sqlite3.connect(old / "runs.sqlite") as db:
        db.execute(registry_module.SCHEMA)
        for col, sql in registry_module.MIGRATIONS.items():
            if col not in ("calibration", "edited_from", "cited_text"):  # in SCHEMA, new
                db.execute(sql)
        db.execute("ATTACH DATABASE ? AS new", (str(new.db_path),))
        db.execute(f"INSERT INTO runs ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM new.runs")
    # read-only: read as it is, nothing added
    with monkeypatch.context() as m:
        m.setattr(registry_module, "can_write", lambda path: False)
        [listed] = RunStore(old).list()
        assert listed.id == a and listed.edited_from is None
        rec = RunStore(old).get(a)
        assert rec.cited_text is None and rec.scenario_path == str(SMALL)
    with sqlite3.connect(old / "runs.sqlite") as db:
        cols = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
    assert "edited_from" not in cols and "cited_text" not in cols
    # opened for writing: the columns are added; old runs read as not edited
    store = RunStore(old)
    b = edited_run(store)
    assert store.get(a).edited_from is None
    assert store.get(b).edited_from == {"name": "small.yaml", "path": str(SMALL),
                                        "sha256": sha(TEXT)}
    code, shown, _ = cli("runs", "show", a, "--store", str(old))
    assert code == 0 and "edited values" not in shown


# ---- the command line ---------------------------------------------------------------------

def awkward_copy(tmp_path: Path) -> Path:
    """small.yaml with Windows line ends, letters outside ASCII and no final newline."""
    raw = ("# Zürich – café\r\n" + TEXT.replace("\n", "\r\n")).rstrip("\r\n")
    path = tmp_path / "awkward.yaml"
    path.write_bytes(raw.encode("utf-8"))
    return path


def test_runs_show_scenario_prints_the_text_that_ran_byte_for_byte(tmp_path: Path) -> None:
    path = awkward_copy(tmp_path)
    store = RunStore(tmp_path / "store")
    run_id = plain_run(store, path)
    code, _, out = cli("runs", "show", run_id[:12], "--scenario", "--store", str(store.root))
    assert code == 0 and out == path.read_bytes()
    # through a real stdout, too
    proc = subprocess.run([sys.executable, "-m", "statecraft", "runs", "show", run_id,
                           "--scenario", "--store", str(store.root)],
                          capture_output=True, cwd=REPO, timeout=120, check=False)
    assert proc.returncode == 0 and proc.stdout == path.read_bytes(), proc.stderr
    # --cited of a run that was not edited: said, not guessed
    code, said, _ = cli("runs", "show", run_id, "--scenario", "--cited", "--store",
                        str(store.root))
    assert code == 1 and "not made from an edited scenario" in said
    code, said, _ = cli("runs", "show", run_id, "--scenario", "--json", "--store",
                        str(store.root))
    assert code == 1 and "--scenario" in said


def test_runs_show_marks_each_edited_value_with_its_cited_one(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id = edited_run(store)
    code, shown, _ = cli("runs", "show", run_id, "--store", str(tmp_path))
    assert code == 0, shown
    said = " ".join(shown.split())
    assert f"edited from: small.yaml ({SMALL}), sha256 {sha(TEXT)}" in said
    assert " file: " not in said  # an edited scenario has no file of its own
    assert "c on x: salience 0.3 (edited; cited 0.2-0.6)" in shown
    code, raw, _ = cli("runs", "show", run_id, "--json", "--store", str(tmp_path))
    data = json.loads(raw)
    assert data["scenario_path"] is None and data["edited_from"]["sha256"] == sha(TEXT)
    assert data["edits"] == [{"field": "salience", "actor": "c", "issue": "x",
                              "cited": [0.2, 0.6], "used": 0.3,
                              "text": "c on x: salience 0.3 (edited; cited 0.2-0.6)"}]
    assert sha(data["scenario_text"]) == data["scenario_hash"]
    code, _, cited = cli("runs", "show", run_id, "--scenario", "--cited", "--store",
                         str(tmp_path))
    assert code == 0 and cited == TEXT.encode("utf-8")


def test_runs_export_writes_the_text_that_ran_and_replaces_only_when_told(
        tmp_path: Path) -> None:
    path = awkward_copy(tmp_path)
    store = str(tmp_path / "store")
    run_id = plain_run(RunStore(store), path)
    out = tmp_path / "out" / "ran.yaml"
    code, said, _ = cli("runs", "export", run_id, "-o", str(out), "--store", store)
    assert code == 1 and str(out) in said and "cannot write" in said  # no such folder
    out.parent.mkdir()
    code, said, _ = cli("runs", "export", run_id, "-o", str(out), "--store", store)
    assert code == 0 and out.read_bytes() == path.read_bytes()
    out.write_text("mine")
    code, said, _ = cli("runs", "export", run_id, "-o", str(out), "--store", store)
    assert code == 1 and "exists; pass --force" in said and out.read_text() == "mine"
    code, said, _ = cli("runs", "export", run_id, "-o", str(out), "--store", store, "--force")
    assert code == 0 and out.read_bytes() == path.read_bytes()
    code, said, _ = cli("runs", "export", run_id, "-o", str(out.parent), "--store", store)
    assert code == 1 and "is a directory" in said
    code, said, _ = cli("runs", "export", "nope", "-o", str(tmp_path / "x.yaml"), "--store",
                        store)
    assert code == 1 and "no run 'nope'" in said and not (tmp_path / "x.yaml").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["ran.yaml"]  # no leftovers
    # the exported file runs again to the very same outcomes
    again = api.forecast_run(api.load(out), samples=60, seed=3, store=None, calibrated=False)
    assert (again.result.outcomes == RunStore(store).frames(run_id)[1].to_numpy()).all()


def test_runs_export_cited_writes_what_an_edited_run_was_edited_from(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "store")
    run_id = edited_run(store)
    ran, cited = tmp_path / "ran.yaml", tmp_path / "cited.yaml"
    assert cli("runs", "export", run_id, "-o", str(ran), "--store", str(store.root))[0] == 0
    assert cli("runs", "export", run_id, "-o", str(cited), "--cited", "--store",
               str(store.root))[0] == 0
    assert cited.read_text(encoding="utf-8") == TEXT
    assert ran.read_text(encoding="utf-8") == store.get(run_id).scenario_text
    assert differences(scenario(cited.read_text()), scenario(ran.read_text())) == [  # type: ignore[arg-type]
        Edit("salience", "c", "x", (0.2, 0.6), 0.3)]


# ---- the report -----------------------------------------------------------------------------

def report_of(store: RunStore, run_id: str) -> str:
    stored = api.load_run(store, run_id)
    return api.report_html(stored.loaded, model=stored.model, seed=stored.seed,
                           issue_ids=stored.issue_ids, outcomes=stored.outcomes,
                           run_id=stored.run_id, history_samples=10)


def stance_row(html: str, actor: str, issue: str) -> str:
    table = re.search(r'<table id="stances">(.*?)</table>', html, re.S)
    assert table is not None
    row = re.search(rf"<tr><td>{actor}</td><td>{issue}</td>(.*?)</tr>", table.group(1), re.S)
    assert row is not None
    return row.group(1)


def test_the_report_of_an_edited_run_marks_the_edit_with_its_cited_value(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    edited, plain = edited_run(store), plain_run(store)
    html = report_of(store, edited)
    assert 'id="edited-from"' in html and "edited from\n<b>small.yaml</b>" in html
    table = re.search(r'<table id="edited-values">(.*?)</table>', html, re.S)
    assert table is not None
    assert "<td>c on x</td><td>salience 0.3 (edited; cited 0.2-0.6)</td>" in table.group(1)
    row = stance_row(html, "c", "x")
    assert re.search(r'0\.3<span class="edited">\(edited; cited 0\.2-0\.6\)</span>', row)
    assert "support the cited salience 0.2-0.6, not the edited value" in row
    # a value that was not edited is shown as it is, unmarked
    assert "edited" not in stance_row(html, "a", "x")
    unedited = report_of(store, plain)
    assert 'id="edited-from"' not in unedited and "edited; cited" not in unedited


def test_the_report_and_the_page_list_judgments_apart(tmp_path: Path) -> None:
    text = TEXT.replace(
        "    year: 2024\n",
        "    year: 2024\n  - id: mine\n    kind: judgment\n    author: A. Analyst\n"
        "    date: 2024-05-01\n    rationale: Gamma's weight is my own estimate.\n", 1).replace(
        "{id: c, name: Gamma, kind: organisation, capability: 3, source: {dataset: notes}}",
        "{id: c, name: Gamma, kind: organisation, capability: 3, source: {judgment: mine}}")
    path = tmp_path / "judged.yaml"
    path.write_text(text, encoding="utf-8")
    store = RunStore(tmp_path / "store")
    html = report_of(store, plain_run(store, path))
    judged = re.search(r'<table id="sources-judgments">(.*?)</table>', html, re.S)
    datasets = re.search(r'<table id="sources-datasets">(.*?)</table>', html, re.S)
    assert judged is not None and datasets is not None
    assert "A. Analyst" in judged.group(1) and "my own estimate" in judged.group(1)
    assert "mine" not in datasets.group(1) and "notes" in datasets.group(1)
    assert "Judgment: Judgment of A. Analyst, 2024-05-01: Gamma&#39;s weight" in html
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    client = TestClient(create_app(tmp_path / "web"), base_url="http://127.0.0.1:8000")
    page = client.post("/ui/upload", files={"file": ("judged.yaml", text.encode())},
                       headers={"Origin": "http://127.0.0.1:8000"})
    assert page.status_code == 200, page.text
    listed = re.search(r'<ul class="sources-judgments">(.*?)</ul>', page.text, re.S)
    assert listed is not None and "A. Analyst" in listed.group(1)
    assert "my own estimate" in listed.group(1)
    assert 'class="sources-datasets"' in page.text
    assert "Analyst's judgment: <cite>Judgment of A. Analyst" in page.text
