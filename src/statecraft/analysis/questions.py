"""Forecast questions: statements about an issue's final position, and their probabilities.

A question file (YAML, read safely) holds ``questions``: each with ``id``, ``text``,
``issue``, ``op`` (``">="`` or ``"<="``), ``threshold`` (0-100) and, once the world has
answered it, ``resolution`` (true/false), ``resolved_on`` and ``source`` (a citation of the
public record). An observations file (for numeric backtests) maps issue ids to observed
final positions on the issue's 0-100 scale. A question's
probability is the share of Monte Carlo samples whose final position meets the condition;
its Monte Carlo standard error is ``sqrt(p (1 - p) / n)``. Calibrated, it is the mean over
samples of each sample's predictive probability, which folds in how wrong the model has
been on real decisions (``statecraft.calibration``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from statecraft.calibration.predictive import ErrorModel, probability
from statecraft.scenario.errors import Problem, ScenarioError, found_expected
from statecraft.scenario.refs import Id, Text
from statecraft.scenario.validate import pydantic_problems
from statecraft.scenario.yamlsafe import YamlProblem, parse_yaml


class Question(BaseModel):
    """One forecastable statement about an issue."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Id
    text: str = Field(min_length=1)
    issue: Id
    op: Literal[">=", "<="]
    threshold: float = Field(ge=0, le=100, allow_inf_nan=False)
    resolution: bool | None = None
    resolved_on: dt.date | None = None
    source: Text | None = Field(None, description="Where the resolution is on the public "
                                "record: publisher, title, date (and URL as text).")
    note: str | None = None

    def holds(self, value: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether final positions meet the condition."""
        out: NDArray[np.bool_] = (value >= self.threshold if self.op == ">="
                                  else value <= self.threshold)
        return out


class QuestionSet(BaseModel):
    """A question file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    questions: list[Question] = Field(min_length=1)


def load_questions_text(text: str | bytes, filename: str,
                        issues: set[str] | None = None) -> QuestionSet:
    """Validate a question file; every problem at once, located; unknown issues are errors."""
    try:
        parsed = parse_yaml(text, filename)
    except YamlProblem as exc:
        raise ScenarioError([exc.problem]) from None
    problems: list[Problem] = []
    try:
        qs = QuestionSet.model_validate(parsed.data)
    except ValidationError as exc:
        raise ScenarioError(pydantic_problems(exc, parsed, filename)) from None
    seen: set[str] = set()
    for k, q in enumerate(qs.questions):
        line, col = parsed.mark_of(("questions", k)) or (None, None)
        if q.id in seen:
            problems.append(Problem(filename, line, col, ("questions", k, "id"),
                                    f"duplicate question id {q.id!r}"))
        seen.add(q.id)
        if issues is not None and q.issue not in issues:
            where = parsed.mark_of(("questions", k, "issue")) or (line, col)
            problems.append(Problem(filename, where[0], where[1], ("questions", k, "issue"),
                                    found_expected(q.issue, "an issue of the scenario ("
                                                   + ", ".join(sorted(issues)) + ")")))
        if (q.resolution is None) != (q.resolved_on is None):
            problems.append(Problem(filename, line, col, ("questions", k),
                                    "give resolution and resolved_on together"))
    if problems:
        raise ScenarioError(problems)
    return qs


def load_observed_text(text: str | bytes, filename: str,
                       issues: set[str] | None = None) -> dict[str, float]:
    """Validate an observations file: a mapping of issue id to a number from 0 to 100."""
    try:
        parsed = parse_yaml(text, filename)
    except YamlProblem as exc:
        raise ScenarioError([exc.problem]) from None
    if not isinstance(parsed.data, dict) or not parsed.data:
        raise ScenarioError([Problem(filename, 1, 1, (), found_expected(
            type(parsed.data).__name__, "a mapping of issue id to observed position (0-100)"))])
    problems: list[Problem] = []
    out: dict[str, float] = {}
    for key, value in parsed.data.items():
        line, col = parsed.mark_of((key,)) or (None, None)
        if issues is not None and key not in issues:
            problems.append(Problem(filename, line, col, (str(key),), found_expected(
                key, "an issue of the scenario (" + ", ".join(sorted(issues)) + ")")))
            continue
        ok = (isinstance(value, int | float) and not isinstance(value, bool)
              and 0 <= value <= 100)  # no float(): 10**400 would overflow
        if not ok:
            problems.append(Problem(filename, line, col, (str(key),),
                                    found_expected(value, "a number from 0 to 100")))
            continue
        out[str(key)] = float(value)
    if problems:
        raise ScenarioError(problems)
    return out


@dataclass(frozen=True)
class QuestionForecast:
    """A question's probability over the samples, with its Monte Carlo standard error;
    ``calibrated`` when it comes from the calibrated predictive distribution."""

    question: Question
    probability: float
    std_error: float
    samples: int
    calibrated: bool = False

    @property
    def interval95(self) -> tuple[float, float]:
        """The normal-approximation 95% Monte Carlo interval, clipped to [0, 1]."""
        half = 1.96 * self.std_error
        return max(self.probability - half, 0.0), min(self.probability + half, 1.0)


def probabilities(questions: QuestionSet, issue_ids: tuple[str, ...],
                  outcomes: NDArray[np.float64],
                  errors: ErrorModel | None = None) -> list[QuestionForecast]:
    """Each question's probability over the samples (rows of ``outcomes``).

    Without ``errors``: the share of samples that meet the condition (the inputs'
    uncertainty only). With a model's measured ``errors``: the mean over samples of the
    calibrated predictive probability (``statecraft.calibration.predictive``).
    """
    out = []
    n = outcomes.shape[0]
    if n == 0:
        raise ValueError("no completed samples to compute probabilities from")
    for q in questions.questions:
        x = outcomes[:, issue_ids.index(q.issue)]
        if errors is None:
            p = float(q.holds(x).mean())
            out.append(QuestionForecast(q, p, float(np.sqrt(p * (1 - p) / n)), n))
        else:
            p, se = probability(errors, x, q.op, q.threshold)
            out.append(QuestionForecast(q, p, se, n, calibrated=True))
    return out
