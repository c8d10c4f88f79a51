"""Strategic options as an extensive-form game: built from the scenario, solved for the
subgame-perfect equilibrium (backward induction) and a logit QRE (pygambit)."""

from statecraft.games.tree import GameTree, Leaf, Move, build_tree, spe

__all__ = ["GameTree", "Leaf", "Move", "build_tree", "spe"]
