"""The result every bargaining model returns: positions per round, the forecast, and
whether each run settled.

One frozen type for all models (compromise, median, EUM, SMP) so that analysis, the
store and the interfaces never care which model produced a result.

How a run ended, per batch row and issue (``Trajectory.cycle_length``):

- ``1``: it reached a fixed point (a round moved nobody);
- ``0``: it met the model's own stopping rule (the EUM's ``tol``, the SMP's movement
  ratio) with positions still moving, if only a little;
- ``k >= 2``: its positions repeated exactly those of an earlier round: a rounds model is
  a deterministic map of its positions, so it goes round those states for ever, and the
  run stops there; ``k`` is the cycle's period (the shortest up to ``PERIOD_RTOL`` of the
  scale, so that last-bit rounding does not double it);
- ``-3`` (``STEADY``): it reached its round cap with none of these, but its round
  forecast was the same in every round of the trailing window the forecast averages
  (``trailing_window``, at least two rounds; the same up to ``PERIOD_RTOL`` of the scale,
  last-bit rounding, as a cycle's period is read): positions still moving (small actors
  trading offers, say) while the forecast held still. Its forecast is that value,
  as the window's mean; it is counted apart so that a stable forecast is not reported as
  one that did not settle;
- ``-1`` (``NOT_CONVERGED``): it reached its round cap with none of these, its forecast
  still moving.

``Convergence`` counts them per issue and says so in words ("3 of 1,000 samples
cycled"); ``summarise_convergence`` does the same from stored ``cycle_length`` arrays
(the runner and the run store keep them as ``int16``; ``-2`` is the runner's mark for a
sample whose chunk failed, never a model's; stores written before ``STEADY`` existed hold
``-1`` for such runs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from statecraft.models.inputs import ModelInputs

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class OfferKind(IntEnum):
    """What one actor proposes to another in a bargaining round."""

    CONFLICT = 1
    COMPROMISE = 2
    CAPITULATION = 3
    BARGAIN = 4  # SMP-style bargain between a challenger and a target


@dataclass(frozen=True)
class OfferLog:
    """Offers made during a run, one entry per offer, as parallel 1-D arrays.

    Kept sparse (only offers that were made) so that large batches stay small. ``accepted``
    marks the offer each receiving actor acted on in that round.
    """

    round: IntArray
    batch: IntArray
    issue: IntArray
    challenger: IntArray
    target: IntArray
    kind: IntArray
    new_position: FloatArray
    accepted: NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.round.shape[0])

    @staticmethod
    def empty() -> OfferLog:
        """A log with no offers."""
        i = np.zeros(0, dtype=np.int64)
        return OfferLog(i, i, i, i, i, i, np.zeros(0), np.zeros(0, dtype=bool))


@dataclass(frozen=True)
class Trajectory:
    """What a model run produced, for a batch of runs.

    Attributes:
        model: the model's name (``"compromise"``, ``"median"``, ``"eum"``, ...).
        params: the model's parameters as run (JSON-serialisable values).
        actor_ids, issue_ids: the axis labels.
        positions: ``(rounds + 1, batch, actor, issue)``; round 0 holds the initial positions.
            Runs that settle early repeat their last positions up to the longest run.
        forecasts: ``(rounds + 1, batch, issue)``, the model's forecast after each round.
        forecast: ``(batch, issue)``, the final forecast.
        rounds: ``(batch, issue)``, rounds taken: for the EUM the last round that brought
            a state not seen before (a fixed point or a cycle is seen one round later), the
            round ``tol`` was met, or the cap; for the SMP the turns run, as KTAB counts
            them; 0 for one-shot models.
        cycle_length: ``(batch, issue)``, how the run ended: 1 at a fixed point, 0 by the
            model's stopping rule, ``k >= 2`` in a cycle of ``k`` rounds, -1
            (``NOT_CONVERGED``) at the round cap with none of these, -3 (``STEADY``) at
            the cap with none of these but a forecast that held still over the trailing
            window (see the module docstring; 1 for one-shot models).
        converged_round: ``(batch, issue)``, the round from which the run stays put or
            repeats (the first state of its cycle), or at which the stopping rule was met;
            -1 if not converged.
        offers: the offers made, when the model records them; else ``None``.
        seed: the seed of the generator the run used, if any.
        version: the statecraft version that produced it.
        diagnostics: optional model-specific arrays for explanations (e.g. the SMP's
            per-turn win probabilities), keyed by name; ``None`` when the model has none.
    """

    model: str
    params: Mapping[str, Any]
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    positions: FloatArray
    forecasts: FloatArray
    forecast: FloatArray
    rounds: IntArray
    cycle_length: IntArray
    converged_round: IntArray
    offers: OfferLog | None = None
    seed: int | None = None
    version: str = field(default="")
    diagnostics: Mapping[str, NDArray[Any]] | None = None

    def __post_init__(self) -> None:
        if not self.version:
            from statecraft import __version__

            object.__setattr__(self, "version", __version__)

    @staticmethod
    def one_shot(model: str, inputs: ModelInputs, forecast: FloatArray,
                 params: Mapping[str, Any] | None = None) -> Trajectory:
        """The result of a model that forecasts in one step: round 0 holds the initial
        positions and the forecast."""
        zeros = np.zeros(forecast.shape, dtype=np.int64)
        return Trajectory(model=model, params=dict(params or {}), actor_ids=inputs.actor_ids,
                          issue_ids=inputs.issue_ids, positions=inputs.position[None].copy(),
                          forecasts=forecast[None].copy(), forecast=forecast, rounds=zeros,
                          cycle_length=zeros + 1, converged_round=zeros.copy())

    @property
    def batch(self) -> int:
        """Number of runs in the batch."""
        return int(self.forecast.shape[0])

    @property
    def converged(self) -> NDArray[np.bool_]:
        """``(batch, issue)``: whether the run settled or entered a cycle before its cap."""
        out: NDArray[np.bool_] = self.cycle_length >= 0
        return out

    def convergence(self) -> Convergence:
        """Per issue, how many runs settled, cycled, held their forecast still or did not
        converge, with words (a single run's steady forecast with its value)."""
        cap = self.params.get("max_rounds")
        return summarise_convergence(self.cycle_length, self.issue_ids, model=self.model,
                                     max_rounds=None if cap is None else int(cap),
                                     forecast=self.forecast if self.batch == 1 else None)


NOT_CONVERGED = -1
"""``cycle_length`` of a run that reached its round cap without settling or cycling."""
BY_RULE = 0
"""``cycle_length`` of a run stopped by the model's own stopping rule (EUM ``tol``, SMP's
movement ratio) while positions still moved a little."""
STEADY = -3
"""``cycle_length`` of a run that reached its round cap without settling or cycling, while
its round forecast was the same (but for last-bit rounding) over the whole trailing window
(``held_still``)."""


def trailing_window(max_rounds: int) -> tuple[int, int]:
    """First and last round whose forecasts average into the forecast of a run that did
    not converge by round ``max_rounds``: the last half of the rounds run, rounds
    ``max_rounds // 2 + 1`` to ``max_rounds`` (round 0 alone when no round ran).

    The first half is left out as the run's transient; the mean over the rest tends to
    the run's long-run average forecast as the cap grows (over a cycle not yet detected
    it covers whole periods but for a remainder), so it depends on the cap far less than
    the last round does. Both forecast paths of every model use this window.
    """
    if max_rounds < 1:
        return 0, 0
    return max_rounds // 2 + 1, max_rounds


def held_still(forecasts: NDArray[np.float64], max_rounds: int,
               scale: NDArray[np.float64] | float) -> NDArray[np.bool_]:
    """Whether runs that reached the cap ``max_rounds`` held their round forecast still
    over the trailing window (``trailing_window``): every round's forecast in it within
    ``PERIOD_RTOL * scale`` (the run's range, broadcast against ``forecasts[0]``) of the
    last round's, so that last-bit rounding (a probability-weighted mean of positions
    that did not move, taken with weights that did) does not count as movement.

    ``forecasts[r, ...]`` is round ``r``'s forecast (at least ``max_rounds + 1`` rounds);
    the answer has the shape of ``forecasts[0]``. False throughout when the window has
    fewer than two rounds (a cap of 0 to 2: nothing was seen to hold)."""
    first, last = trailing_window(max_rounds)
    if last - first < 1:
        return np.zeros(forecasts.shape[1:], dtype=bool)
    window = forecasts[first:last + 1]
    gap = np.abs(window - window[-1:]).max(axis=0)
    out: NDArray[np.bool_] = gap <= PERIOD_RTOL * np.asarray(scale, dtype=np.float64)
    return out


PERIOD_RTOL = 1e-9
"""States closer than this (as a fraction of the issue's range, every position) count as
one when a detected cycle's length is reported. A run that converges geometrically onto
a cycle (a compromise approaching its limit) locks into an exact repeat only once the
rounding has settled, and the last bit can then alternate: an exact 4-cycle that is a
2-cycle but for 1e-14 of the scale, or an exact 2-cycle around a fixed point. Detection
itself stays exact (a run stops only on an exactly repeated state) and the forecast is the
mean over the exact cycle; only the length reported is the shortest period up to this
tolerance (1 for a fixed point), so that the two forecast paths, whose last bits differ,
report the same endings."""


def shortest_period(cycle: NDArray[np.float64], scale: NDArray[np.float64]
                    ) -> NDArray[np.int64]:
    """The shortest period, up to ``PERIOD_RTOL * scale``, of exact cycles.

    ``cycle[g, i]`` is run g's state ``i`` rounds into its cycle, for ``i = 0 .. k`` (state
    ``k`` repeats state 0 exactly), any shape after that; ``scale[g]`` the run's range.
    Only divisors of ``k`` are tried: a shorter period must divide the exact one.
    """
    g, k = cycle.shape[0], cycle.shape[1] - 1
    flat = cycle.reshape(g, k + 1, -1)
    out = np.full(g, k, dtype=np.int64)
    open_ = np.ones(g, dtype=bool)
    for period in range(1, k):
        if k % period:
            continue
        gap = np.abs(flat[:, period:] - flat[:, :k + 1 - period]).max(axis=(1, 2))
        hit = open_ & (gap <= PERIOD_RTOL * scale)
        out[hit] = period
        open_ &= ~hit
    return out


@dataclass(frozen=True)
class IssueConvergence:
    """How the runs of one issue ended: counts of each kind of ending."""

    issue: str
    runs: int
    fixed_point: int
    by_rule: int
    cycled: int
    not_converged: int
    shortest_cycle: int  # 0 when no run cycled
    longest_cycle: int
    steady: int = 0  # at the cap, positions moving, the forecast held still (``STEADY``)
    held_at: float | None = None  # a single steady run's forecast

    @property
    def settled(self) -> int:
        """Runs that reached a fixed point or met the model's stopping rule."""
        return self.fixed_point + self.by_rule

    @property
    def unsettled(self) -> bool:
        """Whether some run cycled, held its forecast still at the cap or did not
        converge."""
        return bool(self.cycled or self.steady or self.not_converged)

    def words(self, max_rounds: int | None = None, noun: str = "samples") -> str:
        """What happened, in plain words (``max_rounds``: the cap the runs had; ``noun``:
        what the runs are, e.g. Monte Carlo samples)."""
        cap = ("" if max_rounds is None else
               f" in {max_rounds:,} round{'' if max_rounds == 1 else 's'}")
        if max_rounds is not None:
            first, last = trailing_window(max_rounds)
            window = (f"the mean of the forecasts of rounds {first:,}-{last:,}"
                      if last > first else f"round {last:,}'s forecast")
            span = f"rounds {first:,}-{last:,}"
            rounds = f"the last {last - first + 1:,} rounds"
        else:
            window = "the mean of the forecasts of the last half of its rounds"
            span = rounds = "the last half of the rounds"
        lengths = (f"{self.shortest_cycle}" if self.shortest_cycle == self.longest_cycle
                   else f"{self.shortest_cycle} to {self.longest_cycle}")
        if self.runs == 1:
            if self.cycled:
                return (f"cycles every {lengths} rounds; its forecast is the mean over the "
                        "cycle")
            if self.steady:
                at = "" if self.held_at is None else f" at {self.held_at:.1f}"
                return f"positions still moving, but its forecast held{at} for {rounds}"
            if self.not_converged:
                return f"did not settle{cap}; its forecast is {window}"
            return "settled"
        if not self.unsettled:
            return f"all {self.runs:,} {noun} settled"
        parts = []
        if self.cycled:
            parts.append(f"{self.cycled:,} of {self.runs:,} {noun} cycled (every {lengths} "
                         "rounds; each such forecast is the mean over its cycle)")
        if self.steady:
            # "2 samples' forecasts held", "1 sample's forecast", "the forecast of 1 of 4"
            one = self.steady == 1
            if not self.cycled:
                lead = (f"the forecast of 1 of {self.runs:,} {noun}" if one
                        else f"{self.steady:,} of {self.runs:,} {noun}' forecasts")
            else:
                lead = (f"1 {noun.removesuffix('s')}'s forecast" if one
                        else f"{self.steady:,} {noun}' forecasts")
            parts.append(f"{lead} held still over {span} though positions kept moving")
        if self.not_converged:
            lead = (f"{self.not_converged:,} of {self.runs:,} {noun}"
                    if not (self.cycled or self.steady) else f"{self.not_converged:,}")
            parts.append(f"{lead} did not settle{cap} (each such forecast is {window})")
        return "; ".join(parts) + f"; {self.settled:,} settled"


@dataclass(frozen=True)
class Convergence:
    """How a batch of runs ended, per issue (from ``Trajectory.convergence`` or
    ``summarise_convergence``)."""

    model: str
    max_rounds: int | None
    issues: tuple[IssueConvergence, ...]

    def of(self, issue_id: str) -> IssueConvergence:
        """One issue's counts."""
        for item in self.issues:
            if item.issue == issue_id:
                return item
        raise KeyError(f"no issue {issue_id!r}; expected one of "
                       f"{', '.join(i.issue for i in self.issues)}")

    @property
    def all_settled(self) -> bool:
        """Whether every run of every issue settled (no cycle, none at the cap)."""
        return not any(i.unsettled for i in self.issues)

    def sentences(self, unsettled_only: bool = True, noun: str = "samples") -> list[str]:
        """One sentence per issue ("demining: 3 of 1,000 samples cycled ..."), by default
        only for issues where some run cycled, held its forecast still at the cap or did
        not converge."""
        return [f"{i.issue}: {i.words(self.max_rounds, noun)}" for i in self.issues
                if not unsettled_only or i.unsettled]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"model": self.model, "max_rounds": self.max_rounds,
                "issues": {i.issue: {"runs": i.runs, "settled": i.settled,
                                     "fixed_point": i.fixed_point, "by_rule": i.by_rule,
                                     "cycled": i.cycled, "steady": i.steady,
                                     "not_converged": i.not_converged,
                                     "shortest_cycle": i.shortest_cycle,
                                     "longest_cycle": i.longest_cycle,
                                     "words": i.words(self.max_rounds)}
                           for i in self.issues}}


def summarise_convergence(cycle_length: NDArray[np.integer[Any]], issue_ids: Sequence[str], *,
                          model: str = "", max_rounds: int | None = None,
                          forecast: NDArray[np.float64] | None = None) -> Convergence:
    """Per issue counts of how runs ended, from a ``(runs, issue)`` array of cycle lengths
    (``Trajectory.cycle_length``, or the same stored with a run); ``forecast``, the runs'
    ``(runs, issue)`` forecasts, gives a single steady run's value (``held_at``)."""
    c = np.asarray(cycle_length)
    if c.ndim != 2 or c.shape[1] != len(issue_ids):
        raise ValueError(f"cycle_length must be (runs, {len(issue_ids)} issues); got shape "
                         f"{c.shape}")
    odd = c[(c < NOT_CONVERGED) & (c != STEADY)]
    if odd.size:
        raise ValueError(f"cycle_length values must be >= {NOT_CONVERGED} or {STEADY} "
                         f"(STEADY); got {int(odd[0])}")
    out = []
    for k, issue in enumerate(issue_ids):
        col = c[:, k]
        cyc = col[col >= 2]
        steady = int((col == STEADY).sum())
        held = (float(forecast[0, k]) if forecast is not None and col.size == 1 and steady
                else None)
        out.append(IssueConvergence(
            issue=issue, runs=int(col.size), fixed_point=int((col == 1).sum()),
            by_rule=int((col == BY_RULE).sum()), cycled=int(cyc.size),
            not_converged=int((col == NOT_CONVERGED).sum()),
            shortest_cycle=int(cyc.min()) if cyc.size else 0,
            longest_cycle=int(cyc.max()) if cyc.size else 0, steady=steady, held_at=held))
    return Convergence(model, max_rounds, tuple(out))
