"""The position exchange model: actors who care about different issues trade voting
positions, vectorised over batch rows and sets of issues.

Sources: Stokman and Van Oosten (1994), "The exchange of voting positions: an
object-oriented model of policy networks", in Bueno de Mesquita and Stokman (eds.),
*European Community Decision Making*; Arregui, Stokman and Thomson (2006), "Compromise,
exchange and challenge in the European Union", ch. 5 of Thomson, Stokman, Achen and
Koenig (eds.), *The European Union Decides*; and the equal-gain exchange model of
Stokman's later work (Van Assen, Stokman and Van Oosten 2003, *Rationality and Society*
15(1); Dijkstra, Van Assen, Stokman et al. on random and equal exchange rates; the
Decide software that implements it).

The model, as used here:

- Each actor has a **policy position** ``x`` (its preference, fixed) and a **voting
  position** ``v`` (what it backs in the end), at first equal. The **expected outcome**
  of an issue is the capability x salience weighted mean of the voting positions,
  ``O_d = sum_i c_i s_id v_id / sum_i c_i s_id`` over the actors with a stance: the
  compromise model's forecast, as in the sources.
- An actor's **expected utility** is ``-sum_d s_id |x_id - O_d|``: each issue's outcome
  judged by its distance from the actor's policy position, weighted by salience.
- An **exchange** involves two actors i and j and two issues p and q of one exchange set
  (every issue of a scenario; on DEU the issues of one proposal). It is possible when
  (Stokman and Van Oosten) i and j are on opposite sides of the expected outcome on both
  issues (by their policy positions) and each cares relatively more about a different
  issue: ``s_ip / s_iq > s_jp / s_jq``, i.e. ``s_ip s_jq > s_iq s_jp``. Then j shifts its
  voting position on p towards i (i's *demand* issue, j's *supply* issue) and i shifts its
  voting position on q towards j. Moving ``O_p`` by ``dO_p`` towards i gains i
  ``s_ip dO_p`` and costs j ``s_jp dO_p``; likewise on q. With equal saliences on both
  sides no exchange pays.

Choices where the publications differ, with what we chose:

- **Exchange rate: equal gain.** The sources set the rate differently: Van Assen,
  Stokman and Van Oosten (2003) take the Raiffa-Kalai-Smorodinsky solution (each side's
  gain in proportion to the most it could gain); the later equal-gain model (Dijkstra,
  Van Assen and Stokman; the one the Decide software runs) sets it so that both gain the
  same: ``dO_q / dO_p = (s_ip + s_jp) / (s_iq + s_jq)``, and each side's gain is
  ``G = dO_p (s_ip s_jq - s_iq s_jp) / (s_iq + s_jq)``. We use equal gain: it is the
  model's latest form, and with it an exchange's gain is one number to rank by.
- **How far an actor shifts: to the other's position.** Accounts differ: the supplier
  shifts up to the expected outcome, or up to the demander's position. The equal-gain
  model (Decide) moves it at most to the demander's position, and never so far that the
  expected outcome passes the demander's position (beyond it the demander would lose).
  We do the same: j's voting position on p moves at most to ``x_ip`` and ``O_p`` at most
  to ``x_ip``; i's on q at most to ``x_jq`` and ``O_q`` at most to ``x_jq``. The gain is
  linear in the size of the exchange, so each exchange is as large as those four limits
  allow at the rate: one of them binds.
  The shifts move voting positions only; policy positions, and so utilities, stay put.
- **Order: sequential, highest gain first, the expected outcomes updated after each.**
  Stokman and Van Oosten and Arregui et al. carry out exchanges in order of their gain;
  Decide, after each exchange, recomputes the exchanges it affects, and then runs further
  rounds in which actors move part way (fixed weights) towards their voting positions.
  We take the simplest form with no weights of our own: each round carries out the one
  exchange of largest gain in each exchange set (sets do not interact), the expected
  outcomes are recomputed from the new voting positions, every possible exchange is
  evaluated afresh, and rounds go on until no exchange pays. An actor may exchange
  repeatedly, with several partners and on several pairs of issues, its voting
  position moving from where the last exchange left it.
- **Bilateral only.** Exchanges are between two actors on two issues, as in the
  sources above; exchanges among three or more actors, and the externalities an exchange
  has on third parties (Van Assen et al. 2003), do not enter the choice. The recorded
  exchanges (``exchanges_of``) let a caller compute those externalities.
- **Ties.** Exchanges whose gains agree to ``TIE_RTOL`` (sums taken in another actor
  order differ in the last bits) go to the one whose demander comes first, then whose
  supplier comes first, in an order of the actors by their own values (capability, then
  positions, then saliences on the set's issues); then to the pair of issues listed
  first. Actors equal in all of those are interchangeable, so the answer never depends
  on the order actors are listed in.
- **Small things.** An actor within ``SIDE_TOL`` points of the expected outcome is on
  neither side; an exchange pays when its gain exceeds ``GAIN_EPS``; a voting position
  within ``SNAP_TOL`` of the limit it was moved to is set to that limit exactly (so a
  finished run is an exact fixed point). All three are rounding guards, far below
  anything a scenario can express.

Endings, as in the other models (``Trajectory.cycle_length``): the state of a set is
its voting positions, and a round is a deterministic function of them, so

- a round in which no exchange pays ends the set's run at a fixed point (cycle length
  1); its forecast is the expected outcome there. This is the model's own end. Every run
  we have made ends so: the DEU data (at most 75 exchanges in a proposal), the bundled
  scenario, and 60,000 random runs of 2-11 actors and 2-6 issues (coarse values with
  many ties among them). We know no proof that every run must, so the guards below stay;
- a state equal to an earlier one ends it in a cycle (its length the shortest period up
  to ``trajectory.PERIOD_RTOL``); the forecast is the mean expected outcome over the
  cycle's states;
- a run still trading at ``max_rounds`` (default 500) is reported as not converged and
  forecast by the mean expected outcome over the last half of its rounds
  (``trajectory.trailing_window``). Runs take about 1.5 x actors x issues rounds (30
  actors on 12 issues, about 470), so the default covers scenarios up to about that size;
  the state history grows with the rounds actually run, so a higher cap costs nothing
  until it is used.

``rounds`` and ``converged_round`` are those of the issue's set (0 for an issue alone in
its set, which no exchange can move: its forecast is the compromise model's).

Worked example (two actors, two issues; ``tests/models/test_exchange.py`` checks it to
1e-9). Capabilities A 2, B 1. On p: A at 10 (salience 0.9), B at 70 (0.4); on q: A at
30 (0.3), B at 90 (0.6). The expected outcomes are ``O_p = (1.8 * 10 + 0.4 * 70) / 2.2
= 20.909`` and ``O_q = (0.6 * 30 + 0.6 * 90) / 1.2 = 60``; A and B are on opposite
sides of both. A cares relatively more about p (0.9 / 0.3 > 0.4 / 0.6), so B gives way
on p and A on q, at the rate ``dO_q / dO_p = (0.9 + 0.4) / (0.3 + 0.6) = 13/9``. The
limits: B moving all the way to A's 10 moves ``O_p`` by ``0.4 * 60 / 2.2 = 120/11``
(which brings it to A's 10, the other limit on p); A moving all the way to B's 90 would
move ``O_q`` by 30, which at the rate allows ``dO_p`` up to ``30 * 9/13``. So ``dO_p =
120/11 = 10.909``, ``dO_q = 13/9 * 120/11 = 15.758``: B moves to 10, A from 30 to
``30 + 15.758 * 1.2 / 0.6 = 61.515``, and each gains ``120/11 * (0.9 * 0.6 - 0.3 *
0.4) / (0.3 + 0.6) = 56/11 = 5.091``. A is now at the outcome on p, so no exchange is
left: the forecast is ``(10, 60 + 15.758) = (10, 75.758)`` where the compromise model
says (20.909, 60).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from statecraft.models.inputs import ModelInputs
from statecraft.models.trajectory import NOT_CONVERGED, Trajectory, shortest_period, trailing_window

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

GAIN_EPS = 1e-9
"""An exchange pays when each side's gain (salience x points on the 0-100 scale) exceeds
this."""
TIE_RTOL = 1e-12
"""Gains closer than this, relative to the largest, are tied."""
SIDE_TOL = 1e-9
"""An actor within this many points of the expected outcome is on neither side of it."""
SNAP_TOL = 1e-9
"""A voting position moved to within this many points of its limit is set to the limit."""
WORK = 1 << 18
"""Candidate exchanges evaluated at once (problems x actors^2 x issue pairs), which
bounds the memory of a round; problems are split into chunks of about this size."""


@dataclass(frozen=True)
class Exchanges:
    """The exchanges a run carried out, one entry per exchange, as parallel arrays.

    In each, actor ``i`` gains on issue ``p`` (its demand issue) and gives way on ``q``;
    actor ``j`` gains on ``q`` and gives way on ``p``. ``shift_i`` is i's signed move of
    its voting position on q (to ``position_i``); ``shift_j`` j's on p (to
    ``position_j``); ``outcome_p`` and ``outcome_q`` the signed moves of the expected
    outcomes; ``gain_i`` and ``gain_j`` each side's gain in expected utility (equal, by
    the exchange rate). Actor and issue numbers index ``Trajectory.actor_ids`` and
    ``issue_ids``.
    """

    round: IntArray
    row: IntArray
    i: IntArray
    j: IntArray
    p: IntArray
    q: IntArray
    shift_i: FloatArray
    shift_j: FloatArray
    position_i: FloatArray
    position_j: FloatArray
    outcome_p: FloatArray
    outcome_q: FloatArray
    gain_i: FloatArray
    gain_j: FloatArray

    def __len__(self) -> int:
        return int(self.round.shape[0])

    def as_diagnostics(self) -> dict[str, NDArray[np.generic]]:
        """The arrays keyed ``exchange.<field>``, for ``Trajectory.diagnostics``."""
        return {f"exchange.{f.name}": getattr(self, f.name) for f in fields(self)}

    @staticmethod
    def empty() -> Exchanges:
        """No exchanges."""
        i, x = np.zeros(0, dtype=np.int64), np.zeros(0)
        return Exchanges(i, i, i, i, i, i, x, x, x, x, x, x, x, x)


def exchanges_of(trajectory: Trajectory) -> Exchanges:
    """The exchanges an exchange-model run carried out (from its diagnostics)."""
    got = trajectory.diagnostics or {}
    if "exchange.round" not in got:
        raise ValueError(f"the {trajectory.model} model records no exchanges")
    return Exchanges(**{f.name: np.asarray(got[f"exchange.{f.name}"])
                        for f in fields(Exchanges)})


@dataclass(frozen=True)
class _Sets:
    """Exchange sets as problems: each (batch row, set) is one, its issues padded to
    ``width`` slots."""

    slots: IntArray  # (set, width): issue index per slot, -1 where padded

    @staticmethod
    def of(n_issue: int, sets: Sequence[Hashable] | None) -> _Sets:
        if sets is None:
            return _Sets(np.arange(n_issue, dtype=np.int64)[None])
        labels = list(sets)
        if len(labels) != n_issue:
            raise ValueError(f"sets must give one label per issue ({n_issue}); got "
                             f"{len(labels)}")
        members: dict[Hashable, list[int]] = {}
        for k, label in enumerate(labels):
            members.setdefault(label, []).append(k)
        width = max(len(m) for m in members.values())
        slots = np.full((len(members), width), -1, dtype=np.int64)
        for g, m in enumerate(members.values()):
            slots[g, :len(m)] = m
        return _Sets(slots)


@dataclass(frozen=True)
class _Problems:
    """Exchange problems stacked on the first axis: ``(problem, actor, slot)``."""

    x: FloatArray  # policy positions
    s: FloatArray  # saliences (0 where absent or padded)
    w: FloatArray  # capability x salience (0 where absent or padded)
    rank: IntArray  # (problem, actor): the actors' order by their own values


def _actor_rank(c: FloatArray, x: FloatArray, s: FloatArray, on: BoolArray) -> IntArray:
    """Per problem, each actor's place when actors are sorted by capability, then
    positions, then saliences (absent stances as -1): an order that follows the actors'
    values, not the order they are listed in."""
    xs = np.where(on, x, -1.0)
    ss = np.where(on, s, -1.0)
    keys = [ss[:, :, k] for k in range(ss.shape[2] - 1, -1, -1)]
    keys += [xs[:, :, k] for k in range(xs.shape[2] - 1, -1, -1)]
    keys.append(c)  # the last key is the primary one
    order = np.lexsort(np.stack(keys), axis=-1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :], axis=1)
    return rank.astype(np.int64)


def _outcomes(w: FloatArray, v: FloatArray) -> FloatArray:
    """The expected outcomes ``(problem, slot)``: the weighted mean of the voting positions,
    kept within their range (a mean of positions that all stand at 100 is 100, not 100
    and a rounding error)."""
    total = w.sum(axis=1)
    mean = (w * v).sum(axis=1) / np.where(total > 0, total, 1.0)
    on = w > 0
    lo = np.where(on, v, np.inf).min(axis=1)
    hi = np.where(on, v, -np.inf).max(axis=1)
    out: FloatArray = np.where(total > 0, np.clip(mean, np.minimum(lo, hi), hi), mean)
    return out


@dataclass(frozen=True)
class _Best:
    """The exchange each problem would make now (``pays`` False: none pays)."""

    pays: BoolArray
    i: IntArray
    j: IntArray
    m: IntArray  # issue pair
    d_p: FloatArray  # |dO_p|
    d_q: FloatArray
    gain: FloatArray


def _best(pr: _Problems, v: FloatArray, pp: IntArray, qq: IntArray) -> _Best:
    """The exchange each problem would make now: every possible exchange (i demands p,
    j demands q, p before q) is valued, and the one of largest gain taken (ties as the
    module docstring says)."""
    n_prob, n = v.shape[0], v.shape[1]
    m_count = pp.shape[0]
    out = _outcomes(pr.w, v)  # (P, K)
    total = pr.w.sum(axis=1)
    gap = pr.x - out[:, None, :]
    side = np.where((pr.w > 0) & (np.abs(gap) > SIDE_TOL), np.sign(gap), 0.0)
    # possible exchanges: opposite sides on both issues (the sides of p and q coded in one
    # number, which an actor on neither side of either never matches), and i relatively
    # keener on p than j is
    code = (3 * side[:, :, pp] + side[:, :, qq]).astype(np.int8)  # (P, N, M)
    code[(side[:, :, pp] == 0) | (side[:, :, qq] == 0)] = 100
    with np.errstate(divide="ignore", invalid="ignore"):
        keen = pr.s[:, :, pp] / pr.s[:, :, qq]  # finite wherever the code is not 100
    ok = (code[:, :, None, :] == -code[:, None, :, :]) & (keen[:, :, None, :]
                                                          > keen[:, None, :, :])
    g, i, j, m = (a.astype(np.int64) for a in np.nonzero(ok))  # in problem order
    p, q = pp[m], qq[m]
    s_ip, s_iq, s_jp, s_jq = pr.s[g, i, p], pr.s[g, i, q], pr.s[g, j, p], pr.s[g, j, q]
    x_ip, x_jq = pr.x[g, i, p], pr.x[g, j, q]
    o_p, o_q = out[g, p], out[g, q]
    sig_p, sig_q = side[g, i, p], side[g, j, q]  # where i wants O_p, j wants O_q moved
    room_j = np.maximum(sig_p * (x_ip - v[g, j, p]), 0.0)  # j's way left on p
    room_i = np.maximum(sig_q * (x_jq - v[g, i, q]), 0.0)
    lim_p = np.minimum(pr.w[g, j, p] * room_j / total[g, p], np.abs(x_ip - o_p))
    lim_q = np.minimum(pr.w[g, i, q] * room_i / total[g, q], np.abs(x_jq - o_q))
    rate = (s_ip + s_jp) / (s_iq + s_jq)
    d_p = np.minimum(lim_p, lim_q / rate)
    gain = d_p * (s_ip * s_jq - s_iq * s_jp) / (s_iq + s_jq)
    top = np.zeros(n_prob)
    np.maximum.at(top, g, gain)
    pays = top > GAIN_EPS
    # ties: the demander first in the actors' own order, then the supplier, then the pair
    key = (pr.rank[g, i] * n + pr.rank[g, j]) * m_count + m
    key = np.where(gain >= top[g] * (1.0 - TIE_RTOL), key, np.iinfo(np.int64).max)
    first = np.full(n_prob, np.iinfo(np.int64).max)
    np.minimum.at(first, g, key)
    chosen = np.flatnonzero(pays[g] & (key == first[g]))  # one per paying problem
    pick = np.zeros(n_prob, dtype=np.int64)
    pick[g[chosen]] = chosen
    sel = pick if chosen.size else np.zeros(n_prob, dtype=np.int64)

    def taken(a: NDArray[Any], empty: float = 0) -> NDArray[Any]:
        if a.size == 0:
            return np.full(n_prob, empty, dtype=a.dtype)
        return np.where(pays, a[sel], empty)

    return _Best(pays, taken(i), taken(j), taken(m), taken(d_p, 0.0),
                 taken(d_p * rate, 0.0), taken(gain, 0.0))


_LOGGED = ("problem", "i", "j", "p", "q", "shift_i", "shift_j", "position_i",
           "position_j", "outcome_p", "outcome_q", "gain_i", "gain_j")


@dataclass(frozen=True)
class _Run:
    """One chunk of problems run to their ends."""

    positions: FloatArray  # (rounds kept, problem, actor, slot)
    outcomes: FloatArray  # (rounds kept, problem, slot)
    rounds: IntArray
    cycle_length: IntArray
    converged_round: IntArray
    forecast: FloatArray  # (problem, slot)
    log: list[tuple[int, dict[str, NDArray[np.generic]]]]


def _mean_over_rounds(outcomes: FloatArray, first: IntArray, last: IntArray) -> FloatArray:
    """Per problem, the mean of ``outcomes[first:last + 1]``, summed round by round in
    order."""
    acc = np.zeros(outcomes.shape[1:])
    if first.size == 0:
        return acc
    for rnd in range(int(first.min()), int(last.max()) + 1):
        inside = (first <= rnd) & (rnd <= last)
        acc += np.where(inside[:, None], outcomes[rnd], 0.0)
    out: FloatArray = acc / (last - first + 1)[:, None]
    return out


def _gain(pr: _Problems, at: NDArray[np.intp], a: IntArray, p: IntArray, q: IntArray,
          before: FloatArray, after: FloatArray) -> FloatArray:
    """What the move of the expected outcomes of issues p and q (``before`` and ``after``,
    ``(exchange, slot)``) is worth to actor ``a`` of each problem ``at``: the change in
    ``-s |x - O|`` summed over the two (no other issue moved)."""
    r = np.arange(at.size)
    out = np.zeros(at.size)
    for d in (p, q):
        x, s = pr.x[at, a, d], pr.s[at, a, d]
        out += s * (np.abs(x - before[r, d]) - np.abs(x - after[r, d]))
    return out


def _run(pr: _Problems, live0: BoolArray, pp: IntArray, qq: IntArray, *, max_rounds: int,
         keep_history: bool) -> _Run:
    """Rounds of exchanges until none pays, a state repeats, or ``max_rounds``; see the
    module docstring for the forecast of each ending."""
    v = pr.x.copy()
    n_prob = v.shape[0]
    # every state is kept (a repeat of any earlier one is a cycle), in arrays that grow
    # as the rounds go on, so a high cap costs nothing until it is used
    hist_v = np.empty((min(max_rounds, 31) + 1, *v.shape))
    hist_o = np.empty((hist_v.shape[0], n_prob, v.shape[2]))
    hist_v[0], hist_o[0] = v, _outcomes(pr.w, v)
    live = live0.copy()
    cycle = np.where(live, NOT_CONVERGED, 1).astype(np.int64)
    since = np.where(live, -1, 0).astype(np.int64)
    rounds = np.zeros(n_prob, dtype=np.int64)
    forecast = hist_o[0].copy()
    log: list[tuple[int, dict[str, NDArray[np.generic]]]] = []
    depth = 0
    for rnd in range(1, max_rounds + 1):
        idx = np.flatnonzero(live)
        if idx.size == 0:
            break
        best = _best(_Problems(pr.x[idx], pr.s[idx], pr.w[idx], pr.rank[idx]), v[idx], pp, qq)
        done = idx[~best.pays]  # no exchange pays: a fixed point, reached last round
        cycle[done], since[done], rounds[done] = 1, rnd - 1, rnd - 1
        forecast[done] = hist_o[rnd - 1, done]
        live[done] = False
        go = np.flatnonzero(best.pays)
        if go.size == 0:
            break
        at = idx[go]
        i, j, m = best.i[go], best.j[go], best.m[go]
        p, q = pp[m], qq[m]
        before = hist_o[rnd - 1, at]
        total = pr.w[at].sum(axis=1)
        r = np.arange(at.size)
        x_ip, x_jq = pr.x[at, i, p], pr.x[at, j, q]
        v_jp, v_iq = v[at, j, p], v[at, i, q]
        new_j = v_jp + np.sign(x_ip - before[r, p]) * best.d_p[go] * total[r, p] / pr.w[at, j, p]
        new_i = v_iq + np.sign(x_jq - before[r, q]) * best.d_q[go] * total[r, q] / pr.w[at, i, q]
        new_j = np.where(np.abs(new_j - x_ip) <= SNAP_TOL, x_ip, new_j)
        new_i = np.where(np.abs(new_i - x_jq) <= SNAP_TOL, x_jq, new_i)
        v[at, j, p], v[at, i, q] = new_j, new_i
        after = _outcomes(pr.w[at], v[at])
        if rnd == hist_v.shape[0]:
            more = min(hist_v.shape[0], max_rounds + 1 - hist_v.shape[0])
            hist_v = np.concatenate([hist_v, np.empty((more, *v.shape))])
            hist_o = np.concatenate([hist_o, np.empty((more, *hist_o.shape[1:]))])
        hist_v[rnd], hist_o[rnd] = v, hist_o[rnd - 1]
        hist_o[rnd, at] = after
        depth = rnd
        log.append((rnd, dict(zip(_LOGGED, (
            at, i, j, p, q, new_i - v_iq, new_j - v_jp, new_i, new_j,
            after[r, p] - before[r, p], after[r, q] - before[r, q],
            _gain(pr, at, i, p, q, before, after), _gain(pr, at, j, p, q, before, after)),
            strict=True))))
        same = np.all(hist_v[:rnd, at] == v[at][None], axis=(2, 3))  # (round, problem)
        repeat = same.any(axis=0)
        rep = at[repeat]
        if rep.size:  # an earlier state again: a cycle from there
            back = np.argmax(same[:, repeat], axis=0).astype(np.int64)
            length = rnd - back
            for k in np.unique(length).tolist():
                sel = length == k
                states = hist_v[back[sel][:, None] + np.arange(k + 1)[None, :],
                                rep[sel][:, None]]
                length[sel] = shortest_period(states, np.full(int(sel.sum()), 100.0))
            cycle[rep], since[rep], rounds[rep] = length, back, rnd - 1
            forecast[rep] = _mean_over_rounds(hist_o[:, rep], back,
                                              np.full(rep.size, rnd - 1, dtype=np.int64))
            live[rep] = False
    left = np.flatnonzero(live)
    if left.size:  # still trading at the cap: the mean over the trailing window
        first, last = trailing_window(max_rounds)
        rounds[left] = max_rounds
        forecast[left] = _mean_over_rounds(hist_o[:, left], np.full(left.size, first),
                                           np.full(left.size, last))
    if keep_history:
        kept_v, kept_o = hist_v[:depth + 1], hist_o[:depth + 1]
    else:
        kept_v, kept_o = np.stack([hist_v[0], v]), np.stack([hist_o[0], hist_o[depth]])
    return _Run(kept_v, kept_o, rounds, cycle, since, forecast, log)


def exchange(
    inputs: ModelInputs,
    *,
    max_rounds: int = 500,
    keep_history: bool = True,
    sets: Sequence[Hashable] | None = None,
) -> Trajectory:
    """Run the position exchange model on every batch row; see the module docstring.

    ``sets`` gives each issue a label; exchanges happen only between issues with the same
    label (on DEU, the issues of one proposal). By default every issue is in one set.
    ``keep_history=False`` keeps only round 0 and the final round in ``positions`` (the
    voting positions) and ``forecasts`` (the expected outcomes). The exchanges carried
    out are in ``diagnostics``; ``exchanges_of`` reads them.
    """
    if max_rounds < 0:
        raise ValueError("max_rounds must be >= 0")
    b, n, k = inputs.position.shape
    groups = _Sets.of(k, sets)
    n_sets, width = groups.slots.shape
    pp, qq = (a.astype(np.int64) for a in np.triu_indices(width, 1))
    pad = groups.slots < 0
    slot = np.maximum(groups.slots, 0)

    def by_set(a: NDArray[Any]) -> NDArray[Any]:
        """(row, actor, issue) as (row x set, actor, slot): problems ordered (row, set)."""
        return a[:, :, slot].transpose(0, 2, 1, 3).reshape(b * n_sets, n, width)

    on = by_set(np.broadcast_to(inputs.present[None], (b, n, k))) & ~np.repeat(
        np.broadcast_to(pad[None], (b, n_sets, width)).reshape(b * n_sets, 1, width), 1,
        axis=1)
    cap = np.repeat(inputs.capability, n_sets, axis=0)
    x = np.where(on, by_set(inputs.position), 0.0)
    s = np.where(on, by_set(inputs.salience), 0.0)
    problems = _Problems(x, s, cap[:, :, None] * s, _actor_rank(cap, x, s, on))
    live0 = np.tile((~pad).sum(axis=1) >= 2, b)
    per = max(1, WORK // max(1, n * n * pp.shape[0]))
    runs: list[_Run] = []
    log: list[tuple[int, dict[str, NDArray[np.generic]]]] = []
    for start in range(0, b * n_sets, per):
        sl = slice(start, min(start + per, b * n_sets))
        part = _Problems(x[sl], s[sl], problems.w[sl], problems.rank[sl])
        run = _run(part, live0[sl], pp, qq, max_rounds=max_rounds, keep_history=keep_history)
        runs.append(run)
        log += [(rnd, {**e, "problem": e["problem"] + start}) for rnd, e in run.log]
    depth = max(r.positions.shape[0] for r in runs)

    def padded(h: FloatArray) -> FloatArray:  # runs that stopped early repeat their last state
        return np.concatenate([h, np.repeat(h[-1:], depth - h.shape[0], axis=0)])

    pos_p = np.concatenate([padded(r.positions) for r in runs], axis=1)  # (T, P, N, W)
    out_p = np.concatenate([padded(r.outcomes) for r in runs], axis=1)  # (T, P, W)
    fc_p = np.concatenate([r.forecast for r in runs])
    ends = {name: np.concatenate([getattr(r, name) for r in runs])
            for name in ("rounds", "cycle_length", "converged_round")}
    # back from problems (row x set, slot) to (row, issue)
    row_of, set_of = np.divmod(np.arange(b * n_sets), n_sets)
    positions = np.repeat(inputs.position.transpose(0, 2, 1)[None], depth, axis=0)  # (T, b, k, n)
    forecasts = np.empty((depth, b, k))
    forecast = np.empty((b, k))
    got = {name: np.empty((b, k), dtype=np.int64) for name in ends}
    for t in range(width):
        real = np.flatnonzero(~pad[set_of, t])
        rows, issue = row_of[real], groups.slots[set_of[real], t]
        forecasts[:, rows, issue] = out_p[..., t][:, real]
        forecast[rows, issue] = fc_p[real, t]
        for name, a in ends.items():
            got[name][rows, issue] = a[real]
        kept = inputs.present[:, issue].T[None]  # (1, problem, actor): absent stay as given
        positions[:, rows, issue] = np.where(kept, pos_p[..., t][:, real],
                                             positions[:, rows, issue])
    params: dict[str, object] = {"max_rounds": max_rounds}
    if sets is not None:
        params["sets"] = n_sets
    return Trajectory(model="exchange", params=params, actor_ids=inputs.actor_ids,
                      issue_ids=inputs.issue_ids,
                      positions=np.ascontiguousarray(positions.transpose(0, 1, 3, 2)),
                      forecasts=forecasts,
                      forecast=forecast, rounds=got["rounds"],
                      cycle_length=got["cycle_length"],
                      converged_round=got["converged_round"],
                      diagnostics=_exchanges(log, n_sets, groups.slots).as_diagnostics())


def _exchanges(log: list[tuple[int, dict[str, NDArray[np.generic]]]], n_sets: int,
               slots: IntArray) -> Exchanges:
    """The logged exchanges as one record, in (round, row) order, issues numbered as the
    inputs number them."""
    if not log:
        return Exchanges.empty()
    cat = {name: np.concatenate([e[name] for _, e in log]) for name in _LOGGED}
    rnd = np.concatenate([np.full(e["problem"].shape[0], r, dtype=np.int64) for r, e in log])
    row, at = np.divmod(cat.pop("problem").astype(np.int64), n_sets)
    cat["p"], cat["q"] = slots[at, cat["p"]], slots[at, cat["q"]]
    order = np.lexsort((row, rnd))
    return Exchanges(round=rnd[order], row=row[order],
                     **{name: np.asarray(a)[order] for name, a in cat.items()})
