"""The scenario, model, import and options commands."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from statecraft import __version__, api
from statecraft.cli.common import (
    EXIT_BAD_INPUT,
    JsonOpt,
    QuietOpt,
    ScenarioArg,
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
from statecraft.cli.models import (
    ModelOpt,
    RoundsOpt,
    SettingOpt,
    check_trace,
    chosen_settings,
)


@app.command()
def run(
    scenario: ScenarioArg = None,
    model: ModelOpt = api.DEFAULT_MODEL,
    rounds: RoundsOpt = None,
    setting: SettingOpt = None,
    trace: Annotated[str | None, typer.Option(
        "--trace", metavar="ISSUE", help="Show the offers round by round on one issue ("
        + ", ".join(n for n, s in api.MODEL_SPECS.items() if s.offers) + ").",
    )] = None,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Forecast each issue of a scenario with one model."""
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    params: dict[str, Any] = chosen_settings(model, rounds=rounds, setting=setting)
    if trace is not None:
        check_trace(model)
        params["record_offers"] = True
    try:
        if trace is not None and trace not in {i.id for i in loaded.scenario.issues}:
            known = ", ".join(i.id for i in loaded.scenario.issues)
            raise ValueError(f"--trace: no issue {trace!r} in the scenario (issues: {known})")
        traj = api.run_scenario(loaded, model, **params)
    except TypeError as exc:
        raise _fail(str(exc)) from None
    rows = api.summarise(loaded.scenario, traj)
    if trace is not None:
        _print_trace(loaded, traj, trace, as_json)
        return
    # the single run beside a small sample of the ranges: issues with several modes, and
    # named points no sample reached (see api.run_notes)
    try:
        notes = api.run_notes(loaded, traj.forecast[0], model=model, params=params)
        unsampled = ""
    except (ValueError, TypeError) as exc:
        notes, unsampled = [], str(exc)
    conv = traj.convergence()
    said = _run_words(notes, unsampled)
    if as_json:
        reached = {n.issue: not n.point.outside for n in notes}
        _print_json({
            "scenario": loaded.scenario.name,
            "file": str(loaded.path),
            "model": traj.model,
            "params": dict(traj.params),
            "version": __version__,
            "single_run_at_midpoints": True,
            "issues": [dict(r.as_dict(), nearest_anchor_reached=reached.get(r.issue))
                       for r in rows],
            "convergence": conv.as_dict(),
            "modes": {"samples": api.MODE_SAMPLES, "seed": api.MODE_SEED,
                      "uncalibrated": True, "skipped": unsampled or None,
                      "issues": {n.issue: [m.__dict__ for m in n.modes.modes]
                                 for n in notes}},
            "notes": said,
        })
        return
    outside = {n.issue for n in notes if n.point.outside}
    table = Table(title=f"{loaded.scenario.name} - model: {traj.model}", title_justify="left")
    table.add_column("issue", style="bold")
    table.add_column("status quo", justify="right")
    table.add_column("forecast", justify="right")
    table.add_column("nearest named point")
    for r in rows:
        mark = " (no sample reached it: see below)" if r.issue in outside else ""
        table.add_row(r.issue, f"{r.status_quo:g}", f"{r.forecast:.1f}",
                      Text(f"{r.anchor_point:g}: {r.anchor_text}{mark}"))
    out.print(table)
    for line in said:
        out.print(Text(line))
    lines = api.convergence_lines(conv, noun="run")
    if len(lines) == 1:
        print_wrapped("How the run ended: " + lines[0], hang=2)
    else:
        out.print("How the run ended:", highlight=False)
        for line in lines:  # each issue's line wraps under itself, indented
            print_wrapped(line, indent=2, hang=4)


def _run_words(notes: list[Any], unsampled: str) -> list[str]:
    """What ``run`` says after its table (``api.run_note_lines``)."""
    said = api.run_note_lines(notes)
    if unsampled:
        said.append(f"Its ranges could not be sampled to look for issues with several modes "
                    f"({unsampled}).")
    return said


def _print_trace(loaded: api.Loaded, traj: Any, issue_id: str, as_json: bool) -> None:
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
    strict: Annotated[bool, typer.Option(
        help="A value without a source, a document with neither path nor url, and a quote "
             "that could not be checked against its document's text are errors.")] = False,
    sources_dir: SourcesDirOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check a scenario file; report every problem with its line and column, and how many
    quotes were checked against their documents."""
    if as_json:
        try:
            loaded = api.load(file, strict=strict, sources_dirs=sources_dir or ())
        except api.ScenarioError as exc:
            _print_json({"valid": False, "problems": [p.as_dict() for p in exc.problems]})
            raise typer.Exit(EXIT_BAD_INPUT) from None
        _print_json({"valid": True, "problems": [p.as_dict() for p in loaded.warnings],
                     "notes": list(loaded.notes),
                     "quotes": {"checked": loaded.quotes_checked,
                                "unchecked": loaded.quotes_unchecked}})
        return
    loaded = _load(file, strict=strict, quiet=quiet, sources_dirs=sources_dir, checking=True)
    if not quiet:
        for note in loaded.notes:
            err.print(note, highlight=False, markup=False)
    sc = loaded.scenario
    named = " (each source named above, with why)" if loaded.quotes_unchecked and not quiet \
        else ""
    counts = ", ".join(counted(n, word) for n, word in (
        (len(sc.actors), "actor"), (len(sc.issues), "issue"), (len(sc.stances), "stance"),
        (len(loaded.warnings), "warning")))
    err.print(f"{file}: valid ({counts}); quotes: "
              f"{loaded.quotes_checked} checked against their documents, "
              f"{loaded.quotes_unchecked} unchecked{named}", highlight=False, markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files, for editors."""
    _print_json(api.json_schema())




@app.command("ktab-import")
def ktab_import(
    file: Annotated[Path, typer.Argument(help="A scenario in KTAB's CSV format.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the scenario here (default: print it).")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Turn a KTAB CSV scenario into a statecraft scenario (YAML)."""
    try:
        text, written = api.ktab_import(file, out_file, force=force)
    except api.ScenarioError as exc:
        raise _fail_with(exc, "the imported scenario failed validation; nothing was "
                         "written") from None
    if written is None:
        sys.stdout.write(text)
    else:
        err.print(f"wrote {written}", highlight=False)


@app.command("ktab-export")
def ktab_export(
    scenario: ScenarioArg = None,
    normalise: Annotated[bool, typer.Option(
        help="Scale an actor's saliences down where they sum to more than 100.")] = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Print a scenario in KTAB's CSV format (midpoints of ranges).

    KTAB allows an actor's saliences to sum to 100 at most; a scenario with an actor
    whose saliences sum to more (the bundled one's do) is refused unless --normalise
    scales them down."""
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    sys.stdout.write(api.ktab_export(loaded, normalise=normalise))


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
    except api.ScenarioError as exc:
        raise _fail_with(exc, "an imported scenario failed validation; nothing was "
                         "written") from None
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
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds (grouped by "
                                       "proposal) for the out-of-fold scores.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the folds and of the PIT draws.")
                    ] = 2021,
    as_json: JsonOpt = False,
) -> None:
    """Score the models on DEU issues with known outcomes: MAE in sample, and out of fold
    the MAE, CRPS and interval coverage of every model, the ensemble and the baselines."""
    names = [m.strip() for m in models.split(",") if m.strip()]
    scores = api.backtest_deu(file, [n for n in names if n != "ensemble"],
                              capability=capability, grid=grid)
    try:
        table_, _ = api.deu_table(file, folds=folds, seed=seed, capability=capability)
    except ValueError as exc:  # too few proposals to cross-validate: in-sample scores only
        err.print(f"no out-of-fold scores: {exc}", highlight=False, markup=False)
        table_ = None
    oof = api.score_deu(table_, seed=seed) if table_ is not None else []
    vs = api.deu_versus_compromise(table_, seed=seed) if table_ is not None else {}
    if as_json:
        _print_json({"file": str(file), "capability": capability, "scores": [
            {"model": s.name, "settings": dict(s.settings), "mae": s.mae, "issues": s.issues}
            for s in scores], "out_of_fold": None if table_ is None else {
                "folds": table_.folds, "seed": seed, "grouping": "proposal",
                "scores": [s.as_dict() for s in oof], "mae_minus_compromise": vs}})
        return
    table = Table(title=f"DEU backtest ({capability} capabilities), 0-100 scale",
                  title_justify="left")
    table.add_column("model")
    table.add_column("mean abs. error", justify="right")
    table.add_column("issues scored", justify="right")
    for sc in scores:
        table.add_row(sc.name, f"{sc.mae:.1f}", str(sc.issues))
    out.print(table)
    if table_ is None:
        return
    ot = Table(title=f"Out of fold ({table_.folds} folds grouped by proposal, seed {seed}): point "
               "MAE, calibrated CRPS, and the share of outcomes in the 50/80/90% intervals "
               "(randomised at atoms; closed intervals in brackets)", title_justify="left")
    for col in ("forecaster", "issues", "MAE", "CRPS", "50%", "80%", "90%"):
        ot.add_column(col, justify="left" if col == "forecaster" else "right")
    for ms in oof:
        ot.add_row(ms.name, str(ms.issues), f"{ms.mae:.2f}", f"{ms.crps:.2f}" if ms.crps
                   is not None else "-", *[f"{ms.coverage[k]:.2f} ({ms.coverage_closed[k]:.2f})"
                                           for k in ("50", "80", "90")])
    out.print(ot)
    for ms in oof:
        if ms.weights:
            shown = ", ".join(f"{k} {v:.3f}" for k, v in ms.weights.items() if v > 0)
            out.print(f"{ms.name} weights (fitted on all issues): {shown}", highlight=False)
    for n, d in vs.items():
        out.print(f"{n} MAE minus compromise MAE: {d['mean']:+.2f} (90% bootstrap interval "
                  f"{d['low']:+.2f} to {d['high']:+.2f})", highlight=False)


@app.command("calibrate-deu")
def calibrate_deu(
    file: Annotated[Path, typer.Argument(help="A DEU tab-separated file.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Where to write (default: the bundled model-error file).")
        ] = None,
    folds: Annotated[int, typer.Option(min=2, help="Folds, grouped by proposal.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the folds.")] = 2021,
    capability: Annotated[str, typer.Option(help="votes (Council, Nice), gdp or equal.")
                          ] = "votes",
    version: Annotated[int, typer.Option(min=1, help="The error file's version.")] = 1,
) -> None:
    """Measure every model's out-of-fold error on DEU decisions and write the error file
    that calibrates forecasts (the bundled one is made by exactly this command)."""
    made, scores = api.calibrate_deu(file, out_file, folds=folds, seed=seed,
                                     capability=capability, version=version)
    target = out_file if out_file is not None else api.ERROR_FILE
    err.print(f"wrote {target} (version {made.version}, sha256 {made.sha256[:12]}...): "
              f"{len(made.table.issue_ids)} issues, {folds} folds; "
              + ", ".join(f"{s.name} CRPS {s.crps:.2f}" for s in scores[:5]), highlight=False)


AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="YYYY-MM-DD", help="The date (default: the scenario's as_of).")]


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"--as-of: found {text!r}; expected a date as YYYY-MM-DD") from None


@app.command()
def options(
    scenario: ScenarioArg = None,
    samples: Annotated[int, typer.Option(min=0, help="Monte Carlo samples of the inputs.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo samples.")] = 7,
    lam: Annotated[float | None, typer.Option(
        "--lambda", min=0, help="QRE rationality (default: the scenario's).")] = None,
    as_of: AsOfOpt = None,
    export_efg: Annotated[Path | None, typer.Option(
        "--export-efg", help="Also write the game in Gambit's .efg format.")] = None,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The actors' options as a game: subgame-perfect choices and QRE probabilities."""
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    when = _as_of(as_of)
    try:
        result = api.options_analysis(loaded, samples=samples, seed=seed, lam=lam, as_of=when)
        if export_efg is not None:
            api.export_efg(loaded, export_efg, as_of=when)
    except RuntimeError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json(result.to_dict())
        return
    names = {a.id: a.name for a in loaded.scenario.actors}
    out.print(f"[bold]{result.provenance.scenario}[/bold], as of {result.as_of}; logit QRE "
              f"lambda {result.lam:g}" + (f"; {samples} samples, seed {seed}" if samples
                                          else ""))
    for node in result.nodes:
        pad = "  " * node.depth
        after = " after " + ", ".join(o for _, o in node.path) if node.path else ""
        out.print(f"{pad}[bold]{names.get(node.actor, node.actor)}[/bold]: "
                  f"{node.label}{after}", highlight=False)
        for o in node.options:
            if o.probability is not None:
                out.print(f"{pad}    {o.label}: chance {o.probability:.2f}", highlight=False)
                continue
            mark = "*" if o.spe else " "
            mc = (f"  chosen in {o.mc_share:.0%} of samples (mean QRE {o.mc_qre or 0.0:.2f})"
                  if o.mc_share is not None else "")
            out.print(f"{pad}  {mark} {o.label}: QRE {o.qre or 0.0:.2f}{mc}", highlight=False)
    out.print("(* = subgame-perfect choice)")
    out.print("Outcome of the subgame-perfect path:")
    for k, named in result.spe_outcome_named.items():
        print_wrapped(f"{k}: {named.label}", indent=2, hang=4)
    print_wrapped(result.outcome_note)
    if export_efg is not None:
        err.print(f"wrote {export_efg}", highlight=False)


@app.command()
def timeline(
    scenario: ScenarioArg = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The scenario's treaty clauses on a date: in force, deadlines passed and coming."""
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    tl = api.timeline(loaded, _as_of(as_of))
    text = {r.id: r.text for r in loaded.scenario.rules}
    if as_json:
        def dl(d: Any) -> dict[str, str]:
            return {"rule": d.rule, "event": d.label, "date": d.date.isoformat()}
        _print_json({"as_of": tl.as_of.isoformat(), "in_force": list(tl.in_force),
                     "no_longer_in_force": [dl(d) for d in tl.ended],
                     "clauses": [{"rule": c.rule, "state": c.state, "dates": list(c.dates)}
                                 for c in tl.clauses],
                     "passed": [dl(d) for d in tl.passed], "coming": [dl(d) for d in tl.coming]})
        return
    out.print(f"[bold]As of {tl.as_of.isoformat()}[/bold]")
    # each clause once, under its one state, with its dates said for what they are
    for state, title in (("in force", "In force:"),
                         ("no longer in force", "Passed, no longer in force:"),
                         ("not yet in force", "Not yet in force:")):
        clauses = [c for c in tl.clauses if c.state == state]
        if clauses or state == "in force":
            out.print(title if clauses else f"{title} none")
        for c in clauses:
            print_wrapped(f"{c.rule} ({c.said}): {text[c.rule]}", indent=2, hang=4)
    out.print("Dates coming:" if tl.coming else "Dates coming: none in the next 10 years")
    for d in tl.coming:
        print_wrapped(f"{d.date.isoformat()} {d.rule}: {d.label}", indent=2, hang=11)
