"""The options game in pygambit: build it, export it as .efg, compute a logit QRE.

pygambit is an optional dependency (the ``games`` extra); it is imported here only.
The logit quantal response equilibrium is computed on the game's strategic form
(``pygambit.qre.logit_solve_lambda(..., use_strategic=True)``) and reported as the
behaviour probabilities it implies at each decision node. ``lam`` is the rationality
parameter per unit of payoff: 0 is uniform play, large values approach a Nash equilibrium.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from statecraft.games.tree import GameTree, Leaf, Move

MAX_CONTINGENCIES = 200_000
"""Largest strategic form the QRE is computed on (pure-strategy profiles)."""

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
    g, infosets = to_gambit(game, row)
    size = 1
    for p in g.players:
        size *= len(p.strategies)
    if size > MAX_CONTINGENCIES:
        raise ValueError(f"the game's strategic form has {size} strategy profiles; the QRE "
                         f"is computed up to {MAX_CONTINGENCIES} (simplify the options tree)")
    result = gbt.qre.logit_solve_lambda(g, lam=[lam], use_strategic=True)
    behaviour = result[-1].profile.as_behavior()
    return {path: [float(behaviour[a]) for a in infoset.actions]
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


def to_efg(game: GameTree, row: int = 0) -> str:
    """The game in Gambit's .efg text format."""
    g, _ = to_gambit(game, row)
    return str(g.to_efg())
