"""The options game as a typed result: each decision's options with their subgame-perfect
choice and QRE probability, and the outcome of the subgame-perfect path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from statecraft.api.results.common import FromProvenance, Json, Provenance, frame

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]


@dataclass(frozen=True)
class GameOption:
    """One option at a decision: at a chance node its ``probability``; at an actor's,
    whether it is the subgame-perfect choice (``spe``), its logit QRE probability
    (``qre``) and, over Monte Carlo samples, how often it was the subgame-perfect choice
    (``mc_share``) and its mean QRE probability (``mc_qre``)."""

    id: str
    label: str
    probability: float | None = None
    spe: bool | None = None
    qre: float | None = None
    mc_share: float | None = None
    mc_qre: float | None = None

    def to_dict(self) -> dict[str, Json]:
        """The fields a node of its kind has (a chance node's option: ``probability``)."""
        out: dict[str, Json] = {"id": self.id, "label": self.label}
        if self.probability is not None:
            out["probability"] = self.probability
            return out
        out["spe"], out["qre"] = self.spe, self.qre
        if self.mc_share is not None:
            out["mc_share"], out["mc_qre"] = self.mc_share, self.mc_qre
        return out


@dataclass(frozen=True)
class GameNode:
    """A decision of the game: who decides (empty: chance), what, after which choices
    (``path``: (node, option) steps from the root), and its options."""

    path: tuple[tuple[str, str], ...]
    depth: int
    node: str
    actor: str
    label: str
    options: tuple[GameOption, ...]

    def to_dict(self) -> dict[str, Json]:
        return {"path": [list(step) for step in self.path], "depth": self.depth,
                "node": self.node, "actor": self.actor, "label": self.label,
                "options": [o.to_dict() for o in self.options]}


@dataclass(frozen=True)
class NamedOutcome:
    """A position with the named point of its issue's scale nearest it, in words
    (``label``), and whether any option moves the issue at all (``moved``)."""

    position: float
    point: float
    text: str
    on_point: bool
    label: str
    moved: bool = True

    def to_dict(self) -> dict[str, Json]:
        return {"position": self.position, "point": self.point, "text": self.text,
                "on_point": self.on_point, "label": self.label, "moved": self.moved}


@dataclass(frozen=True)
class OptionsGame(FromProvenance):
    """The actors' options as a game on a date (``as_of``), solved: ``nodes`` in the
    order of the tree, the subgame-perfect path's outcome per issue (as a number, and
    named: ``spe_outcome_named``) and each player's payoff on it; ``lam`` is the QRE
    rationality. The outcome is the options' effects on the status quo, not a forecast
    (``outcome_note``)."""

    provenance: Provenance
    as_of: str
    players: tuple[str, ...]
    lam: float
    nodes: tuple[GameNode, ...]
    spe_outcome: Mapping[str, float]
    spe_outcome_named: Mapping[str, NamedOutcome]
    outcome_note: str
    spe_payoffs: Mapping[str, float]

    def to_frame(self) -> DataFrame:
        """One row per option: its node, who decides, the option and its figures."""
        rows = [{"node": n.node, "actor": n.actor, "decision": n.label, "depth": n.depth,
                 "after": ", ".join(o for _, o in n.path), "option": o.id,
                 "label": o.label, "probability": o.probability, "spe": o.spe,
                 "qre": o.qre, "mc_share": o.mc_share, "mc_qre": o.mc_qre}
                for n in self.nodes for o in n.options]
        return frame(rows, ("node", "actor", "decision", "depth", "after", "option",
                            "label", "probability", "spe", "qre", "mc_share", "mc_qre"))

    def outcome_frame(self) -> DataFrame:
        """Per issue: the subgame-perfect path's outcome, its nearest named point, and
        whether an option moves the issue."""
        return frame(({"issue": k, **v.to_dict()} for k, v in self.spe_outcome_named.items()),
                     ("issue", "position", "point", "text", "on_point", "label",
                      "moved")).set_index("issue")

    def node_dicts(self) -> list[dict[str, Json]]:
        """The nodes in their JSON form (as the report's figure of the tree reads them)."""
        return [n.to_dict() for n in self.nodes]

    def to_dict(self) -> dict[str, Json]:
        """The JSON of ``statecraft options --json`` and the web's ``/api/options``."""
        p = self.provenance
        return {"scenario": p.scenario, "as_of": self.as_of, "players": list(self.players),
                "lambda": self.lam, "samples": p.samples, "seed": p.seed,
                "nodes": self.node_dicts(),
                "spe_outcome": dict(self.spe_outcome),
                "spe_outcome_named": {k: v.to_dict()
                                      for k, v in self.spe_outcome_named.items()},
                "outcome_note": self.outcome_note, "spe_payoffs": dict(self.spe_payoffs),
                "version": p.version, "provenance": p.to_dict()}
