"""The options tree of a scenario, expanded into a game tree with derived payoffs.

Pure code: no solver library here. A decision node is copied wherever it is reached, so
the result is a proper tree; options a rule does not allow on the scenario's date are left
out. At each leaf the issue positions are the status quo changed by the effects along the
path (``set`` replaces, ``shift`` adds; both clipped to 0-100), and each actor's payoff is
``statecraft.models.utility.outcome_utility`` of those positions. Everything is vectorised
over a batch of samples (uncertain stances and effect ranges).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from statecraft.errors import LimitError
from statecraft.models.inputs import ModelInputs
from statecraft.models.utility import outcome_utility
from statecraft.rules.timeline import allows
from statecraft.scenario.options_schema import Effect, Option, OptionsTree, Rule
from statecraft.scenario.schema import Scenario

FloatArray = NDArray[np.float64]

MAX_GAME_NODES = 128
"""Most nodes (decision, chance and end points) an expanded options game may have.

A node reached along several paths is copied once per path, so a few lines of options
can describe a tree of billions of nodes; the size is counted before anything is built.
pygambit's logit QRE takes time growing faster than the square of the tree, and slowly
with lambda: measured on one core with pygambit 17.0.0b2, 127 nodes (a binary game six
moves deep) take 0.04 s of CPU at lambda 10, 0.07 s at 1,000 and 0.09 s at 10^6; 511 nodes
take 1.1, 2.1 and 2.5 s (pygambit 16.7 took 1.9, 3.7 and 6.5 s for 127 nodes).
"""

MAX_GAME_VALUES = 25_000_000
"""Most numbers (8 bytes each, so 200 MB) a game over a batch of samples may hold: about
``samples * (nodes * (issues + actors) + 2 * actors * issues)``."""


class GameTooLarge(LimitError):
    """The options game would be larger than ``MAX_GAME_NODES`` or ``MAX_GAME_VALUES``."""


@dataclass(frozen=True)
class Leaf:
    """Where a path of choices ends: issue positions and every actor's payoff, per sample."""

    path: tuple[tuple[str, str], ...]
    positions: FloatArray  # (batch, issue)
    payoffs: FloatArray  # (batch, actor)


@dataclass(frozen=True)
class Move:
    """A decision (or chance) node, with one child per offered option."""

    node: str
    actor: str
    label: str
    path: tuple[tuple[str, str], ...]
    options: tuple[str, ...]
    labels: tuple[str, ...]
    probabilities: tuple[float, ...] | None
    children: tuple[Move | Leaf, ...] = field(default=())


@dataclass(frozen=True)
class GameTree:
    """The expanded game: its root, the actors (payoff order) and the players who move."""

    root: Move | Leaf
    actors: tuple[str, ...]
    players: tuple[str, ...]
    as_of: dt.date | None


def _amount(value: float | tuple[float, float], batch: int,
            rng: np.random.Generator | None) -> FloatArray:
    if isinstance(value, tuple):
        if rng is None:
            return np.full(batch, 0.5 * (value[0] + value[1]))
        return rng.uniform(value[0], value[1], batch)
    return np.full(batch, float(value))


def _apply(positions: FloatArray, effects: list[Effect], issues: dict[str, int], batch: int,
           rng: np.random.Generator | None) -> FloatArray:
    out = positions.copy()
    for e in effects:
        k = issues[e.issue]
        if e.set is not None:
            out[:, k] = _amount(e.set, batch, rng)
        elif e.shift is not None:
            out[:, k] = out[:, k] + _amount(e.shift, batch, rng)
    return np.clip(out, 0.0, 100.0)


def build_tree(scenario: Scenario, inputs: ModelInputs, *, as_of: dt.date | None = None,
               rng: np.random.Generator | None = None) -> GameTree:
    """Expand the scenario's options into a game tree for the batch of ``inputs``.

    ``as_of`` (default: the scenario's ``as_of``) decides which rule-bound options are
    offered. Effect ranges are taken at their midpoints, or sampled with ``rng``.
    """
    tree = scenario.options
    if tree is None:
        raise ValueError(f"scenario {scenario.name!r} has no options section")
    when = as_of or scenario.as_of
    rules = {r.id: r for r in scenario.rules}
    issues = {k: n for n, k in enumerate(inputs.issue_ids)}
    batch = inputs.batch
    check_size(scenario, as_of=when, samples=batch)
    players: list[str] = []

    def expand(node_id: str, positions: FloatArray, path: tuple[tuple[str, str], ...]
               ) -> Move | Leaf:
        node = tree.node(node_id)
        offered = [o for o in node.options if _offered(o.requires, rules, when)]
        if not offered:
            return _leaf(path, positions)
        if node.actor != "chance" and node.actor not in players:
            players.append(node.actor)
        kids = []
        for opt in offered:
            moved = _apply(positions, opt.effects, issues, batch, rng)
            step = (*path, (node.id, opt.id))
            kids.append(expand(opt.next, moved, step) if opt.next else _leaf(step, moved))
        probs = None
        if node.actor == "chance":
            total = sum(o.probability or 0.0 for o in offered)
            probs = tuple((o.probability or 0.0) / total for o in offered)
        return Move(node.id, node.actor, node.label, path, tuple(o.id for o in offered),
                    tuple(o.label for o in offered), probs, tuple(kids))

    def _leaf(path: tuple[tuple[str, str], ...], positions: FloatArray) -> Leaf:
        pay = outcome_utility(positions, inputs.position, inputs.salience, inputs.present)
        return Leaf(path, positions, pay)

    start = np.broadcast_to(inputs.status_quo, (batch, len(inputs.issue_ids))).copy()
    root = expand(tree.root, start, ())
    return GameTree(root, inputs.actor_ids, tuple(players), when)


def check_size(scenario: Scenario, *, as_of: dt.date | None = None, samples: int = 1) -> int:
    """The number of nodes of the scenario's game on ``as_of``; ``GameTooLarge`` if it has
    more than ``MAX_GAME_NODES``, or if ``samples`` of it would hold more than
    ``MAX_GAME_VALUES`` numbers. Counted without building anything."""
    tree = scenario.options
    if tree is None:
        raise ValueError(f"scenario {scenario.name!r} has no options section")
    when = as_of or scenario.as_of
    rules = {r.id: r for r in scenario.rules}
    nodes = expanded_size(tree, lambda o: _offered(o.requires, rules, when))
    if nodes > MAX_GAME_NODES:
        raise GameTooLarge(
            f"the options game would have {_roughly(nodes)} nodes (decision and end "
            "points; a node reached along several paths counts once per path); the limit "
            f"is {MAX_GAME_NODES:,}, past which solving it takes more than a few seconds "
            "(about as the cube of its size): give fewer options a next node in common, "
            "or split the options into smaller games")
    actors, issues = len(scenario.actors), len(scenario.issues)
    per_sample = nodes * (issues + actors) + 2 * actors * issues
    if samples * per_sample > MAX_GAME_VALUES:
        most = max(MAX_GAME_VALUES // per_sample, 1)
        raise GameTooLarge(
            f"{samples:,} samples of the options game ({nodes:,} nodes, {actors} actors, "
            f"{issues} issues) would hold {_roughly(samples * per_sample)} numbers; the "
            f"limit is {MAX_GAME_VALUES:,} (200 MB): take at most {most:,} samples")
    return nodes


def _offered(requires: object, rules: dict[str, Rule], when: dt.date | None) -> bool:
    if requires is None:
        return True
    rule = rules[requires.rule]  # type: ignore[attr-defined]
    if when is None:
        return True
    return allows(rule, when, requires.while_)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Solution:
    """The subgame-perfect equilibrium, per sample.

    ``choice`` maps each decision node (by its path) to the index of the chosen option,
    ``(batch,)``; ``value`` is every actor's equilibrium payoff, ``(batch, actor)``;
    ``outcome`` the issue positions reached, ``(batch, issue)`` (expected, under chance).
    """

    choice: dict[tuple[tuple[str, str], ...], NDArray[np.int64]]
    value: FloatArray
    outcome: FloatArray


def spe(game: GameTree) -> Solution:
    """Backward induction: each mover takes the option with the highest continuation payoff.

    Exact ties go to the option listed first in the scenario (documented; with sampled
    inputs ties have probability zero). Chance nodes take expectations.
    """
    choice: dict[tuple[tuple[str, str], ...], NDArray[np.int64]] = {}
    actor_index = {a: n for n, a in enumerate(game.actors)}

    def solve(node: Move | Leaf) -> tuple[FloatArray, FloatArray]:
        if isinstance(node, Leaf):
            return node.payoffs, node.positions
        results = [solve(child) for child in node.children]
        values = np.stack([v for v, _ in results])  # (option, batch, actor)
        outcomes = np.stack([o for _, o in results])  # (option, batch, issue)
        if node.probabilities is not None:
            p = np.array(node.probabilities)[:, None, None]
            return (p * values).sum(axis=0), (p * outcomes).sum(axis=0)
        mover = actor_index[node.actor]
        best = np.argmax(values[:, :, mover], axis=0)  # first maximum on ties
        choice[node.path] = best
        rows = np.arange(values.shape[1])
        return values[best, rows], outcomes[best, rows]

    value, outcome = solve(game.root)
    return Solution(choice, value, outcome)


def expanded_size(tree: OptionsTree, offered: Callable[[Option], bool] | None = None) -> int:
    """How many nodes (decision, chance and end points) the expanded game has.

    Options may share a next node, so the tree can double at every level; each node's
    size is counted once (memoised, with an explicit stack) from the sizes below it, so
    the count takes time linear in the options however large the tree would be. Only the
    options ``offered`` keeps count (default: all); a node with none offered is an end
    point. Raises ``ValueError`` if the options loop back (validation reports that first).
    """
    keep = offered or (lambda _: True)
    nodes = {n.id: n for n in tree.nodes}

    def kept(node_id: str) -> list[Option]:
        return [o for o in nodes[node_id].options if keep(o)]

    size: dict[str, int] = {}
    on_trail = {tree.root}
    stack = [(tree.root, iter([o.next for o in kept(tree.root) if o.next]))]
    while stack:
        node_id, below = stack[-1]
        child = next(below, None)
        if child is None:
            stack.pop()
            on_trail.discard(node_id)
            size[node_id] = 1 + sum(size[o.next] if o.next else 1 for o in kept(node_id))
        elif child in on_trail:
            raise ValueError(f"the options loop back to node {child!r}")
        elif child not in size:
            on_trail.add(child)
            stack.append((child, iter([o.next for o in kept(child) if o.next])))
    return size[tree.root]


def _roughly(n: int) -> str:
    """A count for a message: in full up to a trillion, else as a power of ten."""
    if n < 10**12:
        return f"{n:,}"
    return f"about 10^{int(n.bit_length() * math.log10(2))}"


def logit_qre(game: GameTree, lam: float) -> dict[tuple[tuple[str, str], ...], FloatArray]:
    """The agent logit QRE of a perfect-information game, by backward recursion, per sample.

    At each decision node the mover picks option a with probability proportional to
    ``exp(lam * v_a)``, v_a being its expected payoff under QRE play below. In games of
    perfect information this is the agent QRE that pygambit traces; it serves Monte Carlo
    runs (no solver call per sample) and is checked against pygambit in the tests.
    """
    probs: dict[tuple[tuple[str, str], ...], FloatArray] = {}
    actor_index = {a: n for n, a in enumerate(game.actors)}

    def solve(node: Move | Leaf) -> FloatArray:
        if isinstance(node, Leaf):
            return node.payoffs
        values = np.stack([solve(child) for child in node.children])  # (option, batch, actor)
        if node.probabilities is not None:
            p = np.array(node.probabilities)[:, None]
        else:
            v = lam * values[:, :, actor_index[node.actor]]
            v = v - v.max(axis=0, keepdims=True)
            e = np.exp(v)
            p = e / e.sum(axis=0, keepdims=True)  # (option, batch)
            probs[node.path] = p.T
        expected: FloatArray = (p[:, :, None] * values).sum(axis=0)
        return expected

    solve(game.root)
    return probs
