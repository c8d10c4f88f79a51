"""What every command shares: the app, the consoles, exit codes, loading and printing.

Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 bad input (a scenario that
fails validation, an unknown model, a run that is not in the store), 2 usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from statecraft import api
from statecraft.scenario import Loaded, ScenarioError

app = typer.Typer(
    name="statecraft",
    help="Model a conflict's actors, simulate their bargaining, forecast outcomes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 1

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="A scenario file; the bundled South Caucasus 2021 scenario if omitted."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print no warnings or notes.")]
SourcesDirOpt = Annotated[list[Path] | None, typer.Option(
    "--sources-dir", metavar="DIR",
    help="A folder the scenario's source documents may also be read from (besides the "
         "scenario's own); repeatable. A source path anywhere else is never opened.")]


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def _fail_with(exc: ScenarioError, message: str) -> typer.Exit:
    """Print every located problem, then fail with ``message``."""
    for problem in exc.problems:
        err.print(str(problem), highlight=False, markup=False)
    return _fail(message)


def _load(path: Path | None, *, strict: bool, quiet: bool,
          sources_dirs: list[Path] | None = None) -> Loaded:
    try:
        loaded = api.load(path, strict=strict, sources_dirs=sources_dirs or ())
    except ScenarioError as exc:
        n = sum(p.severity == "error" for p in exc.problems)
        raise _fail_with(exc, f"{n} error(s); nothing was run") from None
    if not quiet:
        for problem in loaded.warnings:
            err.print(str(problem), highlight=False, markup=False)
    return loaded


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
