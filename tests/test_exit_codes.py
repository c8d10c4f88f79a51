"""Every command exits with its error's documented code, mapped in one place
(``cli.common.Commands`` by ``EXIT_CODES``): 1 for bad input, 130 for work stopped.

The commands are read from the app itself, so a command added without a bad input here
fails ``test_every_command_is_covered``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from statecraft import api, errors
from statecraft.cli import app
from statecraft.cli.common import EXIT_BAD_INPUT, EXIT_CODES, EXIT_INTERRUPTED, exit_code
from tests.conftest import DATA

runner = CliRunner()
SMALL = str(DATA / "small.yaml")  # no as_of, no options section

NO_INPUT = {"models", "schema"}
"""Commands that take no input (only --json): nothing bad can be given to them."""


def _commands(group: typer.core.TyperGroup, prefix: tuple[str, ...] = ()
              ) -> Iterator[tuple[str, ...]]:
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, typer.core.TyperGroup):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


BAD: dict[str, list[str]] = {
    # per command, arguments that parse but are bad input (exit 1); MISSING is a file that
    # is not there, FILE a file where a folder is wanted, STORE an empty run store, TMP/
    # a path in an empty folder
    "backtest": [SMALL, "MISSING"],
    "explain": ["MISSING"],
    "run": [SMALL, "--model", "nope"],
    "validate": ["MISSING"],
    "ktab-import": ["MISSING"],
    "ktab-export": ["MISSING"],
    "deu-import": ["MISSING"],
    "backtest-deu": ["MISSING"],
    "calibrate-deu": ["MISSING"],
    "options": [SMALL],
    "timeline": [SMALL],
    "deals": ["--actor", "zzz"],
    "advise": ["zzz", "--issue", "peacekeepers", "--target", "<= 40"],
    "forecast": [SMALL, "--model", "nope", "--no-store"],
    "report": [SMALL, "--model", "nope", "--no-store", "-o", "TMP/r.html"],
    "serve": ["--store", "FILE"],
    "new": ["x", "--source", "MISSING", "-o", "TMP/x.yaml"],
    "export-xlsx": [SMALL, "--out", "TMP/x.csv"],
    "import-xlsx": ["MISSING"],
    "quotes": ["MISSING", "--actor", "x"],
    "runs list": ["--store", "FILE"],
    "runs show": ["nope", "--store", "STORE"],
    "runs export": ["nope", "-o", "TMP/out.yaml", "--store", "STORE"],
    "runs compare": ["nope", "nada", "--store", "STORE"],
    "runs clean": ["--store", "FILE"],
}


def _args(command: str, tmp: Path) -> list[str]:
    a_file = tmp / "a-file"
    a_file.write_text("not a folder\n", encoding="utf-8")
    where = {"MISSING": str(tmp / "no-such.yaml"), "FILE": str(a_file),
             "STORE": str(tmp / "store")}
    return [where.get(a, a.replace("TMP/", f"{tmp}/")) for a in BAD[command]]


def test_every_command_is_covered() -> None:
    every = {" ".join(c) for c in _commands(typer.main.get_group(app))}
    assert every == set(BAD) | NO_INPUT


@pytest.mark.parametrize("command", sorted(BAD))
def test_bad_input_exits_with_the_documented_code(command: str, tmp_path: Path) -> None:
    args = _args(command, tmp_path)
    got = runner.invoke(app, [*command.split(), *args])
    assert got.exit_code == EXIT_BAD_INPUT, (got.exit_code, got.output)
    assert got.exception is None or isinstance(got.exception, SystemExit), got.exception
    assert "error:" in got.stderr and "Traceback" not in got.output
    assert got.stdout == ""  # nothing printed as data
    assert not (tmp_path / "out.yaml").exists() and not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("kind", [errors.InputError, errors.LimitError,
                                  errors.NotFoundError, errors.BusyError,
                                  errors.DamagedError, errors.StoppedError, ValueError])
def test_an_error_a_command_raises_takes_its_kinds_code(
        kind: type[Exception], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise kind("refused here")

    monkeypatch.setattr(api, "timeline", refuse)
    got = runner.invoke(app, ["timeline", "-q"])
    assert got.exit_code == exit_code(kind("x")), got.output
    assert "refused here" in got.stderr
    expected = EXIT_INTERRUPTED if kind is errors.StoppedError else EXIT_BAD_INPUT
    assert got.exit_code == expected


def test_the_table_is_the_documented_one() -> None:
    assert EXIT_CODES[errors.StoppedError] == 130
    assert EXIT_CODES[errors.StatecraftError] == EXIT_CODES[ValueError] == 1
