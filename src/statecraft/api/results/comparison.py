"""Two forecasts side by side as a typed result: what changed in their inputs, and what it
did to each issue's forecast and each question's probability."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from statecraft.analysis.compare import Difference
from statecraft.api.results.common import (
    IssueSummary,
    Json,
    Provenance,
    QuestionProbability,
    frame,
)

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]


@dataclass(frozen=True)
class IssueShift:
    """One issue in both forecasts, and the shift of its median from ``a`` to ``b``
    (calibrated medians when both are calibrated, else the samples')."""

    issue: str
    question: str
    a: IssueSummary
    b: IssueSummary
    calibrated: bool

    @property
    def median_a(self) -> float:
        return self.a.centre if self.calibrated else self.a.median

    @property
    def median_b(self) -> float:
        return self.b.centre if self.calibrated else self.b.median

    @property
    def shift(self) -> float:
        return self.median_b - self.median_a

    def to_dict(self) -> dict[str, Json]:
        return {"issue": self.issue, "question": self.question, "a": self.a.to_dict(),
                "b": self.b.to_dict(), "median_a": self.median_a,
                "median_b": self.median_b, "shift": self.shift,
                "calibrated": self.calibrated}


@dataclass(frozen=True)
class QuestionShift:
    """One question asked of both forecasts: both probabilities, the shift, and the
    standard error of the shift (the two independent Monte Carlo errors combined)."""

    a: QuestionProbability
    b: QuestionProbability

    @property
    def id(self) -> str:
        return self.a.id

    @property
    def text(self) -> str:
        return self.a.text

    @property
    def condition(self) -> str:
        return self.a.condition

    @property
    def shift(self) -> float:
        return self.b.probability - self.a.probability

    @property
    def std_error(self) -> float:
        return math.hypot(self.a.std_error, self.b.std_error)

    def to_dict(self) -> dict[str, Json]:
        return {"id": self.id, "text": self.text, "condition": self.condition,
                "a": self.a.probability, "b": self.b.probability, "shift": self.shift,
                "std_error": self.std_error}


@dataclass(frozen=True)
class Comparison:
    """Forecast ``b`` against forecast ``a`` (saved runs' ids, or the labels of forecasts
    made in a notebook): the settings and inputs that differ, the actors and issues only
    one has, per issue both summaries and the median's shift, per question both
    probabilities and the shift (``questions_note`` says why none is compared when a
    question set did not apply to both), and the samples each side is made of
    (``provenance.samples`` counts both sides' together; its calibration is the error
    file's when both sides are calibrated)."""

    a: str
    b: str
    settings: tuple[Difference, ...]
    inputs: tuple[Difference, ...]
    only_in_a: tuple[str, ...]  # issues
    only_in_b: tuple[str, ...]
    issues: tuple[IssueShift, ...]
    questions: tuple[QuestionShift, ...] = field(default=())
    actors_only_in_a: tuple[str, ...] = field(default=())
    actors_only_in_b: tuple[str, ...] = field(default=())
    questions_note: str = ""
    samples_a: int = 0
    samples_b: int = 0
    provenance: Provenance | None = None

    def to_frame(self) -> DataFrame:
        """Per issue in both (rows): the medians compared and the shift."""
        return frame(({"issue": r.issue, "median_a": r.median_a, "median_b": r.median_b,
                       "shift": r.shift, "calibrated": r.calibrated} for r in self.issues),
                     ("issue", "median_a", "median_b", "shift", "calibrated")
                     ).set_index("issue")

    def questions_frame(self) -> DataFrame:
        """Per question asked of both (rows): both probabilities, the shift and its s.e."""
        return frame((q.to_dict() for q in self.questions),
                     ("id", "text", "condition", "a", "b", "shift", "std_error")
                     ).set_index("id")

    def inputs_frame(self) -> DataFrame:
        """Each input whose value differs (rows): its value in ``a`` and in ``b``."""
        return frame(({"input": d.input, "a": _plain(d.a), "b": _plain(d.b)}
                      for d in self.inputs), ("input", "a", "b")).set_index("input")

    def to_dict(self) -> dict[str, Json]:
        """The JSON of ``statecraft runs compare --json`` and the web's ``/api/compare``."""
        out: dict[str, Json] = {
            "a": self.a, "b": self.b,
            "settings": [d.as_dict() for d in self.settings],
            "inputs": [d.as_dict() for d in self.inputs],
            "only_in_a": list(self.only_in_a), "only_in_b": list(self.only_in_b),
            "actors_only_in_a": list(self.actors_only_in_a),
            "actors_only_in_b": list(self.actors_only_in_b),
            "issues": [r.to_dict() for r in self.issues],
            "questions": [q.to_dict() for q in self.questions],
            "questions_note": self.questions_note,
            "samples_a": self.samples_a, "samples_b": self.samples_b}
        if self.provenance is not None:
            out["provenance"] = self.provenance.to_dict()
        return out


def _plain(v: object) -> Json:
    """An input's value as a frame's cell: a number, a [low, high] pair, or None."""
    if isinstance(v, tuple | list):
        return [float(x) for x in v]
    return v if v is None or isinstance(v, int | float | str | bool) else str(v)
