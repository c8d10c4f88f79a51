"""Bueno de Mesquita's expected utility model (EUM), vectorised over batch and issues.

Each issue is bargained on separately (the model is one-dimensional). In every round each
actor weighs, against every other, whether challenging pays, given the capability and
salience of everyone who would side with either; the resulting offers (conflict,
compromise, capitulation) move positions, all at once; the round's forecast is the
capability x salience weighted median. Sources: Bueno de Mesquita (1994), "Political
forecasting: an expected utility method", in Bueno de Mesquita and Stokman (eds.),
*European Community Decision Making*; Scholz, Calbert and Smith (2011), "Unravelling
Bueno De Mesquita's group decision model", *Journal of Theoretical Politics* 23(4).

Two variants, by name:

``"scholz2011"`` (default)
    The model as Scholz et al.'s own code computed their Table 2; it reproduces the
    published emission-standards example (see ``tests/models/test_eum.py``). Votes use each
    voter's risk exponent; P(i beats j) is i's vote share over the sum of all absolute
    votes on all ordered pairs; E has no "things get better/worse" terms; both utilities
    of a pair are evaluated with the risk exponent of the actor weighing its offers; an
    actor takes the nearest conflict offer, else the compromise offer with the smallest
    ``(|a| x_i + |b| x_j) / (|a| + |b|)``, else stays. No capitulation offer arises.
    Round 2 of the published table prints 9.9 where this variant gives 9.611; every other
    round agrees to the printed decimal. We match the computation that reproduces seven of
    eight printed rounds and the printed risk exponents, and document the one disagreement
    (the table's round 2 cannot be reproduced together with its rounds 3-8).

``"literal"``
    Steps 1-7 of the model as the papers write them: linear votes; P_i as the share of
    vote differences on the pair; U_s, U_f, U_b, U_w, U_sq with the actor's own risk
    exponent; ``E_i(ij) = s_j (P U_s + (1-P) U_f) + (1-s_j) U_s - Q U_sq
    - (1-Q)(T U_b + (1-T) U_w)``; conflict (the lower E moves fully), compromise (the
    loser moves by the ratio of the two E), capitulation (full move), stalemate; an actor
    with several offers prefers conflict, then compromise, then capitulation, and among
    those the one that moves it least. On the emission example this variant degenerates
    (actors swap positions in conflicts and all end at 7 by round 4), as Scholz et al.
    noted; it is kept for comparison and has its own property tests.

Choices left open by the sources, with what we chose:

- Distances: ``d(a, b) = |a - b| / R`` with R the range of the initial positions of the
  actors present on the issue (Scholz et al.); an issue on which all agree (R = 0) stays
  put.
- Utility exponent and risk: ``r_i = (1 - R_i/3) / (1 + R_i/3)`` in [0.5, 2], with
  ``R_i = (2 D_i - max D - min D) / (max D - min D)`` and ``D_i`` the sum of the others'
  expected utilities of challenging i, all computed with r = 1 (Bueno de Mesquita 1994;
  Scholz et al. eq. for the risk coefficient). When every D is equal, R_i = 0 and r = 1.
- ``q``: the weight of the status quo in E; 1.0 as in Bueno de Mesquita (1985) and Scholz
  et al.'s replication (later papers use 0.5). The scholz2011 variant has no U_b/U_w
  terms, so ``q`` scales U_sq only.
- Choice among several offers: as stated per variant above; exact ties go to the offer
  whose target position is lowest, so that the result never depends on actor order.
- Stopping, and the forecast of a run that does not settle. Scholz et al. run a fixed
  number of rounds and read the weighted median of the last; Bueno de Mesquita stops when
  the median's change becomes small. Neither says what to forecast when the positions
  never settle, and they often do not: Scholz et al. raise the model's convergence as a
  concern, the published Python replications (jmckib, dmasad) swing the same way, and on
  the bundled scenario a third of sample-issue runs have neither settled nor repeated a
  state by round 50, so a last-round forecast is partly an accident of the cap (it moved
  by more than 10 points between caps 49 and 50 in 11% of them; now in 0.03%). What we
  do, and why:

  A round is a deterministic function of the positions alone (R is fixed at the start;
  risk exponents, probabilities and offers are recomputed from the positions every
  round), so the state of a run on an issue is its vector of positions, and a run whose
  positions repeat those of an earlier round goes round the same states for ever. Every
  state is kept and each new one compared with all earlier ones exactly (no tolerance:
  equal floats; ``Trajectory.cycle_length`` says how the run ended):

  * a round that moves nobody ends the run at a fixed point (``cycle_length`` 1); the
    forecast is its weighted median;
  * positions equal to those of ``k >= 2`` rounds before end it in a cycle of ``k``
    rounds (detected at the first repeat; ``converged_round`` is the cycle's first
    round); the forecast is the mean of the weighted medians of the ``k`` states of the
    cycle: the average forecast over the cycle, which is also the limit of the average
    round forecast as the run grows, and the expected forecast when the round at which
    bargaining stops is not known. It does not depend on the cap once the cycle is seen.
    (A weighted median over the cycle's states would pick one phase of a two-state swing;
    the mean treats both halves alike.) This choice is ours, not the papers';
  * ``tol`` (a fraction of R; default None = off), Bueno de Mesquita's rule, ends a run
    once the round's median moves by less than ``tol * R`` (``cycle_length`` 0);
  * a run that reaches ``max_rounds`` (default 50) with none of these has not converged
    (``cycle_length`` -1); its forecast is the mean of the round medians over the last
    half of its rounds (``trajectory.trailing_window``: rounds ``max_rounds // 2 + 1`` to
    ``max_rounds``), which tends to the run's long-run average as the cap grows and moves
    far less with the cap than the last round's median does. It still depends on the cap
    a little, which is why such runs are counted and reported
    (``Trajectory.convergence``);
  * unless its median was the same in every round of that window (up to
    ``trajectory.PERIOD_RTOL`` of R; ``cycle_length`` -3, ``trajectory.STEADY``): actors
    away from the median still trade offers, but the forecast held still, and is that
    median (the window's mean of it). It is reported as a steady forecast, not as one that
    did not settle.

  The emission-standards example is such a run. Its round medians (the replication,
  ``forecasts[1:9]``) are as published, but it never settles: Belgium drifts from 4 to
  10 years by compromises and falls back, Luxembourg and Ireland following a round
  behind, and the median swings between 7 and nearly 10. Its positions first repeat at
  round 408 (those of round 338: a 70-round cycle; the compiled kernel, whose arithmetic
  differs in the last bit, enters the same cycle at round 238), whose mean median is
  8.395 years (Bueno de Mesquita reported about 8.35, rising to 9.05; the outcome was
  8.83). The default 50 rounds end before that, so the default run reports it as not
  converged, with the mean of rounds 26-50: 7.991 years (the last round's median, which
  was printed before, is 7.000); for caps from 40 to 60 this window forecast lies between
  7.78 and 8.50 (the last round's median between 7.00 and 9.67).
- The round's forecast is the capability x salience weighted median of its positions
  (``statecraft.models.median``); ``forecasts`` holds it for every round, ``forecast``
  the run's forecast as above.

Properties one might expect that the model's own definitions break (tested, not bent):

- An actor with zero salience still challenges others (literal variant): salience
  enters an actor's expected utility only as the *target's* s_j (the chance the target
  resists), so an actor that does not care at all can make a conflict offer that another
  accepts. In the scholz2011 variant we have not seen it happen.
- An actor with zero salience changes the forecast (scholz2011): it casts no vote, but it
  is a candidate position in P's denominator and its own choices enter the risk
  exponents, so adding one moves the other actors' P and hence their offers. The
  baselines, by contrast, ignore zero-salience actors exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from statecraft.models import _eum_numba
from statecraft.models.inputs import ModelInputs
from statecraft.models.median import weighted_median
from statecraft.models.trajectory import (
    BY_RULE,
    NOT_CONVERGED,
    STEADY,
    OfferKind,
    OfferLog,
    Trajectory,
    held_still,
    shortest_period,
    trailing_window,
)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Variant = Literal["scholz2011", "literal"]
VARIANTS: tuple[str, ...] = ("scholz2011", "literal")

EPS = 1e-9
"""Expected utilities (of order 1) closer than this to zero, or to each other, count as
equal: sums taken in another actor order differ in the last bits, and a decision must not
hang on that."""


@dataclass(frozen=True)
class Problems:
    """One-dimensional bargaining problems stacked on the first axis: ``(problem, actor)``."""

    position: FloatArray
    capability: FloatArray
    salience: FloatArray
    present: BoolArray

    @property
    def weight(self) -> FloatArray:
        """Capability x salience; zero for absent actors."""
        return np.where(self.present, self.capability * self.salience, 0.0)


def _span(x0: FloatArray, present: BoolArray) -> FloatArray:
    hi = np.where(present, x0, -np.inf).max(axis=1)
    lo = np.where(present, x0, np.inf).min(axis=1)
    return np.where(np.isfinite(hi - lo), hi - lo, 0.0)


def _distance(x: FloatArray, span: FloatArray) -> FloatArray:
    """``d[p, i, j] = |x_i - x_j| / R``; zero where R is zero."""
    safe = np.where(span > 0, span, 1.0)[:, None, None]
    return np.abs(x[:, :, None] - x[:, None, :]) / safe


def _pair_mask(pr: Problems) -> BoolArray:
    """Ordered pairs (i, j), i != j, both present."""
    n = pr.position.shape[1]
    both = pr.present[:, :, None] & pr.present[:, None, :]
    return both & ~np.eye(n, dtype=bool)[None]


def _u(base: FloatArray, r: FloatArray) -> FloatArray:
    return 2.0 - 4.0 * np.power(np.maximum(base, 0.0), r)


def _probability_scholz(pr: Problems, d: FloatArray, r_voter: FloatArray) -> FloatArray:
    """P[p, i, j]: i's share of all absolute votes, votes curved by each voter's exponent.

    The denominator (every voter's absolute vote on every ordered pair of present actors)
    equals twice the sum of the numerators over those pairs, which saves a second pass.
    """
    w = pr.weight
    vt = w[:, None, :] * np.power(d, r_voter[:, None, :])  # vt[p, a, k] = w_k d(k, a)^r_k
    # vote of k for i over j = vt[j, k] - vt[i, k]; k last, so the sum runs on contiguous data
    diff = vt[:, None, :, :] - vt[:, :, None, :]  # [p, i, j, k]
    np.maximum(diff, 0.0, out=diff)
    num = diff.sum(axis=3)
    both = pr.present[:, :, None] & pr.present[:, None, :]
    den = 2.0 * np.where(both, num, 0.0).sum(axis=(1, 2))
    safe = np.where(den > 0, den, 1.0)[:, None, None]
    return np.where(den[:, None, None] > 0, num / safe, 0.0)


def _scholz_round(pr: Problems, span: FloatArray, q: float,
                  ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Risk exponents and the (a, b) matrices of one scholz2011 round, each P computed once.

    Same quantities as ``risk_exponents`` and ``expected_utilities`` (tests check both
    routes agree); with r = 1 the utilities are linear (U_s = 2d, U_f = -2d, U_sq = 0), so
    E(i ch j) = 2 d (1 - 2 s_j (1 - P)).
    """
    d = _distance(pr.position, span)
    pairs = _pair_mask(pr)
    ones = np.ones_like(pr.position)
    p1 = _probability_scholz(pr, d, ones)
    e1 = np.where(pairs, 2 * d * (1 - 2 * pr.salience[:, None, :] * (1 - p1)), 0.0)
    r = _risk_from_danger(e1.sum(axis=1), pr.present)
    p = _probability_scholz(pr, d, r)
    rr = r[:, :, None]
    u_s, u_f = _u(0.5 - 0.5 * d, rr), _u(0.5 + 0.5 * d, rr)
    u_sq = q * (2.0 - 4.0 * np.power(0.5, rr))
    s_j, s_i = pr.salience[:, None, :], pr.salience[:, :, None]
    pt = p.transpose(0, 2, 1)
    a = s_j * (p * u_s + (1 - p) * u_f) + (1 - s_j) * u_s - u_sq
    b = s_i * (pt * u_s + (1 - pt) * u_f) + (1 - s_i) * u_s - u_sq
    return r, np.where(pairs, a, 0.0), np.where(pairs, b, 0.0)


def _probability_literal(pr: Problems, d: FloatArray) -> FloatArray:
    """P[p, i, j]: the share of weighted distance differences on the pair (i, j) won by i."""
    w = pr.weight
    diff = d[:, :, None, :] - d[:, :, :, None]  # [p, k, i, j] = d(k, j) - d(k, i)
    num = (w[:, :, None, None] * np.maximum(diff, 0.0)).sum(axis=1)
    den = (w[:, :, None, None] * np.abs(diff)).sum(axis=1)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def win_probabilities(pr: Problems, span: FloatArray, *, variant: Variant,
                      r_voter: FloatArray | None = None) -> FloatArray:
    """P[p, i, j]: the probability that i prevails over j, as the variant defines it."""
    d = _distance(pr.position, span)
    if variant == "scholz2011":
        return _probability_scholz(pr, d, np.ones_like(pr.position) if r_voter is None
                                   else r_voter)
    return _probability_literal(pr, d)


def expected_utilities(
    pr: Problems,
    span: FloatArray,
    r: FloatArray,
    *,
    variant: Variant,
    q: float,
    median: FloatArray | None = None,
    evaluator: Literal["challenger", "target"] = "challenger",
    r_voter: FloatArray | None = None,
) -> FloatArray:
    """E[p, i, j]: i's expected utility of challenging j.

    ``r`` holds the actors' risk exponents; ``evaluator`` says whose exponent evaluates
    the pair (the challenger's, or, for scholz2011's mirrored utilities, the target's).
    ``r_voter`` sets the voters' exponents (scholz2011); the literal variant votes
    linearly and needs the round's ``median`` for its better/worse terms.
    """
    d = _distance(pr.position, span)
    rr = r[:, :, None] if evaluator == "challenger" else r[:, None, :]
    rr = np.broadcast_to(rr, d.shape)
    s_target = pr.salience[:, None, :]
    if variant == "scholz2011":
        p = _probability_scholz(pr, d, r if r_voter is None else r_voter)
        u_s, u_f = _u(0.5 - 0.5 * d, rr), _u(0.5 + 0.5 * d, rr)
        e = s_target * (p * u_s + (1 - p) * u_f) + (1 - s_target) * u_s - q * _u(
            np.full_like(d, 0.5), rr)
    else:
        if median is None:
            raise ValueError("the literal variant needs the round's median")
        p = _probability_literal(pr, d)
        u_s, u_f = _u(0.5 - 0.5 * d, rr), _u(0.5 + 0.5 * d, rr)
        safe = np.where(span > 0, span, 1.0)[:, None]
        d_mu = (np.abs(pr.position - median[:, None]) / safe)[:, :, None]
        u_b = _u(0.5 - 0.25 * (d_mu + d), rr)
        u_w = _u(0.5 + 0.25 * (d_mu + d), rr)
        t = (d_mu < d).astype(np.float64)
        u_sq = _u(np.full_like(d, 0.5), rr)
        e = (s_target * (p * u_s + (1 - p) * u_f) + (1 - s_target) * u_s - q * u_sq
             - (1 - q) * (t * u_b + (1 - t) * u_w))
    return np.where(_pair_mask(pr), e, 0.0)


def _risk_from_danger(danger: FloatArray, present: BoolArray) -> FloatArray:
    hi = np.where(present, danger, -np.inf).max(axis=1, keepdims=True)
    lo = np.where(present, danger, np.inf).min(axis=1, keepdims=True)
    width = hi - lo
    ok = np.isfinite(width) & (width > 0)
    big_r = np.where(ok, (2 * danger - hi - lo) / np.where(ok, width, 1.0), 0.0)
    big_r = np.where(present, np.clip(big_r, -1.0, 1.0), 0.0)  # absent actors: r = 1, unused
    return (1 - big_r / 3) / (1 + big_r / 3)


def risk_exponents(pr: Problems, span: FloatArray, *, variant: Variant, q: float,
                   median: FloatArray | None = None) -> FloatArray:
    """r[p, i] in [0.5, 2] from the danger each actor faces, all utilities taken with r = 1."""
    ones = np.ones_like(pr.position)
    e1 = expected_utilities(pr, span, ones, variant=variant, q=q, median=median)
    return _risk_from_danger(e1.sum(axis=1), pr.present)  # D_i = sum_j E(j challenges i)


@dataclass(frozen=True)
class RoundOffers:
    """What every actor is offered by every other in one round, and what it takes."""

    kind: NDArray[np.int64]  # [p, i, j]: OfferKind the receiver i gets from j, 0 = none
    target: FloatArray  # [p, i, j]: where i would move
    chosen: NDArray[np.int64]  # [p, i]: j whose offer i takes, -1 = stays
    new_position: FloatArray  # [p, i]


def _choose(cand: BoolArray, key: FloatArray, target: FloatArray) -> NDArray[np.int64]:
    """Per receiver, the candidate with the smallest key; ties to the lowest target."""
    big = np.inf
    k = np.where(cand, key, big)
    best = k.min(axis=2, keepdims=True)
    tol = 1e-12 * np.maximum(1.0, np.abs(best))
    near = cand & (k <= best + tol)
    t = np.where(near, target, big)
    pick = np.argmin(t, axis=2)
    return np.where(cand.any(axis=2), pick, -1).astype(np.int64)


def offers(pr: Problems, span: FloatArray, *, variant: Variant, q: float,
           median: FloatArray) -> tuple[RoundOffers, FloatArray, FloatArray, FloatArray]:
    """One round's offers. Returns the offers, the risk exponents and the (a, b) matrices.

    ``a[p, i, j]`` = E(i challenges j) and ``b[p, i, j]`` = E(j challenges i), each as the
    variant evaluates them for receiver i.
    """
    x = pr.position
    if variant == "scholz2011":
        r, a, b = _scholz_round(pr, span, q)
    else:
        r = risk_exponents(pr, span, variant=variant, q=q, median=median)
        e = expected_utilities(pr, span, r, variant=variant, q=q, median=median)
        a, b = e, e.transpose(0, 2, 1)
    a = np.where(np.abs(a) < EPS, 0.0, a)
    b = np.where(np.abs(b) < EPS, 0.0, b)
    xi, xj = x[:, :, None], x[:, None, :]
    valid = _pair_mask(pr) & (xi != xj)
    dist = np.abs(xj - xi)
    kind = np.zeros(a.shape, dtype=np.int64)
    target = np.broadcast_to(xi, a.shape).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b != 0, np.abs(a / np.where(b != 0, b, 1.0)), 0.0)
    if variant == "scholz2011":
        conflict = valid & (b > a + EPS) & (a > 0)
        compromise = valid & ~conflict & (b > 0) & (a < 0) & (b > np.abs(a) + EPS)
        capitulation = np.zeros_like(conflict)
    else:
        conflict = valid & (a > 0) & (b > 0) & (a + EPS < b)
        compromise = valid & (b > 0) & (a < 0) & (np.abs(b) > np.abs(a) + EPS)
        capitulation = valid & (b > 0) & (a < 0) & ~compromise
    kind[conflict] = OfferKind.CONFLICT
    kind[compromise] = OfferKind.COMPROMISE
    kind[capitulation] = OfferKind.CAPITULATION
    target = np.where(conflict | capitulation, np.broadcast_to(xj, a.shape), target)
    target = np.where(compromise, xi + (xj - xi) * ratio, target)

    if variant == "scholz2011":
        pick_conflict = _choose(conflict, dist, target)
        with np.errstate(divide="ignore", invalid="ignore"):
            key = (np.abs(a) * xi + np.abs(b) * xj) / (np.abs(a) + np.abs(b))
        pick_comp = _choose(compromise, key, target)
        chosen = np.where(pick_conflict >= 0, pick_conflict, pick_comp)
    else:
        move = np.abs(target - xi)
        chosen = np.full(x.shape, -1, dtype=np.int64)
        for cand in (capitulation, compromise, conflict):  # last assignment wins: preference
            pick = _choose(cand, move, target)
            chosen = np.where(pick >= 0, pick, chosen)
    taken = np.take_along_axis(target, np.maximum(chosen, 0)[:, :, None], axis=2)[:, :, 0]
    new_x = np.where(chosen >= 0, taken, x)
    return RoundOffers(kind, target, chosen, new_x), r, a, b


@dataclass(frozen=True)
class _ChunkRun:
    """One chunk of problems run to their ends: the history kept, and how each ended."""

    positions: FloatArray  # (rounds kept, problem, actor)
    medians: FloatArray  # (rounds kept, problem)
    rounds: NDArray[np.int64]
    cycle_length: NDArray[np.int64]
    converged_round: NDArray[np.int64]
    forecast: FloatArray
    log: list[tuple[int, RoundOffers, NDArray[np.int64]]]


def _mean_over_rounds(medians: FloatArray, first: NDArray[np.int64],
                     last: NDArray[np.int64]) -> FloatArray:
    """Per problem p, the mean of ``medians[first[p]:last[p] + 1, p]``, summed round by
    round in order (as the compiled kernel sums), so both paths round alike."""
    acc = np.zeros(medians.shape[1])
    if medians.shape[1] == 0:
        return acc
    for rnd in range(int(first.min()), int(last.max()) + 1):
        acc += np.where((first <= rnd) & (rnd <= last), medians[rnd], 0.0)
    out: FloatArray = acc / (last - first + 1)
    return out


def _periods(hist_x: FloatArray, probs: NDArray[np.int64], back: NDArray[np.int64],
             rnd: int, span: FloatArray) -> NDArray[np.int64]:
    """The reported length of cycles whose state at round ``rnd`` repeats round ``back``:
    the shortest period up to ``PERIOD_RTOL`` of the range (``trajectory.shortest_period``)."""
    out = rnd - back
    for k in np.unique(out).tolist():
        if k < 2:
            continue
        sel = out == k
        rounds = back[sel][:, None] + np.arange(k + 1)[None, :]
        states = hist_x[rounds, probs[sel][:, None]]  # (cycle, state, actor)
        out[sel] = shortest_period(states, span[sel])
    return out


def _run_chunk(pr: Problems, *, variant: Variant, q: float, max_rounds: int,
               tol: float | None, keep_history: bool, record: bool) -> _ChunkRun:
    """Rounds until each problem reaches a fixed point, repeats an earlier state (a cycle),
    meets ``tol``, or reaches ``max_rounds``; see the module docstring for the forecast of
    each ending."""
    x = pr.position.copy()
    n_prob, n = x.shape
    span = _span(x, pr.present)
    w = pr.weight
    med = weighted_median(x, w, axis=1)
    # every state is kept: a repeat of any earlier one is a cycle
    hist_x = np.empty((max_rounds + 1, n_prob, n))
    hist_m = np.empty((max_rounds + 1, n_prob))
    hist_x[0], hist_m[0] = x, med
    live = span > 0
    cycle = np.where(live, NOT_CONVERGED, 1).astype(np.int64)  # agreement: settled at 0
    since = np.where(live, -1, 0).astype(np.int64)
    rounds = np.zeros(n_prob, dtype=np.int64)
    forecast = med.copy()
    log: list[tuple[int, RoundOffers, NDArray[np.int64]]] = []
    depth = 0
    for rnd in range(1, max_rounds + 1):
        idx = np.flatnonzero(live)
        if idx.size == 0:
            break
        sub = Problems(x[idx], pr.capability[idx], pr.salience[idx], pr.present[idx])
        ro, _, _, _ = offers(sub, span[idx], variant=variant, q=q, median=med[idx])
        if record:
            log.append((rnd, ro, idx))
        x[idx] = ro.new_position
        new_med = weighted_median(x[idx], w[idx], axis=1)
        hist_x[rnd], hist_m[rnd] = x, med
        hist_m[rnd, idx] = new_med
        depth = rnd
        same = np.all(hist_x[:rnd, idx] == ro.new_position[None], axis=2)  # (round, problem)
        repeat = same.any(axis=0)
        back = np.argmax(same, axis=0)  # the earlier state it repeats (states before are distinct)
        rep = idx[repeat]
        cycle[rep] = _periods(hist_x, rep, back[repeat], rnd, span[rep])
        since[rep] = back[repeat]
        rounds[rep] = rnd - 1  # the last round that brought a new state
        forecast[rep] = _mean_over_rounds(hist_m[:, rep], back[repeat],
                                          np.full(rep.size, rnd - 1, dtype=np.int64))
        ruled = np.zeros(idx.size, dtype=bool)
        if tol is not None:
            ruled = ~repeat & (np.abs(new_med - med[idx]) < tol * span[idx])
        rul = idx[ruled]
        cycle[rul], since[rul], rounds[rul] = BY_RULE, rnd, rnd
        forecast[rul] = new_med[ruled]
        med[idx] = new_med
        live[idx[repeat | ruled]] = False
    left = np.flatnonzero(live)
    if left.size:  # at the cap with neither: the mean over the trailing window
        first, last = trailing_window(max_rounds)
        rounds[left] = max_rounds
        forecast[left] = _mean_over_rounds(hist_m[:, left], np.full(left.size, first),
                                           np.full(left.size, last))
        cycle[left[held_still(hist_m[:, left], max_rounds, span[left])]] = STEADY
    if keep_history:
        kept_x, kept_m = hist_x[:depth + 1], hist_m[:depth + 1]
    else:
        kept_x, kept_m = np.stack([hist_x[0], x]), np.stack([hist_m[0], med])
    return _ChunkRun(kept_x, kept_m, rounds, cycle, since, forecast, log)


def _log_to_offers(entries: list[tuple[int, RoundOffers, NDArray[np.int64]]],
                   n_issue: int) -> OfferLog:
    cols: dict[str, list[NDArray[np.generic]]] = {k: [] for k in (
        "round", "batch", "issue", "challenger", "target", "kind", "new_position", "accepted")}
    for rnd, ro, idx in entries:
        p, i, j = np.nonzero(ro.kind)
        prob = idx[p]
        cols["round"].append(np.full(p.size, rnd, dtype=np.int64))
        cols["batch"].append(prob // n_issue)
        cols["issue"].append(prob % n_issue)
        cols["challenger"].append(j.astype(np.int64))
        cols["target"].append(i.astype(np.int64))
        cols["kind"].append(ro.kind[p, i, j])
        cols["new_position"].append(ro.target[p, i, j])
        cols["accepted"].append(ro.chosen[p, i] == j)
    if not entries:
        return OfferLog.empty()
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return OfferLog(cat["round"], cat["batch"], cat["issue"], cat["challenger"], cat["target"],
                    cat["kind"], cat["new_position"].astype(np.float64),
                    cat["accepted"].astype(bool))


def _eum_compiled(inputs: ModelInputs, *, q: float, max_rounds: int, tol: float | None,
                  rows_per_chunk: int = 4096) -> Trajectory:
    b, n, k = inputs.position.shape
    # the outputs are allocated once; everything else is per chunk, so memory beyond the
    # inputs and outputs does not grow with the batch
    positions = np.empty((2, b, n, k))
    forecasts = np.empty((2, b, k))
    forecast = np.empty((b, k))
    ends = np.empty((3, b, k), dtype=np.int64)  # rounds, cycle length, converged round
    present = np.ascontiguousarray(inputs.present.T)
    for start in range(0, b, rows_per_chunk):
        rows = slice(start, min(start + rows_per_chunk, b))
        m = rows.stop - rows.start
        pos = inputs.position[rows].transpose(0, 2, 1).reshape(m * k, n)
        sal = inputs.salience[rows].transpose(0, 2, 1).reshape(m * k, n)
        cap = np.repeat(inputs.capability[rows], k, axis=0)
        pres = np.broadcast_to(present[None], (m, k, n)).reshape(m * k, n)
        out = _eum_numba.run_scholz(pos, cap, sal, pres, q=q, max_rounds=max_rounds,
                                    tol=tol, eps=EPS)
        positions[0, rows] = inputs.position[rows]
        positions[1, rows] = out.positions.reshape(m, k, n).transpose(0, 2, 1)
        forecasts[0, rows] = weighted_median(inputs.position[rows], inputs.weight_of(rows),
                                             axis=1)
        forecasts[1, rows] = out.last_median.reshape(m, k)
        forecast[rows] = out.forecast.reshape(m, k)
        ends[:, rows] = np.stack([out.rounds, out.cycle_length,
                                  out.converged_round]).reshape(3, m, k)
    return Trajectory(
        model="eum",
        params={"variant": "scholz2011", "q": q, "max_rounds": max_rounds, "tol": tol},
        actor_ids=inputs.actor_ids,
        issue_ids=inputs.issue_ids,
        positions=positions,
        forecasts=forecasts,
        forecast=forecast,
        rounds=ends[0],
        cycle_length=ends[1],
        converged_round=ends[2],
    )


def eum(
    inputs: ModelInputs,
    *,
    variant: str = "scholz2011",
    q: float = 1.0,
    max_rounds: int = 50,
    tol: float | None = None,
    record_offers: bool = False,
    keep_history: bool = True,
    chunk_size: int = 2048,
    engine: str = "auto",
) -> Trajectory:
    """Run the expected utility model on every batch row and issue at once.

    Each run (batch row x issue) goes until it reaches a fixed point, repeats an earlier
    state (a cycle), meets ``tol``, or reaches ``max_rounds``; ``forecast`` is its forecast
    as the module docstring defines it for each ending, and ``cycle_length`` and
    ``converged_round`` say which ending it was.

    ``keep_history=False`` keeps only round 0 and the final round in ``positions`` and
    ``forecasts`` (for large Monte Carlo batches). ``chunk_size`` bounds memory: problems
    (batch row x issue) are processed that many at a time (every state of a chunk is kept
    to detect cycles: ``chunk_size x actors x (max_rounds + 1)`` floats). ``engine``:
    ``"numpy"``, ``"numba"`` (a compiled kernel, scholz2011 without history or offers;
    needs the ``fast`` extra) or ``"auto"`` (numba where it applies and is installed).
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown EUM variant {variant!r}; expected one of {VARIANTS}")
    if max_rounds < 0 or chunk_size < 1:
        raise ValueError("max_rounds must be >= 0 and chunk_size >= 1")
    if engine not in ("auto", "numpy", "numba"):
        raise ValueError(f"unknown engine {engine!r}; expected auto, numpy or numba")
    v: Variant = "scholz2011" if variant == "scholz2011" else "literal"
    compiled = v == "scholz2011" and not keep_history and not record_offers
    if engine == "numba" and not (compiled and _eum_numba.AVAILABLE):
        raise ValueError("the numba engine needs numba installed, variant scholz2011, "
                         "keep_history=False and record_offers=False")
    if compiled and engine != "numpy" and _eum_numba.AVAILABLE:
        return _eum_compiled(inputs, q=q, max_rounds=max_rounds, tol=tol)
    b, n, k = inputs.position.shape
    # problems ordered (batch, issue): problem index = row * k + issue
    pos = inputs.position.transpose(0, 2, 1).reshape(b * k, n)
    sal = inputs.salience.transpose(0, 2, 1).reshape(b * k, n)
    cap = np.repeat(inputs.capability, k, axis=0)
    pres = np.broadcast_to(inputs.present.T[None], (b, k, n)).reshape(b * k, n)
    n_prob = b * k
    runs: list[_ChunkRun] = []
    log: list[tuple[int, RoundOffers, NDArray[np.int64]]] = []
    for start in range(0, n_prob, chunk_size):
        sl = slice(start, min(start + chunk_size, n_prob))
        pr = Problems(pos[sl], cap[sl], sal[sl], pres[sl])
        run = _run_chunk(pr, variant=v, q=q, max_rounds=max_rounds, tol=tol,
                         keep_history=keep_history, record=record_offers)
        runs.append(run)
        log += [(rnd, ro, idx + start) for rnd, ro, idx in run.log]
    depth = max(r.positions.shape[0] for r in runs)

    def padded(h: FloatArray) -> FloatArray:  # chunks that stopped early repeat their last state
        return np.concatenate([h, np.repeat(h[-1:], depth - h.shape[0], axis=0)])

    x_hist = np.concatenate([padded(r.positions) for r in runs], axis=1)
    m_hist = np.concatenate([padded(r.medians) for r in runs], axis=1)
    positions = x_hist.reshape(depth, b, k, n).transpose(0, 1, 3, 2)

    def joined(name: str) -> NDArray[np.generic]:
        return np.concatenate([getattr(r, name) for r in runs]).reshape(b, k)

    return Trajectory(
        model="eum",
        params={"variant": v, "q": q, "max_rounds": max_rounds, "tol": tol},
        actor_ids=inputs.actor_ids,
        issue_ids=inputs.issue_ids,
        positions=np.ascontiguousarray(positions),
        forecasts=m_hist.reshape(depth, b, k),
        forecast=joined("forecast").astype(np.float64),
        rounds=joined("rounds").astype(np.int64),
        cycle_length=joined("cycle_length").astype(np.int64),
        converged_round=joined("converged_round").astype(np.int64),
        offers=_log_to_offers(log, k) if record_offers else None,
    )
