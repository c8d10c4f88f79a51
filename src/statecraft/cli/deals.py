"""Trades and what it would take: ``deals`` and ``advise``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from statecraft import api
from statecraft.api.advice_words import (
    UTILITY_NOTE,
    option_brief,
    option_words,
    possessive,
    price_words,
    unreached_groups,
)
from statecraft.cli.common import (
    JsonOpt,
    QuietOpt,
    ScenarioArg,
    SourcesDirOpt,
    _fail,
    _load,
    _print_json,
    app,
    print_wrapped,
)
from statecraft.cli.models import ModelOpt, RoundsOpt, SettingOpt, chosen_settings

if TYPE_CHECKING:
    from statecraft.api import Loaded
    from statecraft.api.deals import Advice, Deal, Deals



def _names(loaded: Loaded) -> dict[str, str]:
    return {a.id: a.name for a in loaded.scenario.actors}


def deal_words(d: Deal, names: dict[str, str], samples: int) -> list[str]:
    """A deal in two lines of words."""
    a, b = names.get(d.actor_a, d.actor_a), names.get(d.actor_b, d.actor_b)
    first = (f"{d.rank}. {a} moves on {d.issue_a} by {d.shift_a:+.1f} (to {d.to_a:.1f}); in "
             f"return {b} moves on {d.issue_b} by {d.shift_b:+.1f} (to {d.to_b:.1f})")
    (ia, sa), (ib, sb) = d.outcome_shift().items()
    second = (f"each gains {d.gain_a:.3f}; expected outcomes: {ia} {d.outcome_a[0]:.1f} -> "
              f"{d.outcome_a[1]:.1f} ({sa:+.1f}), {ib} {d.outcome_b[0]:.1f} -> "
              f"{d.outcome_b[1]:.1f} ({sb:+.1f})")
    if d.share_paying is not None:
        second += f"; pays both sides in {d.share_paying:.0%} of {samples:,} samples"
    return [first, second]


def gives_way(result: Deals, issues: list[str]) -> tuple[list[str], list[str]]:
    """For the deals' actor: the issues it gives way on in some deal, and those it gives
    way on in none (of those where it has a stance)."""
    actor = result.actor
    on = {d.issue_a if d.actor_a == actor else d.issue_b for d in result.deals}
    return [i for i in issues if i in on], [i for i in issues if i not in on]


@app.command()
def deals(
    scenario: ScenarioArg = None,
    actor: Annotated[str | None, typer.Option(
        "--actor", help="Only the deals this actor (its id) is party to.")] = None,
    samples: Annotated[int, typer.Option(
        "--samples", min=0, help="Also strike each deal in this many Monte Carlo samples "
        "(those forecast draws with the seed) and say in what share it still pays both "
        "sides (0: none).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the samples.")] = 7,
    top: Annotated[int, typer.Option(min=1, help="How many deals to list.")] = 20,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The trades across issues that pay both sides (position exchange model), ranked by
    joint gain."""
    from statecraft.api.deals import find_deals

    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    result = find_deals(loaded, actor=actor, samples=samples, seed=seed)
    if as_json:
        _print_json(result.to_dict())
        return
    names = _names(loaded)
    who = f" {names.get(actor, actor)} is party to" if actor else ""
    print_wrapped(f"Deals{who} that pay both sides, by joint gain ({len(result)} found; "
                  "position exchange model, equal-gain rate, each deal struck alone from "
                  "the scenario's positions):")
    for d in result.deals[:top]:
        first, second = deal_words(d, names, result.samples)
        print_wrapped(first, indent=2, hang=3)
        print_wrapped(second, indent=5, hang=2)
    if len(result) > top:
        print_wrapped(f"... and {len(result) - top} more (--top, or --json for all)", indent=2)
    if not result.deals:
        print_wrapped("No exchange pays both sides.", indent=2)
    if actor:
        issues = [st.issue for st in loaded.scenario.stances if st.actor == actor]
        on, never = gives_way(result, issues)
        name = names.get(actor, actor)
        if on:
            print_wrapped(f"{name} gives way in some deal on: {', '.join(on)}.")
        if never:
            print_wrapped(f"{name} gives way in no deal on: {', '.join(never)}: no trade of "
                          f"the model pays {name} to move there. What it would take: "
                          f"statecraft advise ACTOR --issue ISSUE --target ... prices it.")
    print_wrapped(UTILITY_NOTE)


def print_advice(a: Advice, names: dict[str, str], *, own_stance: bool = True) -> None:
    """The advice in words; ``own_stance``: whether the advised actor has a stance on the
    target's issue (without one, it has no own move to price)."""
    from statecraft.api.deals import PERSUASION

    me = names.get(a.actor, a.actor)
    how = "calibrated" if a.calibration is not None else "uncalibrated"
    print_wrapped(f"What it would take for {a.target} to have probability at least "
                  f"{a.probability:g} (now {a.before:.3f}), for {me}; {a.model} model, "
                  f"{how}, {a.samples:,} samples, seed {a.seed}; {a.forecasts} "
                  f"forecast{'' if a.forecasts == 1 else 's'} searched.")
    for note in a.notes:
        print_wrapped(f"note: {note}")
    if a.before >= a.probability and not a.options:
        return  # already met: nothing was searched
    reach = a.reaching()
    unit = (f"cost in points of {possessive(me)} own position; a salience change of 0.01 "
            "counts 1" if own_stance else f"cost in points of position ({me} has no stance "
            f"on {a.target.issue}, so no move of its own)")
    print_wrapped(f"Options that reach it, cheapest first ({unit}; a point of another "
                  f"actor's move counts {PERSUASION:g}, a convention for what persuading "
                  "costs; each checked by re-running the forecast with it applied):")
    for k, o in enumerate(reach, 1):
        print_wrapped(option_words(o, names, k), indent=2, hang=3)
    if not reach:
        print_wrapped("none: no single change searched reaches it", indent=2)
    raising, lowering, idle = unreached_groups(a.options)
    if raising:
        print_wrapped("Not enough alone, even at full size:")
        for o in raising:
            print_wrapped(option_words(o, names), indent=2, hang=3)
    if lowering:
        print_wrapped("These lower it:")
        for o in lowering:
            print_wrapped(option_words(o, names), indent=2, hang=3)
    if idle:
        print_wrapped(f"No effect even at full size (P stays {a.before:.3f}): "
                      + "; ".join(option_brief(o, names) for o in idle) + ".")
    for p in a.prices:
        for k, line in enumerate(price_words(p, names)):
            print_wrapped(line, indent=0 if k == 0 else 2)
    if a.prices:
        print_wrapped(UTILITY_NOTE)


@app.command()
def advise(
    actor: Annotated[str, typer.Argument(help="The actor advised (its id).")],
    issue: Annotated[str, typer.Option("--issue", help="The issue (its id).")],
    target: Annotated[str, typer.Option(
        "--target", help="The outcome wanted: an operator and a number on the issue's "
        "0-100 scale, e.g. \"<= 40\".")],
    scenario: ScenarioArg = None,
    probability: Annotated[float, typer.Option(
        "--probability", help="The probability wanted (0.01 to 0.99).")] = 0.5,
    samples: Annotated[int, typer.Option(
        "--samples", min=1, help="Monte Carlo samples each forecast runs.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed; the same seed gives the same result.")] = 7,
    model: ModelOpt = api.DEFAULT_MODEL,
    rounds: RoundsOpt = None,
    setting: SettingOpt = None,
    uncalibrated: Annotated[bool, typer.Option(
        "--uncalibrated", help="The share of samples that meet the target, without the "
        "model's measured error.")] = False,
    as_json: JsonOpt = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """What it would take: the smallest changes that make a target outcome likely, found by
    re-running the model, ranked by cost; and the price of those who lose by it."""
    from statecraft.api.deals import advise as advise_api

    if not target.strip():
        raise _fail("--target: empty; expected an operator and a number, e.g. \"<= 40\"")
    loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
    params = chosen_settings(model, rounds=rounds, setting=setting)
    result = advise_api(loaded, actor, issue=issue, target=target,
                        probability=probability, samples=samples, seed=seed,
                        model=model, params=params, calibrated=not uncalibrated)
    if as_json:
        _print_json(result.to_dict())
        return
    print_advice(result, _names(loaded), own_stance=any(
        s.actor == actor and s.issue == issue for s in loaded.scenario.stances))
