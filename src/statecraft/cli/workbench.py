"""The workbench commands: a new scenario's skeleton, the spreadsheet round trip, and
candidate quotes from a source text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from statecraft import api
from statecraft.cli.common import (
    EXIT_BAD_INPUT,
    QuietOpt,
    SourcesDirOpt,
    _fail,
    _fail_with,
    _load,
    app,
    err,
)


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


ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]


def _fail_workbook(exc: api.WorkbookError) -> typer.Exit:
    for line in exc.problems:
        err.print(line, highlight=False, markup=False)
    err.print(f"error: {len(exc.problems)} problem(s); nothing was written", highlight=False,
              markup=False)
    return typer.Exit(EXIT_BAD_INPUT)


@app.command("export-xlsx")
def export_xlsx(
    scenario: Annotated[Path, typer.Argument(help="The scenario file to export.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The workbook to write "
                                           "(.xlsx).")],
    force: ForceOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a scenario as a spreadsheet: sheets scenario, sources, actors, issues, scale,
    stances (with their quotes or notes) and sections (options, rules as YAML lines).
    Questions live in their own file, so the workbook holds none."""
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    try:
        written = api.export_xlsx(loaded, out_file, force=force)
    except api.WorkbookError as exc:
        raise _fail_workbook(exc) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    err.print(f"wrote {written}", highlight=False, markup=False)


@app.command("import-xlsx")
def import_xlsx(
    workbook: Annotated[Path, typer.Argument(help="A workbook made by export-xlsx.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the scenario here (default: print it).")] = None,
    force: ForceOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Turn a workbook back into a scenario file (YAML), validated first; every problem
    names its sheet and cell, and nothing is written while there is one."""
    try:
        imported = api.import_xlsx(workbook, out_file, force=force,
                                   sources_dirs=sources_dir or ())
    except api.WorkbookError as exc:
        raise _fail_workbook(exc) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not quiet:
        for line in imported.warnings:
            err.print(line, highlight=False, markup=False)
    if imported.written is None:
        sys.stdout.write(imported.text)
    else:
        err.print(f"wrote {imported.written}", highlight=False, markup=False)
