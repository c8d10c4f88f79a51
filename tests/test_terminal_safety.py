"""Text from a scenario never steers the terminal: validation refuses control characters
and bidirectional overrides in every string field (located, the character named), and the
command line escapes any that still reach it (a run stored before that check) in the one
place it prints."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from statecraft.analysis.questions import load_questions_text
from statecraft.cli import app, common
from statecraft.scenario import controls
from statecraft.scenario.errors import ScenarioError
from statecraft.scenario.load import load_scenario_text
from tests.conftest import DATA

runner = CliRunner()
EVIL = "\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED\u202eevil\x1b[0m\x9b1m"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _hostile_text() -> str:
    """The small test scenario with the evil text in its name, an actor's name, a
    question, a scale label and a node's option label (as YAML double-quoted escapes)."""
    quoted = json.dumps(EVIL)  # JSON escapes are YAML double-quoted escapes
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Small test scenario", f"name: {quoted}")
    text = text.replace("name: Alpha", f"name: {quoted}")
    text = text.replace("question: How far does X go?", f"question: {quoted}")
    return text.replace("{0: none, 40: some", "{0: " + quoted + ", 40: some")


def test_validation_refuses_control_characters_in_every_string_field() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(_hostile_text(), "hostile.yaml")
    problems = [str(p) for p in caught.value.problems]
    for field in ("name", "actors[0].name", "issues[0].question", "issues[1].scale[0]"):
        hit = [p for p in problems if f": {field}: " in p]
        assert hit and "U+001B" in hit[0], (field, problems)
        assert re.match(r"hostile\.yaml:\d+:\d+: error:", hit[0])


@pytest.mark.parametrize("ch", ["\u202e", "\u2066", "\x85", "\r", "\x7f"])
def test_each_kind_of_character_is_named(ch: str) -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8").replace(
        "name: Beta", "name: " + json.dumps("Be" + ch + "ta"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "s.yaml")
    assert any(f"U+{ord(ch):04X}" in p.message and p.path == ("actors", 1, "name")
               for p in caught.value.problems)


def test_tab_and_newline_stay_allowed_in_text() -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8").replace(
        "question: How far does Y go?", 'question: "How far\\tdoes Y\\ngo?"')
    load_scenario_text(text, "s.yaml")


def test_a_question_file_refuses_them_too() -> None:
    text = ("questions:\n  - {id: q, issue: x, text: " + json.dumps(EVIL)
            + ", op: '>=', threshold: 50}\n")
    with pytest.raises(ScenarioError) as caught:
        load_questions_text(text, "q.yaml")
    assert any("U+001B" in p.message and p.path == ("questions", 0, "text")
               for p in caught.value.problems)


def test_the_console_escapes_what_it_is_given_and_keeps_its_own_colours() -> None:
    console = common.SafeConsole(file=io.StringIO(), force_terminal=True, width=200)
    table = Table(title="T" + EVIL)
    table.add_column("h" + EVIL)
    table.add_row("cell" + EVIL)
    table.add_row(Text("text" + EVIL, style="bold"))
    console.print("[red]error:[/red] " + EVIL, table, Text(EVIL), markup=True)
    console.print(EVIL, markup=False)
    written = console.file.getvalue()  # type: ignore[attr-defined]
    without_styles = re.sub(r"\x1b\[[0-9;]*m", "", written)
    assert not RAW.search(without_styles), repr(without_styles)
    assert "\\x1b]0;PWNED\\x07\\x1b[2J" in without_styles  # shown, whole, not cropped
    assert "RED\\u202eevil" in without_styles and "\\x9b1m" in without_styles
    assert "\x1b[31merror:" in written  # its own colour is still written


def test_json_output_escapes_them_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    common._print_json({"name": EVIL})
    written = capsys.readouterr().out
    assert not RAW.search(written)
    assert json.loads(written) == {"name": EVIL}


def test_the_console_escapes_exactly_what_validation_refuses() -> None:
    assert set(common._SHOWN) == set(controls.UNSAFE)


def test_a_run_stored_before_the_check_is_shown_escaped(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    scenario = tmp_path / "hostile.yaml"
    scenario.write_text(_hostile_text(), encoding="utf-8")
    store = tmp_path / "runs"
    with monkeypatch.context() as older:  # statecraft before the check stored it
        older.setattr("statecraft.scenario.validate.unsafe_strings", lambda data: iter(()))
        made = runner.invoke(app, ["forecast", str(scenario), "--samples", "50", "--store",
                                   str(store), "--json", "--quiet"])
        assert made.exit_code == 0, made.output
        for args in (["run", str(scenario)], ["forecast", str(scenario), "--samples", "50"]):
            got = runner.invoke(app, args)
            assert got.exit_code == 0, got.output
            assert not RAW.search(got.output), (args, got.output[:2000])
            assert "\\x1b" in got.output
    run_id = json.loads(made.stdout)["run_id"]
    listed = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert listed.exit_code == 0 and "\\x1b" in listed.output, listed.output
    assert not RAW.search(listed.output)
    shown = runner.invoke(app, ["runs", "show", run_id, "--store", str(store)])
    assert not RAW.search(shown.output), shown.output[:2000]  # shown, or refused: escaped
