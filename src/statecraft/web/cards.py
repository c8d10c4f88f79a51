"""The scenario as the page draws it: one card per issue, its named scale, the status quo,
each actor's stance as a marker at its position range, every value's source (said to
support the cited value, which an edit on the page does not change), and the sources by
kind: documents, datasets, and the analyst's judgments apart."""

from __future__ import annotations

from typing import Any

from statecraft.scenario import Loaded
from statecraft.scenario.provenance import format_value
from statecraft.scenario.refs import DatasetRef, JudgmentRef, refs
from statecraft.scenario.schema import Scenario


def _pair(v: Any) -> tuple[float, float]:
    return (float(v[0]), float(v[1])) if isinstance(v, tuple) else (float(v), float(v))


def _sources(scenario: Scenario, source: Any) -> list[dict[str, str]]:
    """Each reference as the page shows it: the document's title and the quote, or the
    dataset's title and its note."""
    titles = {s.id: s.title for s in scenario.sources}
    out = []
    for r in refs(source):
        if isinstance(r, DatasetRef):
            out.append({"kind": "dataset", "title": titles.get(r.dataset, r.dataset),
                        "text": r.note})
        elif isinstance(r, JudgmentRef):  # an analyst's judgment: its note, else its rationale
            src = scenario.source(r.judgment)
            out.append({"kind": "judgment", "title": titles.get(r.judgment, r.judgment),
                        "text": r.note or (src.rationale or "" if src else "")})
        else:
            out.append({"kind": "quote", "title": titles.get(r.doc, r.doc), "text": r.quote})
    return out


def issue_cards(loaded: Loaded) -> list[dict[str, Any]]:
    """Per issue: its question, scale, status quo and stances (actor names, position and
    salience ranges, weight = capability x salience relative to the issue's largest, the
    sources), in the scenario's order."""
    s = loaded.scenario
    actors = {a.id: a for a in s.actors}
    cards = []
    for issue in s.issues:
        stances = [st for st in s.stances if st.issue == issue.id]
        weights = [sum(_pair(actors[st.actor].capability)) / 2 * sum(_pair(st.salience)) / 2
                   for st in stances]
        top = max(weights, default=0.0) or 1.0
        cards.append({
            "id": issue.id, "question": issue.question, "status_quo": issue.status_quo,
            "scale": [{"point": p, "text": issue.scale[p]} for p in sorted(issue.scale)],
            "stances": [{
                "actor": st.actor, "name": actors[st.actor].name,
                "position": _pair(st.position), "salience": _pair(st.salience),
                "weight": w / top, "sources": _sources(s, st.source),
                "cited": f"position {format_value(st.position)}, salience "
                         f"{format_value(st.salience)}"}
                for st, w in zip(stances, weights, strict=True)]})
    return cards


def actor_rows(loaded: Loaded) -> list[dict[str, Any]]:
    """Per actor: name, capability range and its sources."""
    s = loaded.scenario
    return [{"id": a.id, "name": a.name, "capability": _pair(a.capability),
             "sources": _sources(s, a.source),
             "cited": f"capability {format_value(a.capability)}"} for a in s.actors]


def source_groups(loaded: Loaded) -> dict[str, list[dict[str, str]]]:
    """The scenario's sources by kind, each in file order: documents (title, author, where
    their text is), datasets (title, year, url), and the analyst's judgments (whose, when,
    and the reasoning), which cite nothing outside the scenario."""
    kinds = loaded.scenario.sources_by_kind()
    return {
        "documents": [{"id": d.id, "title": d.title, "author": d.author or "",
                       "when": d.published or str(d.year or ""), "url": d.url or ""}
                      for d in kinds["document"]],
        "datasets": [{"id": d.id, "title": d.title, "author": d.author or "",
                      "when": str(d.year or ""), "url": d.url or ""}
                     for d in kinds["dataset"]],
        "judgments": [{"id": j.id, "title": j.title, "author": j.author or "",
                       "when": str(j.date or ""), "rationale": j.rationale or ""}
                      for j in kinds["judgment"]],
    }
