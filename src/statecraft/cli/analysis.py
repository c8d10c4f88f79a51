"""Scoring and explaining forecasts: ``backtest`` and ``explain``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from statecraft import __version__, api
from statecraft.cli.common import (
    DEFAULT_SAMPLES,
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
)
from statecraft.cli.models import (
    ModelOpt,
    RoundsOpt,
    SettingOpt,
    chosen_settings,
    chosen_settings_each,
)


def _questions(path: Path, loaded: api.Loaded) -> api.QuestionSet:
    try:
        return api.load_questions(path, loaded)
    except api.ScenarioError as exc:
        raise _fail_with(exc, "the question file has errors; nothing was run") from None


def _fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _noise(x: float | None) -> bool:
    """Whether an estimated share of variance lies outside 0-1, where no share can
    (``api.results.explanation.is_noise``)."""
    from statecraft.api.results.explanation import is_noise

    return is_noise(x)


def _share(x: float, conf: float) -> str:
    """An estimated share of variance with its half-width; one outside 0-1 as the bound
    it strays past, marked as noise, with the estimate itself."""
    if _noise(x):
        return f"~{0 if x < 0 else 1} (est. {x:.3f} ± {conf:.3f}, noise)"
    return f"{x:.3f} ± {conf:.3f}"


NOISE_NOTE = ("~0 (or ~1): the estimate fell outside 0-1, which no share of variance can; "
              "it is estimation noise around that bound (more samples, or a larger --total, "
              "narrow it).")


EFFECT_NOTE = ("effect on P: the mean probability of yes over the samples with the input in "
               "the top fifth of its range, minus that with it in the bottom fifth (+: higher "
               "values make yes likelier).")
MOVED_NOTE = ("Points on the issue's 0-100 scale, summed over every offer accepted in the "
              "run: moved others is how far its offers moved the actors that accepted them, "
              "was moved how far others' offers moved it (a step back and forth counts twice).")


def input_label(name: str, actors: dict[str, str]) -> str:
    """An uncertain input in words, the actor by its name: "capability.rus" is "Russia:
    capability", "salience.rus.peacekeepers" "Russia: salience on peacekeepers"."""
    field, _, rest = name.partition(".")
    actor, _, issue = rest.partition(".")
    who = actors.get(actor, actor)
    return f"{who}: {field}" + (f" on {issue}" if issue else "")


def _list_questions(qset: api.QuestionSet, path: Path, as_json: bool) -> None:
    """The questions of a set, for ``explain`` asked without ``--question``."""
    hint = "give --question ID to explain one of these"
    if as_json:
        _print_json({"questions_file": str(path), "hint": hint, "questions": [
            {"id": q.id, "condition": q.condition, "text": q.text, "issue": q.issue,
             "resolution": q.resolution} for q in qset.questions], "version": __version__})
        return
    out.print(f"Questions in {path} (id, counts as yes, question):", highlight=False,
              markup=False, soft_wrap=True)
    for q in qset.questions:
        out.print(f"  {q.id}  ({q.condition})\n      {' '.join(q.text.split())}",
                  highlight=False, markup=False, soft_wrap=True)
    err.print(f"{hint}, e.g. --question {qset.questions[0].id}" if qset.questions
              else "the set has no questions", highlight=False, markup=False)


@app.command()
def backtest(
    scenario: Annotated[Path, typer.Argument(help="The scenario the questions are about.")],
    questions: Annotated[Path, typer.Argument(help="A question file with resolutions.")],
    model: Annotated[str, typer.Option(
        "--model", help="Models to score, comma-separated: " + ", ".join(api.MODEL_SPECS)
        + ".")] = api.DEFAULT_MODEL,
    rounds: RoundsOpt = None,
    setting: SettingOpt = None,
    samples: Annotated[int, typer.Option(
        min=1, help="Monte Carlo samples per model (as forecast's).")] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option(help="Seed (the same for every model).")] = 7,
    numeric: Annotated[Path | None, typer.Option(
        "--numeric", help="Observed final positions (YAML: issue id -> 0-100): also "
        "score point forecasts by mean absolute error.")] = None,
    bins: Annotated[int, typer.Option(min=1, max=20, help="Calibration bins.")] = 5,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: this one).")] = 0,
    uncalibrated: Annotated[bool, typer.Option(
        "--uncalibrated", help="Score the inputs' spread alone, without the models' measured "
        "error (the only scores for settings other than the defaults).")] = False,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Score resolved questions: Brier, log score and calibration, beside two baselines."""
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    qset = _questions(questions, loaded)
    observed = None
    if numeric is not None:
        try:
            observed = api.load_observed(numeric, loaded)
        except api.ScenarioError as exc:
            raise _fail_with(exc, "the observations file has errors; nothing was run") from None
    models = [m.strip() for m in model.split(",") if m.strip()]
    params = chosen_settings_each(models, rounds=rounds, setting=setting)
    bt = api.backtest(loaded, qset, models, samples=samples, seed=seed, observed=observed,
                      bins=bins, workers=workers, params=params,
                      calibrated=not uncalibrated)
    if as_json:
        _print_json(bt.to_dict())
        return
    how = ("calibrated, and in brackets the inputs' spread alone" if not uncalibrated
           else "uncalibrated: the inputs' spread alone")
    qt = Table(title=f"Resolved questions ({bt.samples:,} samples, seed {bt.seed}; {how})",
               title_justify="left")
    for col in ("question", "counts as yes", "resolved", *bt.models, "status quo"):
        qt.add_column(col, justify="left" if col in ("question", "counts as yes") else "right")
    for row in bt.questions:
        qt.add_row(row.id, Text(row.condition), "yes" if row.resolution else "no",
                   *[_fmt(row.p_uncalibrated[m], 2) if uncalibrated else
                     f"{_fmt(row.p[m], 2)} ({_fmt(row.p_uncalibrated[m], 2)})"
                     for m in bt.models], _fmt(row.status_quo, 0))
    out.print(qt)
    st = Table(title="Scores (Brier: lower is better; log: higher is better)",
               title_justify="left")
    for col in ("forecaster", "questions", "Brier", "log score"):
        st.add_column(col, justify="left" if col == "forecaster" else "right")
    for s in bt.scores:
        st.add_row(s.name, str(s.questions), _fmt(s.brier), _fmt(s.log))
    out.print(st)
    for s in bt.scores[:len(bt.models)]:
        ct = Table(title=f"Calibration: {s.name}", title_justify="left")
        for col in ("forecast", "questions", "mean forecast", "resolved true"):
            ct.add_column(col, justify="right")
        for b in s.calibration:
            ct.add_row(f"{b.low:.1f}-{b.high:.1f}", str(b.count), _fmt(b.mean_forecast, 2),
                       _fmt(b.observed, 2))
        out.print(ct)
    if bt.numeric:
        nt = Table(title="Observed positions: MAE of the point forecast (each distribution's "
                   "own median), CRPS of the distribution (lower is better), share inside "
                   "the 50/80/90% intervals", title_justify="left")
        for col in ("forecaster", "point forecast", "issues", "MAE", "CRPS", "in 50%",
                    "in 80%", "in 90%"):
            nt.add_column(col, justify="left" if col in ("forecaster", "point forecast")
                          else "right")
        for n in bt.numeric:
            cov = n.coverage or {}
            nt.add_row(n.name, n.point, str(n.issues), f"{n.mae:.1f}", _fmt(n.crps, 1),
                       *[_fmt(cov.get(k), 2) for k in ("50", "80", "90")])
        out.print(nt)


def _require_salib(sobol: bool) -> None:
    """Fail at once, in one line saying how to install it, when SALib (the sensitivity
    extra) is missing: ``explain`` would otherwise run its samples first. The analysers
    imported here (about 0.1 s) are the ones the analysis imports anyway."""
    try:
        import importlib

        for module in ("analyze.rbd_fast", *(("sample.sobol", "analyze.sobol") if sobol
                                             else ())):
            importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise _fail("explain needs SALib, which is not installed: pip install "
                    "'statecraft[sensitivity]' (from a checkout: pip install -e "
                    "'.[sensitivity]')") from None


@app.command()
def explain(
    scenario: ScenarioArg = None,
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="The question file that holds the question (default: the "
        "bundled set of the same name as the scenario).")] = None,
    question: Annotated[str | None, typer.Option(
        "--question", help="The question's id (without it: list the questions).")] = None,
    model: ModelOpt = api.DEFAULT_MODEL,
    rounds: RoundsOpt = None,
    setting: SettingOpt = None,
    samples: Annotated[int, typer.Option(min=100, help="Monte Carlo samples.")] = 4000,
    seed: Annotated[int, typer.Option(help="Seed; the same seed gives the same result.")] = 7,
    top: Annotated[int, typer.Option(min=1, help="How many inputs to list.")] = 10,
    uncalibrated: Annotated[bool, typer.Option(
        "--uncalibrated", help="Explain the share of samples that meet the question, without "
        "the model's measured error.")] = False,
    total: Annotated[int, typer.Option(
        "--total", min=0, metavar="N", help="Also run a Sobol' design of N base samples (a "
        "power of two; N x (inputs + 2) model runs) for total-order indices.")] = 0,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Rank the uncertain inputs by how much they move a question's probability."""
    if question is not None:  # before any work: listing the questions needs no SALib
        _require_salib(total > 0)
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    if questions is None:
        name = scenario.name if scenario is not None else api.DEFAULT_SCENARIO
        questions = api.bundled_questions_dir() / name
        if not questions.is_file():
            raise _fail(f"no bundled question set for {name}; give --questions FILE")
    qset = _questions(questions, loaded)
    if question is None:
        _list_questions(qset, questions, as_json)
        return
    found = next((q for q in qset.questions if q.id == question), None)
    if found is None:
        raise _fail(f"{questions}: no question {question!r}; expected one of "
                    + ", ".join(q.id for q in qset.questions))
    params = chosen_settings(model, rounds=rounds, setting=setting)
    ex = api.explain(loaded, found, samples=samples, seed=seed, model=model, top=top,
                     calibrated=not uncalibrated, total=total, params=params)
    if as_json:
        _print_json(ex.to_dict())
        return
    out.print(f"{found.id}: {found.text}", highlight=False, markup=False)
    out.print(f"counts as yes: {found.condition}", highlight=False, markup=False)
    how = "calibrated" if ex.calibrated else "uncalibrated"
    out.print(f"P = {ex.probability:.3f} ({ex.model}, {how}, {ex.samples:,} samples, seed "
              f"{ex.seed})", highlight=False)
    if ex.probability in (0.0, 1.0) and not ex.calibrated:
        out.print("The answer is the same in every sample: within their ranges, no input "
                  "changes it (every index is 0).", highlight=False)
    by = "total-order" if ex.total else "first-order"
    names = {a.id: a.name for a in loaded.scenario.actors}
    table = Table(title=f"Inputs ranked by {by} index (share of the variance of the "
                  "question's probability; ± a 95% confidence half-width)",
                  title_justify="left", caption=EFFECT_NOTE, caption_justify="left")
    cols = ("input", "first order", *(("total order",) if ex.total else ()), "effect on P",
            "range")
    for col in cols:
        table.add_column(col, justify="left" if col == "input" else "right", overflow="fold")
    for r in ex.inputs:
        totals = ((_share(r.total, r.total_conf or 0.0),)
                  if ex.total and r.total is not None else ())
        table.add_row(Text(input_label(r.input, names)),
                      _share(r.index, r.index_conf), *totals,
                      f"{r.swing:+.2f}", f"{r.low:g}-{r.high:g}")
    out.print(table)
    if any(_noise(r.index) or _noise(r.total) for r in ex.inputs):
        out.print(NOISE_NOTE, highlight=False, markup=False)
    if ex.influence and not any(i.offers_accepted for i in ex.influence):
        out.print(f"In the median run (sample {ex.median_sample}, final "
                  f"{ex.median_position:.1f}) no actor accepted an offer on {found.issue}: "
                  "no one moved it, and its forecast is where the bargaining began.",
                  highlight=False, markup=False)
    elif ex.influence:
        it = Table(title=f"Who moved {found.issue} in the median run (sample "
                   f"{ex.median_sample}, final {ex.median_position:.1f})", title_justify="left",
                   caption=MOVED_NOTE, caption_justify="left")
        for col in ("actor", "moved others (points)", "was moved (points)", "offers accepted"):
            it.add_column(col, justify="left" if col == "actor" else "right")
        for i in ex.influence:
            it.add_row(Text(names.get(i.actor, i.actor)), f"{i.moved_others:.1f}",
                       f"{i.was_moved:.1f}", str(i.offers_accepted))
        out.print(it)
