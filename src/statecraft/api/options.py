"""The actors' strategic options as a game, and the treaty rules in force on a date."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from statecraft.api.results.common import Provenance
from statecraft.api.results.options import GameNode, GameOption, NamedOutcome, OptionsGame
from statecraft.atomic import write_output
from statecraft.errors import OptionError
from statecraft.rules import Timeline
from statecraft.rules import timeline as rules_timeline
from statecraft.scenario import (
    Issue,
    Loaded,
    to_model_inputs,
)
from statecraft.scenario.options_schema import MAX_RATIONALITY


def _date(as_of: dt.date | None, loaded: Loaded) -> dt.date:
    when = as_of or loaded.scenario.as_of
    if when is None:
        raise OptionError("the scenario has no as_of date; give the date the options are "
                          "read at", "as_of")
    return when


def named_outcome(issue: Issue, value: float) -> NamedOutcome:
    """A position with the named point of its issue's scale nearest it: ``position``,
    ``point``, ``text``, ``on_point`` (whether the position is that point, not only
    nearest it) and ``label``, the two in words: "60 (extended for a further term)", or
    "65 (not a named point; nearest 75: ...)"."""
    point, text = issue.nearest_anchor(value)
    on_point = math.isclose(value, point, abs_tol=1e-9)
    shown = f"{point:g}" if on_point else f"{round(value, 1):g}"
    label = (f"{shown} ({text})" if on_point
             else f"{shown} (not a named point; nearest {point:g}: {text})")
    return NamedOutcome(float(value), float(point), text, on_point, label)


OUTCOME_NOTE = ("The game's outcomes are the options' effects on the status quo, not a "
                "forecast: run and forecast, which model the actors' bargaining, differ.")
"""What the subgame-perfect path's outcome is, said beside it wherever it is shown."""


def untouched_outcome(issue: Issue) -> NamedOutcome:
    """An issue no option moves, said as such: it stays at its status quo in every path
    of the game ("unchanged: no option moves it; status quo 100 (...)")."""
    named = named_outcome(issue, issue.status_quo)
    return replace(named, label=f"unchanged: no option moves it; status quo {named.label}",
                   moved=False)


def timeline(loaded: Loaded, as_of: dt.date | None = None) -> Timeline:
    """The scenario's rules on a date: in force, deadlines passed, deadlines coming."""
    return rules_timeline(list(loaded.scenario.rules), _date(as_of, loaded))


def options_analysis(loaded: Loaded, *, samples: int = 0, seed: int | None = None,
                     lam: float | None = None, as_of: dt.date | None = None) -> OptionsGame:
    """The options game: subgame-perfect choices, logit QRE probabilities and, with
    ``samples``, how often each option is the subgame-perfect choice over Monte Carlo
    samples of the uncertain inputs (stances, capabilities and effect ranges), as
    ``mc_share``, and each option's QRE probability averaged over them, as ``mc_qre``.
    The outcome of the subgame-perfect path is given by issue as numbers
    (``spe_outcome``) and with each issue's nearest named point (``spe_outcome_named``,
    see ``named_outcome``), each saying whether an option moves it (``moved``: an issue
    no option affects is its status quo, said as such, see ``untouched_outcome``);
    ``outcome_note`` says that these are the options' effects on the status quo, not a
    forecast.

    A game past ``statecraft.games.tree.MAX_GAME_NODES`` nodes, or ``samples`` of it past
    ``MAX_GAME_VALUES`` numbers, is refused (``GameTooLarge``, a ``ValueError`` saying how
    large it would be) before anything is built or sampled."""
    from statecraft.games import gambit
    from statecraft.games.tree import Move, build_tree, check_size, logit_qre, spe
    from statecraft.uncertainty import sample_inputs

    scenario = loaded.scenario
    if scenario.options is None:
        raise ValueError(f"scenario {scenario.name!r} has no options section")
    when = _date(as_of, loaded)
    rationality = scenario.options.rationality if lam is None else lam
    if not (math.isfinite(rationality) and 0 <= rationality <= MAX_RATIONALITY):
        raise ValueError(f"lambda: found {rationality:g}; expected a number from 0 to "
                         f"{MAX_RATIONALITY:g}")
    check_size(scenario, as_of=when, samples=max(samples, 1))
    inputs = to_model_inputs(scenario)
    game = build_tree(scenario, inputs, as_of=when)
    solution = spe(game)
    probs = gambit.qre(game, rationality)
    shares: dict[tuple[tuple[str, str], ...], np.ndarray] = {}
    mean_qre: dict[tuple[tuple[str, str], ...], np.ndarray] = {}
    if samples > 0:
        rng = np.random.default_rng(seed)
        sampled = build_tree(scenario, sample_inputs(scenario, samples, rng), as_of=when,
                             rng=rng)
        for path, chosen in spe(sampled).choice.items():
            shares[path] = np.bincount(chosen, minlength=int(chosen.max()) + 1) / samples
        # The same agent QRE per sample, in closed form (it matches pygambit's; see tests).
        mean_qre = {path: p.mean(axis=0) for path, p in logit_qre(sampled, rationality).items()}
    nodes: list[GameNode] = []

    def walk(node: object, depth: int) -> None:
        if not isinstance(node, Move):
            return
        items = []
        for k, (opt, label) in enumerate(zip(node.options, node.labels, strict=True)):
            if node.probabilities is not None:
                items.append(GameOption(opt, label, probability=node.probabilities[k]))
                continue
            mc_share = mc_qre = None
            if node.path in shares:
                counts = shares[node.path]
                mc_share = float(counts[k]) if k < len(counts) else 0.0
                mc_qre = float(mean_qre[node.path][k])
            items.append(GameOption(opt, label, spe=bool(solution.choice[node.path][0] == k),
                                    qre=probs[node.path][k], mc_share=mc_share,
                                    mc_qre=mc_qre))
        nodes.append(GameNode(node.path, depth,
                              node.node, node.actor, node.label, tuple(items)))
        for child in node.children:
            walk(child, depth + 1)

    walk(game.root, 0)
    issues = {i.id: i for i in scenario.issues}
    moved = {e.issue for n in scenario.options.nodes for o in n.options for e in o.effects}

    def said(issue: str, value: float) -> NamedOutcome:
        return (named_outcome(issues[issue], value) if issue in moved
                else untouched_outcome(issues[issue]))

    return OptionsGame(
        Provenance.now("options", scenario.name, (), seed=seed, samples=samples),
        when.isoformat(), tuple(game.players), rationality, tuple(nodes),
        dict(zip(inputs.issue_ids, map(float, solution.outcome[0]), strict=True)),
        {k: said(k, float(v)) for k, v in zip(inputs.issue_ids, solution.outcome[0],
                                             strict=True)},
        OUTCOME_NOTE,
        dict(zip(inputs.actor_ids, map(float, solution.value[0]), strict=True)))


def export_efg(loaded: Loaded, path: str | Path, as_of: dt.date | None = None) -> None:
    """Write the options game (inputs at their midpoints) in Gambit's .efg format, whole
    or not at all."""
    from statecraft.games import gambit
    from statecraft.games.tree import build_tree

    game = build_tree(loaded.scenario, to_model_inputs(loaded.scenario),
                      as_of=_date(as_of, loaded))
    write_output(path, gambit.to_efg(game))
