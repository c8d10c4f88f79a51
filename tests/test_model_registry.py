"""The model registry: one vocabulary of settings, checked values, the models' own
defaults and choices, older names read, and calibration refusing settings it never
measured."""

from __future__ import annotations

import importlib
import inspect
import math
import warnings
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from statecraft import api
from statecraft.models import registry
from statecraft.models.registry import SPECS, TERMS, SettingError
from statecraft.store import RunStore
from tests.conftest import DATA

SMALL = DATA / "small.yaml"


def _bad_values(term: registry.Term) -> list[Any]:
    """Values a term refuses, by what it expects."""
    if term.expected.startswith("one of"):
        return ["nope", 1, None]
    if term.expected == "true or false":
        return ["yes", 1, None]
    if term.expected.startswith("a whole number"):
        return [-1, 1.5, True, "5", None]
    bad: list[Any] = [-0.5, math.nan, math.inf, True, "0.5"]
    return bad if "none" in term.expected else [*bad, None]


SETTINGS = [(name, f.name) for name, s in SPECS.items() for f in fields(s.settings)]


def test_every_setting_is_a_term_of_the_vocabulary_and_every_term_is_used() -> None:
    used = {k for _, k in SETTINGS}
    assert used <= set(TERMS)
    assert set(TERMS) <= used, "a term no model has"
    # one name per idea: where there are rounds, the cap is max_rounds
    for name, spec in SPECS.items():
        assert ("max_rounds" in spec.setting_names) == spec.rounds, name


@pytest.mark.parametrize("model", list(SPECS))
def test_the_registry_matches_the_models_own_signature(model: str) -> None:
    spec = SPECS[model]
    params = inspect.signature(spec.load()).parameters
    for k, v in spec.defaults.as_dict().items():
        assert k in params, f"{model}: {k} is not a keyword of its function"
        assert params[k].default == v, f"{model}: {k} defaults to {params[k].default}"
    for k in spec.execution:
        assert k in params, f"{model}: {k} is not a keyword of its function"
    assert ("keep_history" in params) == spec.history
    assert ("record_offers" in params) == spec.offers
    assert ("rng" in params) == spec.stochastic == ("stochastic" in spec.setting_names)
    assert ("weights" in params) == spec.fitted
    for other in spec.runs:
        assert other in SPECS and not SPECS[other].runs


def test_the_choices_are_the_models_own() -> None:
    eum = importlib.import_module("statecraft.models.eum")
    smp = importlib.import_module("statecraft.models.smp")
    assert TERMS["variant"].check("literal") and not TERMS["variant"].check("nope")
    for v in eum.VARIANTS:
        assert TERMS["variant"].check(v)
    for key, choices in smp._CHOICES.items():
        assert TERMS[key].expected == "one of " + ", ".join(choices)


def test_the_bundled_errors_were_measured_at_the_registrys_versions() -> None:
    measured = api.read_error_file().models
    assert {n: measured[n][0] for n in SPECS} == registry.MODEL_VERSIONS
    assert registry.measured() == tuple(n for n, s in SPECS.items() if not s.fitted)


@pytest.mark.parametrize(("model", "setting"), SETTINGS)
def test_a_bad_value_is_refused_naming_model_setting_value_and_expected(
        model: str, setting: str) -> None:
    term = TERMS[setting]
    for bad in _bad_values(term):
        with pytest.raises(SettingError) as got:
            registry.settings(model, {setting: bad})
        message = str(got.value)
        assert f"model {model}" in message and repr(setting) in message
        assert f"found {bad!r}" in message and term.expected in message
        assert (got.value.model, got.value.setting) == (model, setting)
        with pytest.raises(ValueError, match=repr(setting)):  # the dataclass itself checks
            SPECS[model].settings(**{setting: bad})


@pytest.mark.parametrize(("model", "setting"), SETTINGS)
def test_a_good_value_is_kept_and_parsed_from_text(model: str, setting: str) -> None:
    term = TERMS[setting]
    default = getattr(SPECS[model].defaults, setting)
    made = registry.settings(model, {setting: default})
    assert getattr(made, setting) == default and made.changed() == {}
    if term.real:  # a whole number given for a number is kept as a float
        assert isinstance(getattr(registry.settings(model, {setting: 1}), setting), float)
        assert term.parse("0.25") == 0.25
    if term.expected.startswith("one of"):
        other = term.expected.removeprefix("one of ").split(", ")[-1]
        assert registry.changed(model, {setting: term.parse(f" {other} ")}) == (
            {} if other == default else {setting: other})


def test_unknown_models_and_settings_name_what_there_is() -> None:
    with pytest.raises(SettingError, match="unknown model 'oracle'; expected one of eum, "
                       "smp, compromise, median, ensemble"):
        registry.spec("oracle")
    with pytest.raises(SettingError, match="model compromise has no setting 'max_rounds'; "
                       "it has no settings"):
        registry.settings("compromise", {"max_rounds": 5})
    with pytest.raises(SettingError, match="model eum has no setting 'voting_rule'; its "
                       "settings: variant, q, max_rounds, tol"):
        registry.settings("eum", {"voting_rule": "binary"})
    inputs = api.load(SMALL).scenario
    from statecraft.scenario import to_model_inputs

    with pytest.raises(ValueError, match="model median has no setting 'record_offers'"):
        api.run_model(to_model_inputs(inputs), "median", record_offers=True)


def test_the_smps_old_names_still_read_with_a_warning() -> None:
    from statecraft.scenario import to_model_inputs

    inputs = to_model_inputs(api.load(SMALL).scenario)
    with pytest.warns(DeprecationWarning) as said:
        old = api.run_model(inputs, "smp", max_turns=1, min_turns=1)
    assert sorted(str(w.message) for w in said) == [
        "model smp: setting 'max_turns' is now 'max_rounds'",
        "model smp: setting 'min_turns' is now 'min_rounds'"]
    new = api.run_model(inputs, "smp", max_rounds=1, min_rounds=1)
    np.testing.assert_array_equal(old.forecast, new.forecast)
    assert old.params["max_rounds"] == 1 and "max_turns" not in old.params
    with pytest.warns(DeprecationWarning), pytest.raises(SettingError, match="not both"):
        registry.settings("smp", {"max_turns": 3, "max_rounds": 3})
    with pytest.raises(SettingError, match="model eum has no setting 'max_turns'"):
        registry.settings("eum", {"max_turns": 3})


@pytest.mark.parametrize("model", [n for n, s in SPECS.items() if s.rounds])
def test_max_rounds_caps_the_rounds_of_every_model_with_rounds(model: str) -> None:
    from tests.models.test_smp import synthetic

    inputs = synthetic(4, 6, 3, 0)  # runs that go on past 3 rounds at the defaults
    assert api.run_model(inputs, model).rounds.max() > 3
    for cap in (0, 1, 3):
        traj = api.run_model(inputs, model, max_rounds=cap)
        assert traj.rounds.max() <= cap and traj.params["max_rounds"] == cap


def test_the_signatures_show_the_settings() -> None:
    for name, spec in SPECS.items():
        params = inspect.signature(api.MODELS[name]).parameters
        assert {k: params[k].default for k in spec.setting_names} == spec.defaults.as_dict()


def test_calibration_refuses_settings_other_than_the_defaults() -> None:
    api.measured_errors("eum", {})
    api.measured_errors("eum", {"max_rounds": 50})  # the default, given by name
    with pytest.raises(ValueError, match="no measured errors for eum with max_rounds=5: the "
                       "model-error file measured it at its default settings only"):
        api.measured_errors("eum", {"max_rounds": 5})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        api.measured_errors("smp", {"max_turns": 100})  # an older name, at the default
        with pytest.raises(ValueError, match="smp with max_rounds=5"):
            api.measured_errors("smp", {"max_turns": 5})
    loaded = api.load(SMALL)
    with pytest.raises(ValueError, match="no measured errors for smp with min_rounds=1"):
        api.forecast_run(loaded, samples=10, seed=1, model="smp", params={"min_rounds": 1})
    done = api.forecast_run(loaded, samples=10, seed=1, model="smp", params={"min_rounds": 1},
                        calibrated=False)
    assert done.errors is None and done.result.params == {"min_rounds": 1}


def test_a_monte_carlo_run_refuses_unseeded_stochastic_choice() -> None:
    loaded = api.load(SMALL)
    with pytest.raises(ValueError, match="reproducible from its seed"):
        api.forecast_run(loaded, samples=10, seed=1, model="smp", params={"stochastic": True},
                     calibrated=False)
    # one run takes it, with a generator: the same seed, the same draws
    from statecraft.scenario import to_model_inputs

    inputs = to_model_inputs(loaded.scenario)
    a, b = (api.run_model(inputs, "smp", stochastic=True, rng=np.random.default_rng(3))
            for _ in range(2))
    np.testing.assert_array_equal(a.forecast, b.forecast)


def test_the_stored_run_records_its_settings_by_their_shared_names(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    loaded = api.load(SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        done = api.forecast_run(loaded, samples=50, seed=1, model="smp", store=store,
                            params={"max_turns": 4, "min_rounds": 2, "voting_rule": "binary"},
                            calibrated=False)
    assert done.run_id is not None
    # under today's names, the defaults left out
    assert store.get(done.run_id).params == {"max_rounds": 4, "voting_rule": "binary"}
    assert api.rerun(store, done.run_id).matches


def test_a_run_stored_under_the_old_names_reruns_and_compares_alike(tmp_path: Path) -> None:
    from statecraft.uncertainty import run_batch

    store = RunStore(tmp_path)
    loaded = api.load(SMALL)
    issues = tuple(i.id for i in loaded.scenario.issues)
    runs = []
    for params in ({"max_turns": 3}, {"max_rounds": 3}):  # as an earlier version saved it
        with store.start(scenario_name="small", scenario_text=loaded.text,
                         scenario_path=str(SMALL), model="smp", params=params, seed=1,
                         samples=64, method="random", issue_ids=issues,
                         version="test") as writer:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                result = run_batch(loaded.text, samples=64, seed=1, model="smp",
                                   issue_ids=issues, model_fn=api.model_function("smp"),
                                   params=params, sink=writer.write)
            writer.finish(completed=64, seconds=0.0, failures=[])
        runs.append((writer.id, result))
    (old, old_result), (new, new_result) = runs
    np.testing.assert_array_equal(old_result.outcomes, new_result.outcomes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert api.rerun(store, old).matches
        cmp = api.compare_runs(store, old, new)
    assert [d.input for d in cmp.settings] == []  # the same settings, by either name
