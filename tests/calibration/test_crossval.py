"""Out-of-fold scoring on real EU decisions: folds, stacking, coverage, the ensemble."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from statecraft.api.calibration import deu_table, read_error_file
from statecraft.calibration.crossval import (
    BASE_MODELS,
    ENSEMBLES,
    Table,
    ensemble_forecasts,
    model_score,
    oof_forecasts,
    runtime_forecasts,
    score_table,
)
from statecraft.calibration.folds import grouped_folds
from statecraft.calibration.stacking import l1_simplex_weights
from statecraft.models.ensemble import COMPONENTS
from tests.conftest import shared_dir

DEU = shared_dir() / "anchors" / "deu" / "deu3-public.tsv"
needs_deu = pytest.mark.skipif(not DEU.is_file(), reason=f"the public DEU file {DEU} is absent "
                               "(it lies in ../shared beside the checkout in CI)")
# The bundled error file holds every DEU forecast and outcome the scores need, so the
# coverage and ensemble tests run anywhere; the regeneration test ties it to the DEU file.


@given(st.lists(st.sampled_from("abcdefghijklmnop"), min_size=4, max_size=80),
       st.integers(2, 4), st.integers(0, 2**31))
def test_no_group_has_items_in_two_folds(groups: list[str], k: int, seed: int) -> None:
    distinct = len(set(groups))
    if distinct < k:
        with pytest.raises(ValueError, match="folds"):
            grouped_folds(groups, k, seed)
        return
    fold = grouped_folds(groups, k, seed)
    for g in set(groups):
        assert len({int(f) for f, h in zip(fold, groups, strict=True) if h == g}) == 1
    per_fold = [len({h for f, h in zip(fold, groups, strict=True) if f == i}) for i in range(k)]
    assert max(per_fold) - min(per_fold) <= 1
    assert np.array_equal(fold, grouped_folds(groups, k, seed))


def test_stacking_recovers_a_known_mixture() -> None:
    rng = np.random.default_rng(2)
    f = rng.uniform(0, 100, (300, 3))
    y = 0.3 * f[:, 0] + 0.7 * f[:, 2]
    w = l1_simplex_weights(f, y)
    assert w == pytest.approx([0.3, 0.0, 0.7], abs=1e-6)
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)


def _synthetic_table(n: int = 120, seed: int = 4) -> Table:
    rng = np.random.default_rng(seed)
    comp = rng.uniform(0, 100, (n, len(COMPONENTS)))
    role = COMPONENTS.index("agenda_setter")
    y = np.clip(0.6 * comp[:, 0] + 0.4 * comp[:, role] + rng.normal(0, 5, n), 0, 100)
    fold = grouped_folds([f"p{i // 2}" for i in range(n)], 5, seed)
    return Table(tuple(f"i{i}" for i in range(n)), COMPONENTS, comp, y, fold,
                 np.ones(n, dtype=bool))


def test_ensemble_weights_never_see_the_fold_they_forecast() -> None:
    table = _synthetic_table()
    names = ENSEMBLES["ensemble"]
    oof, weights = ensemble_forecasts(table, names)
    cols = [table.names.index(n) for n in names]
    for k, w in enumerate(weights):
        test = table.fold == k
        # refit without fold k: the same weights, and changing fold k's outcomes moves nothing
        again = l1_simplex_weights(table.components[~test][:, cols], table.outcome[~test])
        assert np.allclose(w, again)
        assert np.allclose(oof[test], np.clip(table.components[test][:, cols] @ w, 0, 100))
    moved = Table(table.issue_ids, table.names, table.components,
                  np.where(table.fold == 0, 100 - table.outcome, table.outcome), table.fold,
                  table.status_quo_known)
    assert np.allclose(ensemble_forecasts(moved, names)[0][table.fold == 0],
                       oof[table.fold == 0])


def test_scores_on_synthetic_data_name_every_forecaster() -> None:
    table = _synthetic_table()
    scores = {s.name: s for s in score_table(table)}
    assert set(scores) == {*(m for m in BASE_MODELS if m in table.names), *ENSEMBLES,
                           "climatology", "status quo"}
    # the truth mixes the compromise and a role: the ensemble that may use both beats either
    assert scores["ensemble"].mae < scores["compromise"].mae
    assert scores["ensemble"].crps is not None and scores["compromise"].crps is not None
    assert scores["ensemble"].crps < scores["compromise"].crps


def test_held_out_coverage_is_within_five_points_of_nominal() -> None:
    table = read_error_file().table
    for s in score_table(table, seed=2021):
        if s.name == "status quo":
            continue
        for level, share in s.coverage.items():
            assert abs(share - int(level) / 100) <= 0.05, (s.name, level, share)
        # closed intervals hold at least their nominal share, less sampling noise
        for level, share in s.coverage_closed.items():
            assert share >= int(level) / 100 - 0.05, (s.name, level, share)


def test_a_models_pit_values_do_not_depend_on_which_others_are_scored() -> None:
    table = _synthetic_table()
    together = {s.name: s for s in score_table(table, seed=5)}
    for name in ("compromise", "ensemble"):
        alone = model_score(table, name, seed=5)
        assert alone.pit == together[name].pit and alone.coverage == together[name].coverage


def test_the_ensemble_as_run_on_a_scenario_has_its_own_measured_errors() -> None:
    table = _synthetic_table()
    with_roles = oof_forecasts(table)["ensemble"]
    as_run = runtime_forecasts(table)["ensemble"]
    # the synthetic truth uses a role component, which a scenario cannot name: without
    # it the forecasts (and so the errors that calibrate them) differ
    assert not np.allclose(with_roles, as_run)
    # where the role columns already equal the compromise, the two are the same
    plain = table.components.copy()
    for role in ("agenda_setter", "co_legislator"):
        plain[:, table.names.index(role)] = table.column("compromise")
    same = Table(table.issue_ids, table.names, plain, table.outcome, table.fold,
                 table.status_quo_known)
    np.testing.assert_allclose(oof_forecasts(same)["ensemble"],
                               runtime_forecasts(same)["ensemble"])


def test_the_ensemble_beats_the_compromise_model_out_of_fold() -> None:
    scores = {s.name: s for s in score_table(read_error_file().table, seed=2021)}
    ens, comp = scores["ensemble"], scores["compromise"]
    assert ens.mae < comp.mae
    assert ens.crps is not None and comp.crps is not None and ens.crps < comp.crps
    # and every model beats neither-knows-anything climatology on CRPS only if it is good:
    # the status quo, a point forecast, is far worse than every distribution
    assert scores["status quo"].mae > 50 > max(s.mae for s in scores.values()
                                               if s.name != "status quo")


@needs_deu
@pytest.mark.slow
def test_the_bundled_error_file_is_what_calibrate_deu_makes_now() -> None:
    ef = read_error_file()
    made = ef.made
    table, proposals = deu_table(DEU, folds=int(made["folds"]), seed=int(made["seed"]),
                                 capability=str(made["capability"]))
    import hashlib

    assert made["source"]["sha256"] == hashlib.sha256(DEU.read_bytes()).hexdigest()
    assert table.issue_ids == ef.table.issue_ids and proposals == ef.proposals
    assert np.array_equal(table.fold, ef.table.fold)
    assert np.allclose(table.components, ef.table.components, atol=1e-9, rtol=0)
    runtime = runtime_forecasts(table)
    assert set(runtime) == set(ef.models)
    for name, f in runtime.items():
        assert np.allclose(f, ef.models[name][1], atol=1e-9, rtol=0), name
