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


def _edits(loaded: Loaded) -> tuple[Scenario, dict[tuple[str, str | None, str | None], str]]:
    """The scenario whose values the sources cite, and each value of the loaded one that
    is an edit of it (an edited copy's ``edited_from``), described: ``salience 0.3
    (edited; cited 0.7-0.9)``."""
    if loaded.cited is None:
        return loaded.scenario, {}
    return loaded.cited.scenario, {(e.field, e.actor, e.issue): e.describe()
                                   for e in loaded.cited.edits(loaded.scenario)}


def issue_cards(loaded: Loaded) -> list[dict[str, Any]]:
    """Per issue: its question, scale, status quo and stances (actor names, position and
    salience ranges, capability, weight = capability x salience relative to the issue's
    largest, the sources, and the values that are edits of the cited ones), in the
    scenario's order."""
    s = loaded.scenario
    actors = {a.id: a for a in s.actors}
    cited, edits = _edits(loaded)
    cited_stances = {(st.actor, st.issue): st for st in cited.stances}
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
                "capability": sum(_pair(actors[st.actor].capability)) / 2,
                "weight": w / top, "sources": _sources(s, st.source),
                "cited": _cited_words(cited_stances.get((st.actor, st.issue), st)),
                "edits": [edits[(f, st.actor, st.issue)] for f in ("position", "salience")
                          if (f, st.actor, st.issue) in edits]}
                for st, w in zip(stances, weights, strict=True)]})
    return cards


def _cited_words(st: Any) -> str:
    return f"position {format_value(st.position)}, salience {format_value(st.salience)}"


def actor_rows(loaded: Loaded) -> list[dict[str, Any]]:
    """Per actor: name, capability range, its sources, and the capability's edit of
    the cited value (an edited copy's), if it is one."""
    s = loaded.scenario
    cited, edits = _edits(loaded)
    was = {a.id: a for a in cited.actors}
    return [{"id": a.id, "name": a.name, "capability": _pair(a.capability),
             "sources": _sources(s, a.source),
             "cited": f"capability {format_value(was.get(a.id, a).capability)}",
             "edits": [edits[k] for k in [("capability", a.id, None)] if k in edits]}
            for a in s.actors]


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
