"""What every command shares: the app, the consoles, exit codes, loading and printing.

Data goes to stdout, messages to stderr. Exit codes (``EXIT_CODES``, by the error's kind):
0 ok, 1 bad input (a scenario that fails validation, an unknown model, a run that is not
in the store, a store that cannot be used), 2 usage errors, 130 stopped (interrupted).
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from statecraft import api

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
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[type[BaseException], int] = {
    api.StoppedError: EXIT_INTERRUPTED,  # stopped before it finished, as by Ctrl-C
    api.StatecraftError: EXIT_BAD_INPUT,  # bad input, not found, over a limit, a store
                                          # that is busy, damaged or cannot do it
}
"""The exit code of each kind of error (``statecraft.errors``): the one place the command
line maps errors to codes. An error takes the code of the first class in its method
resolution order that is listed; usage errors exit 2 (typer's)."""
DEFAULT_SAMPLES = 10_000
"""Monte Carlo samples of forecast and backtest by default (the same number gives the same
figures in both; each command's output says how many it used)."""

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


def exit_code(exc: BaseException) -> int:
    """The exit code of an error, by its type (``EXIT_CODES``); 1 if unlisted."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return EXIT_BAD_INPUT


def _fail(message: str, exc: BaseException | None = None) -> typer.Exit:
    """Print ``message`` as an error; the exit to raise (``exc``'s code, else 1)."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT if exc is None else exit_code(exc))


def _fail_with(exc: api.ScenarioError, message: str) -> typer.Exit:
    """Print every located problem, then fail with ``message``."""
    for problem in exc.problems:
        err.print(str(problem), highlight=False, markup=False)
    return _fail(message)


def _load(path: Path | None, *, strict: bool, quiet: bool,
          sources_dirs: list[Path] | None = None) -> api.Loaded:
    try:
        loaded = api.load(path, strict=strict, sources_dirs=sources_dirs or ())
    except api.ScenarioError as exc:
        n = sum(p.severity == "error" for p in exc.problems)
        raise _fail_with(exc, f"{n} error(s); nothing was run") from None
    if not quiet:
        for problem in loaded.warnings:
            err.print(str(problem), highlight=False, markup=False)
    return loaded


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_wrapped(text: str, *, indent: int = 0, hang: int = 2, console: Console | None = None
                  ) -> None:
    """Print plain ``text`` (never read as markup) wrapped to the console's width, its first
    line indented by ``indent`` spaces and the lines after by ``indent + hang``, so a long
    line reads as one item. Words (ids, numbers with hyphens) are never split."""
    where = console or out
    lines = textwrap.wrap(" ".join(text.split()), width=max(where.width, 40),
                          initial_indent=" " * indent, subsequent_indent=" " * (indent + hang),
                          break_long_words=False, break_on_hyphens=False)
    for line in lines or [""]:
        where.print(line, highlight=False, markup=False, soft_wrap=True)
