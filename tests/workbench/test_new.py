"""statecraft new: a skeleton that validates, with each source registered, never
replacing a file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from statecraft.api import new_scenario
from statecraft.cli import app
from statecraft.files import InputFileError
from statecraft.scenario import ScenarioError, load_scenario
from statecraft.scenario.skeleton import id_from_text, title_from_file_name

runner = CliRunner()


def _source(folder: Path, name: str, text: str = "Alpha said it would never yield.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_skeleton_validates_with_its_sources_registered(tmp_path: Path) -> None:
    notes = _source(tmp_path / "texts", "interview_notes-2024.md")
    memo = _source(tmp_path / "texts", "memo.txt")
    target = tmp_path / "work" / "mine.yaml"
    target.parent.mkdir()
    written, _ = new_scenario("Border dispute", [notes, memo], target)
    assert written == target
    loaded = load_scenario(target, sources_dirs=[tmp_path / "texts"])
    sc = loaded.scenario
    assert sc.name == "Border dispute"
    assert [(s.id, s.kind, s.title, s.path) for s in sc.sources] == [
        ("interview-notes-2024", "document", "Interview notes 2024",
         "../texts/interview_notes-2024.md"),
        ("memo", "document", "Memo", "../texts/memo.txt"),
    ]
    # the relative path leads to the file from the scenario's folder
    assert (target.parent / sc.sources[0].path).resolve() == notes.resolve()
    # placeholders cite nothing: warnings, and errors under --strict
    assert {p.severity for p in loaded.warnings} == {"warning"}
    assert len(loaded.warnings) == len(sc.actors) + len(sc.stances)
    with pytest.raises(ScenarioError):
        load_scenario(target, strict=True, sources_dirs=[tmp_path / "texts"])
    # and the file says so in its comments
    assert "--strict" in target.read_text(encoding="utf-8").split("name:")[0]


def test_cli_new_writes_a_file_that_validate_accepts(tmp_path: Path) -> None:
    src = _source(tmp_path, "article.md")
    out = tmp_path / "s.yaml"
    result = runner.invoke(app, ["new", "A: tricky, name", "--source", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["name"] == "A: tricky, name"
    checked = runner.invoke(app, ["validate", str(out), "--json"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["valid"] is True
    assert all(p["severity"] == "warning" for p in report["problems"])


def test_default_output_is_the_name_as_an_id(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "South Caucasus 2030"])
    assert result.exit_code == 0, result.output
    loaded = load_scenario(tmp_path / "south-caucasus-2030.yaml")
    assert loaded.scenario.sources == []


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "s.yaml"
    out.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "X", "-o", str(out)])
    assert result.exit_code == 1
    assert "exists" in result.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(ValueError, match="exists"):
        new_scenario("X", [], link)
    assert not (tmp_path / "nowhere.yaml").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_source_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    out = tmp_path / "s.yaml"
    with pytest.raises(InputFileError, match="FIFO"):
        new_scenario("X", [fifo], out)
    with pytest.raises(InputFileError, match="directory"):
        new_scenario("X", [tmp_path], out)
    with pytest.raises(InputFileError, match="cannot read"):
        new_scenario("X", [tmp_path / "absent.md"], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.md"]


def test_an_oversize_or_binary_source_is_refused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("statecraft.api.workbench.MAX_DOCUMENT_BYTES", 10)
    big = _source(tmp_path, "big.md", "x" * 11)
    with pytest.raises(InputFileError, match="limit"):
        new_scenario("X", [big], tmp_path / "s.yaml")
    monkeypatch.undo()
    binary = tmp_path / "b.md"
    binary.write_bytes(b"\xff\xfe\x00")
    result = runner.invoke(app, ["new", "X", "--source", str(binary), "-o",
                                 str(tmp_path / "s.yaml")])
    assert result.exit_code == 1 and "UTF-8" in result.output
    assert not (tmp_path / "s.yaml").exists()


def test_ids_and_titles_from_file_names() -> None:
    assert title_from_file_name("valiyev-2021_end.md") == "Valiyev 2021 end"
    assert id_from_text("Über Größe!", set()) == "ber-gr-e"
    assert id_from_text("---", set()) == "source"
    assert id_from_text("memo", {"memo", "memo-2"}) == "memo-3"


def test_two_sources_with_one_stem_get_distinct_ids(tmp_path: Path) -> None:
    a = _source(tmp_path / "a", "notes.md")
    b = _source(tmp_path / "b", "notes.txt")
    _, loaded = new_scenario("X", [a, b], tmp_path / "s.yaml")
    assert [s.id for s in loaded.scenario.sources] == ["notes", "notes-2"]


def test_a_name_cannot_inject_yaml(tmp_path: Path) -> None:
    for name in ("Foo #: bar\ndescription: injected", 'Say "hi": {x: [1]} # not a comment',
                 "- a list?", "yes", "*alias", "'quoted' & ~"):
        out = tmp_path / f"{len(list(tmp_path.iterdir()))}.yaml"
        _, loaded = new_scenario(name.replace("\n", " "), (), out)
        sc = load_scenario(out).scenario
        assert sc.name == " ".join(name.split()) == loaded.scenario.name
        assert sc.description is None
        # the comment that names it is one line
        assert out.read_text(encoding="utf-8").splitlines()[0].startswith("# ")


@pytest.mark.parametrize(("name", "said"), [
    ("Foo\ndescription: injected by the name #", "NAME: holds U+000A (a control character)"),
    ("evil\u202etxt", "NAME: holds U+202E (a bidirectional override or isolate)"),
    ("bell\x07", "NAME: holds U+0007 (a control character)"),
    ("x" * 10_001, "NAME: 10,001 characters; the limit is 10,000"),
    ("   ", "NAME: empty"),
])
def test_a_bad_name_is_refused_by_name_before_any_file(tmp_path: Path, name: str,
                                                       said: str) -> None:
    out = tmp_path / "inj.yaml"
    result = runner.invoke(app, ["new", name, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert "line" not in result.output.split(said)[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_skeleton_text_keeps_any_name_in_its_field() -> None:
    from statecraft.scenario.skeleton import skeleton_text
    name = "Foo\ndescription: injected by the name #\u2028x"
    data = yaml.safe_load(skeleton_text(name, []))
    assert data["name"] == name and "description" not in data


@pytest.mark.parametrize("name", ["/some/dir/file.yaml", "dir/Scenario", "mine.yml",
                                  "Talks.YAML"])
def test_a_name_that_looks_like_a_path_is_refused_without_o(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", name])
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert f"{name!r} looks like a file's path, but NAME is the scenario's name; -o " in said
    assert list(tmp_path.iterdir()) == []  # nothing written where it was run
    # with -o the name is taken as given
    ok = runner.invoke(app, ["new", name, "-o", str(tmp_path / "s.yaml")])
    assert ok.exit_code == 0, ok.output
    assert load_scenario(tmp_path / "s.yaml").scenario.name == name


def test_new_says_what_it_wrote_in_a_whole_sentence(tmp_path: Path) -> None:
    out = tmp_path / "v.yaml"
    got = CliRunner().invoke(app, ["new", "Veldan", "-o", str(out)])
    assert got.exit_code == 0, got.output
    said = " ".join(got.output.split())
    assert said == (f"wrote {out} with no source registered; its values are placeholders "
                    f"that cite nothing yet, and 'statecraft validate {out}' lists each one "
                    "to fill in"), said
    checked = CliRunner().invoke(app, ["validate", "--strict", str(out)])
    assert checked.exit_code == 1
    last = " ".join(checked.output.split()).rsplit("error: ", 1)[-1]
    assert re.fullmatch(rf"{re.escape(str(out))}: not valid \(\d+ errors\)", last), last


def test_the_skeletons_example_sources_are_valid_as_written(tmp_path: Path) -> None:
    """With no --source the skeleton suggested running new again (which refuses an
    existing file); it now shows a source of each kind, which validate accepts."""
    out = tmp_path / "s.yaml"
    assert CliRunner().invoke(app, ["new", "S", "-o", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "statecraft new NAME --source" not in text
    examples = [ln[2:] for ln in text.splitlines() if ln.startswith("#   ") or
                ln.startswith("#      ")]
    assert len(examples) == 4
    (tmp_path / "notes.md").write_text("Some notes.\n", encoding="utf-8")
    filled = text.replace("sources: []", "sources:\n" + "\n".join(examples))
    (tmp_path / "filled.yaml").write_text(filled, encoding="utf-8")
    loaded = load_scenario(tmp_path / "filled.yaml")
    assert [s.kind for s in loaded.scenario.sources] == ["document", "dataset", "judgment"]
