"""Running a named model on a scenario, and shaping one run's result for people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from statecraft import models
from statecraft.models.inputs import ModelInputs
from statecraft.models.trajectory import OfferKind, Trajectory
from statecraft.scenario import (
    Loaded,
    Scenario,
    to_model_inputs,
)

ModelFn = Callable[..., Trajectory]


def ensemble(inputs: ModelInputs, **params: Any) -> Trajectory:
    """The stacked ensemble with the weights fitted on the DEU decisions (the bundled
    model-error file); ``weights=`` overrides them."""
    from statecraft.api.calibration import ensemble_weights
    from statecraft.models.ensemble import ensemble as run_ensemble

    weights = params.pop("weights", None) or ensemble_weights()
    return run_ensemble(inputs, weights=weights, **params)


def _models() -> dict[str, ModelFn]:
    found: dict[str, ModelFn] = {"compromise": models.compromise, "median": models.median}
    for name in ("eum", "smp"):
        fn = getattr(models, name, None)
        if fn is not None:
            found[name] = fn
    found["ensemble"] = ensemble
    return found


MODELS: dict[str, ModelFn] = _models()
"""Every model by name."""


DEFAULT_MODEL = "eum" if "eum" in MODELS else "compromise"


def model_function(model: str) -> ModelFn:
    """The function a Monte Carlo run calls on each chunk: the named model, keeping only
    the final round where it bargains in rounds (its history is not stored)."""
    try:
        fn = MODELS[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}") from None
    return partial(fn, keep_history=False) if model == "eum" else fn


def run_model(inputs: ModelInputs, model: str = DEFAULT_MODEL, **params: Any) -> Trajectory:
    """Run a model by name on compiled inputs."""
    try:
        fn = MODELS[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}") from None
    return fn(inputs, **params)


@dataclass(frozen=True)
class IssueForecast:
    """One issue's forecast, in words an analyst reads."""

    issue: str
    question: str
    status_quo: float
    forecast: float
    anchor_point: float
    anchor_text: str
    rounds: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.issue,
            "question": self.question,
            "status_quo": self.status_quo,
            "forecast": round(self.forecast, 6),
            "nearest_anchor": {"point": self.anchor_point, "text": self.anchor_text},
            "rounds": self.rounds,
        }


def summarise(scenario: Scenario, trajectory: Trajectory, row: int = 0) -> list[IssueForecast]:
    """Per issue: status quo, forecast and the named anchor nearest the forecast."""
    out = []
    for k, issue_id in enumerate(trajectory.issue_ids):
        issue = scenario.issue(issue_id)
        value = float(trajectory.forecast[row, k])
        point, text = issue.nearest_anchor(value)
        out.append(IssueForecast(issue_id, issue.question, issue.status_quo, value, point, text,
                                 int(trajectory.rounds[row, k])))
    return out


def trace_offers(scenario: Scenario, trajectory: Trajectory, issue_id: str,
                 row: int = 0) -> list[dict[str, Any]]:
    """Per round, the forecast and every offer made on one issue (needs recorded offers)."""
    if trajectory.offers is None:
        raise ValueError(f"the {trajectory.model} model recorded no offers")
    k = trajectory.issue_ids.index(issue_id)
    log = trajectory.offers
    actors = trajectory.actor_ids
    out: list[dict[str, Any]] = []
    for rnd in range(1, trajectory.positions.shape[0]):
        sel = (log.round == rnd) & (log.issue == k) & (log.batch == row)
        before = trajectory.positions[rnd - 1, row, :, k]
        offers = [
            {"challenger": actors[int(log.challenger[i])], "target": actors[int(log.target[i])],
             "kind": OfferKind(int(log.kind[i])).name.lower(),
             "from": float(before[int(log.target[i])]), "to": float(log.new_position[i]),
             "accepted": bool(log.accepted[i])}
            for i in sel.nonzero()[0]
        ]
        out.append({"round": rnd, "forecast": float(trajectory.forecasts[rnd, row, k]),
                    "offers": offers})
    return out


def run_scenario(loaded: Loaded, model: str = DEFAULT_MODEL, **params: Any) -> Trajectory:
    """Run a model on a loaded scenario at its best-guess (midpoint) values."""
    return run_model(to_model_inputs(loaded.scenario), model, **params)
