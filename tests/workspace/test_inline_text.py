"""A document source's text held in the scenario (``text``): checked as a file's text is,
refused where it does not belong, kept through the workbook."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from statecraft.scenario import ScenarioError, load_scenario_text
from statecraft.scenario.errors import format_path
from statecraft.scenario.schema import MAX_DOCUMENT_BYTES, Source
from statecraft.scenario.xlsx import (
    WorkbookError,
    dump_yaml,
    scenario_to_xlsx,
    text_parts,
    xlsx_to_data,
)

ARTICLE = ("Russia wants its peacekeepers to stay in Karabakh.\n\n"
           "Armenia\tdepends on them;\nAzerbaijan wants them gone by 2025.")


def _data(quote_rus: str = "peacekeepers to stay", **source: Any) -> dict[str, Any]:
    src = {"id": "art", "kind": "document", "title": "Article", "text": ARTICLE, **source}
    return {
        "name": "Inline",
        "sources": [src, {"id": "sipri", "title": "SIPRI"}],
        "actors": [{"id": a, "name": a.title(), "kind": "state", "capability": 1,
                    "source": {"dataset": "sipri", "note": "n"}} for a in ("rus", "arm")],
        "issues": [{"id": "pk", "question": "Do they stay?",
                    "scale": {0: "gone", 50: "term", 100: "forever"}, "status_quo": 50}],
        "stances": [
            {"actor": "rus", "issue": "pk", "position": 90, "salience": 0.9,
             "source": {"doc": "art", "quote": quote_rus}},
            {"actor": "arm", "issue": "pk", "position": 70, "salience": 0.5,
             "source": {"doc": "art", "quote": "Armenia depends on them"}},
        ],
    }


def _problems(data: dict[str, Any], *, strict: bool = True) -> list[tuple[str, str]]:
    try:
        load_scenario_text(dump_yaml(data), "inline.yaml", strict=strict,
                           read_documents=False)
    except ScenarioError as exc:
        return [(format_path(p.path), p.message) for p in exc.problems
                if p.severity == "error"]
    return []


def test_quotes_are_checked_against_an_inline_text_under_strict() -> None:
    loaded = load_scenario_text(dump_yaml(_data()), "inline.yaml", strict=True,
                                read_documents=False)
    # the quote across a tab and a line break is found, as in a file
    assert loaded.quotes_checked == 2 and loaded.quotes_unchecked == 0
    assert loaded.scenario.sources[0].effective_kind == "document"


def test_a_wrong_quote_is_an_error_at_its_field_path() -> None:
    problems = _problems(_data("peacekeepers to leave"))
    assert problems == [("stances[0].source.quote", "found 'peacekeepers to leave'; expected "
                         "a passage found word for word in source 'art'")]


def test_a_text_and_a_path_together_are_refused() -> None:
    problems = _problems(_data(path="article.md"))
    assert [p for p, _ in problems] == ["sources[0]"]
    assert "either a path to the document's text or its text, not both" in problems[0][1]


@pytest.mark.parametrize("kind", ["dataset", "judgment"])
def test_only_a_document_holds_a_text(kind: str) -> None:
    extra = ({"author": "A", "date": "2021-01-01", "rationale": "r", "title": "J"}
             if kind == "judgment" else {})
    data = _data()
    data["sources"][1] = {"id": "sipri", "kind": kind, "text": "some text", **extra,
                          "title": "S"}
    problems = [(p, m) for p, m in _problems(data, strict=False) if p.startswith("sources")]
    assert [p for p, _ in problems] == ["sources[1]"]
    assert "without text" in problems[0][1]


def test_control_characters_are_refused_but_newlines_and_tabs_kept() -> None:
    data = _data()
    data["sources"][0]["text"] = ARTICLE + "\x1b[2J"
    problems = _problems(data)
    assert problems[0][0] == "sources[0].text" and "U+001B" in problems[0][1]


def test_an_empty_or_oversized_text_is_refused() -> None:
    data = _data()
    data["sources"][0]["text"] = "   \n "
    assert [p for p, _ in _problems(data, strict=False)] == ["sources[0].text"]
    # a text over the source-document limit (a scenario file, at most 2 MiB, cannot hold
    # one; a scenario made in Python can)
    with pytest.raises(ValidationError, match=f"at most {MAX_DOCUMENT_BYTES:,} bytes"):
        Source.model_validate({"id": "a", "title": "A", "text": "é" * (MAX_DOCUMENT_BYTES // 2
                                                                       + 1)})
    assert Source.model_validate({"id": "a", "title": "A", "text": "x" * 100}).is_document


def test_a_long_text_survives_the_workbook_in_pieces() -> None:
    text = ("Russia wants its peacekeepers to stay in Karabakh. " * 1500
            + "\n\nArmenia\tdepends on them;\n" + "é" * 40_000)
    data = _data()
    data["sources"][0]["text"] = text
    scenario = load_scenario_text(dump_yaml(data), "x.yaml").scenario
    found = xlsx_to_data(scenario_to_xlsx(scenario), "book.xlsx")
    assert found.data["sources"][0]["text"] == text
    back = load_scenario_text(dump_yaml(found.data), "back.yaml", strict=True)
    assert back.scenario == scenario and back.quotes_checked == 2


def test_a_text_row_naming_no_source_is_named_by_its_cell() -> None:
    import io

    import openpyxl

    scenario = load_scenario_text(dump_yaml(_data()), "x.yaml").scenario
    wb = openpyxl.load_workbook(io.BytesIO(scenario_to_xlsx(scenario)))
    wb["texts"]["A2"] = "nope"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(WorkbookError) as err:
        xlsx_to_data(out.getvalue(), "book.xlsx")
    assert err.value.problems == ["book.xlsx: texts!A2: found 'nope'; expected the id of a "
                                  "source on the sources sheet (art, sipri)"]


@given(st.text(st.sampled_from("ab \n\t"), min_size=1, max_size=60).filter(str.strip),
       st.integers(4, 20))
def test_text_parts_join_back_and_never_leave_a_blank_cell(text: str, size: int) -> None:
    text = text.strip()
    try:
        parts = text_parts(text, "t", size)
    except WorkbookError as exc:  # only a run of whitespace as long as a cell
        assert " " * size in text or any(
            not text[i:i + size].strip() for i in range(len(text))), exc
        return
    assert "".join(parts) == text
    assert all(len(p) <= size and p.strip() for p in parts)


def test_the_reports_sources_say_where_an_inline_text_is() -> None:
    from statecraft.report.build import _source_rows

    scenario = load_scenario_text(dump_yaml(_data()), "x.yaml").scenario
    assert _source_rows(scenario)["documents"][0]["where"] == "its text, held in the scenario"


def test_the_json_schema_says_what_the_validator_says_of_a_text() -> None:
    import jsonschema

    from statecraft.scenario import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    assert validator.is_valid(_data())
    for source in ({"path": "article.md"}, {"kind": "dataset"}):
        data = _data(**source)
        assert not validator.is_valid(data), source
        assert _problems(data, strict=False), source  # and the validator refuses it too
