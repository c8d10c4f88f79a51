"""Deals: the mutually profitable trades of position shifts across issues, in the position
exchange model's own terms (``statecraft.models.exchange``, whose docstring gives the
sources and every choice).

A deal is an exchange of that model between two actors ``a`` and ``b`` on two issues: ``a``
moves its position on one issue (``issue_a``, where ``b`` wants the outcome moved) towards
``b``, and in return ``b`` moves its position on another (``issue_b``) towards ``a``. It is
possible, as in the model, when the two are on opposite sides of the expected outcome on
both issues and each cares relatively more about the issue the other gives way on; its
size and rate are the model's: the equal-gain rate ``dO_b / dO_a = (s_a,b + s_b,b) /
(s_a,a + s_b,a)`` (writing ``s_x,k`` for actor x's salience on issue_k) and as large as
the model's limits allow (a position moves at most to the partner's, an expected outcome
at most to the position of the actor it moves towards). The expected outcome is the
capability x salience weighted mean; an actor's expected utility is ``-sum_d s_d |x_d -
O_d|`` (salience x points of the 0-100 scale), so each side's gain is what the move of the
two expected outcomes is worth to it. With the equal-gain rate both gain the same.

What this adds to the model's run: the model carries out one exchange at a time, each
changing what the next can be; ``find_deals`` lists **every** exchange that pays at the
scenario's positions (each evaluated alone, as the model evaluates its candidates in its
first round), ranked by joint gain. So the first deal listed is the exchange the model
makes first (the tie rule aside: equal gains are listed by actor and issue order).

Over Monte Carlo samples of the scenario's ranges, each deal, as the same shifts in
points, is struck in every sample: ``share_paying`` is the share of samples in which it
still gains both sides more than ``GAIN_EPS`` (in each sample's own capabilities,
positions and saliences). A deal found at the midpoints may not be possible in a sample
(the sides may differ there); it is still priced as the same shifts.

Worked example (``tests/analysis/test_deals.py``). Three actors on issues p and q:
capabilities A 1, B 1, C 1; on p A at 0 (salience 0.9), B at 100 (0.1), C at 50 (0.5); on q
A at 0 (0.1), B at 100 (0.9), C at 50 (0.5). The expected outcomes are ``O_p = (0 + 10 +
25) / 1.5 = 23.33`` and ``O_q = (0 + 90 + 25) / 1.5 = 76.67``. A and B are on opposite
sides of both, A cares about p (0.9 / 0.1 > 0.1 / 0.9), B about q: B gives way on p, A on
q, at the rate ``(0.1 + 0.9) / (0.9 + 0.1) = 1``. B moving all the way to A's 0 moves
``O_p`` by ``0.1 x 100 / 1.5 = 6.67``, which is also less than ``O_p``'s distance to A
(23.33); A moving to B's 100 would move ``O_q`` by the same 6.67. So ``dO_p = dO_q =
6.67``, and each gains ``6.67 x (0.9 x 0.9 - 0.1 x 0.1) / (0.1 + 0.9) = 5.33``. C
can trade with neither: on p C (50) is above ``O_p`` like B, on q (50) below ``O_q``
like A, so it is on the same side as A on q and as B on p. The one deal: B moves 100
points on p (to 0), A 100 on q (to 100), each gains 5.33.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from statecraft.errors import StoppedError, stopped_words
from statecraft.models.exchange import GAIN_EPS, SIDE_TOL
from statecraft.models.inputs import ModelInputs

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

METHOD = "position exchange (equal gain), every exchange at the scenario's positions"


@dataclass(frozen=True)
class Deal:
    """One mutually profitable exchange: ``actor_a`` moves its position on ``issue_a`` by
    ``shift_a`` points (signed, to ``to_a``) and ``actor_b`` its position on ``issue_b`` by
    ``shift_b`` (to ``to_b``); ``outcome_a`` and ``outcome_b`` are the expected outcomes of
    ``issue_a`` and ``issue_b`` before and after; ``gain_a`` and ``gain_b`` each side's gain
    in expected utility (salience x points); ``share_paying`` the share of Monte Carlo
    samples in which the same shifts still gain both (None without samples)."""

    rank: int
    actor_a: str
    issue_a: str
    shift_a: float
    to_a: float
    actor_b: str
    issue_b: str
    shift_b: float
    to_b: float
    outcome_a: tuple[float, float]
    outcome_b: tuple[float, float]
    gain_a: float
    gain_b: float
    share_paying: float | None = None

    @property
    def joint_gain(self) -> float:
        return self.gain_a + self.gain_b

    def involves(self, actor: str) -> bool:
        return actor in (self.actor_a, self.actor_b)

    def outcome_shift(self) -> dict[str, float]:
        """Each issue's shift of its expected outcome if the deal is struck."""
        return {self.issue_a: self.outcome_a[1] - self.outcome_a[0],
                self.issue_b: self.outcome_b[1] - self.outcome_b[0]}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["outcome_a"] = list(self.outcome_a)
        out["outcome_b"] = list(self.outcome_b)
        out["joint_gain"] = self.joint_gain
        out["outcome_shift"] = self.outcome_shift()
        return out


@dataclass(frozen=True)
class Deals:
    """The deals of a scenario, ranked by joint gain, with what produced them: the model
    (``exchange`` and its behaviour version), its settings (the tolerances), the seed and
    number of Monte Carlo samples (0: none), the actor they were filtered to (None: all)
    and the statecraft version; ``found``: how many deals there are, when a limit kept
    only the first of them (``total``)."""

    deals: tuple[Deal, ...]
    scenario: str
    model: str
    model_version: int
    settings: dict[str, float]
    seed: int | None
    samples: int
    actor: str | None
    version: str
    method: str = METHOD
    found: int | None = None

    @property
    def total(self) -> int:
        """How many deals there are, ``deals`` being the first of them when a limit cut
        the list."""
        return len(self.deals) if self.found is None else self.found

    def __len__(self) -> int:
        return len(self.deals)

    def to_frame(self) -> DataFrame:
        """One row per deal (pandas), with the provenance in every row's last columns."""
        import pandas as pd

        rows = []
        for d in self.deals:
            row = d.to_dict()
            row.pop("outcome_shift")
            for key in ("outcome_a", "outcome_b"):
                before, after = row.pop(key)
                row[f"{key}_before"], row[f"{key}_after"] = before, after
            row.update(seed=self.seed, samples=self.samples, model=self.model)
            rows.append(row)
        columns = [f.name for f in Deal.__dataclass_fields__.values()
                   if f.name not in ("outcome_a", "outcome_b")]
        columns += ["outcome_a_before", "outcome_a_after", "outcome_b_before",
                    "outcome_b_after", "joint_gain", "seed", "samples", "model"]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "model": self.model,
                "model_version": self.model_version, "method": self.method,
                "settings": dict(self.settings), "seed": self.seed,
                "samples": self.samples, "actor": self.actor, "version": self.version,
                "found": self.total, "shown": len(self.deals),
                "deals": [d.to_dict() for d in self.deals]}


@dataclass(frozen=True)
class Candidates:
    """Every exchange that pays at one state, as parallel arrays (actor and issue numbers
    index the inputs'): ``a`` moves on ``ia`` by ``shift_a``, ``b`` on ``ib`` by
    ``shift_b``; ``d_a``/``d_b`` the signed moves of the expected outcomes of ``ia`` and
    ``ib``; ``gain`` each side's gain."""

    a: IntArray
    b: IntArray
    ia: IntArray
    ib: IntArray
    shift_a: FloatArray
    shift_b: FloatArray
    d_a: FloatArray
    d_b: FloatArray
    gain: FloatArray
    outcome: FloatArray  # (issue,) the expected outcomes before


def expected_outcomes(w: FloatArray, v: FloatArray) -> FloatArray:
    """The capability x salience weighted mean of positions ``v`` over actors (axis -2)."""
    total = w.sum(axis=-2)
    out: FloatArray = (w * v).sum(axis=-2) / np.where(total > 0, total, 1.0)
    return out


def candidates(inputs: ModelInputs, row: int = 0) -> Candidates:
    """Every exchange that pays in batch row ``row`` of ``inputs`` (all issues one
    exchange set), sized and valued as the exchange model does (see the module
    docstring)."""
    x = inputs.position[row]
    s = np.where(inputs.present, inputs.salience[row], 0.0)
    w = inputs.weight_of(slice(row, row + 1))[0]
    total = w.sum(axis=0)
    out = expected_outcomes(w, x)
    gap = x - out[None, :]
    side = np.where((w > 0) & (np.abs(gap) > SIDE_TOL), np.sign(gap), 0.0)
    n, k = x.shape
    pp, qq = (t.astype(np.int64) for t in np.triu_indices(k, 1))
    # i demands p (j gives way on p), j demands q (i gives way on q); the pairs are
    # screened a block of i at a time, so memory follows the pairs that qualify
    block = max(1, CANDIDATE_CELLS // max(1, n * pp.size))
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    for lo in range(0, n, block):
        i, j, m = (t.ravel() for t in np.meshgrid(np.arange(lo, min(lo + block, n)),
                                                  np.arange(n), np.arange(pp.size),
                                                  indexing="ij"))
        p, q = pp[m], qq[m]
        ok = ((side[i, p] != 0) & (side[i, q] != 0) & (side[i, p] == -side[j, p])
              & (side[i, q] == -side[j, q]) & (s[i, p] * s[j, q] > s[i, q] * s[j, p]))
        parts.append((i[ok], j[ok], p[ok], q[ok]))
    i, j, p, q = (np.concatenate([part[t] for part in parts]) if parts
                  else np.zeros(0, dtype=np.int64) for t in range(4))
    s_ip, s_iq, s_jp, s_jq = s[i, p], s[i, q], s[j, p], s[j, q]
    sig_p, sig_q = side[i, p], side[j, q]  # where i wants O_p, j wants O_q moved
    room_j = np.maximum(sig_p * (x[i, p] - x[j, p]), 0.0)
    room_i = np.maximum(sig_q * (x[j, q] - x[i, q]), 0.0)
    lim_p = np.minimum(w[j, p] * room_j / total[p], np.abs(x[i, p] - out[p]))
    lim_q = np.minimum(w[i, q] * room_i / total[q], np.abs(x[j, q] - out[q]))
    rate = (s_ip + s_jp) / (s_iq + s_jq)
    d_p = np.minimum(lim_p, lim_q / rate)
    d_q = d_p * rate
    gain = d_p * (s_ip * s_jq - s_iq * s_jp) / (s_iq + s_jq)
    pays = gain > GAIN_EPS
    i, j, p, q = i[pays], j[pays], p[pays], q[pays]
    d_p, d_q, gain = d_p[pays], d_q[pays], gain[pays]
    sig_p, sig_q = sig_p[pays], sig_q[pays]
    shift_j = sig_p * d_p * total[p] / w[j, p]
    shift_i = sig_q * d_q * total[q] / w[i, q]
    # snap as the model does: a position moved to within rounding of its limit is there
    shift_j = np.where(np.abs(x[j, p] + shift_j - x[i, p]) <= 1e-9, x[i, p] - x[j, p], shift_j)
    shift_i = np.where(np.abs(x[i, q] + shift_i - x[j, q]) <= 1e-9, x[j, q] - x[i, q], shift_i)
    return Candidates(a=i, b=j, ia=q, ib=p, shift_a=shift_i, shift_b=shift_j,
                      d_a=sig_q * d_q, d_b=sig_p * d_p, gain=gain, outcome=out)


CANDIDATE_CELLS = 1_000_000
"""Most (actor, actor, pair of issues) combinations ``candidates`` screens at once."""

SAMPLE_CELLS = 4_000_000
"""Most (sample, deal) pairs ``pays_in_samples`` evaluates at once: samples are taken in
chunks of this many cells, so its memory does not grow with samples x deals."""

ShouldStop = Callable[[], "str | None"]


class DealsStopped(StoppedError):
    """Striking deals in samples was stopped by its caller (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(stopped_words("finding deals", reason))
        self.reason = reason


def pays_in_samples(samples: ModelInputs, c: Candidates, *,
                    should_stop: ShouldStop | None = None) -> FloatArray:
    """Per candidate, the share of the batch rows of ``samples`` in which its shifts (in
    points, positions kept within 0-100) gain both sides more than ``GAIN_EPS``. Rows are
    taken in chunks of at most ``SAMPLE_CELLS`` (row, candidate) cells; between chunks
    ``should_stop`` is asked, and a reason it gives stops the work (``DealsStopped``)."""
    if c.a.size == 0:
        return np.zeros(0)
    rows = samples.position.shape[0]
    step = max(1, SAMPLE_CELLS // c.a.size)
    count = np.zeros(c.a.size, dtype=np.int64)
    for start in range(0, rows, step):
        if should_stop is not None and (reason := should_stop()) is not None:
            raise DealsStopped(reason)
        count += _paying(samples, c, slice(start, min(start + step, rows)))
    share: FloatArray = count / rows
    return share


def _paying(samples: ModelInputs, c: Candidates, rows: slice) -> IntArray:
    """Per candidate, how many of the batch rows ``rows`` of ``samples`` it pays both in."""
    x = samples.position[rows]  # (S, N, K)
    s = np.where(samples.present[None], samples.salience[rows], 0.0)
    w = samples.weight_of(rows)  # (S, N, K)
    total = w.sum(axis=1)  # (S, K)
    before = expected_outcomes(w, x)  # (S, K)

    def moved(actor: IntArray, issue: IntArray, shift: FloatArray) -> FloatArray:
        """(S, deal): the expected outcome of ``issue`` after ``actor`` shifts there."""
        old = x[:, actor, issue]
        new = np.clip(old + shift[None, :], 0.0, 100.0)
        out: FloatArray = before[:, issue] + w[:, actor, issue] * (new - old) / total[:, issue]
        return out

    after_a = moved(c.a, c.ia, c.shift_a)  # the outcome of issue_a
    after_b = moved(c.b, c.ib, c.shift_b)

    def gain(actor: IntArray) -> FloatArray:
        out = np.zeros_like(after_a)
        for issue, after in ((c.ia, after_a), (c.ib, after_b)):
            pos, sal = x[:, actor, issue], s[:, actor, issue]
            out += sal * (np.abs(pos - before[:, issue]) - np.abs(pos - after))
        return out

    both = (gain(c.a) > GAIN_EPS) & (gain(c.b) > GAIN_EPS)
    paying: IntArray = both.sum(axis=0, dtype=np.int64)
    return paying


def find_deals(midpoints: ModelInputs, *, samples: ModelInputs | None = None,
               actor: str | None = None, limit: int | None = None,
               should_stop: ShouldStop | None = None) -> list[Deal]:
    """The deals that pay at ``midpoints`` (its first batch row: the scenario's central
    values), ranked by joint gain (ties: by the order of actors, then of issues, in the
    inputs), restricted to those involving ``actor`` when given, the first ``limit`` of
    them when given; with ``samples``, each with the share of their rows in which it still
    pays both sides (``should_stop`` is asked as they are struck: ``pays_in_samples``)."""
    return _ranked(midpoints, samples=samples, actor=actor, limit=limit,
                   should_stop=should_stop)[0]


def _ranked(midpoints: ModelInputs, *, samples: ModelInputs | None, actor: str | None,
            limit: int | None, should_stop: ShouldStop | None) -> tuple[list[Deal], int]:
    """``find_deals`` and how many deals there are before ``limit``."""
    if actor is not None and actor not in midpoints.actor_ids:
        raise ValueError(f"unknown actor {actor!r}; the scenario's actors: "
                         + ", ".join(midpoints.actor_ids))
    c = candidates(midpoints)
    ids, issues = midpoints.actor_ids, midpoints.issue_ids
    order = np.lexsort((c.ib, c.ia, c.b, c.a, -c.gain))
    if actor is not None:
        k = ids.index(actor)
        order = order[(c.a[order] == k) | (c.b[order] == k)]
    found = int(order.size)
    if limit is not None:
        order = order[:limit]
    share = None
    if samples is not None:  # struck only for the deals listed
        share = pays_in_samples(samples, _subset(c, order), should_stop=should_stop)
    x = midpoints.position[0]
    out: list[Deal] = []
    for n, k in enumerate(order.tolist()):
        a, b, ia, ib = int(c.a[k]), int(c.b[k]), int(c.ia[k]), int(c.ib[k])
        out.append(Deal(
            rank=len(out) + 1, actor_a=ids[a], issue_a=issues[ia],
            shift_a=float(c.shift_a[k]), to_a=float(x[a, ia] + c.shift_a[k]),
            actor_b=ids[b], issue_b=issues[ib], shift_b=float(c.shift_b[k]),
            to_b=float(x[b, ib] + c.shift_b[k]),
            outcome_a=(float(c.outcome[ia]), float(c.outcome[ia] + c.d_a[k])),
            outcome_b=(float(c.outcome[ib]), float(c.outcome[ib] + c.d_b[k])),
            gain_a=float(c.gain[k]), gain_b=float(c.gain[k]),
            share_paying=None if share is None else float(share[n])))
    return out, found


def _subset(c: Candidates, keep: IntArray) -> Candidates:
    """The candidates ``keep`` (indices), in that order."""
    return Candidates(a=c.a[keep], b=c.b[keep], ia=c.ia[keep], ib=c.ib[keep],
                      shift_a=c.shift_a[keep], shift_b=c.shift_b[keep], d_a=c.d_a[keep],
                      d_b=c.d_b[keep], gain=c.gain[keep], outcome=c.outcome)


def deals_in(midpoints: ModelInputs, *, scenario: str, samples: ModelInputs | None = None,
             seed: int | None = None, actor: str | None = None, limit: int | None = None,
             should_stop: ShouldStop | None = None) -> Deals:
    """``find_deals`` as a typed result recording what produced it (``seed``: the seed
    ``samples`` were drawn with) and how many deals were found before ``limit``."""
    from statecraft import __version__
    from statecraft.models.registry import spec

    found, total = _ranked(midpoints, samples=samples, actor=actor, limit=limit,
                           should_stop=should_stop)
    return Deals(deals=tuple(found), scenario=scenario, model="exchange",
                 model_version=spec("exchange").version,
                 settings={"gain_eps": GAIN_EPS, "side_tol": SIDE_TOL},
                 seed=seed if samples is not None else None,
                 samples=0 if samples is None else samples.batch, actor=actor,
                 version=__version__, found=total)
