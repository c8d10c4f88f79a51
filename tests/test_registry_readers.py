"""What lists models reads the model registry, so adding a model touches only its module and
the registry."""

from __future__ import annotations

from statecraft.analysis.bottomline import COMPARED
from statecraft.api.convergence import ONE_STEP_MODELS, convergence_lines
from statecraft.models import registry
from statecraft.uncertainty.runner import ROUND_SETTINGS


def test_one_step_models_are_those_without_rounds_of_their_own_or_inside() -> None:
    for name, spec in registry.SPECS.items():
        inner_rounds = any(registry.SPECS[m].rounds for m in spec.runs)
        assert (name in ONE_STEP_MODELS) == (not spec.rounds and not inner_rounds), name
    assert "compromise" in ONE_STEP_MODELS and "ensemble" not in ONE_STEP_MODELS


def test_the_bottom_line_compares_the_models_the_registry_marks() -> None:
    assert tuple(n for n, s in registry.SPECS.items() if s.compared) == COMPARED
    assert set(COMPARED) <= set(registry.measured())  # each has a forecast of its own


def test_a_round_cap_is_read_under_every_name_it_had() -> None:
    olds = {old for s in registry.SPECS.values() for old, new in s.renamed
            if new == "max_rounds"}
    assert ROUND_SETTINGS[0] == "max_rounds" and set(ROUND_SETTINGS[1:]) == olds
    assert "max_turns" in olds  # the SMP's, in runs stored before the shared vocabulary


def test_a_one_step_model_is_said_to_have_nothing_to_settle() -> None:
    from statecraft.models.trajectory import Convergence

    conv = Convergence(model="median", max_rounds=None, issues=())
    assert convergence_lines(conv) == [
        "The median model forecasts in one step: it has no rounds to settle."]
