"""The options game in pygambit: build it, export it as .efg, compute a logit QRE.

pygambit is an optional dependency (the ``games`` extra); it is imported here only.
The logit quantal response equilibrium is pygambit's agent (behaviour-strategy) QRE,
``pygambit.qre.logit_solve_lambda``, traced from lambda = 0 to the requested lambda: each
player at each decision node chooses an option with probability proportional to
``exp(lam * expected payoff)``, given everyone else's QRE play. ``lam`` is the rationality
per unit of payoff: 0 is uniform play, large values approach the subgame-perfect
equilibrium. (Its probabilities are read by action position, which pygambit 16.7 supports
on QRE profiles.)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from statecraft.games.tree import GameTree, Leaf, Move

Path = tuple[tuple[str, str], ...]


def _gbt() -> Any:
    try:
        import pygambit
    except ImportError:
        raise RuntimeError("the options game needs pygambit: pip install 'statecraft[games]'"
                           ) from None
    return pygambit


def _moves(node: Move | Leaf) -> Iterator[Move]:
    if isinstance(node, Move):
        yield node
        for child in node.children:
            yield from _moves(child)


def to_gambit(game: GameTree, row: int = 0, title: str = "statecraft options game"
              ) -> tuple[Any, dict[Path, Any]]:
    """The pygambit game of batch row ``row``, and each decision node's infoset by path."""
    gbt = _gbt()
    if not game.players:
        raise ValueError("no actor has a choice to make on this date")
    g = gbt.Game.new_tree(players=list(game.players), title=title)
    who = {a: n for n, a in enumerate(game.actors)}
    infosets: dict[Path, Any] = {}

    def build(node: Move | Leaf, where: Any) -> None:
        if isinstance(node, Leaf):
            label = " / ".join(f"{n}:{o}" for n, o in node.path) or "status quo"
            payoffs = [float(node.payoffs[row, who[p]]) for p in game.players]
            g.set_outcome(where, g.add_outcome(label, payoffs))
            return
        player = g.players.chance if node.actor == "chance" else node.actor
        g.append_move(where, player, list(node.options))
        where.infoset.label = f"{node.node}#{len(infosets)}"  # unique: the tree copies nodes
        infosets[node.path] = where.infoset
        if node.probabilities is not None:
            fr = [Fraction(p).limit_denominator(10**6) for p in node.probabilities]
            fr[-1] = 1 - sum(fr[:-1], Fraction(0))
            g.set_chance_probs(where.infoset, fr)
        for child, kid in zip(node.children, list(where.children), strict=True):
            build(child, kid)

    build(game.root, g.root)
    return g, infosets


def qre(game: GameTree, lam: float, row: int = 0) -> dict[Path, list[float]]:
    """Logit QRE choice probabilities at each decision node (by path), for batch row ``row``."""
    gbt = _gbt()
    if not (lam >= 0 and math.isfinite(lam)):
        raise ValueError(f"lambda: found {lam:g}; expected a finite number >= 0")
    g, infosets = to_gambit(game, row)
    if lam == 0:
        return {path: [1.0 / len(inf.actions)] * len(inf.actions)
                for path, inf in infosets.items() if not inf.is_chance}
    profile = gbt.qre.logit_solve_lambda(g, lam=[lam])[-1]
    position = {(a.infoset.label, a.label): k for k, a in enumerate(g.actions)}
    return {path: [float(profile[position[(infoset.label, a.label)]]) for a in infoset.actions]
            for path, infoset in infosets.items() if not infoset.is_chance}


def max_regret(game: GameTree, choice: dict[Path, int], row: int = 0) -> float:
    """Largest gain any player could make by deviating from the given pure choices."""
    g, infosets = to_gambit(game, row)
    profile = g.mixed_behavior_profile()
    for path, infoset in infosets.items():
        if infoset.is_chance:
            continue
        for k, action in enumerate(infoset.actions):
            profile[action] = 1.0 if k == choice[path] else 0.0
    return float(profile.max_regret())


def sequential_regret(game: GameTree, choice: dict[Path, int], row: int = 0,
                      tremble: float = 1e-9) -> float:
    """Largest gain a mover could make at any decision node, reached or not.

    A check of subgame perfection computed by pygambit, independent of ``spe``: every
    action gets probability ``tremble`` besides the chosen one, so that every node is
    reached and pygambit's conditional action values (continuation payoffs) are defined
    everywhere; the regret at a node is its best action value less the chosen one's.
    Zero (up to the tremble) means the choices are subgame perfect; ``max_regret`` alone
    cannot tell, since a non-credible threat off the path costs nothing there.
    """
    g, infosets = to_gambit(game, row)
    profile = g.mixed_behavior_profile()
    for path, infoset in infosets.items():
        if infoset.is_chance:
            continue
        n = len(infoset.actions)
        for k, action in enumerate(infoset.actions):
            profile[action] = 1.0 - tremble * (n - 1) if k == choice[path] else tremble
    worst = 0.0
    for path, infoset in infosets.items():
        if infoset.is_chance:
            continue
        values = [float(profile.action_value(a)) for a in infoset.actions]
        worst = max(worst, max(values) - values[choice[path]])
    return worst


def to_efg(game: GameTree, row: int = 0) -> str:
    """The game in Gambit's .efg text format."""
    g, _ = to_gambit(game, row)
    return str(g.to_efg())
