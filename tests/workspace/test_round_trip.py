"""A scenario opened in the workspace, saved and opened again is the same document, and
the saved YAML gets the same ``validate --strict`` result as the file it came from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statecraft.api import workspace as ws
from statecraft.api.loading import bundled_sources_dirs
from statecraft.scenario import ScenarioError, load_scenario, load_scenario_text
from statecraft.scenario.controls import first_unsafe
from statecraft.scenario.document import (
    DocumentError,
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


_WORDS = st.lists(st.text(st.characters(codec="utf-8", categories=("L", "N", "P")),
                          min_size=1, max_size=8).filter(
                              lambda w: any(c.isalnum() for c in w)), min_size=3, max_size=40)


@st.composite
def documents_with_texts(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """A scenario document whose one document source holds its text, with stances citing
    runs of its words (joined by spaces, tabs or line breaks in the text)."""
    words = draw(_WORDS)
    gaps = [draw(st.sampled_from([" ", "  ", "\n", "\t", "\n\n"])) for _ in words[1:]]
    text = words[0] + "".join(g + w for g, w in zip(gaps, words[1:], strict=True))
    quotes = []
    for _ in range(2):
        start = draw(st.integers(0, len(words) - 1))
        end = draw(st.integers(start + 1, len(words)))
        quotes.append(" ".join(words[start:end]))
    doc = {
        "name": "Generated", "as_of": "2021-10-01",
        "sources": [{"id": "doc", "kind": "document", "title": "Text", "text": text}],
        "actors": [{"id": f"a{k}", "name": f"A{k}", "kind": "state", "capability": 1}
                   for k in range(2)],
        "issues": [{"id": "i", "question": "Q?", "scale": {"0": "a", "62.5": "b",
                                                           "100": "c"},
                    "status_quo": 50}],
        "stances": [{"actor": f"a{k}", "issue": "i", "position": [10, 20], "salience": 0.5,
                     "source": {"doc": "doc", "quote": q}} for k, q in enumerate(quotes)],
    }
    return doc, quotes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_with_texts())
def test_a_document_holding_its_text_saves_opens_and_checks_its_quotes(
        drawn: tuple[dict[str, Any], list[str]]) -> None:
    doc, _ = drawn
    text = doc["sources"][0]["text"]
    if first_unsafe(text) is not None or not text.strip():
        return  # refused as any text with such characters is (tested elsewhere)
    saved, again = _saved_then_opened(doc)
    assert again.scenario == doc
    assert [p.path for p in saved.check.problems] == []
    loaded = load_scenario_text(saved.scenario_yaml, "g.yaml", read_documents=False)
    assert loaded.quotes_checked == 2
    # a quote the text does not hold is an error at that quote
    doc["stances"][1]["source"]["quote"] = text.replace("\n", " ") + " and more"
    assert [p.path for p in ws.workspace_check(doc).problems] == ["stances[1].source.quote"]


def test_a_scale_point_written_twice_is_refused_by_its_issue() -> None:
    doc = {"issues": [{"id": "i", "scale": {"50": "half", "50.0": "also half"}}]}
    with pytest.raises(DocumentError, match=r"^issues\[0\]\.scale: the point 50 is named "
                                            "twice"):
        data_from_document(doc)
