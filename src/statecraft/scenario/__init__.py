"""Scenario files: the format (pydantic), loading and validation, compiling to arrays.

The names below are imported on first use (``statecraft._lazy``): checking a file
(``statecraft validate``) never compiles it, so it does not import NumPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statecraft._lazy import attach

if TYPE_CHECKING:
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

if not TYPE_CHECKING:  # mypy reads the names above; an unknown one is an error
    __getattr__, __dir__ = attach(__name__, __file__)
