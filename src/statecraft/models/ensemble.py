"""A stacked ensemble: a weighted mean of the models' forecasts and of two procedural
components, with weights fitted elsewhere (``statecraft.calibration.stacking``) on
decisions whose outcomes are known.

Components, each a forecast per batch row and issue on the 0-100 scale:

- ``compromise``, ``median``, ``eum``, ``smp``, ``exchange``: the models' forecasts at
  their defaults (the exchange model trading across every issue of a scenario; across
  the issues of one proposal on DEU, by ``sets``). ``--model ensemble`` runs those the
  registry says it runs (``SPECS["ensemble"].runs``), the ones its fitted weights
  stack; the exchange model is a candidate the calibration scores and stacks in its grid
  (``statecraft.calibration.crossval.ENSEMBLES``), but not among those: stacked with
  them it made the ensemble worse out of fold.
- ``status_quo``: nothing changes (the issue's status quo).
- ``agenda_setter``: the position of the actor that proposes (the European Commission
  in EU legislation); ``co_legislator``: the position of the actor whose consent a
  proposal needs besides the main decision body (the European Parliament). These two are
  the procedural models' ingredients in the literature on EU decision making (Thomson et
  al. 2006, ch. 2-4).

Where a component is missing (a scenario names no such role, the role's actor has no
stance on the issue, or the status quo is unknown) the compromise forecast stands in for
it, in fitting and in forecasting alike, so the weights mean the same thing everywhere.
Scenario files cannot name roles yet, so on a scenario the role components are the
compromise forecast; the ensemble's measured errors are those of exactly that
(``statecraft.calibration.crossval.runtime_forecasts``). Components with zero weight are
not computed. The ensemble's ``cycle_length`` and ``converged_round`` say how its
components with rounds (EUM, SMP, exchange) ended (not converged if any did not, cycling
if any cycled).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from statecraft.models.baselines import compromise
from statecraft.models.inputs import ModelInputs
from statecraft.models.registry import SPECS, measured
from statecraft.models.smp import smp
from statecraft.models.trajectory import BY_RULE, NOT_CONVERGED, STEADY, Trajectory

FloatArray = NDArray[np.float64]

MODEL_PARTS: tuple[str, ...] = (*SPECS["ensemble"].runs,
                                 *(m for m in measured() if m not in SPECS["ensemble"].runs))
"""The models whose forecasts are components (``statecraft.models.registry``): those the
ensemble runs, then every other model calibration measures, each run through the
registry."""
ROLES: tuple[str, ...] = ("agenda_setter", "co_legislator")
COMPONENTS: tuple[str, ...] = (*MODEL_PARTS, "status_quo", *ROLES)


def smp_per_issue(inputs: ModelInputs, engine: str = "auto") -> FloatArray:
    """SMP run on each issue alone (for data whose issues are unrelated decisions)."""
    out = np.empty((inputs.batch, len(inputs.issue_ids)))
    for k in range(len(inputs.issue_ids)):
        a = inputs.present[:, k]
        sub = ModelInputs(tuple(x for x, keep in zip(inputs.actor_ids, a, strict=True) if keep),
                          (inputs.issue_ids[k],), inputs.capability[:, a],
                          inputs.position[:, a][:, :, [k]], inputs.salience[:, a][:, :, [k]],
                          inputs.present[a][:, [k]], inputs.status_quo[[k]])
        out[:, k] = smp(sub, record_offers=False, keep_history=False,
                        engine=engine).forecast[:, 0]  # type: ignore[arg-type]
    return out


def components(inputs: ModelInputs, names: tuple[str, ...] = COMPONENTS, *,
               roles: Mapping[str, str] | None = None,
               status_quo_known: NDArray[np.bool_] | None = None,
               per_issue: bool = False, engine: str = "auto",
               sets: Sequence[Hashable] | None = None) -> dict[str, FloatArray]:
    """Each named component's forecast, ``(batch, issue)``; see the module docstring.

    ``roles`` maps ``agenda_setter`` / ``co_legislator`` to actor ids; ``status_quo_known``
    (per issue) marks where the status quo is real rather than a stand-in; ``per_issue``
    runs the SMP on each issue alone (for issues that are separate decisions); ``sets``
    labels the issues among which the exchange model trades (one label per issue; by
    default all issues are one set).
    """
    return _components(inputs, names, roles=roles, status_quo_known=status_quo_known,
                       per_issue=per_issue, engine=engine, sets=sets)[0]


def _components(inputs: ModelInputs, names: tuple[str, ...], *,
                roles: Mapping[str, str] | None, status_quo_known: NDArray[np.bool_] | None,
                per_issue: bool, engine: str, sets: Sequence[Hashable] | None = None,
                ) -> tuple[dict[str, FloatArray], list[Trajectory]]:
    """The components' forecasts, and the runs of the components that bargain in rounds."""
    unknown = [n for n in names if n not in COMPONENTS]
    if unknown:
        raise ValueError(f"unknown ensemble component(s) {', '.join(unknown)}; expected "
                         f"some of {', '.join(COMPONENTS)}")
    roles = dict(roles or {})
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise ValueError(f"unknown role(s) {', '.join(bad)}; expected {', '.join(ROLES)}")
    base = compromise(inputs).forecast
    out: dict[str, FloatArray] = {}
    runs: list[Trajectory] = []
    for name in names:
        if name == "compromise":
            out[name] = base
        elif name == "smp" and per_issue:
            out[name] = smp_per_issue(inputs, engine)
        elif name in MODEL_PARTS:  # at its defaults, keeping only what the mean needs
            spec = SPECS[name]
            keep = {"keep_history": False} if spec.history else {}
            quiet = {"record_offers": False} if spec.offers else {}
            how = {"engine": engine} if "engine" in spec.execution else {}
            where = {"sets": sets} if sets is not None and "sets" in spec.execution else {}
            traj: Trajectory = spec.load()(inputs, **keep, **quiet, **how, **where)
            if spec.rounds:
                runs.append(traj)
            out[name] = traj.forecast
        elif name == "status_quo":
            known = (np.ones(len(inputs.issue_ids), dtype=bool) if status_quo_known is None
                     else np.asarray(status_quo_known, dtype=bool))
            out[name] = np.where(known[None, :], inputs.status_quo[None, :], base)
        else:
            actor = roles.get(name)
            if actor is None or actor not in inputs.actor_ids:
                out[name] = base
            else:
                a = inputs.actor_ids.index(actor)
                out[name] = np.where(inputs.present[a][None, :], inputs.position[:, a, :], base)
    return out, runs


def _endings(runs: list[Trajectory], shape: tuple[int, int]
             ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """How a mean of these runs ended, per row and issue: not converged if any part did
    not, else steady (``STEADY``: at the cap with its forecast held still) if any part was,
    else cycling if any cycled (the longest cycle), else settled by a stopping rule if any
    was, else at a fixed point; the latest converged round and the most rounds."""
    rounds = np.zeros(shape, dtype=np.int64)
    cycle = np.ones(shape, dtype=np.int64)
    since = np.zeros(shape, dtype=np.int64)
    for r in runs:
        rounds = np.maximum(rounds, r.rounds)
        since = np.maximum(since, r.converged_round)
        c = r.cycle_length
        cycle = np.where((c == BY_RULE) & (cycle == 1), BY_RULE, cycle)
        cycle = np.where((c >= 2) & (cycle >= 0), np.maximum(np.maximum(cycle, 0), c), cycle)
    for r in runs:
        cycle = np.where(r.cycle_length == STEADY, STEADY, cycle)
    for r in runs:
        cycle = np.where(r.cycle_length == NOT_CONVERGED, NOT_CONVERGED, cycle)
    since = np.where((cycle == NOT_CONVERGED) | (cycle == STEADY), -1, since)
    return rounds, cycle, since


def ensemble(inputs: ModelInputs, *, weights: Mapping[str, float],
             roles: Mapping[str, str] | None = None, engine: str = "auto") -> Trajectory:
    """The weighted mean of the components with positive weight (weights sum to 1)."""
    given = {k: float(v) for k, v in weights.items()}
    if (not given or any(k not in COMPONENTS for k in given)
            or not all(np.isfinite(v) and v >= 0 for v in given.values())
            or abs(sum(given.values()) - 1) > 1e-9):
        raise ValueError("ensemble weights must be finite, non-negative, name components of "
                         f"{', '.join(COMPONENTS)}, and sum to 1; got {dict(weights)}")
    w = {k: v for k, v in given.items() if v > 0}
    parts, runs = _components(inputs, tuple(w), roles=roles, status_quo_known=None,
                              per_issue=False, engine=engine)
    forecast = np.zeros((inputs.batch, len(inputs.issue_ids)))
    for name in sorted(w, key=COMPONENTS.index):
        forecast += w[name] * parts[name]
    one = Trajectory.one_shot("ensemble", inputs, np.clip(forecast, 0.0, 100.0),
                              {"weights": w, "roles": dict(roles or {})})
    if not runs:
        return one
    rounds, cycle, since = _endings(runs, forecast.shape)
    return replace(one, rounds=rounds, cycle_length=cycle, converged_round=since)
