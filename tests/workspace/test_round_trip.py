"""A scenario opened in the workspace, saved and opened again is the same document, and
the saved YAML gets the same ``validate --strict`` result as the file it came from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from statecraft.api import workspace as ws
from statecraft.api.loading import bundled_sources_dirs
from statecraft.scenario import ScenarioError, load_scenario, load_scenario_text
from statecraft.scenario.document import (
    data_from_document,
    document_from_data,
    document_yaml,
)
from statecraft.scenario.errors import format_path
from statecraft.scenario.load import bundled_scenarios_dir
from statecraft.scenario.xlsx import dump_yaml, yaml_ready
from statecraft.scenario.yamlsafe import parse_yaml
from tests.conftest import DATA, REPO
from tests.workbench.test_xlsx_property import scenarios

BUNDLED = sorted(p.name for p in bundled_scenarios_dir().glob("*.yaml"))
TEST_SCENARIOS = [DATA / n for n in ("small.yaml", "swap.yaml", "entry.yaml")]
QUESTION_FILES = [REPO / "questions" / "south-caucasus-2021.yaml",
                  DATA / "small-questions.yaml", DATA / "small-resolved.yaml"]


def _strict_result(load: Any) -> tuple[bool, set[tuple[str, str]]]:
    """Whether a strict load passes, and its errors by (field path, severity)."""
    try:
        load()
    except ScenarioError as exc:
        return False, {(format_path(p.path), p.severity) for p in exc.problems
                       if p.severity == "error"}
    return True, set()


def _saved_then_opened(doc: dict[str, Any], questions: dict[str, Any] | None = None
                       ) -> tuple[ws.WorkspaceSaved, ws.WorkspaceDocuments]:
    saved = ws.workspace_save(doc, questions)
    again = ws.workspace_open(saved.scenario_yaml.encode("utf-8"), saved.filename)
    return saved, again


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_scenario_saves_and_opens_as_the_same_document(name: str) -> None:
    started = ws.workspace_start(f"bundled:{name}")
    assert started.scenario is not None and started.check.ok, started.check.problems
    # its documents' texts are inlined: none is named by a path any more
    documents = [s for s in started.scenario["sources"] if "text" in s or "path" in s]
    assert documents and all("path" not in s for s in documents)
    saved, again = _saved_then_opened(started.scenario, started.questions)
    assert saved.check.ok
    assert again.scenario == started.scenario
    assert again.check == ws.workspace_check(started.scenario)
    # the same strict result as the bundled file, its quotes read from their files
    original = _strict_result(lambda: load_scenario(
        bundled_scenarios_dir() / name, strict=True, sources_dirs=bundled_sources_dirs()))
    assert _strict_result(lambda: load_scenario_text(saved.scenario_yaml, "saved.yaml",
                                                     strict=True)) == original
    assert saved.strict_ok == original[0]
    # and the questions too
    assert started.questions is not None and saved.questions_yaml is not None
    reopened = ws.workspace_open(saved.questions_yaml.encode(), "q.yaml", "questions")
    assert reopened.questions == started.questions and reopened.scenario is None


@pytest.mark.parametrize("path", TEST_SCENARIOS, ids=lambda p: p.name)
def test_a_test_scenario_saves_and_opens_as_the_same_document(path: Path) -> None:
    opened = ws.workspace_open(path.read_bytes(), path.name)
    assert opened.scenario is not None
    saved, again = _saved_then_opened(opened.scenario)
    assert again.scenario == opened.scenario
    assert again.check == opened.check
    original = _strict_result(lambda: load_scenario(path, strict=True))
    assert _strict_result(lambda: load_scenario_text(saved.scenario_yaml, "saved.yaml",
                                                     strict=True)) == original


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_a_questions_file_saves_and_opens_as_the_same_document(path: Path) -> None:
    opened = ws.workspace_open(path.read_bytes(), path.name, "questions")
    assert opened.questions is not None and opened.check.ok, opened.check.problems
    text = document_yaml(opened.questions, "questions")
    again = ws.workspace_open(text.encode(), "again.yaml", "questions")
    assert again.questions == opened.questions


def test_dates_and_scale_points_are_json_in_the_document_and_yaml_in_the_file() -> None:
    data = parse_yaml((DATA / "small.yaml").read_text(), "small.yaml").data
    data["as_of"] = dt.date(2021, 10, 1)
    doc = document_from_data(data)
    issue = doc["issues"][0]
    assert isinstance(issue, dict) and all(isinstance(k, str) for k in issue["scale"])
    assert doc["as_of"] == "2021-10-01"
    back = data_from_document(doc)
    assert back["as_of"] == dt.date(2021, 10, 1)
    assert back["issues"][0]["scale"] == data["issues"][0]["scale"]
    assert "as_of: 2021-10-01\n" in document_yaml(doc)
    # a text field holding a date-like text stays text
    doc["description"] = "2021-10-01"
    assert parse_yaml(document_yaml(doc), "x").data["description"] == "2021-10-01"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_generated_scenario_round_trips_as_a_document(data: dict[str, Any]) -> None:
    doc = document_from_data(data)
    text = document_yaml(doc)
    again = document_from_data(parse_yaml(text, "again.yaml").data)
    assert again == doc
    # and the validator says the same of the document as of the data it came from
    before = _strict_result(lambda: load_scenario_text(dump_yaml(yaml_ready(data)), "a.yaml",
                                                       strict=True))
    after = _strict_result(lambda: load_scenario_text(text, "b.yaml", strict=True))
    assert before == after
