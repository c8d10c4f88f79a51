"""Forecast questions: statements about an issue's final position, and their probabilities.

A question file (YAML, read safely) holds ``questions``: each with ``id``, ``text``,
``issue``, a condition on the issue's final position and, once the world has answered it,
``resolution`` (true/false), ``resolved_on`` and ``source`` (a citation of the public
record). The condition is ``op`` ``">="``, ``">"``, ``"<="`` or ``"<"`` with a
``threshold`` (``>`` and ``<`` leave the threshold itself out), or a band, ``op: between``
with ``low`` and ``high`` and which ends it ``include``: ``both`` (the default:
``low <= position <= high``), ``low``, ``high`` (``low < position <= high``) or
``neither``; every number is on the issue's 0-100 scale. The strict forms let two
questions that exclude each other share a boundary: ``x <= 50`` and ``x > 50`` count a
final position of exactly 50 once, where ``x <= 50`` and ``x >= 50`` count it twice (and
a calibrated distribution can put an atom there: ``statecraft.calibration``).

An observations file (for numeric backtests) maps issue ids to observed final positions
on the issue's 0-100 scale. A question's probability is the share of Monte Carlo samples
whose final position meets the condition; its Monte Carlo standard error is
``sqrt(p (1 - p) / n)``. Calibrated, it is the mean over samples of each sample's
predictive probability, which folds in how wrong the model has been on real decisions
(``statecraft.calibration``); a strict condition is the complement of the other
direction's (``P(X > t) = 1 - P(X <= t)``), so atoms at the threshold are counted on
exactly one side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from statecraft.calibration.predictive import ErrorModel, exceedance
from statecraft.scenario.controls import describe, unsafe_strings
from statecraft.scenario.errors import Problem, ScenarioError, found_expected
from statecraft.scenario.refs import Id, Text
from statecraft.scenario.strict import Strict
from statecraft.scenario.validate import pydantic_problems
from statecraft.scenario.yamlsafe import Parsed, YamlProblem, parse_yaml

Op = Literal[">=", ">", "<=", "<", "between"]
THRESHOLD_OPS: tuple[str, ...] = (">=", ">", "<=", "<")
"""The operators that take a ``threshold``."""
Include = Literal["both", "low", "high", "neither"]
INCLUDE: tuple[str, ...] = ("both", "low", "high", "neither")
"""Which ends a band includes."""

_Bound = Field(None, ge=0, le=100, allow_inf_nan=False)


def condition_problems(op: object, threshold: object, low: object, high: object,
                       include: object = None) -> list[tuple[str, str]]:
    """What is wrong with a question's condition, as (field, message) pairs: ``threshold``
    goes with ``>=``, ``>``, ``<=`` and ``<``; ``low`` and ``high`` (``low <= high``) and
    ``include`` with ``between``, where a band leaving out an end needs ``low < high``.
    ``None`` is an absent field; values of the wrong type or out of range are left to the
    type checks."""
    out: list[tuple[str, str]] = []
    if op == "between":
        if threshold is not None:
            out.append(("threshold", found_expected(
                threshold, "no threshold with op 'between' (its band is low to high)")))
        for name, value in (("low", low), ("high", high)):
            if value is None:
                out.append((name, f"missing field {name!r} (op 'between' needs low and high)"))
        if _on_scale(low) and _on_scale(high) and low > high:  # type: ignore[operator]
            out.append(("high", found_expected(high, f"a number no lower than low ({low:g})")))
        elif (_on_scale(low) and low == high and include in INCLUDE
              and include != "both"):
            out.append(("include", found_expected(
                include, f"both: low and high are both {low:g}, and a band that leaves out "
                "an end of itself holds nowhere")))
    elif op in THRESHOLD_OPS:
        if threshold is None:
            out.append(("threshold", f"missing field 'threshold' (op {op!r} needs it)"))
        for name, value in (("low", low), ("high", high), ("include", include)):
            if value is not None:
                out.append((name, found_expected(
                    value, f"no {name} with op {op!r} (low, high and include go with op "
                    "'between')")))
    return out


def _on_scale(value: object) -> bool:
    """A number from 0 to 100 (not a boolean, not NaN)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and 0 <= value <= 100)


class Question(Strict):
    """One forecastable statement about an issue: ``issue op threshold``, or with
    ``op: between``, ``low <= issue <= high`` with the ends ``include`` says."""

    id: Id
    text: str = Field(min_length=1)
    issue: Id
    op: Op
    threshold: float | None = _Bound
    low: float | None = _Bound
    high: float | None = _Bound
    include: Include | None = Field(None, description="Which ends of a band count: both "
                                    "(the default), low, high or neither.")
    resolution: bool | None = None
    resolved_on: dt.date | None = None
    source: Text | None = Field(None, description="Where the resolution is on the public "
                                "record: publisher, title, date (and URL as text).")
    note: str | None = None

    @model_validator(mode="after")
    def _condition_is_whole(self, info: ValidationInfo) -> Question:
        # a question file's loader reports these itself, with their lines, beside every
        # other problem in the file (context ``located``); elsewhere they are raised here
        if info.context and info.context.get("located"):
            return self
        wrong = condition_problems(self.op, self.threshold, self.low, self.high,
                                   self.include)
        if wrong:
            raise ValueError("; ".join(f"{field}: {msg}" for field, msg in wrong))
        return self

    @property
    def includes(self) -> tuple[bool, bool]:
        """Whether a band includes its low and its high end."""
        inc = self.include or "both"
        return inc in ("both", "low"), inc in ("both", "high")

    @property
    def condition(self) -> str:
        """The condition as text, e.g. ``peacekeepers <= 50``, ``peacekeepers > 50`` or
        ``37.5 < transit_route <= 62.5``."""
        if self.op == "between":
            lo, hi = ("<=" if inc else "<" for inc in self.includes)
            return f"{self.low:g} {lo} {self.issue} {hi} {self.high:g}"
        return f"{self.issue} {self.op} {self.threshold:g}"

    def holds(self, value: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether final positions meet the condition (a band includes the ends
        ``include`` says)."""
        v = np.asarray(value, dtype=float)
        out: NDArray[np.bool_]
        if self.op == "between":
            assert self.low is not None and self.high is not None
            inc_lo, inc_hi = self.includes
            out = ((v >= self.low if inc_lo else v > self.low)
                   & (v <= self.high if inc_hi else v < self.high))
            return out
        assert self.threshold is not None
        t = self.threshold
        out = {">=": v >= t, ">": v > t, "<=": v <= t, "<": v < t}[self.op]
        return out

    def predictive(self, errors: ErrorModel, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per forecast ``x_i``, the calibrated predictive probability of the condition.

        ``>=`` and ``<=`` are ``exceedance``'s; ``>`` and ``<`` are the complements of
        ``<=`` and ``>=`` (``P(X > t) = 1 - P(X <= t)``), so an atom at ``t`` counts on
        exactly one side of a strict and an inclusive question about the same ``t``. A
        band is ``P(X above low) + P(X below high) - 1``, each end inclusive or strict:
        every outcome meets at least one of the two (``low <= high``, and ``low < high``
        when an end is left out), so this is exactly the mass of the band, atoms at its
        ends and at the scale's ends counted as the one-sided questions count them.
        """
        if self.op == "between":
            assert self.low is not None and self.high is not None
            inc_lo, inc_hi = self.includes
            both = (_at_least(errors, x, self.low, strict=not inc_lo)
                    + _at_most(errors, x, self.high, strict=not inc_hi) - 1.0)
            out: NDArray[np.float64] = np.clip(both, 0.0, 1.0)  # rounding only
            return out
        assert self.threshold is not None
        if self.op in (">=", ">"):
            return _at_least(errors, x, self.threshold, strict=self.op == ">")
        return _at_most(errors, x, self.threshold, strict=self.op == "<")


def _at_least(errors: ErrorModel, x: NDArray[np.float64], t: float, *,
              strict: bool) -> NDArray[np.float64]:
    """``P(X >= t)``, or with ``strict`` ``P(X > t) = 1 - P(X <= t)``, per forecast."""
    if strict:
        out: NDArray[np.float64] = 1.0 - exceedance(errors, x, "<=", t)
        return out
    return exceedance(errors, x, ">=", t)


def _at_most(errors: ErrorModel, x: NDArray[np.float64], t: float, *,
             strict: bool) -> NDArray[np.float64]:
    """``P(X <= t)``, or with ``strict`` ``P(X < t) = 1 - P(X >= t)``, per forecast."""
    if strict:
        out: NDArray[np.float64] = 1.0 - exceedance(errors, x, ">=", t)
        return out
    return exceedance(errors, x, "<=", t)


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
    problems = _condition_problems(parsed, filename)
    for place, ch in unsafe_strings(parsed.data):
        at = parsed.mark_of(place)
        problems.append(Problem(filename, at[0] if at else None, at[1] if at else None,
                                place, f"holds {describe(ch)}; expected text without "
                                "control characters or bidirectional overrides"))
    try:
        qs = QuestionSet.model_validate(parsed.data, context={"located": True})
    except ValidationError as exc:
        raise ScenarioError(_in_file_order(pydantic_problems(exc, parsed, filename)
                                           + problems)) from None
    reported = {p.path for p in problems}
    seen: set[str] = set()
    for k, q in enumerate(qs.questions):
        line, col = parsed.mark_of(("questions", k)) or (None, None)
        # again on the validated numbers (a quoted "5" is 5 by now), reported once
        for name, message in condition_problems(q.op, q.threshold, q.low, q.high,
                                                q.include):
            if ("questions", k, name) not in reported:
                where = parsed.mark_of(("questions", k, name)) or (line, col)
                problems.append(Problem(filename, where[0], where[1], ("questions", k, name),
                                        message))
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
        raise ScenarioError(_in_file_order(problems))
    return qs


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _condition_problems(parsed: Parsed, filename: str) -> list[Problem]:
    """Each question's condition checked on the raw data (so it is reported even when
    other fields fail their type checks), located at the field concerned."""
    items = parsed.data.get("questions") if isinstance(parsed.data, dict) else None
    out: list[Problem] = []
    for k, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        for name, message in condition_problems(*(item.get(f) for f in (
                "op", "threshold", "low", "high", "include"))):
            line, col = parsed.mark_of(("questions", k, name)) or (None, None)
            out.append(Problem(filename, line, col, ("questions", k, name), message))
    return out


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
        else:  # the spread of the per-sample probabilities over sqrt(n); the measured
            # errors are taken as given
            h = q.predictive(errors, x)
            out.append(QuestionForecast(q, float(h.mean()), float(np.sqrt(h.var() / n)), n,
                                        calibrated=True))
    return out
