"""From a validated ``Scenario`` to the arrays the models take.

Ranges are reduced to their midpoints here (a single "best guess" run); sampling them
belongs to ``statecraft.uncertainty``.
"""

from __future__ import annotations

import numpy as np

from statecraft.models.inputs import ModelInputs
from statecraft.scenario.schema import Scenario, Uncertain


def midpoint(value: Uncertain) -> float:
    """A value, or the middle of a (low, high) range."""
    if isinstance(value, tuple):
        return 0.5 * (value[0] + value[1])
    return float(value)


def to_model_inputs(scenario: Scenario) -> ModelInputs:
    """Batch-of-one arrays from a scenario, ranges taken at their midpoints.

    Actors and issues keep the file's order. Where a stance is absent the actor is marked
    absent on that issue (salience 0, position at the status quo, never used by models).
    """
    actors = tuple(a.id for a in scenario.actors)
    issues = tuple(i.id for i in scenario.issues)
    a_index = {a: k for k, a in enumerate(actors)}
    i_index = {i: k for k, i in enumerate(issues)}
    status_quo = np.array([i.status_quo for i in scenario.issues], dtype=np.float64)
    position = np.broadcast_to(status_quo, (1, len(actors), len(issues))).copy()
    salience = np.zeros((1, len(actors), len(issues)))
    present = np.zeros((len(actors), len(issues)), dtype=bool)
    for st in scenario.stances:
        a, i = a_index[st.actor], i_index[st.issue]
        position[0, a, i] = midpoint(st.position)
        salience[0, a, i] = midpoint(st.salience)
        present[a, i] = True
    capability = np.array([[midpoint(a.capability) for a in scenario.actors]])
    return ModelInputs(actors, issues, capability, position, salience, present, status_quo)
