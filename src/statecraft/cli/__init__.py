"""The command line (typer): parses, calls ``statecraft.api``, prints.

The commands live in modules by theme; importing them registers them on ``app``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from statecraft import __version__
from statecraft.cli import analysis, core, deals, models, report, runs, workbench
from statecraft.cli.common import app, out

__all__ = ["analysis", "app", "core", "deals", "main", "models", "report", "runs",
           "workbench"]


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        out.print(__version__)
        raise typer.Exit(0)


def main() -> None:
    """Console-script entry point: an error statecraft raised is one line on stderr and
    its exit code (``common.EXIT_CODES``, applied by ``common.Commands``), never a
    traceback."""
    app()
