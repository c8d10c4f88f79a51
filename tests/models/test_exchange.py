"""The position exchange model: cases worked by hand, and properties that must hold for
every input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import statecraft.models.exchange as exchange_module
from statecraft.models import ModelInputs
from statecraft.models.baselines import compromise
from statecraft.models.exchange import Exchanges, exchange, exchanges_of
from statecraft.models.trajectory import NOT_CONVERGED
from tests.conftest import shared_dir


def inputs(capability: Any, position: Any, salience: Any, present: Any = None) -> ModelInputs:
    """One or more batch rows: capability (batch, actor), position and salience
    (batch, actor, issue)."""
    c = np.asarray(capability, dtype=float)
    x = np.asarray(position, dtype=float)
    s = np.asarray(salience, dtype=float)
    _, n, k = x.shape
    return ModelInputs(tuple(f"a{i}" for i in range(n)), tuple(f"i{d}" for d in range(k)),
                       c, x, s, np.ones((n, k), dtype=bool) if present is None
                       else np.asarray(present, dtype=bool), np.full(k, 50.0))


def test_two_actors_two_issues_worked_by_hand() -> None:
    """Capabilities A 2, B 1. Issue p: A at 10 (salience 0.9), B at 70 (0.4); issue q:
    A at 30 (0.3), B at 90 (0.6).

    Weights c x s: on p A 1.8, B 0.4 (total 2.2); on q A 0.6, B 0.6 (total 1.2). Expected
    outcomes: O_p = (1.8 * 10 + 0.4 * 70) / 2.2 = 46 / 2.2 = 230/11 = 20.9090...;
    O_q = (0.6 * 30 + 0.6 * 90) / 1.2 = 60. A is below both, B above both: opposite sides.
    A's saliences 0.9 / 0.3 = 3 > B's 0.4 / 0.6: A demands p, B demands q; B gives way on
    p (towards 10), A on q (towards 90). Rate: dO_q / dO_p = (0.9 + 0.4) / (0.3 + 0.6)
    = 13/9.

    Limits on p: B's whole way, 70 - 10 = 60, moves O_p by 0.4 * 60 / 2.2 = 120/11, and
    O_p may move at most to A's 10, 230/11 - 10 = 120/11 too. On q: A's whole way, 60,
    moves O_q by 0.6 * 60 / 1.2 = 30, and O_q may reach B's 90: 30 again. At the rate, 30
    on q allows 30 * 9/13 = 270/13 = 20.77 on p, more than 120/11; so dO_p = 120/11 and
    dO_q = 13/9 * 120/11 = 520/33 = 15.7575...

    Moves: B on p by the whole 60, to 10; A on q by dO_q * 1.2 / 0.6 = 1040/33 = 31.5151...,
    from 30 to 2030/33 = 61.5151... New outcomes: O_p = 10, O_q = 60 + 520/33 = 2500/33
    = 75.7575...

    Gains: A: 0.9 * 120/11 - 0.3 * 520/33 = 108/11 - 52/11 = 56/11 = 5.0909...; B:
    0.6 * 520/33 - 0.4 * 120/11 = 104/11 - 48/11 = 56/11: equal, as the rate makes them,
    and = dO_p (0.9 * 0.6 - 0.3 * 0.4) / (0.3 + 0.6) = 120/11 * 0.42 / 0.9 = 56/11.

    Then A stands at the outcome on p, on neither side: no exchange is left, and the run
    ends at a fixed point after one round with the forecast (10, 2500/33).
    """
    traj = exchange(inputs([[2, 1]], [[[10, 30], [70, 90]]], [[[0.9, 0.3], [0.4, 0.6]]]))
    np.testing.assert_allclose(traj.forecasts[0, 0], [230 / 11, 60], atol=1e-9, rtol=0)
    np.testing.assert_allclose(traj.forecast[0], [10, 2500 / 33], atol=1e-9, rtol=0)
    np.testing.assert_allclose(traj.positions[-1, 0], [[10, 2030 / 33], [10, 90]], atol=1e-9,
                               rtol=0)
    assert traj.cycle_length.tolist() == [[1, 1]] and traj.rounds.tolist() == [[1, 1]]
    assert traj.converged_round.tolist() == [[1, 1]]
    made = exchanges_of(traj)
    assert len(made) == 1
    assert (made.round[0], made.row[0], made.i[0], made.j[0], made.p[0], made.q[0]) == (
        1, 0, 0, 1, 0, 1)
    got = [made.shift_i[0], made.shift_j[0], made.position_i[0], made.position_j[0],
           made.outcome_p[0], made.outcome_q[0], made.gain_i[0], made.gain_j[0]]
    want = [1040 / 33, -60, 2030 / 33, 10, -120 / 11, 520 / 33, 56 / 11, 56 / 11]
    np.testing.assert_allclose(got, want, atol=1e-9, rtol=0)
    # the compromise model's forecast is where the exchange model starts
    np.testing.assert_allclose(compromise(inputs([[2, 1]], [[[10, 30], [70, 90]]],
                                                 [[[0.9, 0.3], [0.4, 0.6]]])).forecast[0],
                               traj.forecasts[0, 0], atol=1e-12)


def test_the_outcome_moves_no_further_than_the_demanders_position() -> None:
    """The case above with a third actor C at 0 on p (capability 1, salience 0.5), with
    no stance on q, so it cannot exchange.

    On p the weights are A 1.8, B 0.4, C 0.5 (total 2.7); O_p = (18 + 28 + 0) / 2.7
    = 460/27 = 17.037. B's whole way to A's 10 would move O_p by 0.4 * 60 / 2.7 = 8.89,
    past A's 10 (C pulls the other way); so O_p stops at A's 10: dO_p = 460/27 - 10
    = 190/27. On q nothing changes (O_q = 60, total 1.2): 30 on q allows 270/13 on p,
    more. dO_q = 13/9 * 190/27 = 2470/243. B moves dO_p * 2.7 / 0.4 = 47.5, from 70 to
    22.5; A on q by 2 dO_q = 4940/243, to 30 + 4940/243 = 12230/243 = 50.329. Each gains
    190/27 * 0.42 / 0.9 = 266/81 = 3.284. The forecast: (10, 60 + 2470/243 = 17050/243).
    """
    present = [[True, True], [True, True], [True, False]]
    traj = exchange(inputs([[2, 1, 1]], [[[10, 30], [70, 90], [0, 50]]],
                           [[[0.9, 0.3], [0.4, 0.6], [0.5, 0.0]]], present))
    np.testing.assert_allclose(traj.forecast[0], [10, 17050 / 243], atol=1e-9, rtol=0)
    np.testing.assert_allclose(traj.positions[-1, 0, :2], [[10, 12230 / 243], [22.5, 90]],
                               atol=1e-9, rtol=0)
    assert traj.positions[-1, 0, 2].tolist() == [0, 50]  # C, and its absent stance, stay
    made = exchanges_of(traj)
    assert len(made) == 1 and (made.i[0], made.j[0]) == (0, 1)
    np.testing.assert_allclose([made.gain_i[0], made.gain_j[0]], [266 / 81, 266 / 81],
                               atol=1e-9, rtol=0)
    assert traj.cycle_length.tolist() == [[1, 1]]


# ---- properties ---------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn, *, batch: int = 1, equal_saliences: bool = False,
          coarse: bool | None = None) -> ModelInputs:
    """Random inputs; ``coarse`` values (a few levels) make ties and equal positions
    common."""
    n = draw(st.integers(2, 6))
    k = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rough = draw(st.booleans()) if coarse is None else coarse
    rng = np.random.default_rng(seed)
    if rough:
        x = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], (batch, n, k))
        s = rng.choice([0.25, 0.5, 1.0], (batch, n, k))
        c = rng.choice([1.0, 2.0], (batch, n))
    else:
        x = rng.uniform(0, 100, (batch, n, k))
        s = rng.uniform(0.05, 1, (batch, n, k))
        c = rng.uniform(1, 10, (batch, n))
    if equal_saliences:
        s = np.repeat(s[:, :, :1], k, axis=2)
    present = rng.random((n, k)) > 0.2
    present[:2] = True  # every issue has someone who cares
    return ModelInputs(tuple(f"a{i}" for i in range(n)), tuple(f"i{d}" for d in range(k)),
                       c, x, s, present, np.full(k, 50.0))


def _utility(inp: ModelInputs, row: int, actor: int, outcome: np.ndarray) -> float:
    on = inp.present[actor]
    return float(-(inp.salience[row, actor, on]
                   * np.abs(inp.position[row, actor, on] - outcome[on])).sum())


@settings(max_examples=150, deadline=None)
@given(cases(batch=2))
def test_no_exchange_lowers_either_partys_expected_utility(inp: ModelInputs) -> None:
    traj = exchange(inp)
    made = exchanges_of(traj)
    assert np.all(traj.cycle_length == 1)
    for e in range(len(made)):
        rnd, row, i, j = (int(a[e]) for a in (made.round, made.row, made.i, made.j))
        before, after = traj.forecasts[rnd - 1, row], traj.forecasts[rnd, row]
        for actor, logged in ((i, made.gain_i[e]), (j, made.gain_j[e])):
            gain = _utility(inp, row, actor, after) - _utility(inp, row, actor, before)
            assert gain > 0, (e, actor, gain)
            assert gain == pytest.approx(logged, abs=1e-9)
        assert made.gain_i[e] == pytest.approx(made.gain_j[e], abs=1e-9)  # equal gain
        # only the two issues moved, each by the logged amount
        moved = np.flatnonzero(np.abs(after - before) > 1e-12)
        assert set(moved.tolist()) <= {int(made.p[e]), int(made.q[e])}
        assert after[made.p[e]] - before[made.p[e]] == pytest.approx(made.outcome_p[e],
                                                                      abs=1e-9)
    # the forecast is the last state's expected outcome: nothing is averaged at a fixed point
    np.testing.assert_allclose(traj.forecast, traj.forecasts[-1], atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(cases(batch=2, equal_saliences=True))
def test_with_equal_saliences_no_exchange_happens(inp: ModelInputs) -> None:
    """Each actor cares the same about every issue: no one is relatively keener on one
    issue than another is, so no exchange is possible and the forecast is the compromise
    model's."""
    traj = exchange(inp)
    assert len(exchanges_of(traj)) == 0
    np.testing.assert_allclose(traj.forecast, compromise(inp).forecast, atol=1e-9)
    assert np.all(traj.rounds == 0) and np.all(traj.cycle_length == 1)


@settings(max_examples=60, deadline=None)
@given(cases(batch=4))
def test_batch_rows_give_the_same_results_as_single_runs(inp: ModelInputs) -> None:
    traj = exchange(inp)
    made = exchanges_of(traj)
    for b in range(inp.batch):
        one = exchange(inp.take(slice(b, b + 1)))
        np.testing.assert_array_equal(traj.forecast[b], one.forecast[0])
        np.testing.assert_array_equal(traj.rounds[b], one.rounds[0])
        np.testing.assert_array_equal(traj.cycle_length[b], one.cycle_length[0])
        depth = one.positions.shape[0]
        np.testing.assert_array_equal(traj.positions[:depth, b], one.positions[:, 0])
        alone, mine = exchanges_of(one), made.row == b
        for name in ("round", "i", "j", "p", "q", "shift_i", "shift_j", "gain_i"):
            np.testing.assert_array_equal(getattr(made, name)[mine], getattr(alone, name))


@settings(max_examples=80, deadline=None)
@given(cases(coarse=True), st.randoms(use_true_random=False))
def test_the_order_actors_are_listed_in_changes_nothing(inp: ModelInputs,
                                                        rnd: Any) -> None:
    """Coarse values make equal gains common; ties go by the actors' values."""
    order = list(range(len(inp.actor_ids)))
    rnd.shuffle(order)
    shuffled = ModelInputs(tuple(inp.actor_ids[a] for a in order), inp.issue_ids,
                           inp.capability[:, order], inp.position[:, order],
                           inp.salience[:, order], inp.present[order], inp.status_quo)
    a, b = exchange(inp), exchange(shuffled)
    np.testing.assert_allclose(a.forecast, b.forecast, atol=1e-9)
    np.testing.assert_allclose(a.positions[-1][:, order], b.positions[-1], atol=1e-9)
    assert len(exchanges_of(a)) == len(exchanges_of(b))


def test_exchanges_happen_only_within_a_set() -> None:
    rng = np.random.default_rng(5)
    inp = inputs(rng.uniform(1, 5, (3, 6)), rng.uniform(0, 100, (3, 6, 5)),
                 rng.uniform(0.1, 1, (3, 6, 5)))
    sets = ["a", "b", "a", "b", "c"]
    traj = exchange(inp, sets=sets)
    made = exchanges_of(traj)
    assert len(made) > 0 and traj.params == {"max_rounds": 500, "sets": 3}
    assert all(sets[p] == sets[q] for p, q in zip(made.p, made.q, strict=True))
    # each set runs as if alone; an issue alone in its set keeps the compromise forecast
    for members in ([0, 2], [1, 3]):
        sub = ModelInputs(inp.actor_ids, tuple(inp.issue_ids[k] for k in members),
                          inp.capability, inp.position[:, :, members],
                          inp.salience[:, :, members], inp.present[:, members],
                          inp.status_quo[members])
        np.testing.assert_allclose(traj.forecast[:, members], exchange(sub).forecast,
                                   atol=1e-12)
    np.testing.assert_allclose(traj.forecast[:, 4], compromise(inp).forecast[:, 4], atol=1e-12)
    assert np.all(traj.rounds[:, 4] == 0)
    with pytest.raises(ValueError, match="one label per issue"):
        exchange(inp, sets=["a", "b"])


def test_a_run_capped_before_it_settles_is_reported_as_not_converged() -> None:
    rng = np.random.default_rng(11)
    inp = inputs(rng.uniform(1, 5, (2, 6)), rng.uniform(0, 100, (2, 6, 3)),
                 rng.uniform(0.1, 1, (2, 6, 3)))
    full = exchange(inp)
    assert full.rounds.min() > 2 and np.all(full.cycle_length == 1)
    capped = exchange(inp, max_rounds=2)
    assert np.all(capped.cycle_length == NOT_CONVERGED) and np.all(capped.rounds == 2)
    assert np.all(capped.converged_round == -1)
    # the mean of the expected outcomes of the last half of its rounds: round 2 alone
    np.testing.assert_allclose(capped.forecast, full.forecasts[2], atol=1e-12)
    np.testing.assert_allclose(capped.forecasts, full.forecasts[:3], atol=1e-12)
    none = exchange(inp, max_rounds=0)
    np.testing.assert_allclose(none.forecast, compromise(inp).forecast, atol=1e-12)
    # keeping no history changes nothing but what is kept
    quiet = exchange(inp, keep_history=False)
    np.testing.assert_array_equal(quiet.forecast, full.forecast)
    assert quiet.positions.shape[0] == 2
    np.testing.assert_array_equal(quiet.positions[-1], full.positions[-1])


def test_a_cycle_is_detected_and_forecast_by_its_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    """No run of the model's own rules has cycled in any input we tried (the property
    tests above require fixed points); a chooser that undoes each exchange it makes shows
    what a cycle gives: the run stops at the first repeated state, reports a 2-cycle from
    round 0, and forecasts the mean expected outcome over its two states."""
    real = exchange_module._best
    count = {"rounds": 0}

    def back_and_forth(pr: Any, v: Any, pp: Any, qq: Any) -> Any:
        best = real(pr, v, pp, qq)
        count["rounds"] += 1
        if count["rounds"] % 2 == 0:  # the same exchange, backwards
            first = undo["best"]
            return type(first)(first.pays, first.i, first.j, first.m, -first.d_p,
                               -first.d_q, first.gain)
        undo["best"] = best
        return best

    undo: dict[str, Any] = {}
    monkeypatch.setattr(exchange_module, "_best", back_and_forth)
    # weights that make every move exact in binary, so undoing it restores the state; C,
    # with no stance on the second issue, keeps the outcome off A's position, so the move
    # back has a direction
    inp = inputs([[1, 1, 1]], [[[0, 0], [100, 100], [100, 50]]],
                 [[[0.5, 0.25], [0.25, 0.5], [0.25, 0.0]]], [[1, 1], [1, 1], [1, 0]])
    traj = exchange(inp)
    assert traj.cycle_length.tolist() == [[2, 2]]
    assert traj.converged_round.tolist() == [[0, 0]] and traj.rounds.tolist() == [[1, 1]]
    np.testing.assert_allclose(traj.forecast[0], traj.forecasts[:2, 0].mean(axis=0),
                               atol=1e-12)
    assert not np.allclose(traj.forecasts[0, 0], traj.forecasts[1, 0])


def test_the_record_reads_back_and_other_runs_have_none() -> None:
    traj = exchange(inputs([[1, 1]], [[[0, 0], [100, 100]]], [[[0.8, 0.2], [0.2, 0.8]]]))
    made = exchanges_of(traj)
    assert isinstance(made, Exchanges) and len(made) == 1
    assert set(made.as_diagnostics()) == set(traj.diagnostics or {})
    with pytest.raises(ValueError, match="the compromise model records no exchanges"):
        exchanges_of(compromise(inputs([[1, 1]], [[[0, 0], [100, 100]]],
                                       [[[0.8, 0.2], [0.2, 0.8]]])))


DEU = shared_dir() / "anchors" / "deu" / "deu3-public.tsv"


@pytest.mark.skipif(not DEU.is_file(), reason=f"the public DEU file {DEU} is absent")
def test_on_deu_the_issues_of_one_proposal_are_the_exchange_set() -> None:
    from statecraft import api
    from statecraft.api.deu import proposals, read_deu
    from statecraft.scenario.deu import to_model_inputs

    data = read_deu(DEU)
    inp, issues = to_model_inputs(data)
    sets = proposals(data)
    assert sets == [i.proposal or i.id for i in issues]
    traj = exchange(inp, sets=sets, keep_history=False)
    made = exchanges_of(traj)
    assert len(made) > 100 and np.all(traj.cycle_length == 1)
    assert all(sets[p] == sets[q] for p, q in zip(made.p, made.q, strict=True))
    scored = np.array([i.outcome is not None for i in issues])
    outcome = np.array([i.outcome or 0.0 for i in issues])
    mae = float(np.mean(np.abs(traj.forecast[0, scored] - outcome[scored])))
    score = next(s for s in api.backtest_deu(DEU, ["exchange"]) if s.name == "exchange")
    assert score.mae == pytest.approx(mae, abs=1e-12) and score.issues == scored.sum()
