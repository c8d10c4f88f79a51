"""Validation messages in plain English: what pydantic says in its own words ("List should
have at least 1 item after validation, not 0", "greater than 0 to 1e+12") is said as an
analyst would ("at least one actor", "a positive number (up to 10^12)"), on the command
line and in the web app alike (both read the same problems)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from statecraft.cli import app
from statecraft.scenario import ScenarioError, load_scenario_text
from tests.conftest import DATA

TEXT = (DATA / "small.yaml").read_text(encoding="utf-8")
ACTORS = TEXT[TEXT.index("actors:"):TEXT.index("issues:")]
STANCES = TEXT[TEXT.index("stances:"):]

PYDANTIC_WORDS = ("after validation", "Input should", "should have", "e+12", "valid list",
                  "valid dictionary", "valid number", "valid string", "greater than or equal",
                  "less than or equal", "should match pattern", "unable to parse")


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as got:
        load_scenario_text(text, "bad.yaml")
    return [f"{p.message}" for p in got.value.problems]


@pytest.mark.parametrize(("text", "message"), [
    (TEXT.replace(ACTORS, "actors: []\n"), "found []; expected at least one actor"),
    (TEXT.replace(STANCES, "stances: []\n"), "found []; expected at least one stance"),
    (TEXT.replace("capability: 1,", "capability: 0,"),
     "found 0; expected a positive number (up to 10^12), or a [low, high] range within it"),
    (TEXT.replace("capability: 1,", "capability: 2e12,"),
     "found '2e12'; expected a positive number (up to 10^12), or a [low, high] range within "
     "it"),
    (TEXT.replace("status_quo: 50", "status_quo: 150"),
     "found 150; expected a number of at most 100"),
    (TEXT.replace("status_quo: 50", "status_quo: -5"),
     "found -5; expected a number of at least 0"),
    (TEXT.replace("status_quo: 50", "status_quo: high"), "found 'high'; expected a number"),
    (TEXT.replace("year: 2024", "year: 1700"), "found 1700; expected a number of at least 1800"),
    (TEXT.replace("{id: a,", "{id: 'A B',"), "found 'A B'; expected an id: lowercase letters, "
     "digits, '-' and '_', starting with a letter or digit"),
    (TEXT.replace("name: Alpha", "name: ''"), "found ''; expected some text (it is empty)"),
    (TEXT.replace(ACTORS, "actors: {a: 1}\n"), "found {'a': 1}; expected a list"),
    (TEXT.replace("scale: {0: none, 50: half, 100: all}", "scale: [0, 50, 100]"),
     "found [0, 50, 100]; expected a mapping (key: value pairs)"),
    (TEXT + "as_of: soon\n", "found 'soon'; expected a date (YYYY-MM-DD)"),
    (TEXT.replace("name: Alpha", "name: 5"), "found 5; expected text"),
    (TEXT.replace("source: {dataset: notes}}", "source: notes}", 1),
     "found 'notes'; expected a reference ({doc: ID, quote: ...}, {dataset: ID, note: ...} or "
     "{judgment: ID}) or a list of them"),
])
def test_pydantic_wordings_are_plain_english(text: str, message: str) -> None:
    got = problems(text)
    assert message in got
    assert not [m for m in got for w in PYDANTIC_WORDS if w in m]


def test_the_command_line_says_it_the_same_way(tmp_path: object) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "bad.yaml"
    bad.write_text(TEXT.replace(ACTORS, "actors: []\n").replace(
        "  - {actor: a, issue: x, position: 0, salience: 1.0, source: {dataset: notes}}\n", ""),
        encoding="utf-8")
    got = CliRunner().invoke(app, ["validate", str(bad)])
    assert got.exit_code == 1
    assert "actors: found []; expected at least one actor" in got.output
    assert "after validation" not in got.output
