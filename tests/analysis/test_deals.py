"""Deals: the exchanges that pay both sides, ranked by joint gain, checked by hand, against
the exchange model's own first exchange, over samples, and as a property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statecraft.analysis.deals import deals_in, expected_outcomes, find_deals
from statecraft.models.exchange import GAIN_EPS, exchange, exchanges_of
from statecraft.models.inputs import ModelInputs


def _inputs(cap: list[float], pos: list[list[float]], sal: list[list[float]],
            actors: tuple[str, ...] | None = None) -> ModelInputs:
    n, k = len(pos), len(pos[0])
    return ModelInputs(actors or tuple("ABCDEFGH"[:n]), tuple(f"i{d}" for d in range(k)),
                       np.array([cap], dtype=float), np.array([pos], dtype=float),
                       np.array([sal], dtype=float), np.ones((n, k), dtype=bool),
                       np.full(k, 50.0))


def test_the_one_clearly_profitable_trade_is_found_first() -> None:
    """The module docstring's example, by hand: O_p = 35 / 1.5 = 23.33, O_q = 115 / 1.5 =
    76.67; B gives way on p all the way to A's 0 (O_p moves 0.1 x 100 / 1.5 = 6.67), A on
    q all the way to B's 100 (O_q moves 6.67; the rate is (0.1 + 0.9) / (0.9 + 0.1) = 1);
    each gains 6.67 x (0.81 - 0.01) / 1 = 16/3. C can trade with no one."""
    inp = _inputs([1, 1, 1], [[0, 0], [100, 100], [50, 50]],
                  [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]], ("A", "B", "C"))
    got = find_deals(inp)
    assert len(got) == 1
    d = got[0]
    assert (d.actor_a, d.issue_a, d.actor_b, d.issue_b) == ("A", "i1", "B", "i0")
    assert d.shift_a == pytest.approx(100.0, abs=1e-9) and d.to_a == pytest.approx(100.0)
    assert d.shift_b == pytest.approx(-100.0, abs=1e-9) and d.to_b == pytest.approx(0.0)
    assert d.outcome_b == pytest.approx((70 / 3, 70 / 3 - 20 / 3))
    assert d.outcome_a == pytest.approx((230 / 3, 230 / 3 + 20 / 3))
    assert d.gain_a == pytest.approx(16 / 3, abs=1e-9)
    assert d.gain_b == pytest.approx(16 / 3, abs=1e-9)
    assert d.joint_gain == pytest.approx(32 / 3, abs=1e-9)
    assert d.outcome_shift() == pytest.approx({"i1": 20 / 3, "i0": -20 / 3})


def test_ranked_by_joint_gain_and_the_first_is_the_models_first_exchange() -> None:
    """A big trade between A and B on i0/i1 (each gains 10 x 0.8 = 8) and a smaller one
    between C and D on i2/i3 (each gains 45 x (0.55^2 - 0.45^2) = 4.5)."""
    inp = _inputs([2, 2, 1, 1],
                  [[0, 0, 50, 50], [100, 100, 50, 50], [50, 50, 0, 0], [50, 50, 100, 100]],
                  [[0.9, 0.1, 0, 0], [0.1, 0.9, 0, 0], [0, 0, 0.55, 0.45], [0, 0, 0.45, 0.55]])
    got = find_deals(inp)
    assert len(got) >= 2
    gains = [d.joint_gain for d in got]
    assert gains == sorted(gains, reverse=True)
    assert {got[0].actor_a, got[0].actor_b} == {"A", "B"}
    assert got[0].gain_a == pytest.approx(8.0) and got[1].gain_a == pytest.approx(4.5)
    first = exchanges_of(exchange(inp))
    r1 = np.flatnonzero(first.round == 1)[0]
    names = inp.actor_ids
    assert {names[first.i[r1]], names[first.j[r1]]} == {got[0].actor_a, got[0].actor_b}
    assert first.gain_i[r1] == pytest.approx(got[0].gain_a, rel=1e-12)
    assert abs(first.shift_i[r1]) == pytest.approx(abs(got[0].shift_a), rel=1e-12)
    assert abs(first.shift_j[r1]) == pytest.approx(abs(got[0].shift_b), rel=1e-12)


def test_actor_filter_and_unknown_actor() -> None:
    inp = _inputs([2, 2, 1, 1],
                  [[0, 0, 50, 50], [100, 100, 50, 50], [50, 50, 0, 0], [50, 50, 100, 100]],
                  [[0.9, 0.1, 0, 0], [0.1, 0.9, 0, 0], [0, 0, 0.6, 0.4], [0, 0, 0.4, 0.6]])
    only_c = find_deals(inp, actor="C")
    assert only_c and all(d.involves("C") for d in only_c)
    assert [d.rank for d in only_c] == list(range(1, len(only_c) + 1))
    with pytest.raises(ValueError, match="unknown actor 'Z'"):
        find_deals(inp, actor="Z")


def _samples(rng: np.random.Generator, n: int, low: float = 0.05,
             high: float = 1.0) -> ModelInputs:
    """The docstring example's inputs, A's salience on p drawn from ``low``-``high``."""
    base = _inputs([1, 1, 1], [[0, 0], [100, 100], [50, 50]],
                   [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]], ("A", "B", "C"))
    sal = np.repeat(base.salience, n, axis=0)
    sal[:, 0, 0] = rng.uniform(low, high, n)
    return ModelInputs(base.actor_ids, base.issue_ids, np.repeat(base.capability, n, axis=0),
                       np.repeat(base.position, n, axis=0), sal, base.present,
                       base.status_quo)


def test_share_of_samples_in_which_the_deal_pays_both_sides() -> None:
    """The deal (B -100 points on p, A +100 on q) with A's salience on p, s, drawn: O_p
    then moves 10 / (s + 0.6) points and O_q 0.1 x 100 / 1.5 = 2/3 x 10. A gains
    10 s / (s + 0.6) - 0.1 x 20/3, positive where s > 0.4 / (10 - 2/3) = 0.0429; B gains
    0.9 x 20/3 - 0.1 x 10 / (s + 0.6), positive for any s. With s drawn from 0.05-1 the
    deal pays both in every sample; from 0.01-0.1, where s > 0.0429."""
    rng = np.random.default_rng(5)
    mid = _inputs([1, 1, 1], [[0, 0], [100, 100], [50, 50]],
                  [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]], ("A", "B", "C"))
    got = find_deals(mid, samples=_samples(rng, 4000))
    assert got[0].share_paying == 1.0
    low = _samples(rng, 4000, 0.01, 0.1)
    share = find_deals(mid, samples=low)[0].share_paying
    s = low.salience[:, 0, 0]
    assert share == float((s > 0.4 / (10 - 2 / 3)).mean())
    assert share == pytest.approx((0.1 - 0.4 / (10 - 2 / 3)) / 0.09, abs=0.03)


def test_bit_identical_on_rerun_and_typed_result() -> None:
    rng_a, rng_b = np.random.default_rng(11), np.random.default_rng(11)
    mid = _inputs([1, 1, 1], [[0, 0], [100, 100], [50, 50]],
                  [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]], ("A", "B", "C"))
    a = deals_in(mid, scenario="t", samples=_samples(rng_a, 500), seed=11)
    b = deals_in(mid, scenario="t", samples=_samples(rng_b, 500), seed=11)
    assert a == b
    assert a.to_dict() == b.to_dict()
    assert a.samples == 500 and a.seed == 11 and a.model == "exchange"
    frame = a.to_frame()
    assert list(frame["actor_a"]) == ["A"] and frame["joint_gain"].iloc[0] == a.deals[0].joint_gain
    assert a.to_dict()["deals"][0]["share_paying"] == a.deals[0].share_paying


@st.composite
def _problems(draw: st.DrawFn) -> ModelInputs:
    n = draw(st.integers(2, 5))
    k = draw(st.integers(2, 4))
    cap = draw(st.lists(st.floats(0.5, 10), min_size=n, max_size=n))
    pos = [draw(st.lists(st.sampled_from([0.0, 10.0, 25.0, 50.0, 62.5, 80.0, 100.0]),
                         min_size=k, max_size=k)) for _ in range(n)]
    sal = [draw(st.lists(st.floats(0.05, 1), min_size=k, max_size=k)) for _ in range(n)]
    return _inputs(cap, pos, sal)


@given(_problems())
@settings(max_examples=150, deadline=None)
def test_every_listed_deal_gains_both_sides(inp: ModelInputs) -> None:
    """Each deal, struck alone from the scenario's positions, raises both sides' expected
    utility, recomputed here from the moved positions."""
    x = inp.position[0]
    s = inp.salience[0]
    w = inp.weight[0]
    before = expected_outcomes(w, x)
    for d in find_deals(inp):
        v = x.copy()
        a, b = inp.actor_ids.index(d.actor_a), inp.actor_ids.index(d.actor_b)
        ia, ib = inp.issue_ids.index(d.issue_a), inp.issue_ids.index(d.issue_b)
        v[a, ia] += d.shift_a
        v[b, ib] += d.shift_b
        after = expected_outcomes(w, v)
        assert after[ia] == pytest.approx(d.outcome_a[1], abs=1e-9)
        for actor in (a, b):
            gain = float((s[actor] * (np.abs(x[actor] - before)
                                      - np.abs(x[actor] - after))).sum())
            assert gain > GAIN_EPS
            assert gain == pytest.approx(d.gain_a, rel=1e-9, abs=1e-9)


def test_striking_in_chunks_of_samples_gives_the_same_shares(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from statecraft import api
    from statecraft.analysis import deals as module
    from statecraft.api.deals import find_deals as api_deals

    loaded = api.load(None)
    whole = api_deals(loaded, samples=300)
    assert len(whole) * 300 < module.SAMPLE_CELLS  # struck in one go
    monkeypatch.setattr(module, "SAMPLE_CELLS", 7 * len(whole))  # chunks of 7 samples
    calls: list[int] = []

    def count() -> None:
        calls.append(1)

    chunked = api_deals(loaded, samples=300, should_stop=lambda: count())
    assert len(calls) == 43  # ceil(300 / 7) chunks, asked before each
    assert [d.share_paying for d in chunked.deals] == [d.share_paying for d in whole.deals]
    with pytest.raises(module.DealsStopped, match="was stopped: it ran too long"):
        api_deals(loaded, samples=300, should_stop=lambda: "ran too long")


def test_a_limit_keeps_the_first_deals_and_counts_them_all() -> None:
    from statecraft import api
    from statecraft.api.deals import find_deals as api_deals

    loaded = api.load(None)
    every = api_deals(loaded, samples=50)
    first = api_deals(loaded, samples=50, limit=2)
    assert first.deals == every.deals[:2] and first.total == len(every) > 2
    assert first.to_dict()["found"] == len(every) and first.to_dict()["shown"] == 2


def test_screening_in_blocks_of_actors_finds_the_same_deals(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from statecraft import api
    from statecraft.analysis import deals as module
    from statecraft.api.deals import find_deals as api_deals

    loaded = api.load(None)
    whole = api_deals(loaded)
    monkeypatch.setattr(module, "CANDIDATE_CELLS", 1)  # one actor at a time
    assert len(whole) > 0 and api_deals(loaded).deals == whole.deals
