"""Scenario files: the format (pydantic), loading and validation, compiling to arrays."""

from statecraft.scenario.compile import midpoint, to_model_inputs
from statecraft.scenario.errors import Problem, ScenarioError
from statecraft.scenario.load import Loaded, load_scenario, load_scenario_text
from statecraft.scenario.refs import DatasetRef, DocRef, JudgmentRef
from statecraft.scenario.schema import (
    Actor,
    Issue,
    Scenario,
    Source,
    Stance,
    json_schema,
)

__all__ = [
    "Actor",
    "DatasetRef",
    "DocRef",
    "Issue",
    "JudgmentRef",
    "Loaded",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Source",
    "Stance",
    "json_schema",
    "load_scenario",
    "load_scenario_text",
    "midpoint",
    "to_model_inputs",
]
