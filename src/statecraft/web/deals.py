"""The page's deals panel and ``POST /api/deals``: the trades across issues that pay both
sides (``api.deals.find_deals``), for the scenario the page shows, edits included.

Bounded: a request names a scenario the loader has already bounded (its size, actors and
issues) and at most ``MAX_DEAL_SAMPLES`` samples; finding the deals is arithmetic on
actors^2 x issues^2 candidates, and striking each in the samples is one array operation.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import Field

from statecraft.web import service
from statecraft.web.service import ScenarioRef

MAX_DEAL_SAMPLES = 2000
"""Most Monte Carlo samples a deals request strikes its deals in."""


class DealsRequest(ScenarioRef):
    """The deals of a scenario, of one actor's when ``actor`` is given."""

    actor: str | None = Field(None, max_length=64, description="an actor's id: only the "
                              "deals it is party to")
    samples: int = Field(0, ge=0, le=MAX_DEAL_SAMPLES, description="strike each deal in "
                         "this many Monte Carlo samples and give the share in which it "
                         f"still pays both sides (0: none; at most {MAX_DEAL_SAMPLES:,})")
    seed: int = Field(7, ge=0, le=2**63 - 1)


def _deals(req: DealsRequest) -> tuple[Any, dict[str, str]]:
    from statecraft.api.deals import find_deals

    loaded = service.resolve(req)
    result = find_deals(loaded, actor=req.actor or None, samples=req.samples, seed=req.seed)
    return result, {a.id: a.name for a in loaded.scenario.actors}


def add_deals_routes(app: FastAPI, templates: Jinja2Templates) -> None:
    """Register ``POST /ui/deals`` (the panel's fragment) and ``POST /api/deals``."""

    @app.post("/ui/deals", response_class=HTMLResponse, include_in_schema=False)
    def ui_deals(request: Request, req: DealsRequest) -> Response:
        result, names = _deals(req)
        return templates.TemplateResponse(request, "_deals.html.j2", {
            "result": result, "names": names, "shown": result.deals[:20]})

    @app.post("/api/deals")
    def deals(req: DealsRequest) -> dict[str, Any]:
        """The trades across issues that pay both sides (position exchange model), ranked
        by joint gain: who moves on which issue, by how much, in return for whom moving on
        which other issue, each side's gain, each issue's expected outcome before and
        after; with ``samples``, the share of samples in which each still pays both."""
        result, _ = _deals(req)
        return dict(result.to_dict())
