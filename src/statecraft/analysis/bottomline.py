"""The bottom line of a forecast: a few plain sentences per issue, built from its numbers.

Every sentence is made here from numbers handed in (no text is written per scenario):

- its median (the calibrated median when calibrated), never called "most likely": a
  median can sit in the trough between two modes; and the 50% interval, in numbers and
  placed among the scale's named points (``place``);
- the modes of the model's samples (``analysis.modes``, reflected at the scale's ends):
  where the model's runs land over the inputs' ranges. With several, each is named with
  its share, and the median is said to lie between two of them when it does (a median
  can sit in the trough between two modes, where few samples land). With one, it is the
  most likely region: of the forecast when uncalibrated, of the model's runs when
  calibrated; unless its samples spread evenly over its top (``Mode.even``), when that
  range is given and no point in it is called most likely (a flat density's highest
  point is noise: it moves with the seed and the sample count). The calibrated
  predictive distribution is not searched for modes: it is a mixture of atoms at the
  measured (DEU) outcomes and at the scale's ends, and the modes a kernel finds in it
  depend on a smoothing choice its atoms do not fix (read as an equal-weight sample of
  the 114-230 measured outcomes it draws on, the bundled scenario's calibrated
  distributions had one broad mode each; read at 4,000 levels, they had two or three,
  piles at 0 and 100 among them, the scale's ends holding 29% of the DEU outcomes). Its
  shape is shown by its histogram, and no sentence calls any of its points "most
  likely";
- how much it narrows the 0-100 scale: the widths of its 50% and 90% intervals, and
  plainly when the 90% interval is the whole scale;
- whether the models disagree: the spread of single runs of the bargaining models
  (``COMPARED``) at the ranges' midpoints, naming the models at either end. Single runs,
  not distributions: they cost milliseconds where each model's own Monte Carlo would
  cost as much as the forecast, and they show whether the models' logics point the same
  way on the scenario's best guesses. They disagree when they lie more than
  ``DISAGREE_AT`` points apart;
- how its runs ended, where some samples cycled or did not settle
  (``models.trajectory.IssueConvergence``);
- why the calibrated median lies outside the model's own 5-95% spread, when it does: the
  calibration pulls the forecast toward where real outcomes landed when the model said
  something similar (``calibration.predictive``);
- with resolved questions, how the forecast's probabilities scored against always saying
  0.5 and against the status quo (Brier; ``analysis.backtest``), one sentence each,
  saying when it did worse.

A value is placed among the named points by ``place``: "at" a point (within 0.05), "near"
one only within ``NEAR_SHARE`` of the gap between the two named points around it, else
"halfway between" (at the gap's middle) or "between" the two; never "near" a point that
another is as near to. A named point the text places a value at or near is never named
without saying so when no sample of the model reached it (``NamedPoint.outside``): the
calibrated distribution can put its median where the model never went. ``run_notes``
words what ``statecraft run`` adds: that it is a single run at the midpoints, and which
issues' sampled distributions have more than one mode (``analysis.modes``). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from statecraft.analysis.modes import Mode, Modes, find_modes
from statecraft.models import registry
from statecraft.models.trajectory import IssueConvergence, trailing_window

if TYPE_CHECKING:  # annotations only: `run` needs no backtest, cross-validation or errors
    from statecraft.analysis.backtest import ProbabilityScore
    from statecraft.calibration.predictive import ErrorModel

COMPARED: tuple[str, ...] = registry.compared()
"""The models whose single runs at the midpoints are compared (the model registry's)."""

DISAGREE_AT = 10.0
"""Points on the 0-100 scale beyond which the compared models are said to disagree."""

SAME_SCORE = 0.0005
"""Brier scores closer than this are said to be the same (they print alike to three
decimals)."""

SCALE = (0.0, 100.0)

REACH_TOL = 0.5
"""A named point counts as reached when it lies within this many points of the range the
samples reached (half a point: a sample at 99.7 reaches 100)."""

AT_TOL = 0.05
"""A value within this many points of a named point is at it (it prints as the point)."""

NEAR_SHARE = 0.25
"""A value is near a named point when it lies within this share of the gap between the two
named points around it: on a scale of 0, 25, 50, ... 20 is near 25, but on a scale of 0,
50, 100 it is between 0 and 50; 50 on a scale of 40 and 60 is halfway between them."""


def _num(v: float) -> str:
    """A position on the scale as printed: one decimal."""
    return f"{v:.1f}"


@dataclass(frozen=True)
class NamedPoint:
    """The named point of a scale nearest a value, and whether any sample reached it."""

    value: float
    point: float
    label: str
    reached: tuple[float, float] | None  # lowest and highest sample (None: not known)

    @property
    def outside(self) -> bool:
        """Whether the point lies outside the range the samples reached (by more than
        ``REACH_TOL``)."""
        if self.reached is None:
            return False
        lo, hi = self.reached
        return not lo - REACH_TOL <= self.point <= hi + REACH_TOL

    def words(self) -> str:
        """``50 (label)``, saying when no sample reached the point."""
        text = f"{self.point:g} ({self.label})"
        if self.outside and self.reached is not None:
            lo, hi = self.reached
            text += (f", which no sample of the model reached (they ran from {_num(lo)} to "
                     f"{_num(hi)})")
        return text

    def short(self) -> str:
        """``50 (label)``, or ``near 50 (label)`` for a value that is not the point,
        without the note on the samples' range."""
        near = "" if abs(self.point - self.value) < 0.05 else "near "
        return f"{near}{self.point:g} ({self.label})"


Where = Literal["at", "near", "halfway", "between", "below", "above"]


@dataclass(frozen=True)
class Placement:
    """Where a value lies among a scale's named points (``place``): at or near one point
    (``points`` holds it), halfway between or between two (``points`` holds both), or
    below the lowest or above the highest and not near it."""

    value: float
    where: Where
    points: tuple[tuple[float, str], ...]

    @property
    def named(self) -> float | None:
        """The one named point the value is placed at or near (None between two)."""
        return self.points[0][0] if self.where in ("at", "near") else None

    def place(self, names: Names | None = None) -> str:
        """``at 50 (half)``, ``near 75 (most)``, ``halfway between 40 (a) and 60 (b)``,
        ``between 0 (a) and 50 (b)``; ``names`` words each point (by default with its
        label)."""
        say = names or Names()
        named = [say(p, label) for p, label in self.points]
        if self.where in ("halfway", "between"):
            lead = "halfway between" if self.where == "halfway" else "between"
            return f"{lead} {named[0]} and {named[1]}"
        return f"{self.where} {named[0]}"

    def words(self, names: Names | None = None) -> str:
        """The value and its place: ``25 (a quarter)`` at a point, else ``80.0, near 75
        (most)``, ``50.0, halfway between 40 (a) and 60 (b)``."""
        if self.where == "at":
            p, label = self.points[0]
            return (names or Names())(p, label)
        return f"{_num(self.value)}, {self.place(names)}"


class Names:
    """Words a named point: ``25 (label)``, or with ``once`` the label only the first time
    a point is named (one issue's sentences read better without repeating long labels)."""

    def __init__(self, *, once: bool = False) -> None:
        self.once = once
        self.said: set[float] = set()

    def __call__(self, point: float, label: str) -> str:
        if self.once and point in self.said:
            return f"{point:g}"
        self.said.add(point)
        return f"{point:g} ({label})"


def place(value: float, scale: Mapping[float, str]) -> Placement:
    """Where ``value`` lies among the named points of ``scale`` (see ``NEAR_SHARE``)."""
    if not scale:
        raise ValueError("the scale has no named points")
    points = sorted(float(p) for p in scale)
    labels = {float(p): label for p, label in scale.items()}
    v = float(value)

    def one(where: Where, p: float) -> Placement:
        return Placement(v, where, ((p, labels[p]),))

    at = [p for p in points if abs(p - v) < AT_TOL]
    if at:
        return one("at", min(at, key=lambda p: abs(p - v)))
    below = [p for p in points if p < v]
    above = [p for p in points if p > v]
    if not below or not above:  # beyond the outermost point: near it within its gap
        edge = above[0] if not below else below[-1]
        inner = (points[1] - points[0]) if not below else (points[-1] - points[-2])
        gap = inner if len(points) > 1 else 0.0
        if abs(edge - v) <= NEAR_SHARE * gap:
            return one("near", edge)
        return one("below" if not below else "above", edge)
    a, b = below[-1], above[0]
    gap = b - a
    if v - a <= NEAR_SHARE * gap:
        return one("near", a)
    if b - v <= NEAR_SHARE * gap:
        return one("near", b)
    both = ((a, labels[a]), (b, labels[b]))
    return Placement(v, "halfway" if abs(v - (a + b) / 2) < AT_TOL else "between", both)


def _outside(point: float, reached: tuple[float, float] | None) -> bool:
    """Whether a named point lies outside the range the samples reached."""
    return NamedPoint(point, point, "", reached).outside


def named_point(value: float, scale: Mapping[float, str],
                reached: tuple[float, float] | None = None) -> NamedPoint:
    """The named point nearest ``value`` (the lower on a tie, as the scenario's
    ``Issue.nearest_anchor``)."""
    if not scale:
        raise ValueError("the scale has no named points")
    point = min(sorted(scale), key=lambda p: abs(p - value))
    return NamedPoint(float(value), float(point), scale[point], reached)


@dataclass(frozen=True)
class IssueNumbers:
    """What the bottom line of one issue is built from.

    ``median``, ``interval50`` and ``interval90`` are the forecast's (the calibrated
    predictive distribution's when ``calibrated``, else the samples'); ``spread`` is the
    samples' 5% and 95% quantiles and ``reached`` their lowest and highest values;
    ``models`` the compared models' single runs at the midpoints; ``convergence`` how
    the samples' runs ended (None: not known) with the round cap ``max_rounds``;
    ``modes`` the samples' modes (None: not looked for).
    """

    issue: str
    scale: Mapping[float, str]
    median: float
    interval50: tuple[float, float]
    interval90: tuple[float, float]
    spread: tuple[float, float]
    reached: tuple[float, float]
    calibrated: bool
    samples: int
    models: Mapping[str, float] = field(default_factory=dict)
    convergence: IssueConvergence | None = None
    max_rounds: int | None = None
    modes: Modes | None = None


@dataclass(frozen=True)
class IssueLine:
    """One issue's bottom line: each part a sentence (None where there is nothing to
    say)."""

    issue: str
    ends: str
    narrows: str
    models: str | None
    runs: str | None
    pulled: str | None
    median_point: NamedPoint
    unreached: str | None = None
    modes: str | None = None
    median_place: Placement | None = None
    mode_list: tuple[Mode, ...] = ()

    def sentences(self) -> tuple[str, ...]:
        return tuple(s for s in (self.ends, self.unreached, self.modes, self.narrows,
                                 self.models, self.runs, self.pulled) if s)

    def as_dict(self) -> dict[str, Any]:
        placed = self.median_place
        return {"issue": self.issue, "ends": self.ends, "unreached": self.unreached,
                "modes": self.modes,
                "narrows": self.narrows, "models": self.models, "runs": self.runs,
                "pulled": self.pulled,
                "named_point": {"point": self.median_point.point,
                                "label": self.median_point.label,
                                "reached": not self.median_point.outside},
                "median_place": None if placed is None else {
                    "where": placed.where, "points": [p for p, _ in placed.points],
                    "text": placed.place()},
                "mode_list": [{"location": m.location, "low": m.low, "high": m.high,
                               "share": m.share,
                               "even": list(m.even) if m.even is not None else None}
                              for m in self.mode_list],
                "text": " ".join(self.sentences())}


@dataclass(frozen=True)
class BottomLine:
    """A forecast's bottom line: a lead sentence, a line per issue, one on how the runs
    ended when every sample settled, and one sentence per baseline the forecast was
    scored against."""

    lead: str
    issues: tuple[IssueLine, ...]
    settled: str | None
    scores: tuple[str, ...]

    def lines(self) -> list[str]:
        """Each paragraph as one line: the lead, each issue's sentences, the rest."""
        out = [self.lead]
        out += [f"{line.issue}: " + " ".join(line.sentences()) for line in self.issues]
        if self.settled:
            out.append(self.settled)
        out += list(self.scores)
        return out

    def __str__(self) -> str:
        """The whole bottom line as text, a paragraph a line (``print(fc.bottom_line)``)."""
        return "\n".join(self.lines())

    def as_dict(self) -> dict[str, Any]:
        return {"lead": self.lead, "issues": [i.as_dict() for i in self.issues],
                "settled": self.settled, "scores": list(self.scores),
                "text": self.lines()}


def _what(n: IssueNumbers) -> str:
    return "calibrated median" if n.calibrated else "median of the samples"


def _ends(n: IssueNumbers, where: Placement, names: Names) -> str:
    """The median, placed among the named points, and the 50% interval."""
    lo, hi = n.interval50
    a, b = place(lo, n.scale), place(hi, n.scale)
    share = "half the probability" if n.calibrated else "half the samples"
    said = f"{where.place(names)}"
    if where.named is not None and _outside(where.named, n.reached):
        lo_r, hi_r = n.reached
        said += (f", which no sample of the model reached (they ran from {_num(lo_r)} to "
                 f"{_num(hi_r)})")
    if a.named is not None and a.named == b.named:
        points = f", around {names(*a.points[0])}"
    elif a.where == "at" and b.where == "at":
        points = f", from {a.words(names)} to {b.words(names)}"
    else:
        low = (f"its low end is at {a.words(names)}" if a.where == "at"
               else f"its low end, {_num(lo)}, is {a.place(names)}")
        high = (f"its high end is at {b.words(names)}" if b.where == "at"
                else f"its high end, {_num(hi)}, {b.place(names)}")
        points = f": {low}, and {high}"
    return (f"The {_what(n)} is {_num(n.median)}, {said}; {share} lies within "
            f"{_num(lo)}-{_num(hi)}{points}.")


def _unreached(n: IssueNumbers, where: Placement) -> str | None:
    """The named points the 50% interval's ends are placed at or near that no sample
    reached (the median's is said where it is named)."""
    named = {p.named for p in (place(v, n.scale) for v in n.interval50)}
    far = sorted(p for p in named
                 if p is not None and p != where.named and _outside(p, n.reached))
    if not far:
        return None
    lo, hi = n.reached
    which = " or ".join(f"{p:g}" for p in far)
    return f"No sample of the model reached {which} (they ran from {_num(lo)} to {_num(hi)})."


def _range(even: tuple[float, float, float]) -> str | None:
    """An even spread's range in whole points ("from about 65 to 100"; the ends of a
    smoothed density's top are not sharper), None when that is one point."""
    lo, hi = round(even[0]), round(even[1])
    return f"from about {lo} to {hi}" if lo < hi else None


def _spot(m: Mode) -> str:
    """Where a mode is, in a few words: near its peak, or the range its samples spread
    evenly over."""
    span = _range(m.even) if m.even is not None else None
    return f"spread evenly {span}" if span else f"near {_num(m.location)}"


def _mode_words(m: Mode, scale: Mapping[float, str], reached: tuple[float, float],
                unit: str, names: Names) -> str:
    """One mode: where it peaks, placed among the named points, and its share (or, when
    its samples spread evenly over its top, that range)."""
    if m.even is not None and (span := _range(m.even)) is not None:
        return f"spread evenly {span}, with {m.share:.0%}{unit}"
    at = place(m.location, scale)
    text = at.words(names)
    if at.named is not None and _outside(at.named, reached):
        text += " (no sample reached that point)"
    return f"{text}, with {m.share:.0%}{unit}"


def _between(median: float, modes: tuple[Mode, ...]) -> str | None:
    """Which two adjacent modes the median lies between, in words (None: it does not)."""
    for left, right in pairwise(modes):
        if left.location < median < right.location:
            if len(modes) == 2:
                return "between them"
            return f"between the modes at {_num(left.location)} and {_num(right.location)}"
    return None


def _modes(n: IssueNumbers, names: Names) -> str | None:
    """The samples' modes: the most likely region when there is one, else each with its
    share and whether the median lies between two of them (see the module docstring)."""
    m = n.modes
    if m is None:
        return None
    if m.count == 1 and (even := m.modes[0].even) is not None and _range(even) is not None:
        if n.calibrated:
            return (f"The model's samples spread evenly {_range(even)} ({even[2]:.0%} of "
                    "them), with no clear mode: its runs land anywhere there about equally "
                    "often.")
        return (f"The samples spread evenly {_range(even)} ({even[2]:.0%} of them), with no "
                "clear mode: no outcome there is more likely than another.")
    if m.count == 1:
        where = place(m.modes[0].location, n.scale).words(names)
        if n.calibrated:
            return (f"The model's samples have one mode, around {where}: where its runs "
                    "most likely land.")
        return f"Most likely it ends around {where}: the one mode of the samples."
    listed = [_mode_words(x, n.scale, n.reached, " of them" if k == 0 else "", names)
              for k, x in enumerate(m.modes)]
    between = _between(n.median, m.modes)
    # why a median can sit where few runs land: calibration spreads each run's forecast
    # over where real outcomes landed; uncalibrated, the runs split around it
    why = (": calibration spreads each run's forecast over where real outcomes landed, so "
           "the median can fall where few runs did" if n.calibrated
           else ", where few runs land")
    tail = f"; the {_what(n)}, {_num(n.median)}, lies {between}{why}" if between else ""
    return (f"The model's {n.samples:,} samples have {m.count} modes: "
            + ", ".join(listed[:-1]) + f" and {listed[-1]}{tail}.")


def _narrows(n: IssueNumbers) -> str:
    lo, hi = n.interval50
    lo9, hi9 = n.interval90
    level = "the 90% interval" if n.calibrated else "the middle 90% of the samples"
    first = f"That is {hi - lo:.0f} of the scale's 100 points"
    if lo9 <= SCALE[0] and hi9 >= SCALE[1]:
        why = (" (on the real decisions its error was measured on, where the model forecast "
               "something similar, outcomes landed across the scale)" if n.calibrated else "")
        return (f"{first}; {level} is the whole scale, 0-100: at 90% the forecast rules out "
                f"no outcome{why}.")
    return f"{first}; {level}, {_num(lo9)}-{_num(hi9)}, spans {hi9 - lo9:.0f}."


def _models(n: IssueNumbers) -> str | None:
    runs = {m: v for m, v in n.models.items() if np.isfinite(v)}
    if len(runs) < 2:
        return None
    low = min(runs, key=lambda m: (runs[m], m))
    high = max(runs, key=lambda m: (runs[m], m))
    gap = runs[high] - runs[low]
    others = [m for m in runs if m not in (low, high)]
    rest = (" (" + ", ".join(f"{m} {_num(runs[m])}" for m in others) + ")") if others else ""
    if gap > DISAGREE_AT:
        return (f"The models disagree: single runs at the ranges' midpoints put it from "
                f"{_num(runs[low])} ({low}) to {_num(runs[high])} ({high}), {gap:.1f} points "
                f"apart{rest}.")
    return (f"The models agree: single runs at the ranges' midpoints lie within {gap:.1f} "
            f"points, from {_num(runs[low])} ({low}) to {_num(runs[high])} ({high}){rest}.")


def _runs(n: IssueNumbers) -> str | None:
    c = n.convergence
    if c is None or not c.unsettled:
        return None
    parts = []
    if c.cycled:
        lengths = (f"{c.shortest_cycle}" if c.shortest_cycle == c.longest_cycle
                   else f"{c.shortest_cycle} to {c.longest_cycle}")
        parts.append(f"{c.cycled:,} cycled (every {lengths} rounds)")
    if c.steady:
        first, last = trailing_window(n.max_rounds) if n.max_rounds is not None else (0, 0)
        rounds = (f"rounds {first:,}-{last:,}" if last > first
                  else "the last half of their rounds")
        whose = "sample's forecast" if c.steady == 1 else "samples' forecasts"
        parts.append(f"{c.steady:,} {whose} held still over {rounds} though positions kept "
                     "moving")
    if c.not_converged:
        cap = "" if n.max_rounds is None else f" in {n.max_rounds:,} rounds"
        parts.append(f"{c.not_converged:,} did not settle{cap}")
    parts.append(f"{c.settled:,} settled")
    return (f"Not every run settled: of {c.runs:,} samples, " + ", ".join(parts[:-1])
            + f" and {parts[-1]}.")


def _pulled(n: IssueNumbers) -> str | None:
    if not n.calibrated:
        return None
    lo, hi = n.spread
    if lo <= n.median <= hi:
        return None
    side = "above" if n.median > hi else "below"
    return (f"The calibrated median lies {side} the model's own 5-95% spread over the "
            f"inputs ({_num(lo)}-{_num(hi)}): calibration pulls the forecast toward where "
            "real outcomes landed when the model forecast something similar.")


def issue_line(n: IssueNumbers) -> IssueLine:
    """One issue's bottom line (see the module docstring)."""
    nearest = named_point(n.median, n.scale, n.reached)
    where = place(n.median, n.scale)
    names = Names(once=True)
    ends = _ends(n, where, names)
    return IssueLine(n.issue, ends, _narrows(n), _models(n), _runs(n), _pulled(n), nearest,
                     _unreached(n, where), _modes(n, names), where,
                     n.modes.modes if n.modes is not None else ())


@dataclass(frozen=True)
class Scores:
    """Brier scores on the same resolved questions: the forecast's probabilities and the
    two baselines (``analysis.backtest.score`` and ``baselines``)."""

    forecast: ProbabilityScore
    half: ProbabilityScore
    status_quo: ProbabilityScore
    calibrated: bool


def _versus(mine: float, theirs: float) -> str:
    """``better``, ``worse`` or ``as well`` (Brier: lower is better)."""
    if abs(mine - theirs) < SAME_SCORE:
        return "as well"
    return "better" if mine < theirs else "worse"


def score_sentences(s: Scores) -> tuple[str, str]:
    """How the forecast scored against always 0.5 and against the status quo."""
    what = "calibrated probabilities" if s.calibrated else "probabilities (inputs only)"
    n = s.forecast.questions
    qs = f"{n} resolved question{'' if n == 1 else 's'}"
    mine = s.forecast.brier
    rel = _versus(mine, s.half.brier)
    first = (f"On the {qs}, the forecast's {what} scored a Brier score of {mine:.3f} "
             f"(lower is better): it did {rel} {'as' if rel == 'as well' else 'than'} "
             f"always saying 0.5, which scores {s.half.brier:.3f}.")
    second = (f"Against the status quo (forecasting that nothing changes), it did "
              f"{_versus(mine, s.status_quo.brier)}: {mine:.3f} against "
              f"{s.status_quo.brier:.3f}.")
    return first, second


def bottom_line(numbers: Sequence[IssueNumbers], *, model: str,
                scores: Scores | None = None) -> BottomLine:
    """The bottom line of a forecast of ``model`` (see the module docstring)."""
    if not numbers:
        raise ValueError("no issues")
    n = numbers[0]
    how = ("calibrated by the model's measured error on real decisions" if n.calibrated
           else "uncalibrated: the inputs' spread alone")
    lead = (f"Bottom line ({model}, {n.samples:,} sample{'' if n.samples == 1 else 's'}, "
            f"{how}):")
    lines = tuple(issue_line(x) for x in numbers)
    known = [x.convergence for x in numbers if x.convergence is not None]
    settled = None
    if known and len(known) == len(numbers) and not any(c.unsettled for c in known):
        settled = "Every sample's run settled on every issue."
    return BottomLine(lead, lines, settled,
                      score_sentences(scores) if scores is not None else ())


def issue_numbers(issue: str, scale: Mapping[float, str], x: NDArray[np.float64],
                  errors: ErrorModel | None, *, models: Mapping[str, float] | None = None,
                  convergence: IssueConvergence | None = None,
                  max_rounds: int | None = None) -> IssueNumbers:
    """An issue's numbers from its samples ``x`` and, when calibrated, the model's
    measured ``errors``."""
    from statecraft.calibration.predictive import Mixture

    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError("no samples")
    mix = Mixture(errors, x) if errors is not None else Mixture.of_samples(x)
    med = float(mix.quantile([0.5])[0])
    iv = mix.intervals()
    p05, p95 = np.quantile(x, [0.05, 0.95])
    return IssueNumbers(issue, dict(scale), med, iv["50"], iv["90"], (float(p05), float(p95)),
                        (float(x.min()), float(x.max())), errors is not None, int(x.size),
                        dict(models or {}), convergence, max_rounds, find_modes(x, SCALE))


@dataclass(frozen=True)
class RunNote:
    """What ``statecraft run`` says about one issue beyond its single forecast."""

    issue: str
    modes: Modes
    forecast: float
    point: NamedPoint

    def words(self) -> str | None:
        """A sentence when the sampled distribution has more than one mode."""
        m = self.modes
        if m.count < 2:
            return None
        where = [f"{_spot(x)} ({x.share:.0%} of the samples)" for x in m.modes]
        listed = ", ".join(where[:-1]) + " and " + where[-1]
        return (f"{self.issue}: the distribution of {m.samples:,} samples of the ranges has "
                f"{m.count} modes, {listed}; this single run at the midpoints shows one "
                f"outcome, {_num(self.forecast)}: run statecraft forecast for the whole "
                "distribution.")


def run_notes(notes: Sequence[RunNote]) -> list[str]:
    """What ``statecraft run`` prints after its table: that it is one run at the ranges'
    midpoints, the issues with more than one mode, and any named point no sample
    reached."""
    out = ["This is a single run of the model at the midpoints of the scenario's ranges."]
    multi = [w for n in notes if (w := n.words())]
    if multi:
        out += multi
    elif notes:
        out.append(f"The distribution of {notes[0].modes.samples:,} samples of the ranges has "
                   "one mode on every issue.")
    for n in notes:
        if n.point.outside:
            out.append(f"{n.issue}: the nearest named point, {n.point.words()}.")
    return out
