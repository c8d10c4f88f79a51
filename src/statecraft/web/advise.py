"""The page's "what it would take" panel and ``POST /api/advise``: the smallest changes
that make a target outcome likely, and the price of those who lose by it
(``api.deals.advise``), for the scenario the page shows, edits included.

Bounded: at most ``MAX_ADVISE_SAMPLES`` samples and ``SEARCHES_AT_ONCE`` searches at a
time (another is 503); each of the search's runs of the model is one change's samples,
refused before anything runs when actors x issues x samples x rounds passes the web's
forecast limit (413, naming the numbers), as a forecast is; and the search asks whether
to stop as the model runs (between sub-batches of about a tenth of a second, as a
forecast does), stopping (503) past the web's time limit or when the client goes.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import Field

from statecraft import api
from statecraft.api.advice_words import (
    UTILITY_NOTE,
    option_brief,
    option_words,
    possessive,
    price_words,
    unreached_groups,
)
from statecraft.web import service
from statecraft.web.bounded import (
    WEB_FORECAST_SECONDS,
    ShouldStop,
    check_work,
    one_place,
    run_stoppable,
)
from statecraft.web.service import ScenarioRef

PANEL_DEALS = "of the Deals panel with actor {actor}"
"""Where the page says a deal's rank is listed."""

SEARCHES_AT_ONCE = 2
"""Most searches for advice the web runs at the same time (each re-runs the model up to
16 times per change it tries); another is answered 503 at once."""

MAX_ADVISE_SAMPLES = 2000
"""Most Monte Carlo samples the web's search re-runs for each change it tries."""

DEFAULT_WEB_ADVISE_SAMPLES = 400
"""Samples the page's search uses unless asked for more (each change is re-run on them
up to 16 times: the bundled scenario's search at 400 samples takes a few seconds)."""


class AdviseRequest(ScenarioRef):
    """What it would take for ``issue target`` to have at least ``probability``, for
    ``actor``; numbers strict (``true`` or ``"10"`` is not a count)."""

    actor: str = Field(max_length=64, description="the id of the actor advised")
    issue: str = Field(max_length=64, description="the id of the issue")
    target: str = Field(max_length=32, description='the outcome wanted: an operator and a '
                        'number on the 0-100 scale, e.g. "<= 40"')
    probability: float = Field(0.5, ge=0.01, le=0.99, strict=True,
                               description="the probability wanted (0.01 to 0.99)")
    model: str = api.DEFAULT_MODEL
    samples: int = Field(DEFAULT_WEB_ADVISE_SAMPLES, ge=1, le=MAX_ADVISE_SAMPLES,
                         strict=True, description=(
                             f"Monte Carlo samples each change is tried on (at most "
                             f"{MAX_ADVISE_SAMPLES:,})"))
    seed: int = Field(7, ge=0, le=2**63 - 1, strict=True)
    calibrated: bool = Field(True, strict=True, description=(
        "probabilities with the model's measured error (false: the share of samples)"))


def _advise(req: AdviseRequest, should_stop: ShouldStop
            ) -> tuple[api.Advice, api.Loaded]:
    from statecraft.api.deals import advise

    rounds = service.model_rounds(req.model)
    loaded = service.resolve(req)
    check_work(actors=len(loaded.scenario.actors), issues=len(loaded.scenario.issues),
               samples=req.samples, rounds=rounds)
    advice = advise(loaded, req.actor, issue=req.issue, target=req.target,
                    probability=req.probability, samples=req.samples, seed=req.seed,
                    model=req.model, calibrated=req.calibrated, should_stop=should_stop,
                    rows_per_call=req.samples)
    return advice, loaded


def _view(advice: api.Advice, loaded: api.Loaded) -> dict[str, Any]:
    """What the panel's template shows: the advice, its options and prices in the words
    ``statecraft advise`` prints."""
    names = {a.id: a.name for a in loaded.scenario.actors}
    own = any(s.actor == advice.actor and s.issue == advice.target.issue
              for s in loaded.scenario.stances)
    me = names.get(advice.actor, advice.actor)
    raising, lowering, idle = unreached_groups(advice.options)
    return {
        "advice": advice, "me": me, "own_stance": own, "my": possessive(me),
        "persuasion": advice.persuasion,
        "searched": advice.before < advice.probability or bool(advice.options),
        "reaching": [option_words(o, names, deals=PANEL_DEALS) for o in advice.reaching()],
        "others": [option_words(o, names, deals=PANEL_DEALS) for o in raising],
        "lowering": [option_words(o, names, deals=PANEL_DEALS) for o in lowering],
        "idle": "; ".join(option_brief(o, names, deals=PANEL_DEALS) for o in idle),
        "prices": [price_words(p, names) for p in advice.prices],
        "utility_note": UTILITY_NOTE,
    }


def add_advise_routes(app: FastAPI, templates: Jinja2Templates,
                      seconds: float = WEB_FORECAST_SECONDS) -> None:
    """Register ``POST /ui/advise`` (the panel's fragment) and ``POST /api/advise``, each
    stopped after ``seconds``, at most ``SEARCHES_AT_ONCE`` at a time."""
    searching = threading.BoundedSemaphore(SEARCHES_AT_ONCE)
    app.state.advice_searches = searching

    async def search(request: Request, req: AdviseRequest
                     ) -> tuple[api.Advice, api.Loaded]:
        with one_place(searching, f"{SEARCHES_AT_ONCE} searches for advice are running "
                       "already; try again in a moment", retry_after=5):
            return await run_stoppable(request, lambda stop: _advise(req, stop),
                                       seconds=seconds)

    @app.post("/ui/advise", response_class=HTMLResponse, include_in_schema=False)
    async def ui_advise(request: Request, req: AdviseRequest) -> Response:
        advice, loaded = await search(request, req)
        return templates.TemplateResponse(request, "_advice.html.j2", _view(advice, loaded))

    @app.post("/api/advise")
    async def advise(request: Request, req: AdviseRequest) -> dict[str, Any]:
        """What it would take: the smallest changes (an actor's own position or salience,
        another's, a deal) that make ``issue target`` at least ``probability`` likely,
        each found by re-running the model on ``samples`` samples and checked with the
        change applied, ranked by cost; and the prices of the actors who lose by the
        target. Refused (413) when one run of the model passes the web's forecast limit;
        stopped (503) past the web's time limit."""
        advice, _ = await search(request, req)
        return dict(advice.to_dict())
