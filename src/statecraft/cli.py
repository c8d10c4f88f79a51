"""The command line: parses, calls ``statecraft.api``, prints. Data on stdout, messages on stderr.

Exit codes: 0 ok, 1 bad input (a scenario that fails validation, an unknown model),
2 usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from statecraft import __version__, api
from statecraft.scenario import Loaded, ScenarioError, json_schema

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


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def _load(path: Path | None, *, strict: bool, quiet: bool) -> Loaded:
    try:
        loaded = api.load(path, strict=strict)
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        n = sum(p.severity == "error" for p in exc.problems)
        raise _fail(f"{n} error(s); nothing was run") from None
    if not quiet:
        for problem in loaded.warnings:
            err.print(str(problem), highlight=False, markup=False)
    return loaded


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@app.command()
def run(
    scenario: ScenarioArg = None,
    model: Annotated[str, typer.Option(help="compromise, median" + (
        ", eum" if "eum" in api.MODELS else "") + (", smp" if "smp" in api.MODELS else ""))
    ] = api.DEFAULT_MODEL,
    rounds: Annotated[int | None, typer.Option(
        "--rounds", min=0, help="Most bargaining rounds (eum; default 50).")] = None,
    trace: Annotated[str | None, typer.Option(
        "--trace", metavar="ISSUE", help="Show the offers round by round on one issue (eum).",
    )] = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Forecast each issue of a scenario with one model."""
    loaded = _load(scenario, strict=False, quiet=quiet)
    params: dict[str, Any] = {}
    if rounds is not None:
        params["max_rounds"] = rounds
    if trace is not None:
        params["record_offers"] = True
    try:
        if trace is not None and trace not in {i.id for i in loaded.scenario.issues}:
            known = ", ".join(i.id for i in loaded.scenario.issues)
            raise ValueError(f"--trace: no issue {trace!r} in the scenario (issues: {known})")
        traj = api.run_scenario(loaded, model, **params)
    except (ValueError, TypeError) as exc:
        raise _fail(str(exc)) from None
    rows = api.summarise(loaded.scenario, traj)
    if trace is not None:
        _print_trace(loaded, traj, trace, as_json)
        return
    if as_json:
        _print_json({
            "scenario": loaded.scenario.name,
            "file": str(loaded.path),
            "model": traj.model,
            "params": dict(traj.params),
            "version": __version__,
            "issues": [r.as_dict() for r in rows],
        })
        return
    table = Table(title=f"{loaded.scenario.name} - model: {traj.model}", title_justify="left")
    table.add_column("issue", style="bold")
    table.add_column("status quo", justify="right")
    table.add_column("forecast", justify="right")
    table.add_column("nearest anchor")
    for r in rows:
        table.add_row(r.issue, f"{r.status_quo:g}", f"{r.forecast:.1f}",
                      f"{r.anchor_point:g}: {r.anchor_text}")
    out.print(table)


def _print_trace(loaded: Loaded, traj: Any, issue_id: str, as_json: bool) -> None:
    """Offers made on one issue, round by round, with the positions they led to."""
    rounds = api.trace_offers(loaded.scenario, traj, issue_id)
    if as_json:
        _print_json({"issue": issue_id, "model": traj.model, "params": dict(traj.params),
                     "rounds": rounds})
        return
    names = {a.id: a.name for a in loaded.scenario.actors}
    for rnd in rounds:
        out.print(f"[bold]round {rnd['round']}[/bold]  forecast {rnd['forecast']:.1f}")
        if not rnd["offers"]:
            out.print("  no offers")
        for o in rnd["offers"]:
            mark = "*" if o["accepted"] else " "
            out.print(f" {mark} {names[o['challenger']]} -> {names[o['target']]}: {o['kind']}, "
                      f"{o['from']:.1f} -> {o['to']:.1f}", highlight=False)
    out.print("(* = the offer the target acted on)")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="The scenario file to check.")],
    strict: Annotated[bool, typer.Option(help="A value without a source is an error.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check a scenario file; report every problem with its line and column."""
    if as_json:
        try:
            loaded = api.load(file, strict=strict)
        except ScenarioError as exc:
            _print_json({"valid": False, "problems": [p.as_dict() for p in exc.problems]})
            raise typer.Exit(EXIT_BAD_INPUT) from None
        _print_json({"valid": True, "problems": [p.as_dict() for p in loaded.warnings],
                     "notes": list(loaded.notes)})
        return
    loaded = _load(file, strict=strict, quiet=quiet)
    if not quiet:
        for note in loaded.notes:
            err.print(note, highlight=False, markup=False)
    sc = loaded.scenario
    err.print(f"{file}: valid ({len(sc.actors)} actors, {len(sc.issues)} issues, "
              f"{len(sc.stances)} stances, {len(loaded.warnings)} warning(s))", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files, for editors."""
    _print_json(json_schema())


@app.command("deu-import")
def deu_import(
    file: Annotated[Path, typer.Argument(help="A DEU tab-separated file.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write.")] = Path("deu"),
    capability: Annotated[str, typer.Option(help="votes (Council, Nice), gdp or equal.")
                          ] = "votes",
    force: Annotated[bool, typer.Option(help="Replace a non-empty folder.")] = False,
) -> None:
    """Turn DEU issues into scenario files (one per issue) and outcomes.yaml."""
    try:
        files = api.import_deu(file, out_dir, capability=capability, force=force)
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        raise _fail("an imported scenario failed validation; nothing was written") from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    err.print(f"wrote {len(files) - 1} scenarios and outcomes.yaml to {out_dir}",
              highlight=False)


@app.command("backtest-deu")
def backtest_deu(
    file: Annotated[Path, typer.Argument(help="A DEU tab-separated file.")],
    models: Annotated[str, typer.Option(help="Comma-separated model names.")
                      ] = "eum,compromise,median",
    capability: Annotated[str, typer.Option(help="votes (Council, Nice), gdp or equal.")
                          ] = "votes",
    grid: Annotated[bool, typer.Option(help="Also report the fixed grid of EUM settings.")
                    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Mean absolute error of each model on DEU issues with known outcomes."""
    names = [m.strip() for m in models.split(",") if m.strip()]
    try:
        scores = api.backtest_deu(file, names, capability=capability, grid=grid)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json({"file": str(file), "capability": capability, "scores": [
            {"model": s.name, "settings": dict(s.settings), "mae": s.mae, "issues": s.issues}
            for s in scores]})
        return
    table = Table(title=f"DEU backtest ({capability} capabilities), 0-100 scale",
                  title_justify="left")
    table.add_column("model")
    table.add_column("mean abs. error", justify="right")
    table.add_column("issues scored", justify="right")
    for sc in scores:
        table.add_row(sc.name, f"{sc.mae:.1f}", str(sc.issues))
    out.print(table)


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        out.print(__version__)
        raise typer.Exit(0)


def main() -> None:
    """Console-script entry point."""
    app()
