"""Two smaller points of building a scenario: ``new`` says when a source lies outside the
scenario's folder, and ``quotes`` lists a repeated sentence (a pull quote) once."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft.analysis.quotes import rank_sentences, split_sentences
from statecraft.cli import app

runner = CliRunner()


def test_new_names_a_source_outside_the_scenarios_folder(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "case").mkdir()
    outside = tmp_path / "texts" / "article.md"
    outside.write_text("Russia wants its troops to stay.\n")
    (tmp_path / "case" / "notes.md").write_text("Notes.\n")
    monkeypatch.chdir(tmp_path / "case")
    result = runner.invoke(app, ["new", "My case", "--source", str(outside),
                                 "--source", "notes.md"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and str(outside) in notes[0]
    assert f"--sources-dir {outside.parent.resolve()}" in " ".join(result.stderr.split())
    # and that is indeed what checks its quotes
    text = (tmp_path / "case" / "my-case.yaml").read_text().replace(
        "  - {actor: actor-a, issue: issue-1, position: 0, salience: 0.5}",
        "  - {actor: actor-a, issue: issue-1, position: 0, salience: 0.5, "
        "source: {doc: article, quote: troops to stay}}")
    (tmp_path / "case" / "my-case.yaml").write_text(text)
    checked = runner.invoke(app, ["validate", "my-case.yaml", "--sources-dir",
                                  str(outside.parent)])
    assert "1 checked" in checked.output


def test_a_repeated_sentence_is_suggested_once() -> None:
    text = ("Russia will keep its peacekeepers in Karabakh for years.\n\n"
            "Armenia hopes so. *Russia will keep its   peacekeepers\nin Karabakh for "
            "years.*\n\n> Russia will keep its peacekeepers in Karabakh for years.\n")
    ranked = rank_sentences(split_sentences(text), ["Russia"], ["peacekeeper"])
    assert [c.line for c in ranked] == [1]
