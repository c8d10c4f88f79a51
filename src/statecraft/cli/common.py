"""What every command shares: the app, the consoles, exit codes, loading and printing.

Data goes to stdout, messages to stderr. Exit codes (``EXIT_CODES``, by the error's kind):
0 ok, 1 bad input (a scenario that fails validation, an unknown model, a run that is not
in the store, a store that cannot be used), 2 usage errors, 130 stopped (interrupted).
Commands do not map errors to codes: an error a command raises reaches the app's group
(``Commands``), which says it in one line and exits with its code.
"""

from __future__ import annotations

import inspect
import json
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table
from rich.text import Span, Text

from statecraft import api

COMMAND_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Forecast", ("run", "forecast", "report", "serve", "models")),
    ("Analysis", ("backtest", "explain", "options", "timeline", "deals", "advise")),
    ("Data and workbench", ("validate", "schema", "new", "quotes", "export-xlsx",
                            "import-xlsx", "ktab-import", "ktab-export", "deu-import",
                            "backtest-deu", "calibrate-deu")),
    ("Run store", ("runs",)),
)
"""The order ``statecraft --help`` lists the commands in, under these headings; a
command not listed comes last, under "Commands"."""
_PANEL = {name: panel for panel, names in COMMAND_PANELS for name in names}
_ORDER = {name: k for k, name in enumerate(_PANEL)}


def reflow(doc: str) -> str:
    """A command's docstring as its help shows it: each paragraph's lines joined into one,
    which the help wraps to the terminal, where it kept the docstring's own line breaks
    and so broke lines twice on a terminal narrower than the source. A paragraph that
    starts with ``\\b``, and lines of a list (``-``, ``*``) or indented, keep their breaks."""
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    out = []
    for para in paragraphs:
        if para.startswith("\b"):
            out.append(para)
            continue
        lines: list[str] = []
        for line in para.split("\n"):
            keeps = line.startswith((" ", "-", "*")) or not lines
            if keeps:
                lines.append(line)
            else:
                lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _flags_without_type(params: Iterable[Any]) -> None:
    """Give each on/off flag (``--json``, ``--help``) an empty metavar, so its help shows
    no type: typer showed ``<bool>``, which reads as if the flag took a value
    (``--no-store true`` is then an unexpected extra argument)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


def counted(n: int, word: str) -> str:
    """``1 issue``, ``2 issues``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Commands(typer.core.TyperGroup):
    """The app's groups of commands: the one place where an error a command raised
    (``statecraft.errors``' kinds, and a ``ValueError`` a lower layer raised without a
    kind of its own) becomes one line on stderr and the exit code of its kind
    (``EXIT_CODES``), for every command and subcommand alike. Its help lists the
    commands in ``COMMAND_PANELS``' order and headings, each described by its
    docstring's first paragraph as one line (wrapped to the terminal, never at the
    docstring's own line breaks)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _flags_without_type(params)  # the group's own flags (--version, --help)
        return params

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: _ORDER.get(n, len(_ORDER)))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if isinstance(cmd, typer.core.TyperCommand | typer.core.TyperGroup):
            if cmd_name in _PANEL:
                cmd.rich_help_panel = _PANEL[cmd_name]
            if not cmd.short_help and cmd.help:
                cmd.short_help = " ".join(cmd.help.split("\n\n")[0].split())
            if cmd.help:
                cmd.help = reflow(cmd.help)
            _flags_without_type(cmd.get_params(ctx))
        return cmd

    def invoke(self, ctx: Any) -> Any:  # typer's click Context (vendored by typer)
        try:
            return super().invoke(ctx)
        except api.ScenarioError as exc:
            n = sum(p.severity == "error" for p in exc.problems)
            raise _fail_with(exc, f"{n} error(s); nothing was done") from None
        except (api.StatecraftError, ValueError) as exc:
            raise _fail(message_of(exc), exc) from None


app = typer.Typer(
    cls=Commands,
    name="statecraft",
    help="Model a conflict's actors, simulate their bargaining, forecast outcomes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_UNSAFE = [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F, *range(0x80, 0xA0),
                                                                 *range(0x202A, 0x202F),
                                                                 *range(0x2066, 0x206A)]
_SHOWN = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE}
"""Each control character, DEL, C1 control and bidirectional override or isolate, as the
visible escape it is printed as (ESC as ``\\x1b``): the characters a scenario may not
hold (``statecraft.scenario.controls.UNSAFE``), which a run stored before that check, a
store's text or a message may still carry."""


def shown(text: str) -> str:
    """``text`` with each character that would steer a terminal written as its escape."""
    return text.translate(_SHOWN)


def _safe(renderable: Any) -> Any:
    """``renderable`` with its text escaped (``shown``) before it is measured and laid out,
    so a table is as wide as what it prints: a ``Text`` is copied with its styles moved to
    the escaped text; a table's title, caption, headers and cells and a group's parts are
    made safe in place (they are about to be printed). Other renderables are left to the
    segments' escaping."""
    if isinstance(renderable, str):
        return shown(renderable)
    if isinstance(renderable, Text):
        plain = renderable.plain
        if plain == shown(plain):
            return renderable
        ends = [0]
        for ch in plain:
            ends.append(ends[-1] + len(shown(ch)))
        copy = renderable.copy()
        copy.plain = shown(plain)
        copy.spans = [Span(ends[s.start], ends[min(s.end, len(plain))], s.style)
                      for s in renderable.spans]
        return copy
    if isinstance(renderable, Table):
        renderable.title = _safe(renderable.title)
        renderable.caption = _safe(renderable.caption)
        for column in renderable.columns:
            column.header = _safe(column.header)
            column.footer = _safe(column.footer)
            column._cells[:] = [_safe(cell) for cell in column._cells]
    elif isinstance(renderable, Group):
        renderable._renderables = tuple(_safe(r) for r in renderable._renderables)
    return renderable


class SafeConsole(Console):
    """A console that never writes a terminal control character it was given as text:
    strings, ``Text``, tables and groups have them escaped (``shown``) before they are laid
    out, and every segment of text rendered is escaped again (idempotent) in case some
    other renderable carried one, while the console's own styling (the colours it adds)
    is written as usual. The one place the command line's output is made safe to show."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(shown(text), **kwargs)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None
               ) -> Iterable[Segment]:
        for segment in super().render(_safe(renderable), options):
            if segment.control or (segment.text.isascii() and segment.text.isprintable()):
                yield segment
            else:
                yield Segment(shown(segment.text), segment.style)


out = SafeConsole()
err = SafeConsole(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 1
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[type[BaseException], int] = {
    api.StoppedError: EXIT_INTERRUPTED,  # stopped before it finished, as by Ctrl-C
    api.StatecraftError: EXIT_BAD_INPUT,  # bad input, not found, over a limit, a store
                                          # that is busy, damaged or cannot do it
    ValueError: EXIT_BAD_INPUT,  # a value a lower layer refused without a kind of its own
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
         "scenario's own); repeatable. A source whose path leads to no file there is also "
         "looked for by its file name directly in it. A source path anywhere else is never "
         "opened.")]


_JSON_SHOWN = {c: f"\\u{c:04x}" for c in _UNSAFE}
"""The same characters as JSON escapes (the same string once parsed): they occur in JSON
text only inside strings."""


def exit_code(exc: BaseException) -> int:
    """The exit code of an error, by its type (``EXIT_CODES``); 1 if unlisted."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return EXIT_BAD_INPUT


OPTION_FLAGS: dict[str, str] = {
    "as_of": "--as-of",
    "calibrated": "--uncalibrated",  # the setting to turn off: its flag says so
    "normalise": "--normalise",
    "force": "--force",
}
"""The command-line flag of each setting an API error names (``api.OptionError.option``)
where it is not the setting's name with dashes (``top``: ``--top``)."""


def flag(option: str) -> str:
    """The command-line flag that gives the API's setting ``option``."""
    return OPTION_FLAGS.get(option, "--" + option.replace("_", "-"))


def message_of(exc: BaseException) -> str:
    """An error's message as the command line says it: an ``OptionError`` names its
    setting by the flag that gives it (``--as-of``, not ``as_of``)."""
    if isinstance(exc, api.OptionError):
        return exc.naming({exc.option: flag(exc.option)})
    return str(exc)


def _fail(message: str, exc: BaseException | None = None) -> typer.Exit:
    """Print ``message`` as an error; the exit to raise (``exc``'s code, else 1)."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT if exc is None else exit_code(exc))


def _fail_with(exc: api.ScenarioError, message: str) -> typer.Exit:
    """Print every located problem, then fail with ``message`` (and ``exc``'s code)."""
    for problem in exc.problems:
        err.print(str(problem), highlight=False, markup=False)
    return _fail(message, exc)


def _load(path: Path | None, *, strict: bool, quiet: bool,
          sources_dirs: list[Path] | None = None, checking: bool = False) -> api.Loaded:
    """The scenario at ``path`` (the bundled default when None), its warnings printed
    unless ``quiet``; a scenario with errors prints each and fails, saying nothing was
    run (or, when ``checking`` it is all the command does, that the file is not valid)."""
    try:
        loaded = api.load(path, strict=strict, sources_dirs=sources_dirs or ())
    except api.ScenarioError as exc:
        n = sum(p.severity == "error" for p in exc.problems)
        errors = counted(n, "error")
        raise _fail_with(exc, f"{path}: not valid ({errors})" if checking
                         else f"{errors}; nothing was run") from None
    if not quiet:
        for problem in loaded.warnings:
            err.print(str(problem), highlight=False, markup=False)
    return loaded


def _print_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)  # C0 controls become \u00XX
    sys.stdout.write(text.translate(_JSON_SHOWN) + "\n")


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
