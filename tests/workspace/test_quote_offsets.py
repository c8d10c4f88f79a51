"""Quote suggestions' offsets come from where the splitter found each sentence, so that
they are right for sentences that look alike and cost no search of the text."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from statecraft.analysis.quotes import issue_keywords, split_sentences
from statecraft.api import LimitError
from statecraft.api import workspace as ws


def _doc(text: str, name: str = "usa", question: str = "q") -> dict[str, Any]:
    return {"name": "x", "as_of": "2024-01-01",
            "sources": [{"id": "s", "kind": "document", "text": text}],
            "actors": [{"id": "usa", "name": name}],
            "issues": [{"id": "q", "question": question}], "stances": []}


def _squeezed(span: str) -> str:
    return " ".join(span.split())


def test_each_sentence_carries_its_span_in_the_text() -> None:
    text = ("# Heading\r\n\r\nAlpha said on Monday that the border\n"
            "must stay closed.  Beta disagreed!\u2028Gamma cared.\n\n"
            "- Alpha's ministers want it.\n> Quoted first line\n> continues here. Last.\n")
    found = split_sentences(text)
    spans = [(s.text, text[s.start:s.end]) for s in found
             if s.start is not None and s.end is not None]
    assert len(spans) == len(found)
    assert spans == [
        ("Heading", "Heading"),
        ("Alpha said on Monday that the border must stay closed.",
         "Alpha said on Monday that the border\nmust stay closed."),
        ("Beta disagreed!", "Beta disagreed!"),
        ("Gamma cared.", "Gamma cared."),
        ("Alpha's ministers want it.", "Alpha's ministers want it."),
        # a continuation line's marker stays inside the span, as in the text
        ("Quoted first line continues here.", "Quoted first line\n> continues here."),
        ("Last.", "Last."),
    ]


def test_a_sentence_that_matches_an_earlier_one_on_its_line_gets_its_own_offsets() -> None:
    # "Alpha - said yes." read with its dash taken for a list marker is "Alpha said
    # yes.": a search from the line's start found the first sentence for the second
    text = "Intro. Alpha - said yes. Alpha said yes. Then Alpha left."
    got = ws.workspace_quotes(_doc(text, name="Alpha"), "s", "usa", None, 10)
    assert {s.sentence for s in got.suggestions} == {
        "Alpha - said yes.", "Alpha said yes.", "Then Alpha left."}
    for s in got.suggestions:
        assert text[s.start:s.end] == s.sentence


def test_long_near_identical_sentences_on_one_line_get_exact_offsets() -> None:
    # the shape that took 72 s when each sentence was searched for by a regex of its words
    text = "".join("a " * 4900 + f"usa {i}. " for i in range(10))
    got = ws.workspace_quotes(_doc(text), "s", "usa", None, 50)
    assert len(got.suggestions) == 10
    for s in got.suggestions:
        assert text[s.start:s.end] == s.sentence
    spans = sorted((s.start, s.end) for s in got.suggestions)  # pieces of 10,000 at most
    assert spans[0][0] == 0 and all(e <= b for (_, e), (b, _) in pairwise(spans))


def test_a_text_over_the_limit_is_refused_before_it_is_split(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ws, "MAX_QUOTES_TEXT", 1_000)
    with pytest.raises(LimitError, match=r"1,001 characters.*at most 1,000"):
        ws.workspace_quotes(_doc("usa. " * 200 + "x"), "s", "usa", None, 5)
    assert ws.workspace_quotes(_doc("usa. " * 200), "s", "usa", None, 5).suggestions
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app
    client = TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000",
                        headers={"Origin": "http://127.0.0.1:8000"})
    got = client.post("/api/workspace/quotes", json={
        "scenario": _doc("usa. " * 200 + "x"), "source": "s", "actor": "usa"})
    assert got.status_code == 413 and "at most 1,000" in got.json()["detail"]


def test_a_number_of_any_length_in_an_issue_is_a_keyword_not_an_error() -> None:
    assert issue_keywords(["9" * 5_000 + " 07 100 border"]) == ["9" * 5_000, "100", "border"]
    text = "The usa wants a border. The usa said " + "9" * 5_000 + "."
    got = ws.workspace_quotes(_doc(text, question="9" * 5_000), "s", "usa", "q", 5)
    assert got.suggestions[0].sentence.endswith("9" * 5_000 + ".")
