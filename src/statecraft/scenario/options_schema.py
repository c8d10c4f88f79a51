"""Scenario sections for strategic choices (``options``) and treaty clauses (``rules``).

``options`` is a tree of decision points: each node is an actor's choice (or a chance
node), each option shifts or sets issue positions and may lead to a further node. Payoffs
are never typed: ``statecraft.games`` derives them from the actors' stances.
``rules`` are dated clauses, such as a term that renews itself unless a party gives notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema

from statecraft.scenario.refs import Id, Sources
from statecraft.scenario.strict import Strict


def _shift_or_set(v: object) -> float | tuple[float, float]:
    if isinstance(v, int | float) and not isinstance(v, bool) and -100 <= v <= 100:
        return float(v)
    if (isinstance(v, list | tuple) and len(v) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)
            and -100 <= v[0] <= v[1] <= 100):
        return (float(v[0]), float(v[1]))
    raise ValueError("a number from -100 to 100, or a [low, high] range within it")


Amount = Annotated[
    float | tuple[float, float], PlainValidator(_shift_or_set),
    WithJsonSchema({"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"},
                                                  "minItems": 2, "maxItems": 2}]}),
]


MAX_RATIONALITY = 1000.0
"""The largest logit QRE lambda accepted. At 1,000 an option worth 0.01 more (in units of
salience) is already some 22,000 times likelier; pygambit's QRE follows its path from 0 to
lambda, which takes longer the larger lambda is (minutes for the entry game at 1e50)."""


class Effect(Strict):
    """What an option does to one issue: ``set`` a position or ``shift`` it (clipped to 0-100)."""

    issue: Id
    set: Amount | None = None
    shift: Amount | None = None

    def model_post_init(self, context: Any) -> None:
        if (self.set is None) == (self.shift is None):
            raise ValueError("give exactly one of set or shift")
        if self.set is not None:
            lo = self.set if isinstance(self.set, float) else self.set[0]
            if lo < 0:
                raise ValueError("set takes a position from 0 to 100")


class Requirement(Strict):
    """An option offered only while a rule allows it on the scenario's date."""

    rule: Id
    while_: Literal["in_force", "notice_open"] = Field("in_force", alias="while")


class Option(Strict):
    """One choice at a decision point."""

    id: Id
    label: str
    effects: list[Effect] = Field(default_factory=list)
    next: Id | None = None
    probability: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)
    requires: Requirement | None = None
    source: Sources | None = None
    note: str | None = None


class DecisionNode(Strict):
    """An actor's choice among options, or (``actor: chance``) a move of nature."""

    id: Id
    actor: Id
    label: str
    options: list[Option] = Field(min_length=1)


class OptionsTree(Strict):
    """The decision points, and the one the game starts from."""

    root: Id
    nodes: list[DecisionNode] = Field(min_length=1)
    rationality: float = Field(10.0, gt=0, le=MAX_RATIONALITY, allow_inf_nan=False,
                               description="logit QRE lambda (per unit payoff), at most "
                               f"{MAX_RATIONALITY:g}")

    def node(self, node_id: str) -> DecisionNode:
        """The node with this id."""
        return next(n for n in self.nodes if n.id == node_id)


class Term(Strict):
    """A term that may renew itself unless a party gives notice before it ends.

    ``renewals`` caps how many times it renews (none given: without limit).
    """

    years: int = Field(gt=0, le=100)
    renews_for_years: int | None = Field(None, gt=0, le=100)
    notice_months: int | None = Field(None, gt=0, le=120)
    renewals: int | None = Field(None, gt=0, le=100)

    def model_post_init(self, context: Any) -> None:
        if self.renewals is not None and self.renews_for_years is None:
            raise ValueError("renewals needs renews_for_years")


class Rule(Strict):
    """A dated clause of an agreement."""

    id: Id
    text: str
    in_force_from: dt.date
    term: Term | None = None
    due_within_months: int | None = Field(None, gt=0, le=1200)
    due: dt.date | None = None
    source: Sources | None = None
    note: str | None = None
