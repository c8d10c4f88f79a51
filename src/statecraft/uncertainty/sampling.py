"""Drawing scenario values given as ``[low, high]`` ranges, uniformly and reproducibly.

Randomness comes only from the ``numpy.random.Generator`` passed in (SPEC 7): the same
seed gives the same samples. Fixed values are never perturbed.
"""

from __future__ import annotations

import numpy as np

from statecraft.models.inputs import ModelInputs
from statecraft.scenario.compile import to_model_inputs
from statecraft.scenario.schema import Scenario, Uncertain


def _draw(value: Uncertain, n: int, rng: np.random.Generator) -> np.ndarray:
    if isinstance(value, tuple):
        return rng.uniform(value[0], value[1], n)
    return np.full(n, float(value))


def sample_uniform(scenario: Scenario, n: int, rng: np.random.Generator) -> ModelInputs:
    """``n`` samples of the scenario's inputs, each range drawn uniformly and independently.

    Draws are taken in a fixed order (actors' capabilities, then stances as listed, position
    before salience), so a scenario and a seed determine every sample.
    """
    if n < 1:
        raise ValueError("the number of samples must be at least 1")
    base = to_model_inputs(scenario)
    a_index = {a: k for k, a in enumerate(base.actor_ids)}
    i_index = {i: k for k, i in enumerate(base.issue_ids)}
    capability = np.stack([_draw(a.capability, n, rng) for a in scenario.actors], axis=1)
    position = np.repeat(base.position, n, axis=0)
    salience = np.repeat(base.salience, n, axis=0)
    for st in scenario.stances:
        a, i = a_index[st.actor], i_index[st.issue]
        position[:, a, i] = _draw(st.position, n, rng)
        salience[:, a, i] = _draw(st.salience, n, rng)
    return ModelInputs(base.actor_ids, base.issue_ids, capability, position, salience,
                       base.present, base.status_quo)
