"""Edits to a scenario's stances, as the web page and a notebook's what-if make them: the
text with the changes applied, validated, and knowing what it was edited from; and a
text's problems said in words a reader of the page follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from statecraft.scenario import Loaded, ScenarioError
from statecraft.scenario.edit import StanceChange, load_edited, place_words
from statecraft.scenario.yamlsafe import YamlProblem, parse_yaml

__all__ = ["StanceChange", "edit_scenario", "in_words"]


def edit_scenario(text: str, name: str, changes: Sequence[StanceChange], *,
                  path: str | Path | None = None, base_dir: Path | None = None,
                  read_documents: bool = True, sources_dirs: Sequence[str | Path] = ()
                  ) -> Loaded:
    """The scenario ``text`` (called ``name``; the file ``path`` when it is one) with
    ``changes`` to its stances applied and validated (``scenario.edit.load_edited``): when
    a value changes, the result has no path of its own, records what it was edited from
    (``Loaded.cited``) and says so in its ``edited_from`` block; its problems are a
    ``ScenarioError`` naming whose value each concerns."""
    return load_edited(text, name, list(changes),
                       path=None if path is None else str(path), base_dir=base_dir,
                       read_documents=read_documents, sources_dirs=sources_dirs)


def in_words(exc: ScenarioError, text: str | bytes) -> ScenarioError:
    """The problems of a scenario's text with whose value each names in words ("Turkey on
    karabakh_status, salience: found ..."), their lines kept, for a reader who may not
    read field paths. Problems without a line (those of edits) already say whose value
    they are."""
    try:
        data = parse_yaml(text, "scenario").data
    except YamlProblem:
        return exc
    out = []
    for p in exc.problems:
        words = place_words(p.path, data=data) if p.line is not None else ""
        out.append(replace(p, message=f"{words}: {p.message}") if words else p)
    return ScenarioError(out)
