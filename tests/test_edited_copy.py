"""An edited copy carries its provenance as data: edits are written where each value is
written (layout and comments kept) and an ``edited_from`` block says what the copy was
edited from and each edited value with its cited one. Loaded again anywhere (validate,
run, forecast, report), the copy's edits are marked beside their cited values."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.scenario import ScenarioError, json_schema, load_scenario_text
from statecraft.scenario.edit import (
    StanceChange,
    load_edited,
    with_stance_changes,
    yaml_number,
    yaml_text,
)
from statecraft.scenario.provenance import Edit
from statecraft.scenario.yamlsafe import parse_yaml
from statecraft.store import RunStore
from tests.conftest import DATA

SMALL = DATA / "small.yaml"
TEXT = SMALL.read_text(encoding="utf-8")
BUNDLED = api.bundled_scenarios_dir() / "south-caucasus-2021.yaml"
CHANGE = StanceChange("rus", "azerbaijan_alignment", salience=0.3)
MARK = Edit("salience", "rus", "azerbaijan_alignment", (0.7, 0.9), 0.3)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cli(*args: str) -> tuple[int, str]:
    got = CliRunner().invoke(app, list(args))
    return got.exit_code, got.output


def edited_bundled() -> str:
    text = BUNDLED.read_text(encoding="utf-8")
    return load_edited(text, BUNDLED.name, [CHANGE], path=str(BUNDLED),
                       base_dir=BUNDLED.parent, read_documents=False).text


# ---- the text: the changed value and the block, nothing else --------------------------

def test_the_copy_differs_from_the_original_in_the_changed_value_and_the_block_alone() -> None:
    original = BUNDLED.read_text(encoding="utf-8")
    copy = edited_bundled()
    old, new = original.splitlines(), copy.splitlines()
    removed = [line for line in difflib.ndiff(old, new) if line.startswith("- ")]
    added = [line for line in difflib.ndiff(old, new) if line.startswith("+ ")]
    # the one line that held Russia's salience on azerbaijan_alignment, and only it
    where = next(n for n, line in enumerate(old) if "issue: azerbaijan_alignment" in line
                 and "actor: rus" in old[n - 1])
    assert removed == [f"- {old[where + 2]}"] and old[where + 2].strip() == "salience: [0.7, 0.9]"
    assert added[0] == "+     salience: 0.3"
    # then the block, appended after everything the original had
    assert new[:len(old)] == [*old[:where + 2], "    salience: 0.3", *old[where + 3:]]
    assert new[len(old):] == [
        "# What this copy was edited from: each value under changes differs from its cited "
        "original's,",
        "# which is the value its sources support.",
        "edited_from:",
        "  name: south-caucasus-2021.yaml",
        f'  sha256: "{sha(original)}"',
        "  changes:",
        "    - {actor: rus, issue: azerbaijan_alignment, field: salience, cited: [0.7, 0.9], "
        "used: 0.3}"]
    # every comment of the original is kept, in its place
    comments = [line for line in old if line.lstrip().startswith("#")]
    assert len(comments) > 20
    assert [line for line in new[:len(old)] if line.lstrip().startswith("#")] == comments


def test_the_copy_validates_with_the_safe_loader_and_knows_its_cited_values() -> None:
    loaded = load_scenario_text(edited_bundled(), "copy.yaml", read_documents=False)
    assert loaded.scenario.edited_from is not None
    assert loaded.scenario.edited_from.name == BUNDLED.name
    assert loaded.cited is not None and loaded.cited.text is None  # known from its block
    assert loaded.cited.edits(loaded.scenario) == [MARK]
    cited = api.load(BUNDLED).scenario
    assert loaded.cited.scenario.stances == cited.stances
    # a warning at the value itself, naming the cited value and the original
    warned = [w for w in loaded.warnings if w.path == ("stances", 22, "salience")]
    assert len(warned) == 1 and warned[0].line is not None
    assert "salience 0.3 is an edit of the cited 0.7-0.9 (edited from " \
           "south-caucasus-2021.yaml)" in warned[0].message
    assert any(n.startswith("1 value is an edit of a cited original") for n in loaded.notes)


def test_layouts_flow_block_crlf_and_no_final_newline_are_kept() -> None:
    # flow mappings (the small scenario), a block list over lines, CRLF, no final newline
    block = TEXT.replace("{actor: b, issue: y, position: 80, salience: 1.0, source: "
                         "{dataset: notes}}",
                         "actor: b\n    issue: y\n    position:\n      - 70   # low\n"
                         "      - 90\n    salience: 1.0\n    source: {dataset: notes}")
    for text in (TEXT, block, TEXT.replace("\n", "\r\n"), TEXT.rstrip("\n")):
        new = with_stance_changes(text, "t.yaml", [
            StanceChange("b", "y", position=(40.0, 60.0)), StanceChange("c", "x", salience=0.25)])
        loaded = load_scenario_text(new, "t.yaml")
        assert loaded.cited is not None
        assert [(e.field, e.actor, e.issue, e.used) for e in loaded.cited.edits(
            loaded.scenario)] == [("salience", "c", "x", 0.25), ("position", "b", "y",
                                                                   (40.0, 60.0))]
        body = new[:new.index("# What this copy")]
        if "\r\n" in text:
            assert "\r\n" in body and "\n" not in body.replace("\r\n", "")
        # outside the two values, the original's lines are all there, in order
        kept = [line for line in text.splitlines() if "salience: [0.2, 0.6]" not in line
                and "position: 80" not in line and "- 70" not in line and "- 90" not in line
                and line.strip() != "position:"]
        assert [line for line in body.splitlines() if line in kept] == kept
    # the block list's comment went with the list it described; the rest of the file stays
    assert "# low" not in with_stance_changes(block, "t.yaml",
                                              [StanceChange("b", "y", position=50.0)])


def test_a_value_reached_through_an_anchor_is_written_anew_still_right() -> None:
    # an anchor other values refer to cannot be rewritten in place: the text is written
    # anew from its data (comments lost), and holds exactly the values meant
    text = TEXT.replace("{actor: b, issue: x, position: 60, salience: 0.5",
                        "{actor: b, issue: x, position: 60, salience: &half 0.5").replace(
        "{actor: a, issue: y, position: [10, 30], salience: 0.5",
        "{actor: a, issue: y, position: [10, 30], salience: *half")
    assert "&half" in text and "*half" in text
    new = with_stance_changes(text, "t.yaml", [StanceChange("b", "x", salience=0.2)])
    loaded = load_scenario_text(new, "t.yaml")
    assert loaded.cited is not None
    assert loaded.cited.edits(loaded.scenario) == [Edit("salience", "b", "x", 0.5, 0.2)]
    assert next(s.salience for s in loaded.scenario.stances
                if (s.actor, s.issue) == ("a", "y")) == 0.5
    # an alias's own place is rewritten in place: the anchor stays for the others
    kept = with_stance_changes(text, "t.yaml", [StanceChange("a", "y", salience=0.7)])
    assert "&half 0.5" in kept and "salience: 0.7, source" in kept
    assert kept.startswith("# A small hand-made")


# ---- a copy of a copy ---------------------------------------------------------------------

def test_a_copy_of_a_copy_keeps_the_first_original() -> None:
    first = with_stance_changes(TEXT, "small.yaml", [StanceChange("c", "x", salience=0.3)])
    second = load_edited(first, "uploaded scenario", [
        StanceChange("c", "x", salience=0.4), StanceChange("a", "y", position=50.0)])
    block = second.scenario.edited_from
    assert block is not None and block.name == "small.yaml" and block.sha256 == sha(TEXT)
    assert second.text.count("edited_from:") == 1
    assert second.text.count("# What this copy was edited from") == 1
    # marked against the first original's values, what the sources support
    assert second.cited is not None and second.cited.text == first
    assert second.cited.edits(second.scenario) == [
        Edit("salience", "c", "x", (0.2, 0.6), 0.4), Edit("position", "a", "y", (10.0, 30.0),
                                                           50.0)]
    # putting a value back removes its entry
    back = with_stance_changes(first, "u.yaml", [StanceChange("c", "x", salience=(0.2, 0.6))])
    loaded = load_scenario_text(back, "u.yaml")
    assert loaded.scenario.edited_from is not None and loaded.scenario.edited_from.changes == []
    assert loaded.cited is not None and loaded.cited.edits(loaded.scenario) == []


# ---- the block is checked against the file -----------------------------------------------

def test_a_change_that_no_longer_matches_the_file_is_a_located_error() -> None:
    copy = with_stance_changes(TEXT, "small.yaml", [StanceChange("c", "x", salience=0.3)])
    moved = copy.replace("salience: 0.3, source", "salience: 0.35, source")
    with pytest.raises(ScenarioError) as got:
        load_scenario_text(moved, "copy.yaml")
    [problem] = got.value.problems
    line = next(n for n, s in enumerate(moved.splitlines(), 1) if "field: salience" in s)
    assert (problem.line, problem.path) == (line, ("edited_from", "changes", 0, "used"))
    assert problem.message.startswith("found 0.3; expected the salience of c on x this file "
                                      "gives, 0.35")


@pytest.mark.parametrize(("entry", "path", "words"), [
    ("{actor: z, issue: x, field: salience, cited: 0.5, used: 0.3}", ("edited_from", "changes",
                                                                      0),
     "no salience of z on x in this file"),
    ("{actor: c, field: salience, cited: 0.5, used: 0.3}", ("edited_from", "changes", 0),
     "a salience names its actor and its issue (missing: issue)"),
    ("{actor: c, issue: x, field: salience, cited: 1.5, used: 0.3}",
     ("edited_from", "changes", 0, "cited"), "expected a salience (a number from 0 to 1"),
    ("{issue: x, field: status_quo, cited: [10, 20], used: 50}",
     ("edited_from", "changes", 0, "cited"), "expected a status quo (a number from 0 to 100)"),
    ("{actor: c, issue: x, field: weight, cited: 1, used: 2}",
     ("edited_from", "changes", 0, "field"), "'capability', 'status_quo', 'position' or"),
])
def test_bad_changes_are_located_errors(entry: str, path: tuple[object, ...],
                                        words: str) -> None:
    text = TEXT + f'edited_from:\n  name: small.yaml\n  sha256: "{sha(TEXT)}"\n  changes:\n' \
                  f"    - {entry}\n"
    with pytest.raises(ScenarioError) as got:
        load_scenario_text(text, "copy.yaml")
    assert [(p.path, p.line is not None) for p in got.value.problems] == [(path, True)]
    assert words in got.value.problems[0].message


def test_a_value_listed_twice_or_unchanged_is_said() -> None:
    entry = "    - {actor: c, issue: x, field: salience, cited: [0.2, 0.6], used: [0.2, 0.6]}\n"
    text = TEXT + f'edited_from:\n  name: small.yaml\n  sha256: "{sha(TEXT)}"\n  changes:\n' \
                  + entry
    loaded = load_scenario_text(text, "copy.yaml")
    assert [w.message for w in loaded.warnings if w.path[:1] == ("edited_from",)] == [
        "lists no edit: the cited salience of c on x and the one used are both 0.2-0.6 "
        "(remove the entry)"]
    with pytest.raises(ScenarioError) as got:
        load_scenario_text(text + entry, "copy.yaml")
    assert "a second change of the salience of c on x" in str(got.value)


def test_the_json_schema_has_the_block() -> None:
    schema = json.dumps(json_schema())
    assert '"edited_from"' in schema and '"EditedFrom"' in schema
    assert "each value that is not the original's" in schema


# ---- the commands mark the edits ----------------------------------------------------------

def test_validate_counts_the_edits_and_strict_refuses_them(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(with_stance_changes(TEXT, "small.yaml", [
        StanceChange("c", "x", salience=0.3), StanceChange("a", "y", position=20.0)]),
        encoding="utf-8")
    code, out = cli("validate", str(copy))
    assert code == 0
    assert "2 values are edits of a cited original (small.yaml" in out
    assert "salience 0.3 is an edit of the cited 0.2-0.6 (edited from small.yaml)" in out
    assert "2 warnings)" in out
    code, out = cli("validate", "--strict", str(copy))
    assert code == 1
    assert re.search(r"copy\.yaml:\d+:\d+: error: stances\[2\]\.salience: salience 0\.3 is an "
                     r"edit of the cited 0\.2-0\.6", out)
    assert "strict validation wants every value supported by its sources" in out
    code, out = cli("validate", "--json", str(copy))
    assert code == 0 and len(json.loads(out)["problems"]) == 2


def test_run_and_forecast_say_so_and_the_report_marks_the_edit(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(with_stance_changes(TEXT, "small.yaml",
                                        [StanceChange("c", "x", salience=0.3)]),
                    encoding="utf-8")
    code, out = cli("run", str(copy), "--model", "compromise")
    assert code == 0 and "salience 0.3 is an edit of the cited 0.2-0.6" in out
    store = tmp_path / "store"
    code, out = cli("forecast", str(copy), "--samples", "40", "--store", str(store),
                    "--model", "compromise", "--uncalibrated")
    assert code == 0 and "salience 0.3 is an edit of the cited 0.2-0.6" in out
    report = tmp_path / "r.html"
    code, out = cli("report", str(copy), "-o", str(report), "--samples", "40",
                    "--model", "compromise", "--uncalibrated")
    assert code == 0, out
    html = report.read_text(encoding="utf-8")
    assert re.search(r'0\.3<span class="edited">\(edited; cited 0\.2-0\.6\)</span>', html)
    assert "<td>c on x</td><td>salience 0.3 (edited; cited 0.2-0.6)</td>" in html
    # the stored run keeps the copy's text, block and all: read back, it is marked too
    run_store = RunStore(store, read_only=True)
    [rec] = run_store.list()
    full = run_store.get(rec.id)
    assert full.scenario_text == copy.read_text(encoding="utf-8")
    assert full.edited_from is None  # its original's text is not at hand: the block says it
    assert api.run_edits(full) == [Edit("salience", "c", "x", (0.2, 0.6), 0.3)]


def test_a_run_edited_in_the_page_stores_and_exports_the_block(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "store")
    loaded = load_edited(TEXT, "small.yaml", [StanceChange("c", "x", salience=0.3)],
                         path=str(SMALL))
    done = api.forecast_run(loaded, samples=30, seed=1, store=store, calibrated=False,
                        model="compromise")
    assert done.run_id is not None
    out = tmp_path / "exported.yaml"
    code, said = cli("runs", "export", done.run_id, "-o", str(out), "--store",
                     str(tmp_path / "store"))
    assert code == 0, said
    again = load_scenario_text(out.read_text(encoding="utf-8"), "exported.yaml")
    assert again.scenario.edited_from is not None
    assert again.scenario.edited_from.sha256 == sha(TEXT)
    assert again.cited is not None
    assert again.cited.edits(again.scenario) == [Edit("salience", "c", "x", (0.2, 0.6), 0.3)]


# ---- how values and words are written -----------------------------------------------------

@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_numbers_read_back_as_the_same_number(x: float) -> None:
    assert parse_yaml(f"v: {yaml_number(x)}", "t").data["v"] == x


def test_special_numbers_and_words() -> None:
    assert [yaml_number(x) for x in (40.0, 0.3, 1e-05, 1e20, -0.0)] == [
        "40", "0.3", "1.0e-05", "1.0e+20", "0"]
    assert math.isnan(parse_yaml(f"v: {yaml_number(math.nan)}", "t").data["v"])
    for word in ("rus", "yes", "no", "null", "1", "2021-01-01", "a b", "x: y", "~", "tr\u00e8s"):
        assert parse_yaml(f"v: {yaml_text(word)}", "t").data["v"] == word
    assert yaml_text("rus") == "rus" and yaml_text("yes") == '"yes"'
