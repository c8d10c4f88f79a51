"""Assemble the HTML report: one self-contained file, figures embedded as data URIs.

``render`` takes what the API computed (forecast summary, question probabilities,
options analysis, backtest scores, figures as PNG bytes) and the scenario, and fills the
Jinja2 template; the sources appendix lists every input with the quote or dataset note
it rests on.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from statecraft.scenario.refs import DatasetRef, DocRef, refs
from statecraft.scenario.schema import Scenario


def _env() -> Environment:
    return Environment(loader=PackageLoader("statecraft.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def data_uri(png: bytes) -> str:
    """A PNG as an ``<img src=...>`` value, so the report needs no other file."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _value(v: Any) -> str:
    if isinstance(v, tuple):
        return f"{v[0]:g} to {v[1]:g}"
    return f"{v:g}"


def _cite(scenario: Scenario, sources: Any) -> list[dict[str, str]]:
    out = []
    for ref in refs(sources):
        src = scenario.source(ref.source_id)
        title = src.title if src else "(unknown source)"
        if isinstance(ref, DocRef):
            out.append({"kind": "quote", "title": title, "text": ref.quote})
        elif isinstance(ref, DatasetRef):
            out.append({"kind": "dataset", "title": title, "text": ref.note})
        else:  # an analyst's judgment: its note here, else its rationale
            out.append({"kind": "judgment", "title": title,
                        "text": ref.note or (src.rationale or "" if src else "")})
    return out


def sources_appendix(scenario: Scenario) -> dict[str, Any]:
    """Every input with what it rests on: capabilities, status quos, stances, sources."""
    return {
        "sources": [{"id": s.id, "title": s.title, "kind": s.kind or "", "year": s.year or "",
                     "url": s.url or "", "author": s.author or ""} for s in scenario.sources],
        "capabilities": [{"actor": a.name, "value": _value(a.capability),
                          "cites": _cite(scenario, a.source)} for a in scenario.actors],
        "issues": [{"issue": i.id, "value": _value(i.status_quo),
                    "cites": _cite(scenario, i.source)} for i in scenario.issues],
        "stances": [{"actor": s.actor, "issue": s.issue, "position": _value(s.position),
                     "salience": _value(s.salience), "cites": _cite(scenario, s.source)}
                    for s in scenario.stances],
    }


def render(*, scenario: Scenario, model: str, samples: int, seed: int, version: str,
           summary: Sequence[Mapping[str, Any]], figures: Mapping[str, bytes],
           questions: Sequence[Mapping[str, Any]] = (),
           options: Mapping[str, Any] | None = None,
           backtest: Mapping[str, Any] | None = None, run_id: str | None = None,
           calibration: Mapping[str, Any] | None = None) -> str:
    """The report as one HTML document."""
    return _env().get_template("report.html.j2").render(
        scenario=scenario, model=model, samples=samples, seed=seed, version=version,
        run_id=run_id, summary=summary, questions=questions, options=options,
        calibration=calibration,
        backtest=backtest, figures={k: data_uri(v) for k, v in figures.items()},
        appendix=sources_appendix(scenario),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
