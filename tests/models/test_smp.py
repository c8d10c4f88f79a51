"""The Spatial Model of Politics against KTAB's own logged outputs, and its properties.

KTAB's reference data (inputs and logs) lie in the shared folder beside the checkout,
``anchors/ktab/`` (or under ``$STATECRAFT_SHARED``); tests that need them skip without.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statecraft.models import ModelInputs, OfferKind, smp
from statecraft.models.smp import distances, utility
from statecraft.scenario.ktab import read_ktab_csv
from tests.conftest import shared_file

ANCHORS = "anchors/ktab"
DATASETS = {
    "3Dim": ("dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt"),
    "SOE-Pol-Comp": ("SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt"),
    "SOE-Policy": ("SOE-Policy.csv", "ref-2026-SOE-Policy.txt"),
    "6Dim": ("dummyData_6Dim.csv", "ref-2026-dummyData_6Dim.txt"),
    "a040": ("dummyData-a040.csv", "ref-2026-dummyData-a040.txt"),
}
DETAILED = ("3Dim", "SOE-Pol-Comp")  # logs with every intermediate quantity
POSITION_TOL = 0.15  # on 0-100; the logs print one decimal
PROB_TOL = 2e-4  # the logs print four decimals


# ----------------------------------------------------------------------------- log parsing


@dataclass(frozen=True)
class KtabLog:
    """What a KTAB SMP log reports at its end (and, for detailed logs, per turn)."""

    positions: np.ndarray  # (states, actor, dim), 0-100
    win_probability: np.ndarray  # (states, actor)
    text: str


def parse_history(text: str, n_actor: int, n_dim: int) -> KtabLog:
    """The 'History of actor positions' and 'winning probabilities' tables of a log."""
    lines = text.splitlines()
    start = next(k for k, ln in enumerate(lines) if ln.startswith("History of actor positions"))
    rows = [[float(v) for v in ln.rsplit(":", 1)[1].split()]
            for ln in lines[start + 1:start + 1 + n_actor * n_dim]]
    pos = np.array(rows).reshape(n_actor, n_dim, -1).transpose(2, 0, 1)
    start = next(k for k, ln in enumerate(lines) if ln.startswith("History of actors' winning"))
    probs = [[float(v) for v in ln.rsplit(":", 1)[1].split()]
             for ln in lines[start + 1:start + 1 + n_actor]]
    return KtabLog(positions=pos, win_probability=np.array(probs).T, text=text)


def parse_risk(text: str, n_actor: int) -> np.ndarray:
    """Every 'Inferred risk attitudes' block, one per state: ``(states, actor)``."""
    lines = text.splitlines()
    out = [[float(lines[k + 1 + a]) for a in range(n_actor)]
           for k, ln in enumerate(lines) if ln.startswith("Inferred risk attitudes")]
    return np.array(out)


TARGET = re.compile(r"In turn (\d+) actor (\d+) has most advantageous target (\d+)")
NONE = re.compile(r"In turn (\d+) Actor (\d+) has no advantageous targets")
EST = re.compile(r"Est by\s+(\d+) of prob ([\d.]+) that \[\s*(\d+)>\s*(\d+)\], "
                 r"with expected gain to\s+(\d+) of ([+-][\d.]+)")


def parse_challenges(text: str, n_turns: int, n_actor: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per turn and actor: the target (-1 if none), its estimated win probability, gain."""
    target = np.full((n_turns, n_actor), -2)
    prob = np.zeros((n_turns, n_actor))
    gain = np.zeros((n_turns, n_actor))
    lines = text.splitlines()
    for k, ln in enumerate(lines):
        if m := NONE.match(ln):
            target[int(m[1]), int(m[2])] = -1
        elif m := TARGET.match(ln):
            t, i, j = int(m[1]), int(m[2]), int(m[3])
            target[t, i] = j
            est = next(e for e in map(EST.search, lines[k + 1:k + 4]) if e)
            assert (int(est[1]), int(est[3]), int(est[4]), int(est[5])) == (i, i, j, i)
            prob[t, i], gain[t, i] = float(est[2]), float(est[6])
    return target, prob, gain


def load(name: str) -> tuple[ModelInputs, KtabLog]:
    csv_name, log_name = DATASETS[name]
    data = read_ktab_csv(shared_file(f"{ANCHORS}/{csv_name}").read_text())
    log = parse_history(shared_file(f"{ANCHORS}/{log_name}").read_text(), data.n_actors,
                        data.n_dims)
    return data.to_model_inputs(), log


# ----------------------------------------------------------------------------- parity


@pytest.mark.parametrize("name", list(DATASETS))
def test_position_history_matches_ktab(name: str) -> None:
    inputs, log = load(name)
    tr = smp(inputs)
    ours = tr.positions[:, 0]
    assert ours.shape == log.positions.shape, "different number of turns"
    assert int(tr.rounds[0, 0]) == log.positions.shape[0] - 1
    dev = np.abs(ours - log.positions)
    worst = np.unravel_index(np.argmax(dev), dev.shape)
    assert dev.max() <= POSITION_TOL, f"turn, actor, dim {worst}: {ours[worst]} vs KTAB"


@pytest.mark.parametrize("name", list(DATASETS))
def test_win_probabilities_match_ktab(name: str) -> None:
    inputs, log = load(name)
    wp = smp(inputs).diagnostics["win_probability"][:, 0]  # type: ignore[index]
    np.testing.assert_allclose(wp, log.win_probability, atol=PROB_TOL)


@pytest.mark.parametrize("name", DETAILED)
def test_risk_attitudes_match_ktab_every_turn(name: str) -> None:
    inputs, log = load(name)
    risk = parse_risk(log.text, len(inputs.actor_ids))
    ours = smp(inputs).diagnostics["risk_attitude"][:, 0]  # type: ignore[index]
    assert ours.shape == risk.shape
    np.testing.assert_allclose(ours, risk, atol=6e-4)  # printed with 3 decimals


@pytest.mark.parametrize("name", DETAILED)
def test_challenges_match_ktab_every_turn(name: str) -> None:
    inputs, log = load(name)
    tr = smp(inputs)
    n_t = int(tr.rounds[0, 0])
    target, prob, gain = parse_challenges(log.text, n_t, len(inputs.actor_ids))
    assert (target >= -1).all(), "every actor's decision is logged every turn"
    dg = tr.diagnostics
    assert dg is not None
    np.testing.assert_array_equal(dg["target"][:, 0], target)
    np.testing.assert_allclose(dg["target_probability"][:, 0], prob, atol=6e-5)
    np.testing.assert_allclose(dg["challenge_gain"][:, 0], gain, atol=6e-5)


def test_accepted_bargains_are_the_positions_taken() -> None:
    inputs, _ = load("SOE-Pol-Comp")
    tr = smp(inputs)
    log = tr.offers
    assert log is not None and len(log) > 0
    assert (log.kind == OfferKind.BARGAIN).all()
    acc = log.accepted
    took = tr.positions[log.round[acc], log.batch[acc], log.target[acc], log.issue[acc]]
    np.testing.assert_allclose(took, log.new_position[acc], atol=1e-9)
    adopted = tr.diagnostics["adopted_from"]  # type: ignore[index]
    moved = adopted[log.round[acc] - 1, log.batch[acc], log.target[acc]]
    np.testing.assert_array_equal(moved, log.challenger[acc])


# ----------------------------------------------------------------------------- synthetic


def synthetic(batch: int, n: int, d: int, seed: int) -> ModelInputs:
    rng = np.random.default_rng(seed)
    sal = rng.uniform(0.1, 1.0, (batch, n, d))
    sal = sal / sal.sum(axis=2, keepdims=True) * rng.uniform(0.5, 1.0, (batch, n, 1))
    return ModelInputs(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=tuple(f"i{k}" for k in range(d)),
        capability=rng.uniform(10, 200, (batch, n)),
        position=rng.uniform(0, 100, (batch, n, d)),
        salience=sal,
        present=np.ones((n, d), dtype=bool),
        status_quo=np.full(d, 50.0),
    )


def test_a_batch_equals_its_rows_run_alone() -> None:
    inputs = synthetic(4, 6, 2, seed=3)
    tr = smp(inputs)
    for b in range(inputs.batch):
        one = smp(inputs.take(slice(b, b + 1)))
        k = int(one.rounds[0, 0])
        np.testing.assert_allclose(tr.positions[: k + 1, b], one.positions[:, 0], atol=1e-12)
        np.testing.assert_allclose(tr.forecast[b], one.forecast[0], atol=1e-12)


def test_stochastic_same_seed_same_result_and_seeds_differ() -> None:
    inputs, _ = load("3Dim") if _has_anchor() else (synthetic(1, 7, 3, 0), None)
    a = smp(inputs, stochastic=True, rng=np.random.default_rng(11))
    b = smp(inputs, stochastic=True, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.seed == b.seed == 11
    others = [smp(inputs, stochastic=True, rng=np.random.default_rng(s)).positions
              for s in (12, 13, 14)]
    assert any(o.shape != a.positions.shape or not np.array_equal(o, a.positions)
               for o in others)


def test_stochastic_batch_equals_rows_run_one_after_another() -> None:
    inputs = synthetic(3, 5, 2, seed=5)
    whole = smp(inputs, stochastic=True, rng=np.random.default_rng(7))
    rng = np.random.default_rng(7)
    for b in range(inputs.batch):
        one = smp(inputs.take(slice(b, b + 1)), stochastic=True, rng=rng)
        k = int(one.rounds[0, 0])
        np.testing.assert_array_equal(whole.positions[: k + 1, b], one.positions[:, 0])


def test_stochastic_draws_follow_the_bargain_probabilities() -> None:
    # an actor with no bargain to choose from keeps its position in either mode
    inputs = synthetic(200, 4, 1, seed=2)
    tr = smp(inputs, stochastic=True, rng=np.random.default_rng(0), max_rounds=1)
    det = smp(inputs, max_rounds=1)
    moved_s = np.abs(tr.positions[1] - tr.positions[0]).sum(axis=(1, 2)) > 0
    moved_d = np.abs(det.positions[1] - det.positions[0]).sum(axis=(1, 2)) > 0
    assert moved_s.any() and moved_d.any()
    assert not np.array_equal(tr.positions[1], det.positions[1])


@pytest.mark.parametrize(("key", "values"), [
    ("victory_law", ("square", "quartic", "octic", "binary")),
    ("voting_rule", ("binary", "prop_bin", "prop_cubic", "cubic", "asym_prospect")),
    ("pce_model", ("markov_incentive", "markov_uniform")),
    ("risk_adjust", ("none", "half", "two_thirds", "full")),
    ("risk_range", ("min", "max")),
    ("third_party", ("none", "full")),
    ("interpolation", ("s1p1", "s2pmax")),
    ("bargain_model", ("init_rcvr", "power_weighted")),
    ("forecast", ("weighted_mean",)),
])
def test_every_option_runs_and_stays_in_range(key: str, values: tuple[str, ...]) -> None:
    inputs = synthetic(2, 6, 2, seed=1)
    base = smp(inputs, max_rounds=5)
    changed = False
    for v in values:
        tr = smp(inputs, max_rounds=5, **{key: v})  # type: ignore[arg-type]
        assert tr.params[key] == v
        assert np.all((tr.positions >= -1e-9) & (tr.positions <= 100 + 1e-9))
        wp = tr.diagnostics["win_probability"]  # type: ignore[index]
        assert np.all((wp >= 0) & (wp <= 1 + 1e-12))
        # a forecast is a state's, or a mean of states' (a cycle, a run at its cap)
        lo, hi = tr.positions.min(axis=(0, 2)), tr.positions.max(axis=(0, 2))
        assert np.all((tr.forecast >= lo - 1e-9) & (tr.forecast <= hi + 1e-9))
        changed |= (tr.positions.shape != base.positions.shape
                    or not np.allclose(tr.positions, base.positions)
                    or not np.allclose(tr.forecast, base.forecast))
    assert changed, f"no alternative {key} changed the run"


def test_unknown_option_is_refused() -> None:
    with pytest.raises(ValueError, match="voting_rule"):
        smp(synthetic(1, 4, 1, 0), voting_rule="majority")  # type: ignore[arg-type]


def test_third_parties_never_vote_without_semi_commitment() -> None:
    # KTAB's full and no commitment make a third party's two expected utilities equal
    inputs = synthetic(3, 6, 2, seed=9)
    a = smp(inputs, third_party="none", max_rounds=3)
    b = smp(inputs, third_party="full", max_rounds=3)
    np.testing.assert_array_equal(a.positions, b.positions)


def test_zero_turns_returns_the_initial_state() -> None:
    inputs = synthetic(2, 5, 2, seed=4)
    tr = smp(inputs, max_rounds=0)
    assert tr.positions.shape[0] == 1
    np.testing.assert_array_equal(tr.positions[0], inputs.position)
    assert (tr.rounds == 0).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 6), d=st.integers(1, 3),
       data=st.data())
def test_permuting_actors_permutes_the_result(seed: int, n: int, d: int,
                                              data: st.DataObject) -> None:
    inputs = synthetic(1, n, d, seed)
    perm = np.array(data.draw(st.permutations(list(range(n)))))
    permuted = ModelInputs(
        actor_ids=tuple(inputs.actor_ids[i] for i in perm), issue_ids=inputs.issue_ids,
        capability=inputs.capability[:, perm], position=inputs.position[:, perm],
        salience=inputs.salience[:, perm], present=inputs.present[perm],
        status_quo=inputs.status_quo)
    a, b = smp(inputs, max_rounds=8), smp(permuted, max_rounds=8)
    assert a.positions.shape == b.positions.shape
    np.testing.assert_allclose(a.positions[:, :, perm], b.positions, atol=1e-6)
    # the forecast's election counts positions closer than 0.1 as one and lets the first
    # holder's utilities stand for them, so with such near-ties actor order can move it a
    # little; without them it must not move at all. A run's forecast can be a mean over
    # several states (a cycle, or the last half of a run at its cap): any of them counts
    states = a.positions[:, 0]
    gap = np.sqrt(np.square(states[:, :, None, :] - states[:, None, :, :]).sum(axis=-1))
    near_tie = bool(((gap > 0) & (gap < 0.1)).any())
    np.testing.assert_allclose(a.forecast, b.forecast, atol=0.5 if near_tie else 1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 7), d=st.integers(1, 3))
def test_positions_stay_within_the_initial_range(seed: int, n: int, d: int) -> None:
    # every bargain interpolates between two positions, so no issue leaves its hull
    inputs = synthetic(2, n, d, seed)
    tr = smp(inputs, max_rounds=10)
    lo = inputs.position.min(axis=1) - 0.01  # bargains are rounded to 0.01
    hi = inputs.position.max(axis=1) + 0.01
    assert np.all((tr.positions >= lo[None, :, None]) & (tr.positions <= hi[None, :, None]))


def test_risk_attitudes_span_the_mid_range() -> None:
    inputs = synthetic(5, 6, 2, seed=8)
    r = smp(inputs, max_rounds=1).diagnostics["risk_attitude"][0]  # type: ignore[index]
    np.testing.assert_allclose(r.min(axis=1), -0.5)
    np.testing.assert_allclose(r.max(axis=1), 1.0)


def test_utility_and_distance_elements() -> None:
    x = np.array([[[0.0, 0.0], [1.0, 0.5]]])
    s = np.array([[[0.3, 0.0], [0.2, 0.2]]])
    dist = distances(x, s)
    assert dist[0, 0, 1] == pytest.approx(1.0)  # only issue 0 counts for actor 0
    assert dist[0, 1, 0] == pytest.approx(np.sqrt((0.04 + 0.01) / 0.08))
    assert utility(np.array(0.5), np.array(1.0)) == pytest.approx(0.75)
    assert utility(np.array(0.5), np.array(-0.5)) == pytest.approx(0.375)


def _has_anchor() -> bool:
    from tests.conftest import shared_dir

    return (shared_dir() / ANCHORS / DATASETS["3Dim"][0]).is_file()


def test_parser_reads_every_anchor_csv() -> None:
    for csv_name, _ in DATASETS.values():
        path = shared_file(f"{ANCHORS}/{csv_name}")
        data = read_ktab_csv(path.read_text())
        header = path.read_text().splitlines()[0].split(",")
        assert data.n_actors == int(header[2]) and data.n_dims == int(header[3])
        assert all(0 <= sum(row) <= 100 for row in data.salience)


def test_log_parser_reads_the_tables() -> None:
    _, log = load("3Dim")
    assert log.positions.shape == (11, 7, 3)
    assert log.positions[0, 0, 0] == pytest.approx(75.8)
    assert log.win_probability.shape == (11, 7)


@pytest.mark.parametrize("stochastic", [False, True])
def test_compiled_engine_agrees_with_numpy(stochastic: bool) -> None:
    from statecraft.models import _smp_numba

    if not _smp_numba.AVAILABLE:
        pytest.skip("numba is not installed")
    inputs = synthetic(20, 7, 2, seed=6)
    kw = {"stochastic": stochastic, "keep_history": False, "record_offers": False}
    a = smp(inputs, engine="numpy", rng=np.random.default_rng(3), **kw)  # type: ignore[arg-type]
    b = smp(inputs, engine="numba", rng=np.random.default_rng(3), **kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.rounds, b.rounds)
    np.testing.assert_allclose(a.positions, b.positions, atol=1e-9)
    np.testing.assert_allclose(a.forecast, b.forecast, atol=1e-9)


def test_short_history_keeps_first_and_last_turn() -> None:
    inputs = synthetic(3, 5, 2, seed=2)
    full = smp(inputs)
    short = smp(inputs, keep_history=False, record_offers=False, engine="numpy")
    np.testing.assert_array_equal(short.positions[0], full.positions[0])
    np.testing.assert_allclose(short.positions[-1], full.positions[-1], atol=1e-12)
    assert short.diagnostics is None


# ----------------------------------------------------------------------------- endings


def _engines() -> list[str]:
    from statecraft.models import _smp_numba

    return ["numpy", "numba"] if _smp_numba.AVAILABLE else ["numpy"]


def test_runs_that_cycle_stop_there_and_forecast_the_mean_over_the_cycle() -> None:
    """Small random scenarios: with KTAB's stopping rule a few runs swing for good; the
    whole position matrix repeats an earlier one and the run stops there, its forecast
    the mean of the forecasts of the cycle's states, the same for any later cap."""
    inputs = synthetic(500, 3, 1, seed=31)
    full = smp(inputs, record_offers=False)
    rows = np.flatnonzero(full.cycle_length[:, 0] >= 2)
    assert rows.size >= 3
    for b in rows:
        k, s0 = int(full.cycle_length[b, 0]), int(full.converged_round[b, 0])
        end = int(full.rounds[b, 0])  # the turn whose state repeats turn s0's
        np.testing.assert_array_equal(full.positions[end, b], full.positions[s0, b])
        assert len({full.positions[t, b].tobytes() for t in range(s0, end)}) == end - s0
        assert (end - s0) % k == 0
        want = full.forecasts[s0:end, b].mean(axis=0)
        np.testing.assert_allclose(full.forecast[b], want, atol=1e-9)
        assert not np.allclose(full.forecast[b], full.forecasts[end, b])  # not a last turn
    for engine in _engines():
        for cap in (100, 101, 250):
            tr = smp(inputs, max_rounds=cap, keep_history=False, record_offers=False,
                     engine=engine)  # type: ignore[arg-type]
            done = full.converged[:, 0]  # by turn 100
            np.testing.assert_array_equal(tr.cycle_length[done], full.cycle_length[done])
            np.testing.assert_allclose(tr.forecast[done], full.forecast[done], atol=1e-9)
    words = full.convergence().of("i0").words(100)
    assert words.startswith(f"{rows.size} of 500 samples cycled (every 2 rounds")


def test_runs_at_the_cap_are_reported_with_the_mean_of_their_last_half() -> None:
    inputs = synthetic(200, 4, 1, seed=41)
    for cap in (9, 10):
        tr = smp(inputs, max_rounds=cap, record_offers=False)
        left = tr.cycle_length[:, 0] == -1
        assert left.any() and (tr.rounds[left] == cap).all()
        assert (tr.converged_round[left] == -1).all()
        first = cap // 2 + 1
        np.testing.assert_allclose(tr.forecast[left],
                                   tr.forecasts[first:cap + 1][:, left].mean(axis=0),
                                   atol=1e-9)
        settled = (tr.cycle_length[:, 0] == 0) | (tr.cycle_length[:, 0] == 1)
        np.testing.assert_array_equal(tr.forecast[settled], tr.forecasts[-1, settled])


def test_stochastic_runs_never_report_a_cycle() -> None:
    """With random bargain choices a repeated state need not repeat its successor: only
    the stopping rule and the cap end a stochastic run."""
    inputs = synthetic(200, 3, 1, seed=31)
    assert (smp(inputs, record_offers=False).cycle_length >= 1).any()
    tr = smp(inputs, stochastic=True, rng=np.random.default_rng(2), record_offers=False)
    assert set(np.unique(tr.cycle_length).tolist()) <= {-1, 0}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 6), d=st.integers(1, 3),
       batch=st.integers(1, 4), stop_ratio=st.sampled_from([0.02, 0.0]))
def test_past_the_turn_every_run_ended_the_cap_changes_nothing(
        seed: int, n: int, d: int, batch: int, stop_ratio: float) -> None:
    """For N past the turn at which every run settled or its cycle was seen, caps of N and
    N + 1 give identical forecasts and endings, on both paths, and the paths agree (a
    stop ratio of 0 switches KTAB's rule off, so that only fixed points and cycles end)."""
    inputs = synthetic(batch, n, d, seed)
    ends = {}
    for engine in _engines():
        kw = {"keep_history": False, "record_offers": False, "engine": engine,
              "stop_ratio": stop_ratio}
        long = smp(inputs, max_rounds=200, **kw)  # type: ignore[arg-type]
        ok = long.converged[:, 0]
        if not ok.any():
            continue
        cap = int(long.rounds[ok, 0].max())  # a run's ending is seen at its last turn
        for traj in (smp(inputs, max_rounds=cap, **kw),  # type: ignore[arg-type]
                     smp(inputs, max_rounds=cap + 1, **kw)):  # type: ignore[arg-type]
            np.testing.assert_array_equal(traj.forecast[ok], long.forecast[ok])
            np.testing.assert_array_equal(traj.cycle_length[ok], long.cycle_length[ok])
        ends[engine] = long
    if len(ends) == 2:
        a, b = ends["numpy"], ends["numba"]
        np.testing.assert_array_equal(a.cycle_length, b.cycle_length)
        np.testing.assert_array_equal(a.converged_round, b.converged_round)
        np.testing.assert_allclose(a.forecast, b.forecast, atol=1e-9)
