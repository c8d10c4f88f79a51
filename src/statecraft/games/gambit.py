"""The options game in pygambit: build it, export it as .efg, compute a logit QRE.

pygambit is an optional dependency (the ``games`` extra, pygambit 17); it is imported here
only. pygambit 17 names a node by the labels of the actions that lead to it from the root
(``pygambit.H.path``), so a decision node of the options tree is found in the pygambit
game by the options along its path, and its probabilities are read by option label.
The logit quantal response equilibrium is pygambit's agent (behaviour-strategy) QRE,
``pygambit.qre.logit_solve_lambda``, traced from lambda = 0 to the requested lambda: each
player at each decision node chooses an option with probability proportional to
``exp(lam * expected payoff)``, given everyone else's QRE play. ``lam`` is the rationality
per unit of payoff: 0 is uniform play, large values approach the subgame-perfect
equilibrium.
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


def _decisions(game: GameTree) -> dict[Path, Move]:
    """Each decision node (not chance) of the tree, by path."""
    return {m.path: m for m in _moves(game.root) if m.actor != "chance"}


def at(path: Path) -> Any:
    """pygambit's selector of the node reached by ``path``: the options taken from the root."""
    return _gbt().H.path(*(option for _, option in path))


def to_gambit(game: GameTree, row: int = 0, title: str = "statecraft options game"
              ) -> tuple[Any, dict[Path, Any]]:
    """The pygambit game of batch row ``row``, and each decision node's selector by path."""
    gbt = _gbt()
    if not game.players:
        raise ValueError("no actor has a choice to make on this date")
    g = gbt.ExtensiveGame(players=list(game.players), title=title)
    who = {a: n for n, a in enumerate(game.actors)}
    decisions: dict[Path, Any] = {}
    count = 0

    def build(node: Move | Leaf) -> None:
        nonlocal count
        where = at(node.path)
        if isinstance(node, Leaf):
            label = " / ".join(f"{n}:{o}" for n, o in node.path) or "status quo"
            payoffs = {p: float(node.payoffs[row, who[p]]) for p in game.players}
            g.make_outcome(where, payoffs, label)
            return
        label = f"{node.node}#{count}"  # unique: the tree copies nodes
        count += 1
        if node.probabilities is None:
            g.append_move(where, node.actor, list(node.options))
            g.make_infoset(where, node.actor, label)
            decisions[node.path] = where
        else:
            fr = [Fraction(p).limit_denominator(10**6) for p in node.probabilities]
            fr[-1] = 1 - sum(fr[:-1], Fraction(0))
            probs = dict(zip(node.options, fr, strict=True))
            g.append_event(where, probs)
            g.make_event(where, probs, label)
        for child in node.children:
            build(child)

    build(game.root)
    return g, decisions


def qre(game: GameTree, lam: float, row: int = 0) -> dict[Path, list[float]]:
    """Logit QRE choice probabilities at each decision node (by path), for batch row ``row``."""
    gbt = _gbt()
    if not (lam >= 0 and math.isfinite(lam)):
        raise ValueError(f"lambda: found {lam:g}; expected a finite number >= 0")
    moves = _decisions(game)
    if lam == 0:
        return {path: [1.0 / len(m.options)] * len(m.options) for path, m in moves.items()}
    g, decisions = to_gambit(game, row)
    profile = gbt.qre.logit_solve_lambda(g, lam=[lam])[-1].profile
    return {path: [float(profile[where][o]) for o in moves[path].options]
            for path, where in decisions.items()}


def _profile(game: GameTree, choice: dict[Path, int], row: int, tremble: float) -> Any:
    """The game, and the behaviour profile playing ``choice`` at every decision node, each
    other option with probability ``tremble``."""
    g, decisions = to_gambit(game, row)
    profile = g.mixed_behavior_profile()
    for path, move in _decisions(game).items():
        n = len(move.options)
        profile.set_mixed_action(decisions[path], {
            o: 1.0 - tremble * (n - 1) if k == choice[path] else tremble
            for k, o in enumerate(move.options)})
    return profile


def max_regret(game: GameTree, choice: dict[Path, int], row: int = 0) -> float:
    """Largest gain any player could make by deviating from the given pure choices."""
    return float(_profile(game, choice, row, 0.0).max_regret())


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
    profile = _profile(game, choice, row, tremble)
    action_values = profile.action_values
    worst = 0.0
    for path, move in _decisions(game).items():
        value = action_values[at(path)]
        values = [float(value[o]) for o in move.options]
        worst = max(worst, max(values) - values[choice[path]])
    return worst


def to_efg(game: GameTree, row: int = 0) -> str:
    """The game in Gambit's .efg text format."""
    g, _ = to_gambit(game, row)
    return str(g.to_efg())
