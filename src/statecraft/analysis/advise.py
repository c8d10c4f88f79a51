"""Advice: the smallest changes that make a target outcome likely, found by re-running the
model itself.

A **target** is a condition on one issue's forecast (``peacekeepers <= 40``); its
probability is the forecast's: with a model's measured errors the calibrated probability
(the mean over samples of each sample's predictive probability, as ``forecast
--questions`` computes it), without them the share of samples that meet it.

A **lever** is a change that can be made bigger or smaller: one actor's position on the
issue moved towards the target's side (by up to the scale's end), or its salience raised
(an actor whose position meets the target) or lowered (one whose position does not), or a
deal of ``statecraft.analysis.deals`` in which the advised actor concedes on another issue
and its partner moves on this one towards the target (scaled down as a whole, at its
rate). A lever of size ``lam`` in [0, 1] changes every Monte Carlo sample by ``lam`` times
its full change (positions kept in 0-100, saliences in 0-1).

**Search.** For each lever: the forecast is re-run with the full change; a lever that
does not reach the target probability even then is listed as not reaching, with the
probability it gets. For one that does, a grid of ``GRID`` sizes (0.2, 0.4, 0.6, 0.8) finds
the first size that reaches, and bisection between it and the size before narrows the
smallest that reaches until it is known to ``RESOLUTION`` (0.02 points of position,
0.0002 of salience): at most ``BISECTIONS`` (10) steps. Every step re-runs the model on
all samples for all levers at once. So a search runs at most ``1 + 16 x levers``
forecasts of ``samples`` samples: one of the status quo, then per lever one at full size,
four on the grid, at most ten bisecting and one to check the option. The bundled
scenario's ``advise aze --issue peacekeepers --target "<= 40"`` has 13 levers (10
positions and saliences, 3 deals), so at most 209; it runs 41 (only one lever reaches).
A model that forecasts each issue alone (its registry entry says so: ``separable``) is run
on the target issue only while searching; every option is then checked by re-running the
model on all issues with the option applied, and the probability shown after is that
check's. The probability need not grow with a lever's size (the EUM's weighted median
jumps between positions): the grid finds the first size that reaches among its points,
bisection a boundary next to it, and the check confirms the option reaches.

**Cost**, in points of the 0-100 scale of one's own position: moving one's own position
by one point costs 1; a change of salience of 0.01 counts as one point (each is a
hundredth of its range); a unit of another actor's move costs ``PERSUASION`` = 2 of one's
own. Why 2: the other must be paid for its move (in the exchange model a move is bought
with a move of equal worth to the mover, one point for one at equal saliences) and then
also persuaded, which we count as one more unit; it is a convention, not a measurement,
and the output says so. A deal costs the advised actor's own concession in points on the
other issue (the partner's move is what the concession pays for).

**Price.** ``price_of`` answers, for another actor, what it would take to leave it at
least as well off with the target met as without, in the exchange model's terms (the
scenario's own utilities: ``-sum_d s_d |x_d - O_d|``, with ``O`` the capability x
salience weighted mean at the scenario's midpoints): its loss if the issue's expected
outcome moved to the target's threshold, and the concessions of the advised actor on each
other issue (its position moved towards the other's, the expected outcome moving towards
the other by at most the distance left to the other's position) that would make up the
loss, alone or together (cheapest for the advised actor first).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from statecraft.analysis.deals import Deal, expected_outcomes
from statecraft.analysis.questions import Question
from statecraft.errors import OptionError
from statecraft.models.inputs import ModelInputs

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

    from statecraft.calibration.predictive import ErrorModel

FloatArray = NDArray[np.float64]

PERSUASION = 2.0
"""What one unit of another actor's shift costs, in units of one's own (see the module
docstring)."""
SALIENCE_POINTS = 100.0
"""A change of salience of 1 counts as this many points of position."""
GRID: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
"""Lever sizes tried before bisection, as shares of the full change."""

PLAIN_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
"""A target's threshold: plain ASCII decimal digits, with a decimal point or not."""

PROBABILITY_RANGE = (0.01, 0.99)
"""The probabilities a target may be asked to reach: one nearer 0 asks for nothing, one
nearer 1 for a certainty the samples cannot show."""
BISECTIONS = 10
"""Most bisection steps per lever."""
RESOLUTION = {"position": 0.02, "salience": 0.0002}
"""Bisection stops once a lever's smallest size is known to this (points, salience)."""
FLOOR_SALIENCE = 1e-9
"""The least a salience is lowered to: an actor that cares at all is kept caring a little,
so that an issue whose only weighted actor is advised to stop caring still has a forecast
(at zero the model has no weight to forecast from and the whole search failed)."""

CHUNK_ROWS = 40_000
"""Most samples (all levers' copies together) run in one call of the model; a search
runs its levers in groups of this many rows, with the same results."""

Kind = Literal["own position", "own salience", "persuade position", "persuade salience",
               "deal"]


@dataclass(frozen=True)
class Target:
    """A condition on one issue's final position: ``issue op threshold``."""

    issue: str
    op: str
    threshold: float

    @staticmethod
    def parse(text: str, issue: str) -> Target:
        """``"<= 40"`` (also ``<40``, ``>= 60``, ``> 60``) for ``issue``; anything else is a
        ``ValueError`` naming the text and what is expected."""
        s = text.strip()
        op = next((o for o in ("<=", ">=", "<", ">") if s.startswith(o)), None)
        expected = ("an operator (<=, <, >= or >) and a number from 0 to 100, e.g. "
                    "\"<= 40\"")
        if op is None:
            raise OptionError(f"the target {text!r} has no operator; expected {expected}",
                              "target")
        rest = s[len(op):].strip()
        if not PLAIN_NUMBER.fullmatch(rest):  # float() would also take 1_0, 1e1, Arabic-Indic
            raise OptionError(f"the target {text!r}: {rest!r} is not a number (plain "
                              f"decimal digits 0-9, e.g. 40 or 37.5); expected {expected}",
                              "target")
        value = float(rest)
        if not math.isfinite(value) or not 0 <= value <= 100:
            raise OptionError(f"the target {text!r}: {rest} is outside the issue's scale; "
                              "expected a number from 0 to 100", "target")
        if (op, value) in (("<", 0.0), (">", 100.0)):
            raise OptionError(f"the target {text!r}: no outcome on the issue's 0-100 scale "
                              f"is {'below 0' if op == '<' else 'above 100'}, so the target "
                              "can never be met; expected a target some outcome meets",
                              "target")
        return Target(issue, op, value)

    @property
    def down(self) -> bool:
        """Whether the target lies towards 0."""
        return self.op in ("<=", "<")

    def met(self, value: float) -> bool:
        return bool(self.question().holds(np.array([value]))[0])

    def question(self) -> Question:
        return Question(id="target", text=str(self), issue=self.issue,
                        op=self.op, threshold=self.threshold)

    def __str__(self) -> str:
        return f"{self.issue} {self.op} {self.threshold:g}"


@dataclass(frozen=True)
class Move:
    """One input changed: ``field`` (position or salience) of ``actor`` on ``issue`` by
    ``change`` (signed; positions kept in 0-100, saliences in 0-1)."""

    actor: str
    issue: str
    field: str
    change: float


@dataclass(frozen=True)
class Option:
    """One way to reach the target: its moves at the smallest size found, its cost (see
    the module docstring), and the probability before and after (after: the forecast
    re-run with the option applied, on every issue). ``reaches`` is False for a lever that
    does not reach the target even at its full size (its moves are then the full size),
    or whose check on every issue falls short of it (its moves the size found)."""

    kind: str
    moves: tuple[Move, ...]
    cost: float
    before: float
    after: float
    reaches: bool
    deal_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "moves": [asdict(m) for m in self.moves],
                "cost": self.cost, "probability_before": self.before,
                "probability_after": self.after, "reaches": self.reaches,
                "deal_rank": self.deal_rank}


@dataclass(frozen=True)
class Concession:
    """What the advised actor could concede on one issue to make up another's loss: its
    position moved by ``shift`` (signed points) to ``to``, moving the expected outcome by
    ``outcome_shift`` towards the other; ``compensates`` is the other's gain from it (the
    loss, when it is enough alone), ``enough`` whether it makes up the loss alone, and
    ``cost`` what the move of the expected outcome costs the advised actor in its own
    utility (negative: it gains)."""

    issue: str
    shift: float
    to: float
    outcome_shift: float
    compensates: float
    enough: bool
    cost: float


@dataclass(frozen=True)
class Price:
    """What ``actor`` loses if the target is met, and what ``payer`` could concede on
    other issues to make it up (see the module docstring)."""

    actor: str
    payer: str
    issue: str
    outcome: float  # the issue's expected outcome now
    threshold: float
    loss: float  # the actor's loss in utility (salience x points); <= 0: none
    payer_gain: float  # the payer's gain from the target met
    concessions: tuple[Concession, ...]  # one issue at a time, enough first, cheapest first
    package: tuple[Concession, ...]  # cheapest first, together, up to the loss
    package_enough: bool

    @property
    def package_cost(self) -> float:
        return float(sum(c.cost for c in self.package))

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("concessions", "package")}
        out["concessions"] = [asdict(c) for c in self.concessions]
        out["package"] = [asdict(c) for c in self.package]
        out["package_cost"] = self.package_cost
        return out


@dataclass(frozen=True)
class Advice:
    """The options that reach the target (cheapest first), then those that do not (most
    probable first); the prices of the other actors who lose by the target; and what
    produced them: the model and its settings, seed, samples, the error file that
    calibrated the probabilities (None: the samples' share), the statecraft version, and
    how many forecasts the search ran."""

    actor: str
    target: Target
    probability: float  # wanted
    before: float
    options: tuple[Option, ...]
    prices: tuple[Price, ...]
    scenario: str
    model: str
    settings: dict[str, Any]
    seed: int
    samples: int
    calibration: dict[str, Any] | None
    version: str
    forecasts: int
    persuasion: float = PERSUASION
    notes: tuple[str, ...] = field(default=())

    def reaching(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.reaches)

    def to_frame(self) -> DataFrame:
        """One row per option (pandas)."""
        import pandas as pd

        rows = [{"rank": k + 1, "kind": o.kind,
                 "moves": "; ".join(f"{m.actor} {m.field} on {m.issue} {m.change:+.2f}"
                                    for m in o.moves),
                 "cost": o.cost, "probability_before": o.before,
                 "probability_after": o.after, "reaches": o.reaches,
                 "seed": self.seed, "samples": self.samples, "model": self.model}
                for k, o in enumerate(self.options)]
        return pd.DataFrame(rows, columns=["rank", "kind", "moves", "cost",
                                           "probability_before", "probability_after",
                                           "reaches", "seed", "samples", "model"])

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "target": str(self.target),
                "issue": self.target.issue, "op": self.target.op,
                "threshold": self.target.threshold, "probability": self.probability,
                "probability_before": self.before,
                "options": [o.to_dict() for o in self.options],
                "prices": [p.to_dict() for p in self.prices],
                "scenario": self.scenario, "model": self.model,
                "settings": dict(self.settings), "seed": self.seed,
                "samples": self.samples, "calibration": self.calibration,
                "version": self.version, "forecasts": self.forecasts,
                "persuasion": self.persuasion, "notes": list(self.notes)}


# --------------------------------------------------------------------------- levers


@dataclass(frozen=True)
class _Lever:
    kind: str
    moves: tuple[tuple[int, int, str, float], ...]  # (actor, issue, field, full change)
    unit_cost: float  # cost of the full change
    deal_rank: int | None = None

    def resolution(self) -> float:
        """The size (share of the full change) to which the smallest is sought."""
        return min(RESOLUTION[f] / abs(c) for _, _, f, c in self.moves if c != 0)


def apply(inputs: ModelInputs, moves: Sequence[tuple[int, int, str, float]],
          sizes: FloatArray) -> ModelInputs:
    """``inputs`` repeated once per size (``(size, row)`` order), each copy changed by
    ``size`` times the moves."""
    n = sizes.size
    pos = np.repeat(inputs.position[None], n, axis=0)
    sal = np.repeat(inputs.salience[None], n, axis=0)
    for a, k, what, change in moves:
        arr, hi = (pos, 100.0) if what == "position" else (sal, 1.0)
        was = arr[:, :, a, k]
        now = np.clip(was + sizes[:, None] * change, 0.0, hi)
        if what == "salience":  # a salience lowered stays above 0 (see FLOOR_SALIENCE)
            now = np.where(was > 0, np.maximum(now, FLOOR_SALIENCE), now)
        arr[:, :, a, k] = now
    b = inputs.batch
    return ModelInputs(inputs.actor_ids, inputs.issue_ids,
                       np.tile(inputs.capability, (n, 1)), pos.reshape(n * b, *pos.shape[2:]),
                       sal.reshape(n * b, *sal.shape[2:]), inputs.present,
                       inputs.status_quo)


def only_issue(inputs: ModelInputs, k: int) -> ModelInputs:
    """The inputs of issue ``k`` alone."""
    return ModelInputs(inputs.actor_ids, (inputs.issue_ids[k],), inputs.capability,
                       inputs.position[:, :, k:k + 1], inputs.salience[:, :, k:k + 1],
                       inputs.present[:, k:k + 1], inputs.status_quo[k:k + 1])


def levers(samples: ModelInputs, actor: str, target: Target,
           deals: Sequence[Deal] = ()) -> list[_Lever]:
    """The levers the advised ``actor`` has on the target's issue (see the module
    docstring): its own position and salience, every other actor's with a stance there,
    and its deals that move the issue towards the target."""
    ids, k = samples.actor_ids, samples.issue_ids.index(target.issue)
    me = ids.index(actor)
    sign = -1.0 if target.down else 1.0
    out: list[_Lever] = []
    for a in range(len(ids)):
        if not samples.present[a, k]:
            continue
        own = a == me
        factor = 1.0 if own else PERSUASION
        who = "own" if own else "persuade"
        x, s = samples.position[:, a, k], samples.salience[:, a, k]
        room = float(np.max(x) if target.down else np.max(100.0 - x))
        if room > 0 and np.max(s) > 0:
            out.append(_Lever(f"{who} position", ((a, k, "position", sign * room),),
                              factor * room))
        meets = target.met(float(np.median(x)))
        s_room = float(np.max(1.0 - s)) if meets else -float(np.max(s))
        if s_room != 0:
            out.append(_Lever(f"{who} salience", ((a, k, "salience", s_room),),
                              factor * SALIENCE_POINTS * abs(s_room)))
    issues = samples.issue_ids
    for d in deals:
        if actor == d.actor_a and d.issue_b == target.issue and d.shift_b * sign > 0:
            mine, theirs = (d.actor_a, d.issue_a, d.shift_a), (d.actor_b, d.issue_b, d.shift_b)
        elif actor == d.actor_b and d.issue_a == target.issue and d.shift_a * sign > 0:
            mine, theirs = (d.actor_b, d.issue_b, d.shift_b), (d.actor_a, d.issue_a, d.shift_a)
        else:
            continue
        moves = tuple((ids.index(w), issues.index(i), "position", c) for w, i, c in (mine, theirs))
        out.append(_Lever("deal", moves, abs(mine[2]), d.rank))
    return out


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class _Found:
    size: float  # the smallest size found to reach (1.0 and reaches False: none)
    reaches: bool
    best: float  # the probability at ``size``


class _Search:
    """Re-runs the model on the samples with levers applied, counting the forecasts."""

    def __init__(self, samples: ModelInputs, run: Callable[[ModelInputs], FloatArray],
                 target: Target, errors: ErrorModel | None, separable: bool,
                 rows_per_call: int = CHUNK_ROWS) -> None:
        self.samples = samples
        self.rows_per_call = rows_per_call
        self.run = run
        self.target = target
        self.question = target.question()
        self.errors = errors
        self.k = samples.issue_ids.index(target.issue)
        self.separable = separable
        self.forecasts = 0

    def probability(self, x: FloatArray) -> FloatArray:
        """Per row of ``x`` (``(group, sample)`` forecasts of the issue), the target's
        probability over the samples."""
        h = (self.question.holds(x).astype(float) if self.errors is None
             else self.question.predictive(self.errors, x.ravel()).reshape(x.shape))
        out: FloatArray = h.mean(axis=1)
        return out

    def at(self, chosen: Sequence[_Lever], sizes: FloatArray, *, whole: bool = False
           ) -> FloatArray:
        """The probability with lever ``chosen[g]`` at size ``sizes[g]``, per g."""
        b = self.samples.batch
        self.forecasts += len(chosen)
        if not chosen:
            return np.zeros(0)
        per = max(1, self.rows_per_call // b)  # levers per model call, to bound memory
        xs = []
        for start in range(0, len(chosen), per):
            parts = [apply(self.samples, lever.moves, np.array([size]))
                     for lever, size in zip(chosen[start:start + per],
                                            sizes[start:start + per].tolist(), strict=True)]
            stacked = _concat(parts)
            if self.separable and not whole:
                xs.append(self.run(only_issue(stacked, self.k))[:, 0])
            else:
                xs.append(self.run(stacked)[:, self.k])
        return self.probability(np.concatenate(xs).reshape(len(chosen), b))

    def base(self) -> float:
        self.forecasts += 1
        x = self.run(self.samples)[:, self.k]
        return float(self.probability(x[None])[0])


def _concat(parts: Sequence[ModelInputs]) -> ModelInputs:
    first = parts[0]
    return ModelInputs(first.actor_ids, first.issue_ids,
                       np.concatenate([p.capability for p in parts]),
                       np.concatenate([p.position for p in parts]),
                       np.concatenate([p.salience for p in parts]),
                       first.present, first.status_quo)


def _smallest(search: _Search, chosen: list[_Lever], want: float) -> list[_Found]:
    """Per lever, the smallest size that reaches ``want`` (see the module docstring)."""
    full = search.at(chosen, np.ones(len(chosen)))
    found = [_Found(1.0, bool(p >= want), float(p)) for p in full]
    live = [g for g, f in enumerate(found) if f.reaches]
    if not live:
        return found
    lo = np.zeros(len(chosen))
    hi = np.ones(len(chosen))
    best = full.copy()
    grid = np.array(GRID)
    got = search.at([chosen[g] for g in live for _ in grid],
                    np.tile(grid, len(live))).reshape(len(live), grid.size)
    for row, g in enumerate(live):
        ok = np.flatnonzero(got[row] >= want)
        if ok.size:
            hi[g], best[g] = grid[ok[0]], got[row, ok[0]]
            lo[g] = grid[ok[0] - 1] if ok[0] > 0 else 0.0
        else:
            lo[g] = grid[-1]
    for _ in range(BISECTIONS):
        live = [g for g in live if hi[g] - lo[g] > chosen[g].resolution()]
        if not live:
            break
        mid = (lo[live] + hi[live]) / 2
        p = search.at([chosen[g] for g in live], mid)
        for g, m, pm in zip(live, mid.tolist(), p.tolist(), strict=True):
            if pm >= want:
                hi[g], best[g] = m, pm
            else:
                lo[g] = m
    return [_Found(float(hi[g]), f.reaches, float(best[g])) if f.reaches else f
            for g, f in enumerate(found)]


def advise(samples: ModelInputs, run: Callable[[ModelInputs], FloatArray], *, actor: str,
           target: Target, probability: float = 0.5, errors: ErrorModel | None = None,
           separable: bool = False, deals: Sequence[Deal] = (),
           midpoints: ModelInputs | None = None, rows_per_call: int = CHUNK_ROWS
           ) -> tuple[float, list[Option], list[Price], int]:
    """Search the levers (see the module docstring): the probability before, the options
    (reaching ones cheapest first, then the others most probable first), the prices of the
    other actors who lose by the target (from ``midpoints``, when given), and the number
    of forecasts run. ``run`` maps inputs to the model's forecasts ``(batch, issue)``; it
    is given at most ``rows_per_call`` rows at a time (one lever's samples when fewer), so
    a caller bounds each call's work and may stop between calls."""
    if actor not in samples.actor_ids:
        raise ValueError(f"unknown actor {actor!r}; the scenario's actors: "
                         + ", ".join(samples.actor_ids))
    if target.issue not in samples.issue_ids:
        raise ValueError(f"unknown issue {target.issue!r}; the scenario's issues: "
                         + ", ".join(samples.issue_ids))
    low, high = PROBABILITY_RANGE
    if not low <= probability <= high:
        raise OptionError(f"the probability {probability:g} is out of range; expected a "
                          f"probability from {low:g} to {high:g}", "probability")
    search = _Search(samples, run, target, errors, separable, rows_per_call)
    before = search.base()
    met = before >= probability  # nothing to search: no change is needed
    chosen = [] if met else levers(samples, actor, target, deals)
    found = _smallest(search, chosen, probability) if chosen else []
    sizes = np.array([f.size for f in found])
    checked = search.at(chosen, sizes, whole=True) if chosen else np.zeros(0)
    options = []
    for lever, f, after in zip(chosen, found, checked.tolist(), strict=True):
        moves = tuple(Move(samples.actor_ids[a], samples.issue_ids[k], what, f.size * c)
                      for a, k, what, c in lever.moves)
        options.append(Option(lever.kind, moves, f.size * lever.unit_cost, before,
                              float(after), f.reaches and after >= probability,
                              lever.deal_rank))
    options.sort(key=lambda o: (not o.reaches, o.cost if o.reaches else -o.after, o.kind))
    prices = []
    if midpoints is not None:
        for other in midpoints.actor_ids:
            if other != actor:
                pr = price_of(midpoints, actor=other, payer=actor, target=target)
                if pr is not None:
                    prices.append(pr)
        prices.sort(key=lambda p: -p.loss)
    return before, options, prices, search.forecasts


# --------------------------------------------------------------------------- price


def price_of(midpoints: ModelInputs, *, actor: str, payer: str, target: Target
             ) -> Price | None:
    """What ``actor`` loses if the target's issue moves to its threshold, and what
    ``payer`` could concede on other issues to make it up (see the module docstring);
    None when ``actor`` has no stance on the issue or loses nothing."""
    ids = midpoints.actor_ids
    a, p = ids.index(actor), ids.index(payer)
    k = midpoints.issue_ids.index(target.issue)
    if not midpoints.present[a, k]:
        return None
    x = midpoints.position[0]
    s = np.where(midpoints.present, midpoints.salience[0], 0.0)
    w = midpoints.weight_of(slice(0, 1))[0]
    total = w.sum(axis=0)
    out = expected_outcomes(w, x)
    t = target.threshold
    now = float(out[k])
    moved = now if target.met(now) else t
    loss = float(s[a, k] * (abs(x[a, k] - moved) - abs(x[a, k] - now)))
    if loss <= 1e-12:
        return None
    payer_gain = float(s[p, k] * (abs(x[p, k] - now) - abs(x[p, k] - moved)))
    options: list[tuple[float, float, int]] = []  # (payer's cost per unit, most, issue)
    for q in range(len(midpoints.issue_ids)):
        if q == k or w[p, q] <= 0 or s[a, q] <= 0:
            continue
        toward = float(np.sign(x[a, q] - out[q]))
        room = toward * (x[a, q] - x[p, q])  # how far the payer can move towards a
        if toward == 0 or room <= 0:
            continue
        most = float(min(w[p, q] * room / total[q], abs(x[a, q] - out[q])))
        # the payer's cost per point of the actor's gain, where the outcome starts to move
        per = float(s[p, q] * -np.sign(x[p, q] - out[q]) * toward / s[a, q])
        options.append((per, most, q))

    def concession(q: int, d: float, need: float) -> Concession:
        """The payer's concession on ``q`` that moves its expected outcome ``d`` points
        towards the actor (``need``: the points that would make up what is left)."""
        toward = float(np.sign(x[a, q] - out[q]))
        after = out[q] + toward * d
        shift = toward * d * total[q] / w[p, q]
        return Concession(midpoints.issue_ids[q], float(shift), float(x[p, q] + shift),
                          toward * d, float(s[a, q] * d), bool(d >= need - 1e-12),
                          float(s[p, q] * (abs(x[p, q] - after) - abs(x[p, q] - out[q]))))

    alone = sorted((concession(q, min(loss / s[a, q], most), loss / s[a, q])
                    for _, most, q in options), key=lambda c: (not c.enough, c.cost))
    package: list[Concession] = []
    left = loss
    for _, most, q in sorted(options):
        if left <= 1e-12:
            break
        need = left / s[a, q]
        d = min(need, most)
        package.append(concession(q, d, need))
        left -= s[a, q] * d
    return Price(actor, payer, target.issue, now, t, loss, payer_gain, tuple(alone),
                 tuple(package), bool(left <= 1e-9))
