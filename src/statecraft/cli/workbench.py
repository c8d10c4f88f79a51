"""The workbench commands: a new scenario's skeleton, the spreadsheet round trip, and
candidate quotes from a source text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from statecraft import api
from statecraft.cli.common import _fail, _fail_with, app, err


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="The scenario's name (a few words).")],
    source: Annotated[list[Path] | None, typer.Option(
        "--source", metavar="FILE",
        help="A source document (text or Markdown) to register; repeatable.")] = None,
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the scenario here (default: NAME as an id, .yaml).")] = None,
) -> None:
    """Write a minimal valid scenario to start from, with each source registered; it never
    replaces an existing file."""
    try:
        written, loaded = api.new_scenario(name, source or (), out_file)
    except api.ScenarioError as exc:  # not expected: the skeleton is checked by tests
        raise _fail_with(exc, "the new scenario failed validation; nothing was written") \
            from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    err.print(f"wrote {written} ({len(loaded.scenario.sources)} source(s) registered); its "
              "values are placeholders that cite nothing yet: 'statecraft validate "
              f"{written}' lists each", highlight=False, markup=False)
