"""Running a named model on a scenario, and shaping one run's result for people."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypedDict

from statecraft.api.registry import (
    DEFAULT_MODEL,
    MODEL_SPECS,
    SETTING_TERMS,
    model_settings,
    model_spec,
)
from statecraft.models import registry
from statecraft.models.inputs import ModelInputs
from statecraft.models.registry import ModelSpec, SettingError
from statecraft.models.trajectory import OfferKind, Trajectory
from statecraft.scenario import (
    Loaded,
    Scenario,
    to_model_inputs,
)

if TYPE_CHECKING:
    from statecraft.api.results.common import Json

ModelFn = Callable[..., Trajectory]

__all__ = ["DEFAULT_MODEL", "MODELS", "MODEL_SPECS", "SETTING_TERMS", "IssueForecast",
           "ModelFn", "model_function", "model_settings", "model_spec", "run_model",
           "run_scenario", "sampled_settings", "summarise", "trace_offers"]


def _run(model: str, inputs: ModelInputs, **params: Any) -> Trajectory:
    """Run a registered model: ``params`` are its settings (checked, in the shared
    vocabulary; older names are read) and its execution keywords. A model fitted on
    known outcomes (the ensemble) gets the bundled model-error file's weights unless
    ``weights=`` is given."""
    spec = registry.spec(model)
    settings, execution = spec.split(params)
    if spec.fitted and not execution.get("weights"):
        from statecraft.api.calibration import ensemble_weights

        execution["weights"] = ensemble_weights()
    traj: Trajectory = spec.load()(inputs, **settings.as_dict(), **execution)
    return traj


def _entry(spec: ModelSpec) -> ModelFn:
    """``_run`` for one model, whose signature shows its settings and their defaults."""
    fn = partial(_run, spec.name)
    P = inspect.Parameter
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [P("inputs", P.POSITIONAL_ONLY, annotation=ModelInputs),
         *(P(k, P.KEYWORD_ONLY, default=v) for k, v in spec.defaults.as_dict().items()),
         P("options", P.VAR_KEYWORD)], return_annotation=Trajectory)
    return fn


MODELS: dict[str, ModelFn] = {name: _entry(s) for name, s in registry.SPECS.items()}
"""Every model by name (``statecraft.models.registry``): each takes compiled inputs and
its settings by name, checked, and its execution keywords."""

def sampled_settings(model: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``model_settings`` for a Monte Carlo run, which must be reproducible from its seed:
    stochastic choice is refused there (its draws would come from no seed of the run)."""
    changed = model_settings(model, params)
    if changed.get("stochastic"):
        raise SettingError(f"model {model}: setting 'stochastic': a Monte Carlo forecast "
                           "must be reproducible from its seed, and stochastic choices "
                           "draw from no seed of the run; use it in a single run (run, or "
                           "run_model with rng=)", model, "stochastic")
    return changed


def model_function(model: str) -> ModelFn:
    """The function a Monte Carlo run calls on each chunk with the run's settings: the
    named model, keeping only the final round where it keeps a history (the history is
    not stored)."""
    spec = registry.spec(model)
    return partial(_run, model, keep_history=False) if spec.history else MODELS[model]


def run_model(inputs: ModelInputs, model: str = DEFAULT_MODEL, **params: object
              ) -> Trajectory:
    """Run a model by name on compiled inputs, with its settings and execution keywords
    (``record_offers``, ``keep_history``, ``rng``, ...) by name."""
    return _run(model, inputs, **params)


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

    def as_dict(self) -> dict[str, Json]:
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


OfferMove = TypedDict("OfferMove", {"challenger": str, "target": str, "kind": str,
                                    "from": float, "to": float, "accepted": bool})
"""One offer of a round (``trace_offers``): who made it to whom, its kind, the target's
position before (``from``) and the one offered (``to``), and whether it was accepted."""

class RoundOffers(TypedDict):
    """One round of ``trace_offers``: its number, the issue's forecast and its offers."""

    round: int
    forecast: float
    offers: list[OfferMove]


def trace_offers(scenario: Scenario, trajectory: Trajectory, issue_id: str,
                 row: int = 0) -> list[RoundOffers]:
    """Per round, the forecast and every offer made on one issue (needs recorded offers)."""
    if trajectory.offers is None:
        raise ValueError(f"the {trajectory.model} model recorded no offers")
    k = trajectory.issue_ids.index(issue_id)
    log = trajectory.offers
    actors = trajectory.actor_ids
    out: list[RoundOffers] = []
    for rnd in range(1, trajectory.positions.shape[0]):
        sel = (log.round == rnd) & (log.issue == k) & (log.batch == row)
        before = trajectory.positions[rnd - 1, row, :, k]
        offers: list[OfferMove] = [
            {"challenger": actors[int(log.challenger[i])], "target": actors[int(log.target[i])],
             "kind": OfferKind(int(log.kind[i])).name.lower(),
             "from": float(before[int(log.target[i])]), "to": float(log.new_position[i]),
             "accepted": bool(log.accepted[i])}
            for i in sel.nonzero()[0]
        ]
        out.append({"round": rnd, "forecast": float(trajectory.forecasts[rnd, row, k]),
                    "offers": offers})
    return out


def run_scenario(loaded: Loaded, model: str = DEFAULT_MODEL, **params: object
                 ) -> Trajectory:
    """Run a model on a loaded scenario at its best-guess (midpoint) values."""
    return run_model(to_model_inputs(loaded.scenario), model, **params)
