"""Property: any small valid scenario survives YAML -> .xlsx -> YAML unchanged."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from statecraft.scenario import Scenario, ScenarioError, load_scenario_text
from statecraft.scenario.xlsx import dump_yaml, scenario_to_xlsx, xlsx_to_data, yaml_ready

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn")),
                min_size=1, max_size=12).filter(lambda s: s.strip() != "")
_IDS = st.from_regex(r"[a-z][a-z0-9_-]{0,5}", fullmatch=True)


def _number(lo: float, hi: float) -> st.SearchStrategy[Any]:
    value = st.one_of(st.integers(math.ceil(lo), int(hi)),
                      st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    pair = st.tuples(value, value).map(lambda p: sorted(p))
    return st.one_of(value, pair)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    source_ids = draw(st.lists(_IDS, max_size=3, unique=True))
    sources = []
    for sid in source_ids:
        kind = draw(st.sampled_from([None, "document", "dataset", "judgment"]))
        src: dict[str, Any] = {"id": sid}
        if kind == "judgment":
            src |= {"kind": kind, "author": draw(_TEXT), "rationale": draw(_TEXT),
                    "date": draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))}
        else:
            if kind is not None:
                src["kind"] = kind
            src["title"] = draw(_TEXT)
            if draw(st.booleans()):
                src["url"] = draw(_TEXT)
            if draw(st.booleans()):
                src["year"] = draw(st.integers(1800, 2200))
        if draw(st.booleans()):
            src["note"] = draw(_TEXT)
        sources.append(src)

    def cite() -> list[dict[str, str]] | None:
        out = []
        for src in draw(st.lists(st.sampled_from(sources), max_size=2)) if sources else []:
            kind = src.get("kind")
            if kind == "judgment":
                out.append({"judgment": src["id"], "note": draw(_TEXT)})
            elif kind == "document" or (kind is None and "url" not in src
                                        and draw(st.booleans())):
                out.append({"doc": src["id"], "quote": draw(_TEXT)})
            else:
                out.append({"dataset": src["id"]})
        return out or None

    actor_ids = draw(st.lists(_IDS, min_size=1, max_size=3, unique=True))
    issue_ids = draw(st.lists(_IDS, min_size=1, max_size=2, unique=True))
    actors = [{"id": a, "name": draw(_TEXT),
               "kind": draw(st.sampled_from(["state", "organisation", "non-state"])),
               "capability": draw(_number(1e-6, 1e12)), "source": cite()} for a in actor_ids]
    issues = [{"id": i, "question": draw(_TEXT),
               "scale": {0: draw(_TEXT), **draw(st.dictionaries(
                   st.floats(0, 100, exclude_min=True, exclude_max=True), _TEXT,
                   min_size=1, max_size=3)), 100: draw(_TEXT)},
               "status_quo": draw(st.floats(0, 100)), "note": draw(st.none() | _TEXT)}
              for i in issue_ids]
    stances = [{"actor": a, "issue": i, "position": draw(_number(0, 100)),
                "salience": draw(_number(0.01, 1)), "source": cite()}
               for a in actor_ids for i in issue_ids if draw(st.booleans())]
    assume(stances)
    data = {"name": draw(_TEXT), "sources": sources, "actors": actors, "issues": issues,
            "stances": stances}
    if draw(st.booleans()):
        data["as_of"] = draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))
    if draw(st.booleans()):
        data["description"] = draw(_TEXT)
    return {k: ([{f: v for f, v in x.items() if v is not None} for x in val]
                if isinstance(val, list) else val) for k, val in data.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_survive_the_round_trip(data: dict[str, Any]) -> None:
    try:
        scenario = Scenario.model_validate(data)
        loaded = load_scenario_text(dump_yaml(yaml_ready(data)), "gen.yaml",
                                    read_documents=False)
    except (ValidationError, ScenarioError):
        assume(False)
        raise
    assert loaded.scenario == scenario
    found = xlsx_to_data(scenario_to_xlsx(scenario), "gen.xlsx")
    back = load_scenario_text(dump_yaml(yaml_ready(found.data)), "back.yaml",
                              read_documents=False)
    assert back.scenario == scenario
    assert [(p.severity, p.path, p.message) for p in back.warnings] == [
        (p.severity, p.path, p.message) for p in loaded.warnings]
