"""Assemble the HTML report: one self-contained file, figures embedded as data URIs.

``render`` takes what the API computed (forecast summary, question probabilities,
options analysis, backtest scores, figures as PNG bytes) and the scenario, and fills the
Jinja2 template; the sources appendix lists every input with the quote or dataset note
it rests on, and the sources by kind (documents, datasets, then the analyst's judgments).
The report of an edited scenario marks every value that is not the cited one: the value
used, then the cited value, which is what its sources support.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from statecraft.scenario.provenance import (
    Cited,
    Edit,
    format_value,
    other_differences,
)
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


def _mark(edit: Edit | None) -> str:
    """How an edited value is marked beside the value used: ``edited; cited 0.7-0.9``."""
    if edit is None:
        return ""
    if edit.cited is None:
        return "added; not in the cited scenario"
    return f"edited; cited {format_value(edit.cited)}"


def _supports(*edits: Edit | None) -> str:
    """What an edited row's sources support: the cited values, never the ones used."""
    cited = [f"{e.field.replace('_', ' ')} {format_value(e.cited)}" for e in edits
             if e is not None and e.cited is not None]
    if not any(e is not None for e in edits):
        return ""
    if not cited:
        return "The cited scenario has no such value: no source below supports it."
    return ("The sources below support the cited " + " and ".join(cited)
            + ", not the edited value used in this run.")


def _source_rows(scenario: Scenario) -> dict[str, list[dict[str, str]]]:
    """The sources by kind: documents (where their text is), datasets, and judgments
    (whose, when, why), each in file order."""
    kinds = scenario.sources_by_kind()
    return {
        "documents": [{"id": s.id, "title": s.title, "author": s.author or "",
                       "year": str(s.year or s.published or ""),
                       "where": s.url or s.path or ("its text, held in the scenario"
                                                     if s.text is not None else "")}
                      for s in kinds["document"]],
        "datasets": [{"id": s.id, "title": s.title, "author": s.author or "",
                      "year": str(s.year or ""), "where": s.url or ""}
                     for s in kinds["dataset"]],
        "judgments": [{"id": s.id, "title": s.title, "author": s.author or "",
                       "date": str(s.date or ""), "rationale": s.rationale or ""}
                      for s in kinds["judgment"]],
    }


def sources_appendix(scenario: Scenario, cited: Cited | None = None) -> dict[str, Any]:
    """Every input with what it rests on: capabilities, status quos, stances, and the
    sources by kind. With the ``cited`` scenario an edited one was made from, every value
    that differs is marked with its cited value, and its sources said to support that."""
    edits = cited.edits(scenario) if cited is not None else []
    at = {(e.field, e.actor, e.issue): e for e in edits}
    rows = []
    for s in scenario.stances:
        pos, sal = (at.get(("position", s.actor, s.issue)),
                    at.get(("salience", s.actor, s.issue)))
        rows.append({"actor": s.actor, "issue": s.issue, "position": _value(s.position),
                     "salience": _value(s.salience), "position_edit": _mark(pos),
                     "salience_edit": _mark(sal), "supports": _supports(pos, sal),
                     "cites": _cite(scenario, s.source)})
    capabilities = []
    for a in scenario.actors:
        cap = at.get(("capability", a.id, None))
        capabilities.append({"actor": a.name, "value": _value(a.capability),
                             "edit": _mark(cap), "supports": _supports(cap),
                             "cites": _cite(scenario, a.source)})
    issues = []
    for i in scenario.issues:
        sq = at.get(("status_quo", None, i.id))
        issues.append({"issue": i.id, "value": _value(i.status_quo), "edit": _mark(sq),
                       "supports": _supports(sq), "cites": _cite(scenario, i.source)})
    return {
        "sources": [{"id": s.id, "title": s.title, "kind": s.effective_kind,
                     "year": s.year or "", "url": s.url or "", "author": s.author or ""}
                    for s in scenario.sources],
        **_source_rows(scenario),
        "capabilities": capabilities, "issues": issues, "stances": rows,
        "edited_from": None if cited is None else {"path": None, **cited.origin()},
        "edits": [{"where": e.where, "text": e.describe(), "cited": format_value(e.cited),
                   "used": format_value(e.used)} for e in edits],
        "other_changes": cited is not None and other_differences(cited.scenario, scenario),
    }


def render(*, scenario: Scenario, model: str, samples: int, seed: int, version: str,
           summary: Sequence[Mapping[str, Any]], figures: Mapping[str, bytes],
           questions: Sequence[Mapping[str, Any]] = (),
           options: Mapping[str, Any] | None = None,
           backtest: Mapping[str, Any] | None = None, run_id: str | None = None,
           calibration: Mapping[str, Any] | None = None, cited: Cited | None = None,
           bottom_line: Mapping[str, Any] | None = None,
           convergence: Sequence[str] = (),
           price: Mapping[str, Any] | None = None) -> str:
    """The report as one HTML document; ``cited`` is the scenario an edited one was made
    from (its values are marked where they differ); ``bottom_line`` (``BottomLine.as_dict``)
    opens it, and ``convergence`` says how the samples' runs ended, a line each; ``price``
    (``api.deals.article_price``) adds the section on the price of resolution."""
    return _env().get_template("report.html.j2").render(
        scenario=scenario, model=model, samples=samples, seed=seed, version=version,
        run_id=run_id, summary=summary, questions=questions, options=options,
        calibration=calibration, bottom_line=bottom_line, convergence=list(convergence),
        backtest=backtest, figures={k: data_uri(v) for k, v in figures.items()},
        price=price,
        appendix=sources_appendix(scenario, cited),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
