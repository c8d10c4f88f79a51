"""Monte Carlo forecasts and the run store: ``forecast``, ``runs list``, ``runs show``,
``runs export``."""

from __future__ import annotations

import signal
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Literal

import typer
from rich import box
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from statecraft import api
from statecraft.cli.common import (
    DEFAULT_SAMPLES,
    EXIT_BAD_INPUT,
    Commands,
    JsonOpt,
    QuietOpt,
    ScenarioArg,
    SourcesDirOpt,
    _fail,
    _fail_with,
    _load,
    _print_json,
    app,
    err,
    out,
    print_wrapped,
)
from statecraft.cli.models import ModelOpt, RoundsOpt, SettingOpt, chosen_settings

_BARS = " ▁▂▃▄▅▆▇█"

StoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="The run store directory (default: $STATECRAFT_STORE or "
    "./statecraft-runs).")]

runs_app = typer.Typer(cls=Commands, help="The run store: saved forecasts.",
                       no_args_is_help=True)
app.add_typer(runs_app, name="runs")


def _spark(counts: list[int]) -> str:
    top = max(counts) or 1
    return "".join(_BARS[round(8 * c / top)] for c in counts)


def _open_store(path: Path | None) -> api.RunStore:
    return api.RunStore(path)


def _issue_table(title: str, rows: list[dict[str, Any]],
                 calibrated: Sequence[Mapping[str, Any]] | None = None) -> Group:
    """Per issue: the calibrated median, 50% and 90% predictive intervals and histogram
    beside the inputs-only 5-95% spread; or, uncalibrated, the inputs-only summary.

    Issue ids are shown whole and numbers never broken: the columns are parted by spaces,
    not rules, so the widest table (20-letter ids, intervals of 100.0) fits 80 columns;
    on a narrower terminal the histogram, then the inputs-only spread, are left out."""
    if calibrated is None:
        heads = ["issue", "median", "5%", "95%", "0 ... 100"]
        cells = [[r["issue"], f"{r['median']:.1f}", f"{r['p05']:.1f}", f"{r['p95']:.1f}",
                  _spark(r["histogram"])] for r in rows]
        optional = ["0 ... 100"]
    else:
        heads = ["issue", "median", "50%\ninterval", "90%\ninterval", "inputs only\n5-95%",
                 "0 ... 100"]
        cells = [[r["issue"], f"{c['median']:.1f}", _interval(*c["intervals"]["50"]),
                  _interval(*c["intervals"]["90"]), _interval(r["p05"], r["p95"]),
                  _spark([round(1000 * v) for v in c["histogram"]])]
                 for r, c in zip(rows, calibrated, strict=True)]
        optional = ["0 ... 100", "inputs only\n5-95%"]

    def widths() -> list[int]:
        return [max([len(w) for w in head.split("\n")] + [len(row[k]) for row in cells])
                for k, head in enumerate(heads)]

    for head in optional:  # what does not fit is left out, never cut
        if sum(widths()) + 2 * (len(heads) - 1) <= out.width:
            break
        k = heads.index(head)
        heads, cells = heads[:k] + heads[k + 1:], [row[:k] + row[k + 1:] for row in cells]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  collapse_padding=True)
    for head, width in zip(heads, widths(), strict=True):
        table.add_column(head, justify="left" if head in ("issue", "0 ... 100") else "right",
                         no_wrap=True, min_width=width)
    for row in cells:
        table.add_row(*row)
    # the title wraps at the terminal's width, not the (narrower) table's
    return Group(Text(title, style="table.title"), table)


def _spaced_table(heads: list[str], cells: list[list[str]], *, left: Sequence[str],
                  optional: Sequence[str] = (), flexible: str | None = None) -> Table:
    """A table read at the terminal's width, as the issue table: columns parted by spaces,
    each shown whole (never wrapped or cut, so two ids are never both shown as the same
    prefix); the ``optional`` columns, in order, are left out while it does not fit; the
    ``flexible`` column (free text, such as a scenario's name) takes the room left, at
    least 12 columns, and is cut with an ellipsis beyond it."""
    def widths() -> list[int]:
        return [max([len(w) for w in head.split("\n")] + [len(row[k]) for row in cells])
                for k, head in enumerate(heads)]

    def needed() -> int:
        return sum(w for h, w in zip(heads, widths(), strict=True)
                   if h != flexible) + 2 * (len(heads) - 1) + (12 if flexible else 0)

    for head in optional:
        if needed() <= out.width:
            break
        k = heads.index(head)
        heads, cells = heads[:k] + heads[k + 1:], [row[:k] + row[k + 1:] for row in cells]
    room = out.width - needed() + 12
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  collapse_padding=True)
    for head, width in zip(heads, widths(), strict=True):
        justify: Literal["left", "right"] = "left" if head in left else "right"
        if head == flexible:
            table.add_column(head, justify=justify, no_wrap=True, overflow="ellipsis",
                             max_width=max(room, 12), min_width=min(width, max(room, 12)))
        else:
            table.add_column(head, justify=justify, no_wrap=True, min_width=width)
    for row in cells:
        table.add_row(*map(Text, row))
    return table


def _question_table(asked: Sequence[api.QuestionProbability]) -> Group:
    """Each question's probability, and how it resolved where it has (the questions a
    bottom line's score is computed on). Ids and conditions are shown whole, as the issue
    table's ids: the columns are parted by spaces; the question's text takes the width
    left when 30 columns or more are (else it is left out: the question file has it),
    and the condition is left out before an id is cut."""
    heads = ["id", "counts as yes", "probability", "± s.e.", "resolved"]
    cells = [[a.id, a.condition, f"{a.probability:.3f}", f"{a.std_error:.3f}",
              "open" if a.resolution is None else ("yes" if a.resolution else "no")]
             for a in asked]

    def widths() -> list[int]:
        return [max([len(head)] + [len(row[k]) for row in cells])
                for k, head in enumerate(heads)]

    if sum(widths()) + 2 * (len(heads) - 1) > out.width:
        heads, cells = heads[:1] + heads[2:], [row[:1] + row[2:] for row in cells]
    room = out.width - sum(widths()) - 2 * len(heads)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  collapse_padding=True)
    for head, width in zip(heads, widths(), strict=True):
        table.add_column(head, justify="left" if head in ("id", "counts as yes") else "right",
                         no_wrap=True, min_width=width)
    if room >= 30:
        table.add_column("question", overflow="fold", max_width=room)
    for a, row in zip(asked, cells, strict=True):
        table.add_row(*map(Text, row), *([Text(a.text)] if room >= 30 else []))
    scored = sum(a.resolution is not None for a in asked)
    title = (f"Questions ({scored} resolved, which the bottom line's score is computed on)"
             if scored else "Questions")
    return Group(Text(title, style="table.title"), table)


def _interval(low: float, high: float) -> str:
    return f"{low:.1f}-{high:.1f}"


def _table_rows(issues: Sequence[api.IssueSummary]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """A forecast's issues as ``_issue_table`` reads them: the samples' summary rows (their
    histogram in counts), and the calibrated summaries (None: uncalibrated)."""
    rows = [{"issue": r.issue, "median": r.median, "p05": r.p05, "p95": r.p95,
             "histogram": list(r.counts)} for r in issues]
    if not issues or any(r.predictive is None for r in issues):
        return rows, None
    return rows, [dict(r.predictive.to_dict()) for r in issues if r.predictive is not None]


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@app.command()
def forecast(
    scenario: ScenarioArg = None,
    samples: Annotated[int, typer.Option(
        help="Monte Carlo samples: 1 to 50,000,000, and no more than the memory available "
        "holds (about 24 bytes per sample for each issue and uncertain input).")
        ] = DEFAULT_SAMPLES,
    model: ModelOpt = api.DEFAULT_MODEL,
    rounds: RoundsOpt = None,
    setting: SettingOpt = None,
    seed: Annotated[int, typer.Option(
        help="Seed, 0 to 2**63 - 1; the same seed gives the same result.")] = 7,
    chunk_size: Annotated[int, typer.Option(help="Samples per chunk (at least 1).")] = 8192,
    workers: Annotated[int, typer.Option(help="Worker processes (0: this one).")] = 0,
    dask: Annotated[str | None, typer.Option(
        "--dask", metavar="SCHEDULER_ADDRESS",
        help="Run the chunks on this Dask cluster (e.g. tcp://10.0.0.5:8786).")] = None,
    method: Annotated[str, typer.Option(
        help="Sampling: random (independent draws) or lhs (a Latin hypercube).")] = "random",
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="A question file: print each question's probability.")] = None,
    store: StoreOpt = None,
    no_store: Annotated[bool, typer.Option(
        "--no-store", help="Do not save the run in the run store.")] = False,
    uncalibrated: Annotated[bool, typer.Option(
        "--uncalibrated", help="Report the spread of the inputs alone, without the model's "
        "measured error on real decisions.")] = False,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Forecast distributions: ranges in the scenario are sampled, the model run on each.

    By default every distribution and probability is calibrated: the samples are combined
    with how far the model's forecasts have landed from real outcomes (EU decisions with
    known outcomes); --uncalibrated shows the inputs' spread alone.

    Every bad value (a seed outside 0 to 2**63 - 1, too many samples, an unreachable Dask
    scheduler, a store that cannot be written) is one line and exit 1, before anything is
    saved; when chunks fail, the first one's error comes first, and exit 1.
    """
    from rich.progress import Progress

    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    params = chosen_settings(model, rounds=rounds, setting=setting)
    qset = None
    if questions is not None:
        try:
            qset = api.load_questions(questions, loaded)
        except api.ScenarioError as exc:
            raise _fail_with(exc, "the question file has errors; nothing was run") from None
    run_store = None if no_store else _open_store(store)
    previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        with Progress(console=err, disable=quiet or as_json or not err.is_terminal,
                      transient=True) as bar:
            task = bar.add_task("forecasting", total=samples)
            fc = api.forecast(loaded, samples=samples, seed=seed, model=model,
                              questions=qset, params=params, chunk_size=chunk_size,
                              workers=workers, dask=dask, method=method, store=run_store,
                              progress=lambda n: bar.update(task, completed=n),
                              calibrated=not uncalibrated)
    except OSError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print("interrupted: the run was not saved as complete", highlight=False)
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    if fc.failures:
        _report_failures(fc)
    if as_json:
        _print_json(fc.to_dict())
    elif not fc.failures:
        if fc.bottom_line is not None:
            _print_bottom_line(fc.bottom_line)
        rows, calibrated = _table_rows(fc.issues)
        how = "calibrated" if calibrated is not None else "uncalibrated: inputs only"
        out.print(_issue_table(f"{loaded.scenario.name} - {model}, {samples:,} samples, "
                               f"seed {seed} ({how})", rows, calibrated))
        if fc.asked:
            out.print(_question_table(fc.asked))
        _print_convergence(fc.convergence)
        if fc.run_id and not quiet:
            err.print(f"saved as run {fc.run_id} in {run_store.root if run_store else ''}",
                      highlight=False)
    if fc.not_saved:  # said even under --quiet: the user expects a saved run
        err.print(f"note: the forecast ran but was not saved in the run store "
                  f"{run_store.root if run_store else ''}: {fc.not_saved} (fix the store: "
                  "see statecraft runs; or give --no-store)", highlight=False, markup=False)
    if fc.failures:
        raise typer.Exit(EXIT_BAD_INPUT)


def _print_bottom_line(bottom: Any) -> None:
    """The bottom line: its lead in bold, then a paragraph per issue and per score."""
    lines = bottom.lines()
    out.print(Text(lines[0], style="bold"))
    for line in lines[1:]:
        out.print(Text(line), soft_wrap=False)
        out.print()


def _print_convergence(conv: Any, noun: str = "samples") -> None:
    """How the runs ended, per issue where some did not settle (else one line)."""
    lines = api.convergence_lines(conv, noun=noun)
    if len(lines) == 1:
        print_wrapped("How the runs ended: " + lines[0], hang=2)
        return
    out.print("How the runs ended:", highlight=False)
    for line in lines:  # each issue's line wraps under itself, indented
        print_wrapped(line, indent=2, hang=4)


def _report_failures(fc: api.Forecast) -> None:
    """The first failed chunk's error, then how much failed and what was kept."""
    first, run_id = fc.failures[0], fc.run_id
    message = (f"chunk {first.chunk} (samples {first.first_sample}-{first.last_sample}) "
               f"failed: {first.error}")
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    kept = (f"run {run_id} is saved as failed, with each chunk's error (statecraft runs "
            f"show {run_id}); it is never read as a result" if run_id
            else "nothing was saved")
    err.print(f"{len(fc.failures)} chunk(s) failed; {fc.completed} of "
              f"{fc.provenance.samples} samples completed; {kept}", highlight=False,
              markup=False)


@runs_app.command("list")
def runs_list(
    store: StoreOpt = None,
    limit: Annotated[int, typer.Option(
        "--limit", min=1, help="Show at most this many runs.")] = 50,
    before: Annotated[str | None, typer.Option(
        "--before", metavar="ID", help="Only runs older than this one (the next page: the "
        "last id shown).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List saved runs, newest first, with their status (--limit at a time)."""
    run_store = _open_store(store)
    if not run_store.root.exists():  # a mistyped --store lists nothing: say why
        if store is not None:
            raise _fail(f"no run store at {run_store.root}: the folder does not exist "
                        "(a forecast saving there would create it)")
        err.print(f"no runs yet: the run store {run_store.root} does not exist (a forecast "
                  "creates it)", highlight=False, markup=False)
        if as_json:
            _print_json([])
        return
    records = run_store.list(limit=limit + 1, before=before)
    more = len(records) > limit
    records = records[:limit]
    if as_json:
        _print_json([r.summary() for r in records])
        return
    if not records:  # an empty table says nothing: say so, and where
        err.print(f"no runs {f'older than {before} ' if before else ''}in the run store "
                  f"{run_store.root}", highlight=False, markup=False)
        return
    # ids, dates and numbers whole (an id is what `runs show` and `compare` take); the
    # scenario's name, free text, last, in the room left, or where less than 30 columns
    # are left, on a line of its own under its run's (cut with an ellipsis only beyond
    # the terminal's width)
    utc = all(r.created.endswith("+00:00") for r in records)
    heads = ["id", "created (UTC)" if utc else "created", "status", "model", "samples",
             "seed", "seconds"]
    cells = [[r.id, r.created[:16].replace("T", " ") if utc else r.created, r.status,
              r.model, f"{r.samples:,}", str(r.seed),
              "" if r.seconds is None else f"{r.seconds:.1f}"] for r in records]
    left = ("id", heads[1], "status", "model", "scenario")
    widths = [max([len(h)] + [len(row[k]) for row in cells]) for k, h in enumerate(heads)]
    if out.width - sum(widths) - 2 * len(heads) >= 30:
        out.print(Group(Text("Runs", style="table.title"), _spaced_table(
            [*heads, "scenario"], [[*row, r.scenario_name] for row, r in zip(
                cells, records, strict=True)], left=left, flexible="scenario")))
    else:
        for drop in ("seconds", "seed", "model"):  # what does not fit is left out
            if sum(widths) + 2 * (len(heads) - 1) <= out.width:
                break
            k = heads.index(drop)
            del heads[k], widths[k]
            cells = [row[:k] + row[k + 1:] for row in cells]
        out.print(Text("Runs (each with its scenario under it)", style="table.title"))
        line = "  ".join(h.ljust(w) if h in left else h.rjust(w)
                         for h, w in zip(heads, widths, strict=True))
        out.print(Text(line.rstrip(), style="bold"), crop=True, no_wrap=True)
        out.print("─" * min(len(line), out.width), highlight=False)
        for row, r in zip(cells, records, strict=True):
            out.print(Text("  ".join(c.ljust(w) if h in left else c.rjust(w) for h, w, c
                                     in zip(heads, widths, row, strict=True)).rstrip()),
                      crop=True, overflow="ellipsis", no_wrap=True)
            out.print(Text("  " + r.scenario_name), overflow="ellipsis", no_wrap=True,
                      crop=True)
    if more:
        err.print(f"older runs: statecraft runs list --before {records[-1].id}",
                  highlight=False, markup=False)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run id (or an unambiguous prefix).")],
    store: StoreOpt = None,
    rerun: Annotated[bool, typer.Option(
        "--rerun", help="Run it again from its stored scenario text and seed, and check "
        "the sampled inputs and the outcomes match bit for bit (exit 1 if not).")] = False,
    scenario: Annotated[bool, typer.Option(
        "--scenario", help="Print the scenario text the run used, exactly as it ran "
        "(byte for byte), and nothing else.")] = False,
    cited: Annotated[bool, typer.Option(
        "--cited", help="With --scenario: print the text an edited run's scenario was "
        "edited from (its cited original) instead.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show one run: what produced it, each value it used that is not the cited one (the
    value used, then the cited value) and, when complete, its forecast distributions."""
    if cited and not scenario:
        raise _fail("--cited goes with --scenario (or use: statecraft runs export --cited)")
    if scenario and (rerun or as_json):
        raise _fail("--scenario prints the scenario text alone: give it without --rerun "
                    "and --json")
    run_store = _open_store(store)
    if scenario:
        text = _run_text(run_store, run_id, cited=cited)
        typer.echo(text.encode("utf-8"), nl=False)  # bytes: written as they are
        return
    if rerun:
        again = api.rerun(run_store, run_id)
        if as_json:
            _print_json(again.__dict__)
        else:
            def verdict(same: bool, diff: float) -> str:
                return "match" if same else f"DIFFER (largest difference {diff:g})"

            ends = ("unknown (saved before they were kept)" if again.endings_match is None
                    else "match" if again.endings_match
                    else f"DIFFER ({again.endings_differ:,} sample-issue pairs)")
            out.print(f"run {again.run_id}: {again.samples} samples re-run; inputs "
                      f"{verdict(again.inputs_match, again.max_abs_input_diff)}, outcomes "
                      f"{verdict(again.outcomes_match, again.max_abs_diff)}, how the runs "
                      f"ended {ends}", highlight=False)
        if not again.matches:
            raise typer.Exit(EXIT_BAD_INPUT)
        return
    conv = None
    issues: tuple[api.IssueSummary, ...] = ()
    try:
        rec = run_store.get(run_id)
        if rec.status == "complete":
            frames = run_store.read_run(rec)
            conv = api.frames_convergence(frames, rec.model)
            errors, note = api.run_errors(rec)
            if note:
                err.print(note, highlight=False, markup=False)
            issues = api.run_issues(rec, tuple(frames.outcomes.columns),
                                    frames.outcomes.to_numpy(dtype="float64"), errors)
    except api.ScenarioError as exc:
        raise _fail(f"run {run_id}: its stored scenario no longer validates: "
                    + "; ".join(str(p) for p in exc.problems)) from None
    # its data file was checked against the SHA-256 recorded when it completed; runs
    # saved before that was recorded are read as before, and said to be unverified
    verified = rec.status == "complete" and rec.data_sha256 is not None
    edits, unreadable = _edits(rec)
    if as_json:
        _print_json({**rec.summary(), "verified": verified,
                     "edits": None if edits is None else [e.as_dict() for e in edits],
                     "scenario_text": rec.scenario_text,
                     "issues": [r.to_dict() for r in issues],
                     "convergence": None if conv is None else conv.as_dict()})
        return
    if rec.status == "complete" and not verified:
        err.print(f"run {rec.id} is unverified: it was saved without a checksum of its data "
                  "file, so a change to the file cannot be detected", highlight=False)
    for key, value in _record_lines(rec, verified):  # labels right-aligned, values wrapped
        pad = max(14 - len(key), 0)
        print_wrapped(f"{key}: {value}", indent=pad, hang=16 - pad)
    if unreadable:
        err.print(f"run {rec.id}: its values cannot be compared with the scenario it was "
                  f"edited from ({unreadable})", highlight=False, markup=False)
    elif edits is not None:
        out.print(f"{'edited values':>14}: {len(edits)}, each the value used, then the cited "
                  "one (what the sources support):", highlight=False, markup=False)
        for e in edits:
            out.print(f"{'':>16}{e.where}: {e.describe()}", highlight=False, markup=False)
    if issues:
        rows, calibrated = _table_rows(issues)
        out.print(_issue_table(f"run {rec.id} - {rec.model}, {rec.completed:,} samples, "
                               f"seed {rec.seed} ("
                               + ("calibrated" if calibrated is not None
                                  else "uncalibrated: inputs only") + ")", rows, calibrated))
        _print_convergence(conv)
    else:
        err.print(f"run {rec.id} is {rec.status}: it has no results", highlight=False)


def _short(sha256: str | None) -> str:
    return "none" if sha256 is None else f"sha256 {sha256[:12]}…"


def _record_lines(rec: api.RunRecord, verified: bool) -> list[tuple[str, str]]:
    """What produced a run, in words (``--json`` has every field as stored, the writing
    process's start time among them, which only tells a live run from a dead one)."""
    lines = [("id", rec.id), ("status", rec.status)]
    if rec.error:
        lines.append(("error", rec.error))
    when = rec.created + (f", finished {rec.finished}" if rec.finished else "")
    if rec.seconds is not None:
        when += f" ({rec.seconds:,.1f} s)"
    lines.append(("created", when))
    lines.append(("scenario", f"{rec.scenario_name} (its text: {_short(rec.scenario_hash)})"))
    if rec.edited_from is not None:
        origin = rec.edited_from
        where = f" ({origin['path']})" if origin.get("path") else ""
        lines.append(("edited from", f"{origin.get('name', '?')}{where}, sha256 "
                      f"{origin.get('sha256', '?')}"))
    else:
        lines.append(("file", rec.scenario_path or "none (run from text)"))
    settings = ", ".join(f"{k}={v}" for k, v in rec.params.items()) or "default settings"
    lines.append(("model", f"{rec.model} ({settings})"))
    lines.append(("samples", f"{rec.samples:,} ({rec.method} sampling, seed {rec.seed}); "
                  f"{rec.completed:,} completed"))
    lines.append(("calibration", api.describe_calibration(rec.calibration)))
    if rec.status == "complete":
        lines.append(("data", f"verified (SHA-256 and rows match): {rec.data_rows:,} rows, "
                      f"{_short(rec.data_sha256)}" if verified
                      else "unverified (saved without a checksum)"))
    if rec.failures:
        first = rec.failures[0]
        lines.append(("failures", f"{len(rec.failures)} chunk(s); the first, chunk "
                      f"{first.get('chunk')}: {first.get('error')}"))
    lines.append(("made by", f"statecraft {rec.version} on {rec.host}, process {rec.pid}"))
    return lines


def _edits(rec: api.RunRecord) -> tuple[list[api.Edit] | None, str]:
    """An edited run's values that are not the cited ones (None: not edited), or why they
    cannot be compared."""
    if rec.edited_from is None:
        return None, ""
    try:
        return api.run_edits(rec), ""
    except api.ScenarioError as exc:
        return None, "; ".join(str(p) for p in exc.problems)


def _run_text(run_store: api.RunStore, run_id: str, *, cited: bool) -> str:
    """A run's scenario text as it ran, or the cited original it was edited from."""
    rec = run_store.get(run_id)
    if not cited:
        return rec.scenario_text
    if rec.cited_text is None:
        raise _fail(f"run {rec.id} was not made from an edited scenario: its scenario text "
                    "is the cited one (omit --cited)")
    return rec.cited_text


def _write_new(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all: a temporary file in the same
    folder, synced, then given its name; without ``force`` an existing file (even one made
    meanwhile) is never replaced."""
    if path.is_dir():
        raise _fail(f"{path} is a directory; give the name of the file to write")
    if not force and (path.exists() or path.is_symlink()):
        raise _fail(f"{path} exists; pass --force to replace it")
    try:
        api.write_atomic(path, text, replace=force)
    except FileExistsError:
        raise _fail(f"{path} exists; pass --force to replace it") from None
    except OSError as exc:
        raise _fail(f"{path}: cannot write it ({exc.strerror or exc})") from None


@runs_app.command("export")
def runs_export(
    run_id: Annotated[str, typer.Argument(help="A run id (or an unambiguous prefix).")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The scenario file to write (YAML).")],
    store: StoreOpt = None,
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    cited: Annotated[bool, typer.Option(
        "--cited", help="Write the scenario an edited run was edited from (its cited "
        "original) instead of the one it ran.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the exact scenario text a run used to a file, to read, edit or run again.

    The file is written whole or not at all, and an existing one only with --force."""
    run_store = _open_store(store)
    text = _run_text(run_store, run_id, cited=cited)
    _write_new(output, text, force=force)
    if not quiet:
        what = "the scenario it was edited from" if cited else "its scenario"
        err.print(f"wrote {output}: {what} ({len(text.encode('utf-8')):,} bytes)",
                  highlight=False, markup=False)


def _fmt_value(v: Any) -> str:
    if v is None:
        return "(absent)"
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, int | float) for x in v):
        return f"{v[0]:g}-{v[1]:g}"
    return f"{v:g}" if isinstance(v, float) else str(v)


@runs_app.command("compare")
def runs_compare(
    a: Annotated[str, typer.Argument(help="The first run's id (or an unambiguous prefix).")],
    b: Annotated[str, typer.Argument(help="The second run's id: shifts are b minus a.")],
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="Questions to compare (default: the bundled set named like the "
        "first run's scenario file, if any).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare two saved runs: the inputs that differ, each issue's median and each
    question's probability in both, and the shift (calibrated where both runs are)."""
    run_store = _open_store(store)
    try:
        qset = None
        if questions is not None:
            qset = api.load_questions(questions, api.load_run(run_store, a).loaded)
        cmp = api.compare_runs(run_store, a, b, qset)
    except api.ScenarioError as exc:
        raise _fail_with(exc, "the question file has errors; nothing was compared") from None
    if as_json:
        _print_json(cmp.to_dict())
        return
    out.print(f"run b {cmp.b} ({cmp.samples_b:,} samples) against run a {cmp.a} "
              f"({cmp.samples_a:,} samples)", highlight=False)
    for d in cmp.settings:
        print_wrapped(f"setting {d.input}: {_fmt_value(d.a)} -> {_fmt_value(d.b)}",
                      indent=2, hang=4)
    for what, side, ids in (("actors", "a", cmp.actors_only_in_a),
                            ("actors", "b", cmp.actors_only_in_b),
                            ("issues", "a", cmp.only_in_a), ("issues", "b", cmp.only_in_b)):
        if ids:
            print_wrapped(f"{what} only in run {side}: {', '.join(ids)}", hang=4)
    same_cast = not (cmp.actors_only_in_a or cmp.actors_only_in_b or cmp.only_in_a
                     or cmp.only_in_b)
    if cmp.inputs:
        title = f"Inputs that differ ({len(cmp.inputs)})" + (
            "" if same_cast else ", of the actors and issues both runs have")
        out.print(Group(Text(title, style="table.title"), _spaced_table(
            ["input", "a", "b"], [[d.input, _fmt_value(d.a), _fmt_value(d.b)]
                                  for d in cmp.inputs], left=("input",))))
    else:
        out.print("no input differs" if same_cast else
                  "no input of the actors and issues both runs have differs", highlight=False)
    if not cmp.issues:
        out.print("no issue is in both runs: no forecast to compare", highlight=False)
        if cmp.questions_note:
            print_wrapped(cmp.questions_note, hang=4)
        return
    calibrated = bool(cmp.issues) and all(r.calibrated for r in cmp.issues)
    def bars(row: api.IssueSummary) -> str:
        if row.predictive is not None and calibrated:
            return _spark([round(1000 * v) for v in row.predictive.histogram])
        return ""

    heads = ["issue", "a", "b", "shift", "a: 0 ... 100", "b: 0 ... 100"]
    cells = [[r.issue, f"{r.median_a:.1f}", f"{r.median_b:.1f}", f"{r.shift:+.1f}",
              bars(r.a), bars(r.b)] for r in cmp.issues]
    title = "Issues: median of " + ("the calibrated distribution" if calibrated
                                    else "the samples")
    out.print(Group(Text(title, style="table.title"), _spaced_table(
        heads, cells, left=("issue", heads[4], heads[5]), optional=heads[5:3:-1])))
    if cmp.questions:
        heads = ["question", "a", "b", "shift", "± s.e.", "counts as yes"]
        cells = [[q.id, f"{q.a.probability:.3f}", f"{q.b.probability:.3f}", f"{q.shift:+.3f}",
                  f"{q.std_error:.3f}", q.condition] for q in cmp.questions]
        out.print(Group(Text("Questions", style="table.title"), _spaced_table(
            heads, cells, left=("question", "counts as yes"), optional=("counts as yes",))))
    elif cmp.questions_note:
        print_wrapped(cmp.questions_note, hang=4)


@runs_app.command("clean")
def runs_clean(
    store: StoreOpt = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="List what would be removed; remove nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove the data files that killed runs left behind.

    That is partial files of runs not running, final files of runs that never completed
    (killed between the file's rename and the registry's update) and files no run owns.
    Complete and failed runs and runs still running are never touched, and every run
    stays listed (with its scenario text and seed) so it can be run again.
    """
    gone = _open_store(store).clean(dry_run=dry_run)
    if as_json:
        _print_json({"dry_run": dry_run, "bytes": sum(g.bytes for g in gone),
                     "files": [{"run_id": g.run_id, "path": str(g.path), "bytes": g.bytes,
                                "status": g.status, "final": g.final} for g in gone]})
        return
    verb = "would remove" if dry_run else "removed"
    for g in gone:
        out.print(f"{verb} {g.path} ({g.bytes:,} bytes; run {g.run_id} is {g.status})",
                  highlight=False, markup=False)
    out.print(f"{verb} {len(gone)} file(s) of runs that will never complete, "
              f"{sum(g.bytes for g in gone):,} bytes", highlight=False)
