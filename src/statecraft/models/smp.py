"""The Spatial Model of Politics (SMP), as KTAB (KAPSARC), examples/smp defines it.

Actors hold positions on several issues at once and judge each other's positions by a
salience-weighted distance. Every turn:

1. **Distances and risk.** ``d(i, j) = sqrt(sum_k (s_ik (x_ik - x_jk))^2 / sum_k s_ik^2)``
   (positions on 0-1). A first, risk-neutral probabilistic Condorcet election (PCE) over
   all positions (utility ``1 - d``, votes weighted by capability) gives each position's
   probability ``p_i``; the risk attitude is ``R_i = (3 p_i - p_max - 2 p_min) /
   (2 (p_max - p_min))`` in [-1/2, 1] (range ``"mid"``): the likelier an actor's position
   is to win, the more risk-averse it is. Utility is ``u = (1 - d)(1 + d R)``; actor h
   judges actor i with ``R^h_i = (2 R_h + R_i) / 3`` (adjustment ``"one_third"``).
2. **Challenges.** Each actor i weighs challenging each j, from its own perspective:
   i and j add their votes ``w (u(i's pos) - u(j's pos))`` (w = capability x total
   salience) to the coalitions for and against i; each third party n first guesses who
   wins with its help alone, then votes by the expected utility of joining either side
   (``"semi"`` commitment: a third party that joins the winner keeps its own position
   in one of the three places it values). The victory probability is the share of the
   coalitions; the expected gain is ``(1 - s_j) 2 u_ii + s_j (P 2 u_ii + (1 - P) 2 u_ij)
   - (u_ii + u_ij)`` with s_j j's total salience. Each actor picks the target of largest
   gain (ties: lowest index) if that gain exceeds 1e-5.
3. **Bargains.** Initiator i proposes to its target j the interpolation, per issue,
   ``b = ((w_i + 1e-6) x_i + w_j x_j) / (w_i + 1e-6 + w_j)`` with ``w = s^2 P^2``
   (``"s2p2"``), rounded to 1e-4 on the 0-1 scale (i's copy; j's copy puts the 1e-6 on
   j's side).
4. **Choice.** Every actor k holds its queue: the status quo, its own proposal and those
   made to it. Each bargain is valued by every actor as the mean utility of the positions
   that would result; a capability-weighted PCE over the queue gives each bargain's
   probability, and k adopts the likeliest (first on ties; or one drawn by probability in
   stochastic mode), taking the position the bargain assigns it.
5. **Stop** after a turn ``t >= 2`` whose total movement (sum over actors of the
   Euclidean change, 0-1 scale) is below 2% of the first turn's (plus 1e-4), or after
   ``max_rounds`` turns (KTAB's rule; a turn is a round, named ``max_rounds`` as in every
   model). Besides (not in KTAB, whose runs stop only so): a
   deterministic turn is a function of the positions alone, and all issues are bargained
   at once, so the state of a run is its whole position matrix (actors x issues); after
   every turn ``t >= 2`` it is compared exactly (equal floats, no tolerance) with every
   earlier state, and a repeat ends the run. How a run ended is in
   ``Trajectory.cycle_length`` (the same for every issue of a row, but for ``STEADY``):
   1 a turn moved nobody, 0 KTAB's rule (checked first), ``k >= 2`` a cycle of period
   ``k`` (the shortest up to ``trajectory.PERIOD_RTOL``), -1 the cap of ``max_rounds``
   turns with none of these; and -3 (``trajectory.STEADY``) on an issue whose turn forecast was
   the same (up to ``PERIOD_RTOL`` of the 0-1 scale) over the whole trailing window of a
   row at the cap (positions still moving, on it or on other issues, while its forecast
   held still).
   Stochastic runs are never said to cycle: a state repeated with other draws need not
   repeat its successor.

Votes (``voting_rule``), the victory law on coalition strengths (``victory_law``, used
in every PCE; challenge probabilities are always the linear coalition share, as in
KTAB), the PCE (``pce``), risk range and adjustment, third-party commitment, the
interpolation rule and the bargain model are keyword options with KTAB's names and
defaults. Deterministic runs reproduce KTAB's logged position histories (see
``tests/models/test_smp.py``).

Choices and differences from KTAB, all documented:

- Queue order: KTAB fills each actor's queue from parallel threads, so the order (which
  decides exact ties only) varies; here it is the status quo, then bargains by
  initiator index.
- An actor with zero total salience cares about nothing: its distance to every
  position is 0 (KTAB refuses such input). Absent stances (``present`` False) are
  salience 0 on that issue; their position value (the status quo from compilation) still
  enters the others' distances to that actor.
- When every position is equally likely in the risk-neutral PCE, risk attitudes are 0
  (KTAB divides by zero).
- ``bargain_model="power_weighted"`` weighs j's perspective by i's capability times j's
  salience, as KTAB's code does.
- The forecast of a run that cycles is the mean of the forecasts of the states of its
  cycle; of one that reaches ``max_rounds`` with no ending, the mean of the forecasts of the
  last half of its turns (``trajectory.trailing_window``), reported as not converged: the
  same rule, and the same reasons, as the EUM's (``statecraft.models.eum``). KTAB reports
  the last turn's; with KTAB's rule few runs of a real scenario reach either (the bundled
  scenario's samples settle in 2-11 turns).
- Forecast of a state: the probability-weighted mean of the positions, with each position's
  probability from the same capability-weighted PCE over the distinct positions that
  KTAB reports as the actors' winning probabilities (``forecast="pce"``), or the
  capability x salience weighted mean of the positions (``forecast="weighted_mean"``).
  Positions closer than 0.1 (0-100 scale) count as one in that election, represented by
  the first actor holding it, and its probability is spread evenly over its holders; so
  when two actors are that close but not equal, the PCE forecast can depend on actor
  order (by a fraction of a point in the tests).
- Speed: the bargain elections share one coalition matrix per turn (a bargain's value
  to a voter does not depend on whose queue holds it), so a turn costs O(N^3) where
  KTAB's costs about O(N^4). A compiled kernel (``engine="numba"``) serves large
  batches; without numba, the NumPy path runs everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from statecraft.models import _smp_numba
from statecraft.models.inputs import ModelInputs
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
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

VictoryLaw = Literal["linear", "square", "quartic", "octic", "binary"]
VotingRule = Literal["binary", "prop_bin", "proportional", "prop_cubic", "cubic", "asym_prospect"]
PceModel = Literal["conditional", "markov_incentive", "markov_uniform"]
RiskAdjust = Literal["none", "one_third", "half", "two_thirds", "full"]
RiskRange = Literal["min", "mid", "max"]
ThirdParty = Literal["none", "semi", "full"]
Interpolation = Literal["s1p1", "s2p2", "s2pmax"]
BargainModel = Literal["init_only", "init_rcvr", "power_weighted"]
Forecast = Literal["pce", "weighted_mean"]

_CHOICES: dict[str, tuple[str, ...]] = {
    "victory_law": ("linear", "square", "quartic", "octic", "binary"),
    "voting_rule": ("binary", "prop_bin", "proportional", "prop_cubic", "cubic",
                    "asym_prospect"),
    "pce_model": ("conditional", "markov_incentive", "markov_uniform"),
    "risk_adjust": ("none", "one_third", "half", "two_thirds", "full"),
    "risk_range": ("min", "mid", "max"),
    "third_party": ("none", "semi", "full"),
    "interpolation": ("s1p1", "s2p2", "s2pmax"),
    "bargain_model": ("init_only", "init_rcvr", "power_weighted"),
    "forecast": ("pce", "weighted_mean"),
}

MIN_COALITION = 1e-8
"""Floor of every coalition in an election, so that no probability is 0/0 (KTAB's value)."""
MIN_CHALLENGE_COALITION = 1e-10
"""Floor of the coalitions in a challenge (KTAB's value)."""
MIN_GAIN = 1e-5
"""A challenge is made only if its expected gain exceeds this (KTAB's value)."""
INTERP_FLOOR = 1e-6
"""Weight added to one side of an interpolated bargain, so that 0/0 cannot occur."""
POSITION_TOL = 1e-3
"""Positions closer than this (Euclidean, 0-1 scale) are one position in the win
probabilities (KTAB's ``posTol``: 0.1 on the 0-100 scale)."""
STOP_FLOOR = 1e-4
"""Added to the first turn's movement in the stopping ratio, against 0/0 (KTAB's value)."""
RISK_ADJUST_WEIGHT = {"none": 0.0, "one_third": 1 / 3, "half": 0.5, "two_thirds": 2 / 3,
                      "full": 1.0}


@dataclass(frozen=True)
class Options:
    """The model's options as one value, passed to the kernels."""

    victory_law: str = "linear"
    voting_rule: str = "proportional"
    pce: str = "conditional"
    risk_adjust: str = "one_third"
    risk_range: str = "mid"
    third_party: str = "semi"
    interpolation: str = "s2p2"
    bargain_model: str = "init_only"


# ----------------------------------------------------------------------------- elements


def vote(rule: str, w: FloatArray, du: FloatArray) -> FloatArray:
    """A voter's vote for option 1 over option 2: weight times a response to ``u1 - u2``."""
    if rule == "proportional":
        return w * du
    if rule == "binary":
        return w * np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "prop_bin":
        return w * (0.8 * du + 0.2 * np.clip(du / 1e-8, -1.0, 1.0))
    if rule == "prop_cubic":
        return w * (0.5 * du + 0.5 * du * du * du)
    if rule == "cubic":
        return w * (du * du * du)
    if rule == "asym_prospect":
        return np.where(du < 0, w * du, 2.0 * w * du / 3.0)
    raise ValueError(f"unknown voting rule {rule!r}")


def distances(x: FloatArray, s: FloatArray) -> FloatArray:
    """``d[b, i, j]``: i's salience-weighted distance from its position to j's (0-1 scale).

    An actor whose saliences are all zero is at distance 0 from everything.
    """
    diff = x[:, :, None, :] - x[:, None, :, :]
    num = np.square(s[:, :, None, :] * diff).sum(axis=-1)
    den = np.square(s).sum(axis=-1)[:, :, None]
    out: FloatArray = np.sqrt(num / np.where(den > 0, den, 1.0)) * (den > 0)
    return out


def utility(d: FloatArray, r: FloatArray) -> FloatArray:
    """Risk-adjusted utility ``(1 - d)(1 + d R)`` of a distance; ``(1 - d)(1 + R)`` past 1."""
    return np.where(d <= 1.0, (1.0 - d) * (1.0 + d * r), (1.0 - d) * (1.0 + r))


def coalitions(u: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """``c[..., i, j]``: strength of the coalition for option i against j.

    ``u[..., a, m]`` is voter a's utility of option m, ``w[..., a]`` its weight. As in
    KTAB, each pair is voted on once as (later option, earlier option); the votes against
    fill the other triangle.
    """
    m = u.shape[-1]
    v = vote(rule, w[..., :, None, None], u[..., :, :, None] - u[..., :, None, :])
    pos = np.maximum(v, 0.0).sum(axis=-3)
    if rule == "asym_prospect":
        neg = np.maximum(-v, 0.0).sum(axis=-3)
        lower = np.tri(m, m, -1, dtype=bool)
        c = np.where(lower, pos, np.swapaxes(neg, -1, -2))
    else:
        c = pos
    c = c + MIN_COALITION
    eye = np.eye(m, dtype=bool)
    return np.where(eye, MIN_COALITION, c)


def victory(c: FloatArray, law: str) -> FloatArray:
    """``pv[..., i, j]``: probability that option i beats j, from coalition strengths."""
    ct = np.swapaxes(c, -1, -2)
    if law == "binary":
        thresh = 1.10
        r = c / (c + ct)
        mid = (r * (thresh + 1.0) - 1.0) / (thresh - 1.0)
        x1 = np.where(c >= thresh * ct, 1.0, np.where(ct >= thresh * c, 1e-6, mid))
        x2 = np.where(c >= thresh * ct, 1e-6, np.where(ct >= thresh * c, 1.0, 1.0 - mid))
    else:
        power = {"linear": 1, "square": 2, "quartic": 4, "octic": 8}[law]
        x1, x2 = c**power, ct**power
    pv = x1 / (x1 + x2)
    m = c.shape[-1]
    return np.where(np.eye(m, dtype=bool), 0.5, pv)


def pce(c: FloatArray, pv: FloatArray, model: str, member: BoolArray | None = None,
        tol: float = 1e-8, max_iter: int = 10_000) -> FloatArray:
    """Probabilistic Condorcet election: each option's probability, ``(..., m)``.

    ``member[..., m]`` restricts the election to some options (others get 0), so that many
    elections over subsets of one option list run at once.
    """
    m = pv.shape[-1]
    if member is None:
        member = np.ones(pv.shape[:-1], dtype=bool)
    mem_j = member[..., None, :]
    mf = member.astype(np.float64)
    if model == "conditional":
        p = np.where(mem_j, pv, 1.0).prod(axis=-1) * mf
        out: FloatArray = p / p.sum(axis=-1, keepdims=True)
        return out
    n = mf.sum(axis=-1, keepdims=True)
    p = mf / n
    pvm = np.where(mem_j & member[..., :, None], pv, 0.0)
    if model == "markov_uniform":
        tol = 1e-6
        for _ in range(max_iter):
            q = (pvm * (p[..., :, None] + p[..., None, :])).sum(axis=-1) / n
            change = np.abs(q - p).max()
            p = (p + q) / 2.0
            if change <= tol:
                break
        return np.asarray(p, dtype=np.float64)
    if model == "markov_incentive":
        cm = np.where(mem_j & member[..., :, None], c, 0.0)
        inc = cm * pvm + np.where(np.eye(m, dtype=bool), 1e-10, 0.0) * mf[..., None, :]
        tot = inc.sum(axis=-2, keepdims=True)
        chl = inc / np.where(tot > 0, tot, 1.0)  # chl[i, j]: P(i challenges j)
        for _ in range(max_iter):
            ct = p[..., :, None] * np.swapaxes(chl, -1, -2)
            q = (pvm * (ct + np.swapaxes(ct, -1, -2))).sum(axis=-1)
            change = np.abs(q - p).max()
            p = (p + q) / 2.0
            if change <= tol:
                break
        return np.asarray(p, dtype=np.float64)
    raise ValueError(f"unknown PCE model {model!r}")


def risk_attitudes(p: FloatArray, rng_kind: str) -> FloatArray:
    """Risk attitude of each position from its risk-neutral PCE probability."""
    lo, hi = p.min(axis=-1, keepdims=True), p.max(axis=-1, keepdims=True)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    if rng_kind == "min":
        r = (p - lo) / safe
    elif rng_kind == "mid":
        r = (3.0 * p - (hi + 2.0 * lo)) / (2.0 * safe)
    elif rng_kind == "max":
        r = (2.0 * p - (hi + lo)) / safe
    else:
        raise ValueError(f"unknown risk range {rng_kind!r}")
    return np.where(span > 0, r, 0.0)


# ----------------------------------------------------------------------------- one state


@dataclass(frozen=True)
class State:
    """What one state of the model implies, for a batch of rows.

    ``util[b, h, i, j]``: h's estimate of i's utility for j's position.
    """

    d: FloatArray  # (B, N, N)
    risk: FloatArray  # (B, N)
    util: FloatArray  # (B, N, N, N)


def assess(x: FloatArray, s: FloatArray, cap: FloatArray, opt: Options) -> State:
    """Distances, risk attitudes (from a risk-neutral PCE) and every actor's utilities."""
    d = distances(x, s)
    c = coalitions(1.0 - d, cap, opt.voting_rule)
    p = pce(c, victory(c, opt.victory_law), opt.pce)
    r = risk_attitudes(p, opt.risk_range)
    a = RISK_ADJUST_WEIGHT[opt.risk_adjust]
    r_hi = (1.0 - a) * r[:, :, None] + a * r[:, None, :]
    if opt.risk_adjust == "one_third":  # KTAB's exact arithmetic
        r_hi = (2.0 * r[:, :, None] + r[:, None, :]) / 3.0
    elif opt.risk_adjust == "half":
        r_hi = (r[:, :, None] + r[:, None, :]) / 2.0
    elif opt.risk_adjust == "two_thirds":
        r_hi = (r[:, :, None] + 2.0 * r[:, None, :]) / 3.0
    return State(d=d, risk=r, util=utility(d[:, None, :, :], r_hi[:, :, :, None]))


def challenge(st: State, wsal: FloatArray, tot_sal: FloatArray, opt: Options,
              persp: Literal["init", "rcvr"] = "init") -> tuple[FloatArray, FloatArray]:
    """Victory probability and expected gain of every challenge i -> j, ``(B, N, N)`` each.

    Estimated from the initiator's perspective (``"init"``), or the target's (``"rcvr"``);
    the gain is to the initiator. ``wsal`` is capability x total salience.
    """
    u = st.util
    n = u.shape[1]
    ii = np.arange(n)[:, None, None]
    jj = np.arange(n)[None, :, None]
    nn = np.arange(n)[None, None, :]
    rule = opt.voting_rule
    ar = np.arange(n)
    if persp == "init":  # h = i: views of i's own utility matrix, no gathering
        uh = u  # uh[b, i, a, m] = U^i_a(m)
        diag = np.diagonal(u, axis1=2, axis2=3)  # [b, i, m] = U^i_m(m)
        uii = u[:, ar, ar, ar][:, :, None]  # [b, i, -] = U^i_i(i)
        uij = u[:, ar, ar, :]  # [b, i, j] = U^i_i(j)
        uji = u[:, ar, :, ar].transpose(1, 0, 2)  # [b, i, j] = U^i_j(i)
        ujj = diag  # [b, i, j] = U^i_j(j)
        uni = uji[:, :, None, :]  # [b, i, -, n] = U^i_n(i)
        unj = uh.transpose(0, 1, 3, 2)  # [b, i, j, n] = U^i_n(j)
        unn = diag[:, :, None, :]  # [b, i, -, n] = U^i_n(n)
    else:  # h = j
        full = (n, n, n)
        hb, ib, jb, nb = (np.broadcast_to(a, full) for a in (jj, ii, jj, nn))
        h2, i2, j2 = hb[..., 0], ib[..., 0], jb[..., 0]
        uii, uij = u[:, h2, i2, i2], u[:, h2, i2, j2]
        uji, ujj = u[:, h2, j2, i2], u[:, h2, j2, j2]
        uni, unj, unn = u[:, hb, nb, ib], u[:, hb, nb, jb], u[:, hb, nb, nb]
    ci = vote(rule, wsal[:, :, None], uii - uij)
    cj = vote(rule, wsal[:, None, :], uji - ujj)
    chij0 = MIN_CHALLENGE_COALITION + np.maximum(ci, 0.0) + np.maximum(cj, 0.0)
    chji0 = MIN_CHALLENGE_COALITION + np.maximum(-ci, 0.0) + np.maximum(-cj, 0.0)
    wn = wsal[:, None, None, :]
    vn = vote(rule, wn, uni - unj)
    cni = chij0[..., None] + np.maximum(vn, 0.0)
    cnj = chji0[..., None] + np.maximum(-vn, 0.0)
    pin = cni / (cni + cnj)
    if opt.third_party == "semi":
        # expected utility of joining i minus joining j: with i winning, joining i keeps
        # n's own position in one of three places; with j winning, joining j does
        v3 = vote(rule, wn, pin * (unn - uni) + (1.0 - pin) * (unj - unn))
    else:  # KTAB's full and no commitment value both sides alike: no third-party votes
        v3 = np.zeros_like(pin)
    v3[:, ar[:, None], ar[None, :], ar[:, None]] = 0.0  # n = i is no third party
    v3[:, ar[:, None], ar[None, :], ar[None, :]] = 0.0  # nor n = j
    chij = chij0 + np.maximum(v3, 0.0).sum(axis=-1)
    chji = chji0 + np.maximum(-v3, 0.0).sum(axis=-1)
    phij = chij / (chij + chji)
    sj = tot_sal[:, None, :]
    vict, keep = 2.0 * uii, uii + uij
    gain = (1.0 - sj) * vict + sj * (phij * vict + (1.0 - phij) * 2.0 * uij) - keep
    return phij, gain


def _round4(x: FloatArray) -> FloatArray:
    return np.floor(0.5 + x * 10000.0) / 10000.0


def interpolate(xi: FloatArray, si: FloatArray, pi: FloatArray, xj: FloatArray,
                sj: FloatArray, pj: FloatArray, rule: str) -> tuple[FloatArray, FloatArray]:
    """Bargain positions for initiator and target, per issue; ``pi``/``pj`` broadcast."""
    if rule == "s2pmax":
        di = np.maximum(pj - pi, 0.0)
        dj = np.maximum(pi - pj, 0.0)
        si2, sj2 = si * si, sj * sj
        dik = di * sj2 / (di * sj2 + INTERP_FLOOR + (1.0 - di) * si2)
        djk = dj * si2 / (dj * si2 + INTERP_FLOOR + (1.0 - dj) * sj2)
        return xi + dik * (xj - xi), xj + djk * (xi - xj)
    k = 1 if rule == "s1p1" else 2
    wi = si**k * pi**k
    wj = sj**k * pj**k
    den = wi + INTERP_FLOOR + wj
    bi = _round4(((wi + INTERP_FLOOR) * xi + wj * xj) / den)
    bj = _round4((wi * xi + (INTERP_FLOOR + wj) * xj) / den)
    return bi, bj


@dataclass(frozen=True)
class Turn:
    """One turn's outcome for the rows it ran on."""

    x: FloatArray  # new positions (B, N, D)
    target: IntArray  # (B, N): each actor's target, -1 if none
    p_target: FloatArray  # (B, N): the initiator's estimate that it beats its target
    gain: FloatArray  # (B, N): expected gain of that challenge (0 if none)
    chosen: IntArray  # (B, N): bargain slot each actor adopted, -1 = status quo
    b_init: IntArray  # (S,) initiator of each bargain slot
    b_rcvr: IntArray  # (B, S) target of each slot (-1 if no bargain there)
    b_pos_r: FloatArray  # (B, S, D) position proposed to the target


def turn(x: FloatArray, s: FloatArray, cap: FloatArray, st: State, opt: Options,
         draws: FloatArray | None) -> Turn:
    """One turn: challenges, bargains, and each actor's choice from its queue."""
    b, n, dd = x.shape
    tot_sal = s.sum(axis=-1)
    wsal = cap * tot_sal
    phij, gain = challenge(st, wsal, tot_sal, opt)
    eye = np.eye(n, dtype=bool)
    ok = (gain > MIN_GAIN) & ~eye
    score = np.where(ok, gain, -np.inf)
    tgt = np.argmax(score, axis=-1)
    has = ok.any(axis=-1)
    rows = np.arange(b)[:, None]
    ai = np.arange(n)[None, :]
    p_i = phij[rows, ai, tgt]  # (B, N)
    xj = x[rows, tgt]  # (B, N, D)
    sj = s[rows, tgt]
    bi_i, bi_j = interpolate(x, s, p_i[..., None], xj, sj, 1.0 - p_i[..., None],
                             opt.interpolation)
    # bargain slots after the status quo: one (or two) per initiator, in initiator order
    if opt.bargain_model == "init_only":
        pos_i, pos_r = bi_i, bi_j
    else:
        phr, _ = challenge(st, wsal, tot_sal, opt, persp="rcvr")
        p_r = phr[rows, ai, tgt]
        br_i, br_j = interpolate(x, s, p_r[..., None], xj, sj, 1.0 - p_r[..., None],
                                 opt.interpolation)
        if opt.bargain_model == "init_rcvr":
            pos_i = np.stack([bi_i, br_i], axis=2).reshape(b, 2 * n, dd)
            pos_r = np.stack([bi_j, br_j], axis=2).reshape(b, 2 * n, dd)
        else:  # power-weighted compromise of both perspectives (weights as KTAB's code)
            wi = wsal[..., None]
            wj = (cap * sj.sum(axis=-1))[..., None]
            pos_i = (wi * bi_i + wj * br_i) / (wi + wj)
            pos_r = (wi * bi_j + wj * br_j) / (wi + wj)
    per = pos_i.shape[1] // n
    init = np.repeat(np.arange(n), per)  # (S,)
    rcvr = np.repeat(tgt, per, axis=1)  # (B, S)
    live = np.repeat(has, per, axis=1)  # (B, S)
    # each actor's utility of the state after each bargain, and of the status quo
    idx = np.arange(n)
    own = st.util[:, idx, idx, :]  # own[b, a, m] = U^a_a(pos m)
    r = st.risk
    tot = own.sum(axis=-1)  # (B, N)
    u_bi = utility(_dist_to(x, s, pos_i), r[:, :, None])  # (B, A, S)
    u_br = utility(_dist_to(x, s, pos_r), r[:, :, None])
    own_i = own[:, :, init]  # (B, A, S)
    own_r = np.take_along_axis(own, rcvr[:, None, :].repeat(n, axis=1), axis=-1)
    u_b = (tot[:, :, None] - own_i - own_r + u_bi + u_br) / n
    u_opt = np.concatenate([tot[:, :, None] / n, u_b], axis=-1)  # (B, A, 1 + S)
    c = coalitions(u_opt, cap, opt.voting_rule)
    pv = victory(c, opt.victory_law)
    # k's queue: status quo, bargains it initiated or received
    member = live[:, None, :] & ((init[None, None, :] == idx[None, :, None])
                                 | (rcvr[:, None, :] == idx[None, :, None]))
    member = np.concatenate([np.ones((b, n, 1), dtype=bool), member], axis=-1)
    cq = np.broadcast_to(c[:, None], (b, n, *c.shape[1:]))
    pvq = np.broadcast_to(pv[:, None], (b, n, *pv.shape[1:]))
    prob = pce(cq, pvq, opt.pce, member=member)
    if draws is None:
        pick = np.argmax(np.where(member, prob, -1.0), axis=-1)
    else:  # the first option whose cumulative probability reaches the draw
        reach = draws[:, :, None] <= np.cumsum(prob, axis=-1)
        pick = np.where(reach.any(axis=-1), np.argmax(reach, axis=-1), _last(member))
    slot = pick - 1
    sq = slot < 0
    safe = np.where(sq, 0, slot)
    is_init = init[safe] == idx[None, :]
    new_i = np.take_along_axis(pos_i, safe[..., None].repeat(dd, axis=-1), axis=1)
    new_r = np.take_along_axis(pos_r, safe[..., None].repeat(dd, axis=-1), axis=1)
    new = np.where(sq[..., None], x, np.where(is_init[..., None], new_i, new_r))
    return Turn(
        x=new, target=np.where(has, tgt, -1), p_target=np.where(has, p_i, 0.0),
        gain=np.where(has, score.max(axis=-1), 0.0), chosen=np.where(sq, -1, slot),
        b_init=init, b_rcvr=np.where(live, rcvr, -1), b_pos_r=pos_r,
    )


def _last(member: BoolArray) -> IntArray:
    m = member.shape[-1]
    return np.asarray(m - 1 - np.argmax(member[..., ::-1], axis=-1), dtype=np.int64)


def _dist_to(x: FloatArray, s: FloatArray, pos: FloatArray) -> FloatArray:
    """``d[b, a, m]``: a's salience-weighted distance from its position to ``pos[b, m]``."""
    diff = x[:, :, None, :] - pos[:, None, :, :]
    num = np.square(s[:, :, None, :] * diff).sum(axis=-1)
    den = np.square(s).sum(axis=-1)[:, :, None]
    out: FloatArray = np.sqrt(num / np.where(den > 0, den, 1.0)) * (den > 0)
    return out


def _take(st: State, rows: IntArray | BoolArray) -> State:
    return State(d=st.d[rows], risk=st.risk[rows], util=st.util[rows])


def _win_and_forecast(x: FloatArray, st: State, cap: FloatArray, opt: Options
                      ) -> tuple[FloatArray, FloatArray]:
    """Actors' win probabilities ``(B, N)`` and the PCE forecast ``(B, D)`` (0-1 scale)."""
    p_rep, p_act, cls = _win_probabilities(x, st, cap, opt)
    # each position's probability spread evenly over the actors holding it, so that the
    # forecast does not depend on which of them represents the position
    size = (cls[:, :, None] == np.arange(x.shape[1])).sum(axis=1)
    share = np.take_along_axis(p_rep / np.where(size > 0, size, 1.0), cls, axis=-1)
    return p_act, np.einsum("bn,bnd->bd", share, x)


def _win_probabilities(x: FloatArray, st: State, cap: FloatArray, opt: Options
                       ) -> tuple[FloatArray, FloatArray, IntArray]:
    """Win probabilities over distinct positions, per actor, and each actor's class.

    A capability-weighted PCE over the distinct positions (closer than ``POSITION_TOL``
    count as one, the first actor holding it representing them), each actor voting with
    its own utilities (KTAB's report). An actor's probability is that of the last
    representative its position matches (as KTAB reports it); its class is the first.
    """
    n = x.shape[1]
    idx = np.arange(n)
    own = st.util[:, idx, idx, :]
    gap = np.sqrt(np.square(x[:, :, None, :] - x[:, None, :, :]).sum(axis=-1))
    same = gap < POSITION_TOL
    # a position is new unless it matches an earlier representative (KTAB's scan order;
    # matching is not transitive, so this is not the same as matching any earlier actor)
    rep = np.ones(x.shape[:2], dtype=bool)
    for i in range(1, n):
        rep[:, i] = ~np.any(same[:, i, :i] & rep[:, :i], axis=-1)
    c = coalitions(own, cap, opt.voting_rule)
    p = pce(c, victory(c, opt.victory_law), opt.pce, member=rep)
    match = same & rep[:, None, :]
    last = n - 1 - np.argmax(match[:, :, ::-1], axis=-1)
    first = np.argmax(match, axis=-1)
    return p, np.take_along_axis(p, last, axis=-1), first


def smp(
    inputs: ModelInputs,
    *,
    max_rounds: int = 100,
    stochastic: bool = False,
    rng: np.random.Generator | None = None,
    victory_law: VictoryLaw = "linear",
    voting_rule: VotingRule = "proportional",
    pce_model: PceModel = "conditional",
    risk_adjust: RiskAdjust = "one_third",
    risk_range: RiskRange = "mid",
    third_party: ThirdParty = "semi",
    interpolation: Interpolation = "s2p2",
    bargain_model: BargainModel = "init_only",
    min_rounds: int = 2,
    stop_ratio: float = 0.02,
    forecast: Forecast = "pce",
    record_offers: bool = True,
    keep_history: bool = True,
    engine: Literal["auto", "numpy", "numba"] = "auto",
) -> Trajectory:
    """Run KTAB's Spatial Model of Politics on every batch row; see the module docstring.

    Options (KTAB's names in brackets; defaults are KTAB's):

    - ``victory_law`` [VPModel]: how coalition strengths become victory probabilities in
      the elections: ``"linear"`` (c1 / (c1 + c2)), ``"square"``, ``"quartic"``,
      ``"octic"`` (powers of c), ``"binary"`` (certain beyond a 10% advantage).
    - ``voting_rule`` [VotingRule]: a voter's response to a utility difference:
      ``"proportional"``, ``"binary"``, ``"prop_bin"``, ``"prop_cubic"``, ``"cubic"``,
      ``"asym_prospect"`` (gains count 2/3 of losses).
    - ``pce_model`` [PCEModel]: ``"conditional"`` (probability of beating every other
      option, renormalised), ``"markov_incentive"``, ``"markov_uniform"``.
    - ``risk_adjust`` [BigRAdjust]: how much h's estimate of i's risk attitude leans on
      i's own: ``"none"`` (h's), ``"one_third"``, ``"half"``, ``"two_thirds"``, ``"full"``.
    - ``risk_range`` [BigRRange]: ``"min"`` [0, 1], ``"mid"`` [-1/2, 1], ``"max"`` [-1, 1].
    - ``third_party`` [ThirdPartyCommit]: ``"none"``, ``"semi"``, ``"full"``.
    - ``interpolation`` [InterVecBrgn]: ``"s2p2"``, ``"s1p1"`` (weights s P), ``"s2pmax"``.
    - ``bargain_model`` [SMPBargnModel]: ``"init_only"`` (the initiator's proposal),
      ``"init_rcvr"`` (both the initiator's and the target's, as two bargains),
      ``"power_weighted"`` (their weighted compromise).
    - ``stochastic`` [StateTransMode]: each actor draws its bargain by probability instead
      of taking the likeliest. Draws come from ``rng`` (a fresh generator if None): batch
      row b uses the b-th child of ``rng.spawn``, so the same seed gives the same result,
      and running the rows one call at a time with the same ``rng`` object gives the same
      result as one batch call.
    - ``max_rounds``, ``min_rounds`` (KTAB's maximum and minimum turns), ``stop_ratio``:
      the stopping rule (100, 2, 0.02); a run also ends when its positions repeat an
      earlier turn's (a cycle; not in stochastic mode), and its forecast is then the mean
      over the cycle (the module docstring).
    - ``forecast``: ``"pce"`` or ``"weighted_mean"`` (see the module docstring).
    - ``record_offers``: log every bargain proposed in ``Trajectory.offers``.
    - ``keep_history=False`` keeps only turn 0 and the final turn in ``positions`` and
      ``forecasts``, and no diagnostics (for large Monte Carlo batches).
    - ``engine``: ``"numpy"``; ``"numba"``, a compiled kernel (needs numba; KTAB's
      default voting rule, victory law, PCE and bargain model; ``keep_history=False``
      and ``record_offers=False``); ``"auto"`` takes numba where it applies and is
      installed. Both give the same results (draws included, for the same ``rng``).

    Returns a ``Trajectory`` (0-100 scale). ``rounds`` holds the turns taken,
    ``cycle_length`` and ``converged_round`` how each row ended (the same for every issue
    of a row: the issues are bargained together; but a row at the cap is ``STEADY`` on
    each issue whose forecast held still over the trailing window). The offer
    log has one entry per bargain and issue: ``challenger`` the initiator, ``target`` the
    actor it proposed to, ``new_position`` the position proposed to the target,
    ``accepted`` whether the target adopted it. ``diagnostics`` holds, per state
    ``(turns + 1, batch, actor)``: ``win_probability`` (the probability that the actor's
    position wins, as KTAB reports it) and ``risk_attitude``; per turn ``(turns, batch,
    actor)``: ``target`` (-1 if none), ``target_probability`` (the actor's estimate that
    it beats its target), ``challenge_gain`` and ``adopted_from`` (the initiator of the
    bargain the actor adopted, -1 for its status quo). Rows that stopped early repeat
    their last state; their later turn entries are -1 / 0.
    """
    opt = Options(victory_law=victory_law, voting_rule=voting_rule, pce=pce_model,
                  risk_adjust=risk_adjust, risk_range=risk_range, third_party=third_party,
                  interpolation=interpolation, bargain_model=bargain_model)
    chosen_opts = {"victory_law": victory_law, "voting_rule": voting_rule,
                   "pce_model": pce_model, "risk_adjust": risk_adjust, "risk_range": risk_range,
                   "third_party": third_party, "interpolation": interpolation,
                   "bargain_model": bargain_model, "forecast": forecast}
    for key, val in chosen_opts.items():
        if val not in _CHOICES[key]:
            raise ValueError(f"unknown {key} {val!r}; expected one of {_CHOICES[key]}")
    if max_rounds < 0 or min_rounds < 0 or not stop_ratio >= 0:
        raise ValueError("max_rounds and min_rounds must be >= 0, stop_ratio >= 0")
    seed: int | None = None
    rows_rng: list[np.random.Generator] = []
    if stochastic:
        if rng is None:
            rng = np.random.default_rng()
        seq = rng.bit_generator.seed_seq
        if isinstance(seq, np.random.SeedSequence) and isinstance(seq.entropy, int):
            seed = seq.entropy
        rows_rng = rng.spawn(inputs.batch)
    if engine not in ("auto", "numpy", "numba"):
        raise ValueError(f"unknown engine {engine!r}; expected auto, numpy or numba")
    x = inputs.position / 100.0
    s = np.where(inputs.present[None], inputs.salience, 0.0)
    cap = inputs.capability.astype(np.float64)
    b, n, dd = x.shape
    weight = cap[:, :, None] * s
    wmean = (weight * x).sum(axis=1) / weight.sum(axis=1)
    params = {"max_rounds": max_rounds, "stochastic": stochastic, "min_rounds": min_rounds,
              "stop_ratio": stop_ratio, **chosen_opts}
    compiled = (not keep_history and not record_offers and voting_rule == "proportional"
                and victory_law == "linear" and pce_model == "conditional"
                and bargain_model == "init_only")
    if engine == "numba" and not (compiled and _smp_numba.AVAILABLE):
        raise ValueError("the numba engine needs numba installed, keep_history=False, "
                         "record_offers=False and KTAB's default voting rule, victory law, "
                         "PCE and bargain model")
    if compiled and engine != "numpy" and _smp_numba.AVAILABLE:
        draws = (np.stack([g.random((max_rounds, n)) for g in rows_rng])
                 if stochastic and max_rounds > 0 else None)
        kernel = partial(_smp_numba.run, max_rounds=max_rounds, min_rounds=min_rounds,
                         stop_ratio=stop_ratio, risk_adjust=risk_adjust,
                         risk_range=risk_range, semi=third_party == "semi",
                         interpolation=interpolation)
        final, ends, _ = kernel(x, s, cap, draws)
        xs = np.stack([x, final])

        def state_forecast(v: FloatArray, rows: IntArray | slice) -> FloatArray:
            if forecast == "pce":
                return _win_and_forecast(v, assess(v, s[rows], cap[rows], opt), cap[rows],
                                         opt)[1]
            out: FloatArray = (weight[rows] * v).sum(axis=1) / weight[rows].sum(axis=1)
            return out

        fcs = np.stack([state_forecast(v, slice(None)) for v in xs])
        run_fc = fcs[-1].copy()
        swing = np.flatnonzero((ends[:, 1] >= 2) | (ends[:, 1] == NOT_CONVERGED))
        if swing.size:  # a mean over states: the kernel runs these rows again, keeping all
            _, _, hist = kernel(x[swing], s[swing], cap[swing],
                                None if draws is None else draws[swing], record=True)
            assert hist is not None
            per_state = np.stack([state_forecast(hist[:, t], swing)
                                  for t in range(hist.shape[1])])
            run_fc[swing] = _run_forecast(per_state, ends[swing, 1], ends[swing, 2],
                                          max_rounds)
        cycle_k = np.repeat(ends[:, 1:2], dd, axis=1)
        if swing.size:
            capped = ends[swing, 1] == NOT_CONVERGED
            cycle_k[swing[capped]] = np.where(held_still(per_state[:, capped], max_rounds, 1.0),
                                              STEADY, NOT_CONVERGED)
        return Trajectory(
            model="smp", params=params, actor_ids=inputs.actor_ids,
            issue_ids=inputs.issue_ids, positions=xs * 100.0, forecasts=fcs * 100.0,
            forecast=run_fc * 100.0,
            rounds=np.repeat(ends[:, :1], dd, axis=1),
            cycle_length=cycle_k,
            converged_round=np.repeat(ends[:, 2:3], dd, axis=1),
            seed=seed)

    st = assess(x, s, cap, opt)
    wp, fc = _win_and_forecast(x, st, cap, opt)
    hist_x, hist_wp, hist_r = [x], [wp], [st.risk]
    hist_fc = [fc if forecast == "pce" else wmean]
    turns: list[Turn] = []
    turn_rows: list[IntArray] = []
    active = np.ones(b, dtype=bool)
    rounds = np.zeros(b, dtype=np.int64)
    cycle = np.full(b, NOT_CONVERGED, dtype=np.int64)
    since = np.full(b, -1, dtype=np.int64)
    first_move = np.zeros(b)
    for t in range(1, max_rounds + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        draws = (np.stack([rows_rng[i].random(n) for i in idx]) if stochastic else None)
        tr = turn(x[idx], s[idx], cap[idx], st, opt, draws)
        move = np.sqrt(np.square(tr.x - x[idx]).sum(axis=-1)).sum(axis=-1)
        if t == 1:
            first_move[idx] = move + STOP_FLOOR
        ruled = (t >= min_rounds) & (move / first_move[idx] < stop_ratio)
        back = np.full(idx.size, -1, dtype=np.int64)
        if not stochastic and t >= min_rounds:  # a repeat of any earlier state: a cycle
            same = np.stack([np.all(h[idx] == tr.x, axis=(1, 2)) for h in hist_x])
            back = np.where(same.any(axis=0), np.argmax(same, axis=0), -1)
        fixed = back == t - 1
        ruled &= ~fixed
        cyc = (back >= 0) & ~fixed & ~ruled
        cycle[idx[fixed]], since[idx[fixed]] = 1, t - 1
        cycle[idx[ruled]], since[idx[ruled]] = BY_RULE, t
        if cyc.any():  # the period reported: the shortest up to last-bit rounding
            x_new = x.copy()
            x_new[idx] = tr.x
            states = np.stack([*hist_x, x_new])
            rows, k = idx[cyc], t - back[cyc]
            for kk in np.unique(k).tolist():
                sel = k == kk
                turns_in = back[cyc][sel][:, None] + np.arange(kk + 1)[None, :]
                cycle[rows[sel]] = shortest_period(states[turns_in, rows[sel][:, None]],
                                                   np.ones(int(sel.sum())))
            since[rows] = back[cyc]
        done = (t >= max_rounds) | fixed | ruled | cyc
        x = x.copy()
        x[idx] = tr.x
        rounds[idx] = t
        active[idx[done]] = False
        st_new = assess(tr.x, s[idx], cap[idx], opt)
        wp_new, fc_new = _win_and_forecast(tr.x, st_new, cap[idx], opt)
        wp, r = hist_wp[-1].copy(), hist_r[-1].copy()
        wp[idx], r[idx] = wp_new, st_new.risk
        fc = hist_fc[-1].copy()
        if forecast == "pce":
            fc[idx] = fc_new
        else:
            fc[idx] = (weight[idx] * tr.x).sum(axis=1) / weight[idx].sum(axis=1)
        hist_x.append(x)
        hist_wp.append(wp)
        hist_r.append(r)
        hist_fc.append(fc)
        turns.append(tr)
        turn_rows.append(idx)
        st = _take(st_new, ~done)

    n_t = len(turns)
    target = np.full((n_t, b, n), -1, dtype=np.int64)
    p_target = np.zeros((n_t, b, n))
    gain = np.zeros((n_t, b, n))
    adopted = np.full((n_t, b, n), -1, dtype=np.int64)
    for k, (tr, idx) in enumerate(zip(turns, turn_rows, strict=True)):
        target[k, idx] = tr.target
        p_target[k, idx] = tr.p_target
        gain[k, idx] = tr.gain
        adopted[k, idx] = np.where(tr.chosen >= 0, tr.b_init[np.maximum(tr.chosen, 0)], -1)
    forecasts = np.stack(hist_fc) * 100.0
    positions = np.stack(hist_x) * 100.0
    final = _run_forecast(np.stack(hist_fc), cycle, since, max_rounds) * 100.0
    per_issue = partial(np.repeat, repeats=dd, axis=1)
    capped = np.flatnonzero(cycle == NOT_CONVERGED)
    cycle_k = per_issue(cycle[:, None])
    if capped.size:  # every capped row ran all max_rounds turns
        fc_capped = np.stack(hist_fc)[:, capped]
        cycle_k[capped] = np.where(held_still(fc_capped, max_rounds, 1.0), STEADY,
                                   NOT_CONVERGED)
    if not keep_history:
        return Trajectory(
            model="smp", params=params, actor_ids=inputs.actor_ids,
            issue_ids=inputs.issue_ids, positions=positions[[0, -1]],
            forecasts=forecasts[[0, -1]], forecast=final, rounds=per_issue(rounds[:, None]),
            cycle_length=cycle_k, converged_round=per_issue(since[:, None]),
            offers=_offers(turns, turn_rows, dd) if record_offers else None, seed=seed)
    return Trajectory(
        model="smp",
        params=params,
        actor_ids=inputs.actor_ids,
        issue_ids=inputs.issue_ids,
        positions=positions,
        forecasts=forecasts,
        forecast=final,
        rounds=per_issue(rounds[:, None]),
        cycle_length=cycle_k,
        converged_round=per_issue(since[:, None]),
        offers=_offers(turns, turn_rows, dd) if record_offers else None,
        seed=seed,
        diagnostics={
            "win_probability": np.stack(hist_wp),
            "risk_attitude": np.stack(hist_r),
            "target": target,
            "target_probability": p_target,
            "challenge_gain": gain,
            "adopted_from": adopted,
        },
    )


def _run_forecast(fc: FloatArray, cycle: IntArray, since: IntArray, max_rounds: int
                  ) -> FloatArray:
    """Each row's forecast ``(B, D)`` from its per-state forecasts ``fc[state, b, d]``
    (rows that stopped early repeat their last): the last state's if it settled; the mean
    over the states of its cycle if it cycled; the mean over the trailing window of turns
    (``trajectory.trailing_window``) if it reached ``max_rounds`` with neither. Summed turn
    by turn in order, as for every path."""
    last = fc.shape[0] - 1
    lo, hi = trailing_window(max_rounds)
    first = np.where(cycle >= 2, since, np.where(cycle == NOT_CONVERGED, lo, last))
    stop = np.where(cycle >= 2, since + cycle - 1, np.where(cycle == NOT_CONVERGED, hi, last))
    acc = np.zeros(fc.shape[1:])
    for t in range(int(first.min(initial=last)), int(stop.max(initial=0)) + 1):
        inside = (first <= t) & (t <= stop)
        acc += np.where(inside[:, None], fc[min(t, last)], 0.0)
    out: FloatArray = acc / (stop - first + 1)[:, None]
    return out


def _offers(turns: list[Turn], turn_rows: list[IntArray], n_issue: int) -> OfferLog:
    """One log entry per bargain proposed and issue."""
    cols: dict[str, list[NDArray[np.generic]]] = {k: [] for k in (
        "round", "batch", "issue", "challenger", "target", "new_position", "accepted")}
    for t, (tr, idx) in enumerate(zip(turns, turn_rows, strict=True), start=1):
        r, slot = np.nonzero(tr.b_rcvr >= 0)
        if r.size == 0:
            continue
        rcvr = tr.b_rcvr[r, slot]
        acc = tr.chosen[r, rcvr] == slot
        m = r.size
        cols["round"].append(np.full(m * n_issue, t, dtype=np.int64))
        cols["batch"].append(np.repeat(idx[r], n_issue).astype(np.int64))
        cols["issue"].append(np.tile(np.arange(n_issue, dtype=np.int64), m))
        cols["challenger"].append(np.repeat(tr.b_init[slot], n_issue).astype(np.int64))
        cols["target"].append(np.repeat(rcvr, n_issue).astype(np.int64))
        cols["new_position"].append(tr.b_pos_r[r, slot].reshape(-1) * 100.0)
        cols["accepted"].append(np.repeat(acc, n_issue))
    if not cols["round"]:
        return OfferLog.empty()
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return OfferLog(
        round=cat["round"].astype(np.int64), batch=cat["batch"].astype(np.int64),
        issue=cat["issue"].astype(np.int64), challenger=cat["challenger"].astype(np.int64),
        target=cat["target"].astype(np.int64),
        kind=np.full(cat["round"].shape, int(OfferKind.BARGAIN), dtype=np.int64),
        new_position=cat["new_position"].astype(np.float64),
        accepted=cat["accepted"].astype(bool),
    )
