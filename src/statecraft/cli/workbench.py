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
    JsonOpt,
    QuietOpt,
    SourcesDirOpt,
    _fail,
    _fail_with,
    _load,
    _print_json,
    app,
    counted,
    err,
    out,
    print_wrapped,
)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help=(
        "The scenario's name (a few words), not its file: -o chooses the file. Without "
        "-o, a NAME that looks like a path (a slash, or ending in .yaml or .yml) is "
        "refused."))],
    source: Annotated[list[Path] | None, typer.Option(
        "--source", metavar="FILE",
        help="A source document (text or Markdown) to register; repeatable.")] = None,
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the scenario here (default: NAME as an id, .yaml).")] = None,
) -> None:
    """Write a minimal valid scenario to start from, with each source registered; it never
    replaces an existing file."""
    if out_file is None and _looks_like_a_path(name):
        raise _fail(f"{name!r} looks like a file's path, but NAME is the scenario's name; "
                    "-o chooses the file: statecraft new 'A name' -o "
                    f"{name if name.lower().endswith(('.yaml', '.yml')) else 'FILE.yaml'}"
                    "; nothing was written")
    try:
        written, loaded = api.new_scenario(name, source or (), out_file)
    except api.ScenarioError as exc:  # not expected: the skeleton is checked by tests
        raise _fail_with(exc, "the new scenario failed validation; nothing was written") \
            from None
    n = len(loaded.scenario.sources)
    registered = "no source" if n == 0 else counted(n, "source")
    err.print(f"wrote {written} with {registered} registered; its values are placeholders "
              f"that cite nothing yet, and 'statecraft validate {written}' lists each one "
              "to fill in", highlight=False, markup=False)
    from statecraft.api.workbench import sources_outside  # imported when used

    for src, folder in sources_outside(written, source or ()):
        err.print(f"note: {src} is outside the scenario's folder, so its quotes are checked "
                  f"only with --sources-dir {folder} (statecraft validate {written} "
                  f"--sources-dir {folder}), or with a copy of it beside {written}",
                  highlight=False, markup=False)


ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]


def _fail_workbook(exc: api.WorkbookError) -> typer.Exit:
    for line in exc.problems:
        err.print(line, highlight=False, markup=False)
    err.print(f"error: {counted(len(exc.problems), 'problem')}; nothing was written",
              highlight=False, markup=False)
    return typer.Exit(EXIT_BAD_INPUT)


def _looks_like_a_path(name: str) -> bool:
    """Whether a scenario name given to ``new`` reads as a file's path (a slash, or a YAML
    file's extension), as when the file was meant."""
    return "/" in name or "\\" in name or name.strip().lower().endswith((".yaml", ".yml"))


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
    if not quiet:
        for line in imported.warnings:
            err.print(line, highlight=False, markup=False)
    if imported.written is None:
        sys.stdout.write(imported.text)
    else:
        err.print(f"wrote {imported.written}", highlight=False, markup=False)


@app.command("quotes")
def quotes(
    source: Annotated[Path, typer.Argument(help="A source text (Markdown or plain text).")],
    actor: Annotated[str, typer.Option(
        "--actor", help="The actor: its id or name in --scenario, else its name.")],
    issue: Annotated[str | None, typer.Option(
        "--issue", metavar="ID", help="An issue of --scenario whose question and named "
        "points give keywords (without --scenario: the keywords themselves).")] = None,
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", metavar="FILE", help="The scenario that names the actor and the "
        "issue.")] = None,
    alias: Annotated[list[str] | None, typer.Option(
        "--alias", metavar="NAME", help="Another name for the actor (a capital used for its "
        "government, an abbreviation); repeatable.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many sentences.")] = 10,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
) -> None:
    """List the sentences of a source text that mention an actor (its name, id and
    demonyms, and any --alias) and, with --issue, the issue's keywords, best first, each
    with its line: candidates to cite as quotes."""
    loaded = (_load(scenario, strict=False, quiet=True, sources_dirs=sources_dir)
              if scenario is not None else None)
    found = api.suggest_quotes(source, actor, issue=issue, scenario=loaded,
                               aliases=alias or (), top=top)
    if as_json:
        _print_json(found.to_dict())
        return
    keywords = f"; issue keywords: {', '.join(found.keywords)}" if found.keywords else ""
    print_wrapped(f"{found.source}: {len(found.candidates)} sentence(s) shown, best first, "
                  f"of {found.sentences} in the text; {found.actor} as "
                  f"{', '.join(found.terms)}{keywords}", console=err)
    for rank, c in enumerate(found.candidates, start=1):
        print_wrapped(f"{rank}. line {c.line} (score {c.score:.2f}): {c.text}", hang=3)
    if not found.candidates:
        out.print(f"no sentence mentions {found.actor}", highlight=False, markup=False)
    elif found.keywords and not any(c.keywords for c in found.candidates):
        print_wrapped(f"none of these holds a keyword of {found.issue}: they are ranked by "
                      f"their mentions of {found.actor} alone (try --alias, or words of "
                      "your own as --issue without --scenario)", console=err)
