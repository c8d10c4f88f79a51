"""Drawing scenario values given as ``[low, high]`` ranges, reproducibly.

Each range is an independent random input. A scenario's ``sampling`` field picks the
distribution of every range: ``uniform`` (the default) or ``triangular`` (peaked at the
range's midpoint, falling to zero at its ends: for a range read as "somewhere around
here", not "anywhere in here"). ``method="lhs"`` draws a Latin hypercube design
(``scipy.stats.qmc``) instead of independent draws: each input's range is cut into ``n``
equal-probability strata and every stratum is used once, which steadies estimates from
few samples.

Randomness comes only from the ``numpy.random.Generator`` passed in (SPEC 7): the same
seed gives the same samples. Fixed values are never perturbed. Inputs are drawn in a fixed
order (actors' capabilities as listed, then stances as listed, position before salience),
and each drawn input is also returned by name (``capability.RUS``,
``position.RUS.karabakh_status``, ``salience.RUS.karabakh_status``) for the run store and
for sensitivity analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from statecraft.models.inputs import ModelInputs
from statecraft.scenario.compile import to_model_inputs
from statecraft.scenario.schema import Scenario

Method = Literal["random", "lhs"]
METHODS: tuple[str, ...] = ("random", "lhs")


@dataclass(frozen=True)
class Samples:
    """Sampled model inputs, and the value each uncertain input took in each sample."""

    inputs: ModelInputs
    names: tuple[str, ...]  # one per uncertain input, in draw order
    values: NDArray[np.float64]  # (samples, len(names))


@dataclass(frozen=True)
class _Range:
    name: str
    low: float
    high: float


def uncertain_inputs(scenario: Scenario) -> list[_Range]:
    """The scenario's ranges, in draw order, each with its name."""
    out = [_Range(f"capability.{a.id}", *a.capability)
           for a in scenario.actors if isinstance(a.capability, tuple)]
    for st in scenario.stances:
        for field in ("position", "salience"):
            value = getattr(st, field)
            if isinstance(value, tuple):
                out.append(_Range(f"{field}.{st.actor}.{st.issue}", *value))
    return out


def _unit_draws(n: int, d: int, rng: np.random.Generator, method: Method) -> NDArray[np.float64]:
    """``n`` x ``d`` uniform(0, 1) draws, independent or as a Latin hypercube."""
    if d == 0:
        return np.empty((n, 0))
    if method == "lhs":
        from scipy.stats import qmc  # imported here: scipy.stats costs 0.3 s to import

        design: NDArray[np.float64] = qmc.LatinHypercube(d=d, seed=rng).random(n)
        return design
    if method != "random":
        raise ValueError(f"unknown sampling method {method!r}; expected one of "
                         + ", ".join(METHODS))
    return rng.random((d, n)).T  # input by input, so each input's stream is contiguous


def _to_range(u: NDArray[np.float64], low: float, high: float,
              distribution: str) -> NDArray[np.float64]:
    """Map uniform(0, 1) draws onto a range by the inverse of the distribution's CDF."""
    width = high - low
    if distribution == "triangular":
        t = np.where(u < 0.5, np.sqrt(u / 2), 1 - np.sqrt((1 - u) / 2))
        return low + width * t
    return low + width * u


def sample(scenario: Scenario, n: int, rng: np.random.Generator,
           method: Method = "random") -> Samples:
    """``n`` samples of the scenario's inputs (see the module docstring)."""
    if n < 1:
        raise ValueError("the number of samples must be at least 1")
    u = _unit_draws(n, len(uncertain_inputs(scenario)), rng, method)
    return from_unit(scenario, u)


def from_unit(scenario: Scenario, u: NDArray[np.float64]) -> Samples:
    """Samples from a design on the unit cube, one column per uncertain input in draw
    order, each mapped onto its range by the scenario's distribution."""
    base = to_model_inputs(scenario)
    ranges = uncertain_inputs(scenario)
    n = u.shape[0]
    if u.ndim != 2 or u.shape[1] != len(ranges):
        raise ValueError(f"the design must have {len(ranges)} columns, one per uncertain "
                         f"input; got shape {u.shape}")
    values = np.empty((n, len(ranges)))
    for k, r in enumerate(ranges):
        values[:, k] = _to_range(u[:, k], r.low, r.high, scenario.sampling)
    drawn = {r.name: values[:, k] for k, r in enumerate(ranges)}
    a_index = {a: k for k, a in enumerate(base.actor_ids)}
    i_index = {i: k for k, i in enumerate(base.issue_ids)}
    capability = np.repeat(base.capability, n, axis=0)
    position = np.repeat(base.position, n, axis=0)
    salience = np.repeat(base.salience, n, axis=0)
    for actor in scenario.actors:
        if f"capability.{actor.id}" in drawn:
            capability[:, a_index[actor.id]] = drawn[f"capability.{actor.id}"]
    for st in scenario.stances:
        a, i = a_index[st.actor], i_index[st.issue]
        for field, target in (("position", position), ("salience", salience)):
            name = f"{field}.{st.actor}.{st.issue}"
            if name in drawn:
                target[:, a, i] = drawn[name]
    inputs = ModelInputs(base.actor_ids, base.issue_ids, capability, position, salience,
                         base.present, base.status_quo)
    return Samples(inputs, tuple(r.name for r in ranges), values)


def sample_inputs(scenario: Scenario, n: int, rng: np.random.Generator) -> ModelInputs:
    """``n`` independent samples of the scenario's model inputs."""
    return sample(scenario, n, rng).inputs
