"""Changing stance values in a scenario's text, for what-if runs (the web app's controls).

Edits are made on the parsed document and the result written back as YAML, so every
other part of the file (sources, options, rules) is kept as it was; comments are not.
The caller validates the new text like any other scenario file.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from statecraft.scenario.errors import Problem, ScenarioError
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
