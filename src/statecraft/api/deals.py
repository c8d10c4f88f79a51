"""Deals and advice: which trades across issues pay both sides
(``statecraft.analysis.deals``), and the smallest changes that make a target outcome
likely (``statecraft.analysis.advise``), on a loaded scenario."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from statecraft.analysis.advise import (
    CHUNK_ROWS,
    PERSUASION,
    PROBABILITY_RANGE,
    Advice,
    Option,
    Price,
    Target,
)
from statecraft.analysis.advise import advise as search_advice
from statecraft.analysis.deals import Deal, Deals, DealsStopped, deals_in
from statecraft.analysis.deals import find_deals as deals_at
from statecraft.api.results.common import Settings
from statecraft.api.running import (
    DEFAULT_MODEL,
    model_function,
    model_spec,
    sampled_settings,
)
from statecraft.errors import OptionError, StoppedError, stopped_words
from statecraft.models.inputs import ModelInputs
from statecraft.scenario import Loaded, to_model_inputs

__all__ = ["ARTICLE_QUESTIONS", "DEFAULT_ADVISE_SAMPLES", "PERSUASION", "Advice",
           "AdviceStopped", "Deal", "Deals", "DealsStopped", "Option", "Price", "Target",
           "advise", "article_price", "find_deals", "with_option"]

DEFAULT_ADVISE_SAMPLES = 2000
"""Monte Carlo samples ``advise`` searches with by default (each lever re-runs them up to
16 times)."""


def _samples(loaded: Loaded, samples: int, seed: int) -> ModelInputs:
    """The very inputs a forecast of ``samples`` samples with ``seed`` runs (its seed
    blocks), checked as ``forecast`` checks them."""
    from statecraft.uncertainty.limits import check_samples, check_seed
    from statecraft.uncertainty.runner import redraw
    from statecraft.uncertainty.sampling import uncertain_inputs

    check_seed(seed)
    check_samples(samples, issues=len(loaded.scenario.issues),
                  inputs=len(uncertain_inputs(loaded.scenario)))
    return redraw(loaded.scenario, range(samples), seed=seed, samples=samples).inputs


def _check_actor(loaded: Loaded, actor: str | None) -> None:
    ids = [a.id for a in loaded.scenario.actors]
    if actor is not None and actor not in ids:
        raise ValueError(f"unknown actor {actor!r}; the scenario's actors: " + ", ".join(ids))


def _folded(text: str) -> str:
    """``text`` compared loosely: lower case, every run of other characters one ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_")


def actor_id(loaded: Loaded, actor: str) -> str:
    """The id of the actor ``actor`` names: its id, or its name or id written loosely
    (``Armenia``, ``ARM``) when that names one actor alone; else ``actor`` unchanged (an
    unknown actor, said as such where it is checked)."""
    ids = [a.id for a in loaded.scenario.actors]
    if actor in ids:
        return actor
    found = {a.id for a in loaded.scenario.actors
             if _folded(actor) in (_folded(a.id), _folded(a.name))}
    return found.pop() if len(found) == 1 else actor


def issue_id(loaded: Loaded, issue: str) -> str:
    """The id of the issue ``issue`` names: its id, or its id written loosely
    (``Transit route``) when that names one issue alone; else ``issue`` unchanged."""
    ids = [i.id for i in loaded.scenario.issues]
    if issue in ids:
        return issue
    found = [i for i in ids if _folded(issue) == _folded(i)]
    return found[0] if len(found) == 1 else issue


def find_deals(loaded: Loaded, *, actor: str | None = None, samples: int = 0,
               seed: int = 7, limit: int | None = None,
               should_stop: Callable[[], str | None] | None = None) -> Deals:
    """The deals that pay both sides at the scenario's midpoints, ranked by joint gain
    (involving ``actor`` only, when given; the first ``limit`` of them, when given, the
    result saying how many there are); with ``samples`` > 0, each listed deal with the
    share of that many Monte Carlo samples (those a forecast with ``seed`` draws) in which
    it still pays both, its memory bounded whatever the samples (taken in chunks), stopped
    (``DealsStopped``) when ``should_stop`` gives a reason. Unknown actors and bad sample
    counts are ``ValueError``s naming them."""
    _check_actor(loaded, actor)
    drawn = _samples(loaded, samples, seed) if samples else None
    if samples < 0:
        raise ValueError(f"samples: found {samples}; expected 0 (none) or more")
    return deals_in(to_model_inputs(loaded.scenario), scenario=loaded.scenario.name,
                    samples=drawn, seed=seed, actor=actor, limit=limit,
                    should_stop=should_stop)


class AdviceStopped(StoppedError):
    """A search for advice was stopped by its caller (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(stopped_words("the search for advice", reason))
        self.reason = reason


def advise(loaded: Loaded, actor: str, *, issue: str, target: str, probability: float = 0.5,
           samples: int = DEFAULT_ADVISE_SAMPLES, seed: int = 7, model: str = DEFAULT_MODEL,
           params: Settings | None = None, calibrated: bool = True,
           should_stop: Callable[[], str | None] | None = None,
           rows_per_call: int | None = None) -> Advice:
    """The smallest changes that make the probability of ``issue target`` (``"<= 40"``) at
    least ``probability`` for ``actor`` (each named by its id, or loosely: an actor by its
    name, ``Armenia``; an issue as ``Transit route``), found by re-running ``model`` on
    ``samples`` Monte Carlo samples (those a forecast with ``seed`` draws) with each change
    applied, ranked by cost; with the prices of the other actors who lose by the target
    (``statecraft.analysis.advise``). Calibrated by the model's measured errors unless
    ``calibrated`` is False. An unknown actor, issue or model, a malformed target, a
    threshold outside 0-100, a target no outcome meets (``< 0``, ``> 100``) or a
    probability outside ``PROBABILITY_RANGE`` is a ``ValueError`` naming it, raised before
    any model runs; a target already met at ``probability`` is said so at once, with no
    search. ``should_stop`` is asked while the model runs, between sub-batches of samples
    sized to take about a tenth of a second (as a forecast asks it), and a reason stops
    the search (``AdviceStopped``); the model is given at most ``rows_per_call`` rows at a
    time (default: the search's own chunk)."""
    from statecraft import __version__
    from statecraft.api.monte_carlo import measured_errors

    actor, issue = actor_id(loaded, actor), issue_id(loaded, issue)
    _check_actor(loaded, actor)
    issues = [i.id for i in loaded.scenario.issues]
    if issue not in issues:
        raise ValueError(f"unknown issue {issue!r}; the scenario's issues: "
                         + ", ".join(issues))
    goal = Target.parse(target, issue)
    low, high = PROBABILITY_RANGE
    if not (isinstance(probability, int | float) and low <= probability <= high):
        raise OptionError(f"the probability {probability:g} is out of range; expected a "
                          f"probability from {low:g} to {high:g}", "probability")
    settings = sampled_settings(model, params)
    errors, identity = measured_errors(model, settings) if calibrated else (None, None)
    fn = model_function(model)
    drawn = _samples(loaded, samples, seed)
    midpoints = to_model_inputs(loaded.scenario)

    pacer = None
    if should_stop is not None:
        from statecraft.uncertainty.runner import Pacer

        # asked as a forecast asks it: between sub-batches of samples sized to last about
        # a tenth of a second each, so that one slow run of the model cannot outlast it
        pacer = Pacer(should_stop)

    def run(inputs: ModelInputs) -> np.ndarray[Any, np.dtype[np.float64]]:
        if pacer is None:
            out: np.ndarray[Any, np.dtype[np.float64]] = fn(inputs, **settings).forecast
            return out
        try:
            paced: np.ndarray[Any, np.dtype[np.float64]] = pacer.run(
                fn, inputs, dict(settings)).forecast
        except StoppedError as exc:
            raise AdviceStopped(str(exc)) from None
        return paced

    found = deals_at(midpoints, actor=actor)
    before, options, prices, forecasts = search_advice(
        drawn, run, actor=actor, target=goal, probability=float(probability),
        errors=errors, separable=model_spec(model).separable, deals=found,
        midpoints=midpoints, rows_per_call=rows_per_call or CHUNK_ROWS)
    notes = []
    if not any(s.actor == actor and s.issue == issue for s in loaded.scenario.stances):
        name = next(a.name for a in loaded.scenario.actors if a.id == actor)
        notes.append(f"{name} has no stance on {issue}: it has no position or salience of "
                     "its own there to change, so only other actors' moves and its deals "
                     "are searched")
    if before >= probability:
        notes.append(f"the target is already met: it has probability {before:.3f}, at "
                     f"least the {probability:g} asked, so no change is needed and none "
                     "was searched")
    return Advice(actor=actor, target=goal, probability=float(probability), before=before,
                  options=tuple(options), prices=tuple(prices),
                  scenario=loaded.scenario.name, model=model, settings=settings, seed=seed,
                  samples=samples, calibration=identity, version=__version__,
                  forecasts=forecasts, notes=tuple(notes))


def with_option(loaded: Loaded, option: Option) -> Loaded:
    """The scenario with an option's moves applied to its stances (each value, or both
    ends of a range, moved by the change and kept within the field's scale), as an edited
    copy that records what it was edited from: forecast it to check the option."""
    from statecraft.scenario.edit import StanceChange, load_edited

    top = {"position": 100.0, "salience": 1.0}
    changes: dict[tuple[str, str], dict[str, Any]] = {}
    for move in option.moves:
        stance = next(s for s in loaded.scenario.stances
                      if s.actor == move.actor and s.issue == move.issue)
        value = getattr(stance, move.field)
        ends = value if isinstance(value, tuple) else (value, value)
        new = tuple(min(max(v + move.change, 0.0), top[move.field]) for v in ends)
        changes.setdefault((move.actor, move.issue), {})[move.field] = (
            new if isinstance(value, tuple) else new[0])
    name = loaded.path.name if loaded.path else loaded.scenario.name
    base = loaded.path.resolve().parent if loaded.path else None
    return load_edited(loaded.text, name, [StanceChange(a, i, **v) for (a, i), v in
                                           changes.items()],
                       path=str(loaded.path) if loaded.path else None, base_dir=base,
                       read_documents=False)


ARTICLE_QUESTIONS: dict[str, tuple[str, str, str, str]] = {
    "south-caucasus-2021.yaml": ("aze", "rus", "peacekeepers", "<= 40"),
}
"""Per bundled scenario (its file name), the price its article asks about: the actor
who pays, the actor whose price it is, the issue and the outcome wanted. Valiyev's "The
Price of Resolution": what Baku would have to concede for Moscow to let its peacekeepers
go by the end of their first term (peacekeepers <= 40)."""


def article_price(loaded: Loaded) -> dict[str, Any] | None:
    """The price a bundled scenario's article asks about (``ARTICLE_QUESTIONS``), for the
    report: the price (``analysis.advise.price_of``) and the deals of the actor whose
    price it is that touch the issue, as plain data; None for any other scenario, or one
    whose actors or issue are not those asked about (an edited copy is its original's)."""
    from pathlib import Path

    from statecraft.analysis.advise import price_of
    from statecraft.api.loading import is_bundled

    path = loaded.path
    if path is None and loaded.cited is not None and loaded.cited.path is not None:
        path = Path(loaded.cited.path)
    if path is None or not is_bundled(path) or Path(path).name not in ARTICLE_QUESTIONS:
        return None
    payer, actor, issue, target = ARTICLE_QUESTIONS[Path(path).name]
    actors = {a.id: a.name for a in loaded.scenario.actors}
    if {payer, actor} - actors.keys() or issue not in {i.id for i in loaded.scenario.issues}:
        return None
    midpoints = to_model_inputs(loaded.scenario)
    price = price_of(midpoints, actor=actor, payer=payer, target=Target.parse(target, issue))
    found = deals_at(midpoints, actor=actor)
    return {"payer": payer, "actor": actor, "payer_name": actors[payer],
            "actor_name": actors[actor], "issue": issue, "target": target,
            "price": None if price is None else price.to_dict(),
            "deals_on_issue": [d.to_dict() for d in found if issue in (d.issue_a, d.issue_b)],
            "deals": len(found),
            "gives_way_on_issue": any((d.actor_a == actor and d.issue_a == issue)
                                      or (d.actor_b == actor and d.issue_b == issue)
                                      for d in found)}

