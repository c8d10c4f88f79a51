"""The page's deals panel and ``POST /api/deals``: the trades across issues that pay both
sides (``api.deals.find_deals``), for the scenario the page shows, edits included.

Bounded: a request names a scenario the loader has already bounded (its size, actors and
issues) and at most ``MAX_DEAL_SAMPLES`` samples; its work, pairs of actors x pairs of
issues x (samples + 1), is refused past ``DEALS_WORK_LIMIT`` before anything runs (413,
naming the numbers); at most ``top`` deals (default ``DEFAULT_TOP``, at most ``MAX_TOP``)
are returned and struck in the samples, the reply saying how many were found; and it runs
under the web's time limit, stopped (503) past it or when the client goes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import Field

from statecraft.web import service
from statecraft.web.bounded import WEB_FORECAST_SECONDS, ShouldStop, TooMuchWork, run_stoppable
from statecraft.web.service import ScenarioRef

MAX_DEAL_SAMPLES = 2000
"""Most Monte Carlo samples a deals request strikes its deals in."""

DEALS_WORK_LIMIT = 20_000_000
"""The largest deals request the web runs: pairs of actors x pairs of issues x (samples +
1) (the bundled scenario, 8 x 7, with 2,000 samples is 28 x 21 x 2,001 = 1,176,588).
Larger ones belong to the command line, which has no such limit."""

PANEL_TOP = 20
"""Deals the page's panel lists."""

DEFAULT_TOP = 50
"""Deals a request returns unless it asks for another number."""

MAX_TOP = 1000
"""Most deals a request may ask to be returned."""


def check_deals_work(*, actors: int, issues: int, samples: int,
                     limit: int = DEALS_WORK_LIMIT) -> None:
    """Refuse a deals request whose pairs of actors x pairs of issues x (samples + 1) is
    over ``limit`` (``TooMuchWork``, 413), naming the numbers."""
    actor_pairs, issue_pairs = actors * (actors - 1) // 2, issues * (issues - 1) // 2
    size = actor_pairs * issue_pairs * (samples + 1)
    if size > limit:
        raise TooMuchWork(
            f"these deals are too much work for the web: {actor_pairs:,} pairs of actors x "
            f"{issue_pairs:,} pairs of issues x {samples + 1:,} (samples + 1) = {size:,}; "
            f"the web's limit is {limit:,} (use fewer samples, or run `statecraft deals` "
            "from the command line)")


class DealsRequest(ScenarioRef):
    """The deals of a scenario, of one actor's when ``actor`` is given; its numbers are
    strict integers (``true`` or ``"10"`` is not a count)."""

    actor: str | None = Field(None, max_length=64, description="an actor's id: only the "
                              "deals it is party to")
    samples: int = Field(0, ge=0, le=MAX_DEAL_SAMPLES, strict=True, description=(
        "strike each deal in this many Monte Carlo samples and give the share in which it "
        f"still pays both sides (0: none; at most {MAX_DEAL_SAMPLES:,})"))
    seed: int = Field(7, ge=0, le=2**63 - 1, strict=True)
    top: int = Field(DEFAULT_TOP, ge=1, le=MAX_TOP, strict=True, description=(
        f"return the first this many deals (at most {MAX_TOP:,}); the reply's ``found`` "
        "says how many there are"))


def _deals(req: DealsRequest, top: int,
           should_stop: ShouldStop) -> tuple[Any, dict[str, str]]:
    from statecraft.api.deals import find_deals

    loaded = service.resolve(req)
    check_deals_work(actors=len(loaded.scenario.actors), issues=len(loaded.scenario.issues),
                     samples=req.samples)
    result = find_deals(loaded, actor=req.actor or None, samples=req.samples, seed=req.seed,
                        limit=top, should_stop=should_stop)
    return result, {a.id: a.name for a in loaded.scenario.actors}


def add_deals_routes(app: FastAPI, templates: Jinja2Templates,
                     seconds: float = WEB_FORECAST_SECONDS) -> None:
    """Register ``POST /ui/deals`` (the panel's fragment) and ``POST /api/deals``, each
    stopped after ``seconds``."""

    @app.post("/ui/deals", response_class=HTMLResponse, include_in_schema=False)
    async def ui_deals(request: Request, req: DealsRequest) -> Response:
        top = min(req.top, PANEL_TOP)
        result, names = await run_stoppable(request, lambda stop: _deals(req, top, stop),
                                            seconds=seconds)
        return templates.TemplateResponse(request, "_deals.html.j2", {
            "result": result, "names": names, "shown": result.deals})

    @app.post("/api/deals")
    async def deals(request: Request, req: DealsRequest) -> dict[str, Any]:
        """The trades across issues that pay both sides (position exchange model), ranked
        by joint gain: who moves on which issue, by how much, in return for whom moving on
        which other issue, each side's gain, each issue's expected outcome before and
        after; with ``samples``, the share of samples in which each still pays both. The
        first ``top`` deals (``found``: how many there are, ``shown``: how many listed).
        Refused (413) past pairs of actors x pairs of issues x (samples + 1) of the web's
        limit; stopped (503) past the web's time limit."""
        result, _ = await run_stoppable(request, lambda stop: _deals(req, req.top, stop),
                                        seconds=seconds)
        return dict(result.to_dict())
