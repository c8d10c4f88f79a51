"""What explains a question's probability, as a typed result: the uncertain inputs ranked
by their share of its variance, and who moved its issue in the median run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from statecraft.analysis.questions import Question
from statecraft.analysis.sensitivity import Influence
from statecraft.api.results.common import FromProvenance, Json, Provenance, frame

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

NOISE = ("index_noise (total_noise) marks an index estimated outside 0-1, which no share "
         "of variance can be: estimation noise around that bound; the estimate is kept as "
         "computed")
"""What ``index_noise`` and ``total_noise`` mean, said in the JSON beside them."""


def is_noise(x: float | None) -> bool:
    """Whether an estimated share of variance lies outside 0-1, where no share can: the
    estimators (RBD-FAST, Sobol') are unbiased, so near 0 (or 1) they stray past it."""
    return x is not None and not 0.0 <= x <= 1.0


@dataclass(frozen=True)
class InputEffect:
    """One uncertain input: its first-order index with its 95% confidence half-width, its
    total-order index and half-width (None without a Sobol' design), its effect on the
    probability (``swing``: the mean over samples with the input in the top fifth of its
    range minus that in the bottom fifth) and its range."""

    input: str
    index: float
    index_conf: float
    total: float | None
    total_conf: float | None
    swing: float
    low: float
    high: float

    def to_dict(self) -> dict[str, Json]:
        return {"input": self.input, "index": self.index, "index_conf": self.index_conf,
                "total": self.total, "total_conf": self.total_conf, "swing": self.swing,
                "low": self.low, "high": self.high, "index_noise": is_noise(self.index),
                "total_noise": None if self.total is None else is_noise(self.total)}


@dataclass(frozen=True)
class Explanation(FromProvenance):
    """What drives one question's probability (``inputs``, ranked), and who moved its
    issue in the median run (``influence``; the sample whose final position on the issue
    is nearest the median). ``total`` is the Sobol' design's base samples (0: first-order
    indices only, from the forecast's own samples)."""

    provenance: Provenance
    question: Question
    probability: float
    inputs: tuple[InputEffect, ...]
    median_sample: int
    median_position: float
    influence: tuple[Influence, ...]
    total: int = 0

    def to_frame(self) -> DataFrame:
        """The ranked inputs (rows, in rank order)."""
        return frame((i.to_dict() for i in self.inputs),
                     ("input", "index", "index_conf", "total", "total_conf", "swing", "low",
                      "high", "index_noise", "total_noise")).set_index("input")

    def influence_frame(self) -> DataFrame:
        """Per actor in the median run: points it moved others, points it was moved and
        offers accepted."""
        return frame((dict(i.__dict__) for i in self.influence),
                     ("actor", "moved_others", "was_moved", "offers_accepted")
                     ).set_index("actor")

    def to_dict(self) -> dict[str, Json]:
        """The JSON of ``statecraft explain --json``."""
        p, q = self.provenance, self.question
        return {"question": q.id, "text": q.text, "condition": q.condition,
                "model": p.model, "samples": p.samples, "seed": p.seed,
                "probability": self.probability, "calibrated": self.calibrated,
                "sobol_base_samples": self.total,
                "inputs": [i.to_dict() for i in self.inputs],
                "median_sample": self.median_sample,
                "median_position": self.median_position,
                "influence": [dict(i.__dict__) for i in self.influence],
                "noise": NOISE, "version": p.version, "provenance": p.to_dict()}
