"""The command line's help: commands in a sensible order under headings, each described
in one paragraph; required options marked as such; ktab-export says what its default
needs."""

from __future__ import annotations

import itertools
import re

from typer.testing import CliRunner

from statecraft.cli import app
from statecraft.cli.common import COMMAND_PANELS

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def _listed(text: str) -> list[str]:
    """The command names of a help text's panels, in order."""
    return re.findall(r"^│ ([a-z][a-z-]*) {2,}\S", text, re.MULTILINE)


def test_the_commands_are_listed_by_theme_in_order() -> None:
    got = runner.invoke(app, ["--help"], env=WIDE)
    assert got.exit_code == 0
    expected = [name for _, names in COMMAND_PANELS for name in names]
    assert _listed(got.stdout) == expected  # every command, each placed in a panel
    heads = [m for m in re.findall(r"╭─ ([A-Z][a-z ]+) ─", got.stdout) if m != "Options"]
    assert heads == [panel for panel, _ in COMMAND_PANELS]
    assert expected[:3] == ["run", "forecast", "report"] and expected[-1] == "runs"


def _descriptions(text: str) -> tuple[dict[str, list[str]], int]:
    """Each command's description as its help shows it (its rows' text, in order), and
    the width of the description column."""
    out: dict[str, list[str]] = {}
    name, width = None, 0
    for line in text.splitlines():
        m = re.match(r"│ ([a-z][a-z-]*) {2,}(\S.*?)\s*│$", line)
        cont = re.match(r"│ {3,}(\S.*?)\s*│$", line)
        if m:
            name = m.group(1)
            out[name] = [m.group(2)]
            width = len(line) - m.start(2) - 2  # up to the space before the border
        elif cont and name is not None:
            out[name].append(cont.group(1))
        else:
            name = None
    return out, width


def test_each_command_is_described_in_one_evenly_wrapped_paragraph() -> None:
    for args in (["--help"], ["runs", "--help"]):
        got = runner.invoke(app, args, env=WIDE)
        shown, width = _descriptions(got.stdout)
        assert shown and width > 40, got.stdout
        for name, rows in shown.items():
            # a row ends only where the next word would not fit: never at a line break
            # of the docstring
            for row, after in itertools.pairwise(rows):
                assert len(row) + 1 + len(after.split()[0]) > width, (name, rows)
    runs = runner.invoke(app, ["runs", "--help"], env=WIDE)
    assert list(_descriptions(runs.stdout)[0]) == ["list", "show", "export", "compare",
                                                   "clean"]


def test_advise_marks_issue_and_target_required_and_needs_them() -> None:
    shown = runner.invoke(app, ["advise", "--help"], env=WIDE)
    required = {m for m in re.findall(r"│ \* +(--[a-z-]+)", shown.stdout)}
    assert required == {"--issue", "--target"}
    assert re.search(r"│ \* +actor ", shown.stdout)
    missing = runner.invoke(app, ["advise", "aze", "--target", "<= 40"])
    assert missing.exit_code == 2 and "--issue" in missing.output  # a usage error


def test_ktab_export_of_the_bundled_scenario_needs_normalise() -> None:
    refused = runner.invoke(app, ["ktab-export", "-q"])
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "saliences sum to" in said and said.endswith("(--normalise)")
    done = runner.invoke(app, ["ktab-export", "--normalise", "-q"])
    assert done.exit_code == 0 and done.stdout.count("\n") > 5


def test_a_commands_own_help_wraps_its_paragraphs_to_the_terminal_once() -> None:
    """A command's help kept its docstring's line breaks inside paragraphs, so on a wide
    terminal a paragraph broke where the source did and on a narrow one twice (a long
    line, then a stub of one word)."""
    wide = runner.invoke(app, ["forecast", "--help"], env={"COLUMNS": "400"}).stdout
    para = [ln.strip() for ln in wide.splitlines() if ln.strip().startswith("By default")]
    assert len(para) == 1 and para[0].endswith("--uncalibrated shows the inputs' spread alone.")
    narrow = runner.invoke(app, ["forecast", "--help"], env={"COLUMNS": "80"}).stdout
    lines = narrow[:narrow.index("╭")].splitlines()
    body = [ln.rstrip() for ln in lines if "Usage" not in ln]
    # every line but a paragraph's last (one before a blank line) fills most of the width
    shorts = [ln for ln, nxt in itertools.pairwise([*body, ""])
              if ln.strip() and nxt.strip() and len(ln) < 50]
    assert shorts == [], shorts


def test_reflow_keeps_lists_and_verbatim_paragraphs() -> None:
    from statecraft.cli.common import reflow

    doc = """First line
    goes on.

    A list:
    - one
      and more
    - two

    \b
    kept
    as is"""
    assert reflow(doc) == ("First line goes on.\n\nA list:\n- one\n  and more\n- two\n\n"
                           "\b\nkept\nas is")


def test_flags_show_no_type_as_if_they_took_a_value() -> None:
    """Every flag's help showed '<bool>', so '--no-store true' looked right and failed."""
    for args in (["--help"], ["forecast", "--help"], ["runs", "--help"],
                 ["runs", "list", "--help"], ["validate", "--help"]):
        got = runner.invoke(app, args, env=WIDE)
        assert got.exit_code == 0
        assert "<bool>" not in got.stdout, args
    forecast = runner.invoke(app, ["forecast", "--help"], env=WIDE).stdout
    assert re.search(r"--no-store +Do not save the run", forecast), forecast
    assert re.search(r"--samples +<int>", forecast)  # an option with a value keeps its type
