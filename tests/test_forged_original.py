"""An edited copy's ``edited_from`` block is checked against the original it names when
that original is found (a bundled scenario, or a file of that name beside the copy): with
the hash matching, a cited value that is not the original's is an error at the field; a
hash that is not the original's (another version, or a hand-written block) and an
original that cannot be found leave the cited values unverified, and the note says so."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.scenario import ScenarioError, load_scenario_text
from statecraft.scenario.edit import StanceChange, with_stance_changes
from tests.conftest import DATA

runner = CliRunner()
BUNDLED = api.bundled_scenarios_dir() / "south-caucasus-2021.yaml"
ORIGINAL = BUNDLED.read_text(encoding="utf-8")
CHANGE = StanceChange("rus", "azerbaijan_alignment", salience=0.3)


def _copy() -> str:
    """A genuine edited copy of the bundled scenario (rus's salience on
    azerbaijan_alignment 0.3, cited 0.7-0.9)."""
    return with_stance_changes(ORIGINAL, BUNDLED.name, [CHANGE])


def _load(text: str, folder: Path) -> api.Loaded:
    path = folder / "copy.yaml"
    path.write_text(text, encoding="utf-8")
    return api.load(path)


def test_a_genuine_copy_is_checked_and_believed(tmp_path: Path) -> None:
    loaded = _load(_copy(), tmp_path)
    assert any("hash and cited values match" in n for n in loaded.notes), loaded.notes
    assert loaded.cited is not None


def test_another_versions_hash_leaves_the_cited_values_unverified(tmp_path: Path) -> None:
    """A hash that is not the found original's: the copy was made from another version
    (a bundled scenario revised since) or the block was written by hand. The copy still
    loads, with a warning at the hash and a note that its cited values are unverified;
    ``--strict``, which wants everything checked, refuses it there."""
    real = hashlib.sha256(ORIGINAL.encode("utf-8")).hexdigest()
    other = _copy().replace(real, "0" * 64)
    assert other != _copy()
    loaded = _load(other, tmp_path)
    [warning] = [w for w in loaded.warnings if w.path == ("edited_from", "sha256")]
    assert warning.line is not None and real in warning.message
    assert BUNDLED.name in warning.message
    assert any("unverified" in n and "another version" in n for n in loaded.notes)
    assert not any("hash and cited values match" in n for n in loaded.notes)
    got = runner.invoke(app, ["validate", str(tmp_path / "copy.yaml"), "--strict"])
    assert got.exit_code == 1
    assert "edited_from.sha256" in got.output or "edited_from" in got.output


def test_a_forged_cited_value_is_refused_at_its_field(tmp_path: Path) -> None:
    copy = _copy()
    block = copy[copy.index("edited_from:"):]
    cited = re.search(r"cited: \[0\.7, 0\.9\]", block)
    assert cited is not None, block
    forged = copy.replace(block, block.replace(cited.group(0), "cited: [0.1, 0.2]"))
    with pytest.raises(ScenarioError) as caught:
        _load(forged, tmp_path)
    [problem] = [p for p in caught.value.problems if p.severity == "error"]
    assert problem.path == ("edited_from", "changes", 0, "cited")
    assert "0.7-0.9" in problem.message  # the original's value
    got = runner.invoke(app, ["validate", str(tmp_path / "copy.yaml")])
    assert got.exit_code == 1 and "edited_from.changes[0].cited" in got.output


def test_an_original_not_found_leaves_the_cited_values_unverified(tmp_path: Path) -> None:
    text = with_stance_changes((DATA / "small.yaml").read_text(encoding="utf-8"),
                               "nowhere-to-be-found.yaml",
                               [StanceChange("c", "x", salience=0.3)])
    loaded = _load(text, tmp_path)
    assert any("unverified" in n and "nowhere-to-be-found.yaml" in n for n in loaded.notes)


def test_an_original_beside_the_copy_is_found_by_name(tmp_path: Path) -> None:
    small = (DATA / "small.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(small, encoding="utf-8")
    copy = with_stance_changes(small, "mine.yaml", [StanceChange("c", "x", salience=0.3)])
    assert any("match" in n for n in _load(copy, tmp_path).notes)
    (tmp_path / "mine.yaml").write_text(small.replace("Alpha", "Alfa"), encoding="utf-8")
    revised = _load(copy, tmp_path)  # the original changed since: unverified, not refused
    assert [w.path for w in revised.warnings if w.path[0] == "edited_from"] == [
        ("edited_from", "sha256")]
    assert any("another version" in n for n in revised.notes)
    with pytest.raises(ScenarioError, match=r"edited_from\.sha256"):
        api.load(tmp_path / "copy.yaml", strict=True)


def test_the_text_of_a_stored_run_is_not_checked_again() -> None:
    real = hashlib.sha256(ORIGINAL.encode("utf-8")).hexdigest()
    forged = _copy().replace(real, "0" * 64)
    loaded = load_scenario_text(forged, "<run>", read_documents=False, check_original=False)
    assert any("unverified" in n for n in loaded.notes)
