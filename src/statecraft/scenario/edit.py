"""Changing stance values in a scenario's text, for what-if runs (the web app's controls).

Edits are made on the parsed document and the result written back as YAML, so every
other part of the file (sources, options, rules) is kept as it was; comments are not.
The caller validates the new text like any other scenario file, or ``load_edited`` does
it and keeps the text it was edited from (``Loaded.cited``), so that a run of it records
its cited original and never passes for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from statecraft.scenario.errors import Problem, ScenarioError
from statecraft.scenario.load import Loaded, load_scenario_text
from statecraft.scenario.provenance import Cited, text_sha256
from statecraft.scenario.schema import Scenario
from statecraft.scenario.yamlsafe import YamlProblem, parse_yaml

Value = float | tuple[float, float]


@dataclass(frozen=True)
class StanceChange:
    """New values for one actor's stance on one issue (None leaves a value as it was)."""

    actor: str
    issue: str
    position: Value | None = None
    salience: Value | None = None


def _plain(value: Value) -> float | list[float]:
    if isinstance(value, tuple):
        low, high = value
        return float(low) if low == high else [float(low), float(high)]
    return float(value)


def with_stance_changes(text: str | bytes, filename: str,
                        changes: list[StanceChange]) -> str:
    """The scenario text with the changes applied; unknown stances are errors."""
    try:
        parsed = parse_yaml(text, filename)
    except YamlProblem as exc:
        raise ScenarioError([exc.problem]) from None
    data = parsed.data
    stances = data.get("stances") if isinstance(data, dict) else None
    if not isinstance(stances, list):
        raise ScenarioError([Problem(filename, 1, 1, ("stances",), "no list of stances")])
    where = {(s.get("actor"), s.get("issue")): s for s in stances if isinstance(s, dict)}
    problems = []
    for k, change in enumerate(changes):
        stance = where.get((change.actor, change.issue))
        if stance is None:
            problems.append(Problem(filename, None, None, ("changes", k),
                                    f"no stance of {change.actor!r} on {change.issue!r}"))
            continue
        if change.position is not None:
            stance["position"] = _plain(change.position)
        if change.salience is not None:
            stance["salience"] = _plain(change.salience)
    if problems:
        raise ScenarioError(problems)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def load_edited(text: str, name: str, changes: list[StanceChange], *,
                path: str | None = None, base_dir: Path | None = None,
                read_documents: bool = True, sources_dirs: Sequence[str | Path] = ()
                ) -> Loaded:
    """The scenario ``text`` (called ``name``) with ``changes`` applied, validated.

    When the changes change the text, the result knows what it was edited from
    (``Loaded.cited``: ``name``, ``path`` when the text is a file's, the text's SHA-256,
    the text and its scenario) and has no path of its own: it is not that file. The
    original is validated too (without opening its documents): its values are the cited
    ones shown beside the edits. Without changes, or with changes that leave the text as
    it was, the text is loaded as it is."""
    new = with_stance_changes(text, name, changes) if changes else text
    loaded = load_scenario_text(new, name, base_dir=base_dir, read_documents=read_documents,
                                sources_dirs=sources_dirs)
    if new == text:
        return loaded
    original = load_scenario_text(text, name, base_dir=base_dir, read_documents=False)
    cited = Cited(name, text_sha256(text), text, original.scenario, path)
    # the text says so itself, wherever it goes: a file saved from it keeps the quotes
    # beside values they do not support
    noted = edit_header(cited, loaded.scenario) + new
    loaded = load_scenario_text(noted, name, base_dir=base_dir,
                                read_documents=read_documents, sources_dirs=sources_dirs)
    return replace(loaded, cited=cited)


def edit_header(cited: Cited, used: Scenario) -> str:
    """YAML comments opening an edited scenario's text: what it was edited from (name and
    SHA-256) and each value that is not the cited one, which is what its sources support."""
    edits = cited.edits(used)
    lines = [f"Edited from {cited.name} (sha256 {cited.sha256}).",
             "Each value below differs from the cited one; the sources support the cited value."
             if edits else "No value differs from the cited scenario."]
    lines += [f"  {e.where}: {e.describe()}" for e in edits]
    return "".join("# " + line.replace("\r", " ").replace("\n", " ") + "\n" for line in lines)
