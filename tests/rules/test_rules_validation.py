"""A bad rules section is reported problem by problem, each at its line in the file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from statecraft.scenario import ScenarioError, load_scenario
from tests.conftest import DATA

RULES = [
    {"id": "term", "text": "five years, renewing", "in_force_from": "2020-11-10",
     "term": {"years": 5, "renews_for_years": 5, "notice_months": 6}},
    {"id": "route", "text": "a new route within three years", "in_force_from": "2020-11-10",
     "due_within_months": 36},
]


def _write(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load((DATA / "entry.yaml").read_text())
    data["rules"] = copy.deepcopy(RULES)
    change(data)
    f = tmp_path / "rules.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


def test_good_rules_load(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, lambda d: None)).scenario
    assert [r.id for r in scenario.rules] == ["term", "route"]


def _response(d: dict[str, Any]) -> dict[str, Any]:
    option: dict[str, Any] = d["options"]["nodes"][1]["options"][0]
    return option


@pytest.mark.parametrize(("change", "needle"), [
    (lambda d: d["rules"][1].update(id="term"), "rules[1].id: duplicate id 'term'"),
    (lambda d: d["rules"][1].update(due="2019-01-01"),
     "rules[1].due: found '2019-01-01'; expected a date on or after in_force_from"),
    (lambda d: d["rules"][0].update(in_force_from="10 November 2020"), "rules[0].in_force_from"),
    (lambda d: d["rules"][0]["term"].update(years=0), "rules[0].term.years"),
    (lambda d: d["rules"][0].update(deadline="2021-01-01"), "rules[0].deadline"),
    (lambda d: _response(d).update(requires={"rule": "treaty"}),
     "options.nodes[1].options[0].requires.rule: found 'treaty'; expected the id of a rule"),
    (lambda d: _response(d).update(requires={"rule": "route", "while": "notice_open"}),
     "options.nodes[1].options[0].requires: rule 'route' has no notice period"),
])
def test_bad_rules_are_located(tmp_path: Path, change: Callable[[dict[str, Any]], None],
                               needle: str) -> None:
    f = _write(tmp_path, change)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    messages = [str(p) for p in exc.value.problems]
    hits = [m for m in messages if needle in m]
    assert hits, messages
    line = int(hits[0].split(":")[1])  # file:line:column: ...
    lines = f.read_text().splitlines()
    key = needle.split(":")[0].rsplit(".", 1)[-1].split("[")[0]
    # The line of the offending key, or of the first line of its value (a mapping).
    assert key in lines[line - 1] or f"{key}:" in lines[line - 2], (hits, line)
