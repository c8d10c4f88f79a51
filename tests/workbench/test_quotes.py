"""statecraft quotes: sentences of a source that mention an actor (and an issue), ranked,
each with its line, each a quote the scenario's quote check accepts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.analysis.quotes import (
    Sentence,
    actor_terms,
    demonyms,
    issue_keywords,
    rank_sentences,
    split_sentences,
)
from statecraft.cli import app
from statecraft.files import InputFileError
from statecraft.scenario.quotes import QuoteIndex, normalise
from statecraft.scenario.refs import DocRef
from tests.conftest import DATA, REPO

runner = CliRunner()

MARKDOWN = """# Notes on the talks

## What Alpha wants

Alpha said on Monday that the border
must stay closed. Beta disagreed! Did Gamma care?

- Alpha's ministers want a *permanent* closure.
- Nobody asked the Betans.

> "Alpha will never reopen it," an official said. Gamma kept quiet.

```
Alpha inside a code block is not a sentence.
```

The U.S. envoy met us. 12 delegates attended.
"""


def test_sentences_keep_their_lines_and_pass_the_quote_check() -> None:
    found = split_sentences(MARKDOWN)
    assert [(s.line, s.text) for s in found] == [
        (1, "Notes on the talks"),
        (3, "What Alpha wants"),
        (5, "Alpha said on Monday that the border must stay closed."),
        (6, "Beta disagreed!"),
        (6, "Did Gamma care?"),
        (8, "Alpha's ministers want a *permanent* closure."),
        (9, "Nobody asked the Betans."),
        (11, '"Alpha will never reopen it," an official said.'),
        (11, "Gamma kept quiet."),
        (17, "The U.S. envoy met us."),  # no cut before a lower-case word
        (17, "12 delegates attended."),
    ]
    index = QuoteIndex(MARKDOWN)
    assert all(index.contains(s.text) for s in found)


def test_every_sentence_of_the_bundled_article_is_a_checkable_quote(article_path: Path
                                                                    ) -> None:
    text = article_path.read_text(encoding="utf-8")
    index = QuoteIndex(text)
    found = split_sentences(text)
    assert len(found) > 100
    assert [s.text for s in found if not index.contains(s.text)] == []
    lines = text.splitlines()
    for s in found:  # each starts on the line it names
        assert normalise(s.text.split()[0]) in normalise(lines[s.line - 1])


def test_terms_and_demonyms() -> None:
    assert demonyms("Russia") == ["Russian"]
    assert demonyms("Azerbaijan") == ["Azerbaijani"]
    assert demonyms("Turkey") == ["Turkish", "Turk", "Türkiye"]
    assert demonyms("Atlantis Federation") == []
    assert actor_terms("Russia", "rus", ["Moscow", "russia"]) == [
        "Russia", "Moscow", "rus", "Russian"]
    assert issue_keywords(["peace_keepers", "How long do troops stay?", "0: none"]) == [
        "peace", "keeper", "troop", "stay", "none"]


def test_ranking_by_keywords_then_mentions_then_order() -> None:
    sentences = [Sentence(1, "Alpha met Beta."),
                 Sentence(2, "Alpha wants the border closed for good."),
                 Sentence(3, "Nobody mentions the actor here, only the border."),
                 Sentence(4, "Alpha and the Alphan army and Alpha again."),
                 Sentence(5, "Alpha met Beta."),
                 Sentence(6, "The US and us.")]
    ranked = rank_sentences(sentences, actor_terms("Alpha"), ["border", "closed"])
    assert [c.line for c in ranked] == [2, 4, 1]  # 5 repeats 1; 3 names no actor
    assert ranked[0].keywords == ("border", "closed")
    assert ranked[1].actor_terms == ("Alpha", "Alphan")
    assert [c.line for c in rank_sentences(sentences, actor_terms("Alpha"))] == [4, 1, 2]
    us = rank_sentences(sentences, actor_terms("United States"))
    assert [(c.line, c.actor_terms) for c in us] == [(6, ("US",))]
    assert rank_sentences(sentences, ["us"])[0].score == 2  # lower case: both count


def test_russia_on_the_peacekeepers_ranks_a_cited_sentence_in_its_first_five(
        article_path: Path) -> None:
    loaded = api.load(REPO / "scenarios" / "south-caucasus-2021.yaml")
    stance = next(s for s in loaded.scenario.stances
                  if s.actor == "rus" and s.issue == "peacekeepers")
    cited = [normalise(r.quote) for r in stance.source or [] if isinstance(r, DocRef)]
    assert cited
    result = runner.invoke(app, ["quotes", str(article_path), "--actor", "Russia", "--issue",
                                 "peacekeepers", "--scenario",
                                 str(REPO / "scenarios" / "south-caucasus-2021.yaml"),
                                 "--top", "5", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["actor_id"] == "rus" and len(found["candidates"]) == 5
    assert "Russian" in found["terms"]
    assert "peacekeeper" in found["keywords"]
    assert "russian" not in found["keywords"]  # the question's 'Russian' is a mention
    texts = [normalise(c["text"]) for c in found["candidates"]]
    assert any(q in t or t in q for q in cited for t in texts)
    lines = article_path.read_text(encoding="utf-8").splitlines()
    for c in found["candidates"]:
        assert normalise(c["text"].split()[0]) in normalise(lines[c["line"] - 1])


def test_without_a_scenario_the_issue_is_its_words(tmp_path: Path) -> None:
    src = tmp_path / "notes.md"
    src.write_text(MARKDOWN, encoding="utf-8")
    found = api.suggest_quotes(src, "Alpha", issue="permanent closure", top=2)
    assert found.keywords == ("permanent", "closure")
    # the heading names Alpha too; with no keyword it ties with line 5 and comes first
    assert [c.line for c in found.candidates] == [8, 3]
    result = runner.invoke(app, ["quotes", str(src), "--actor", "Gamma"])
    assert result.exit_code == 0
    assert "1. line 6 (score 1.00): Did Gamma care?" in result.stdout
    assert "2. line 11 (score 1.00): Gamma kept quiet." in result.stdout


def test_bad_input_is_refused_naming_it(tmp_path: Path) -> None:
    src = tmp_path / "notes.md"
    src.write_text(MARKDOWN, encoding="utf-8")
    small = str(DATA / "small.yaml")
    unknown = runner.invoke(app, ["quotes", str(src), "--actor", "Delta", "--scenario", small])
    assert unknown.exit_code == 1
    assert "no actor 'Delta' in the scenario" in unknown.output
    assert "a (Alpha)" in unknown.output
    issue = runner.invoke(app, ["quotes", str(src), "--actor", "alpha", "--scenario", small,
                                "--issue", "z"])
    assert issue.exit_code == 1 and "no issue 'z'" in issue.output and "x, y" in issue.output
    assert runner.invoke(app, ["quotes", str(src), "--actor", "a", "--top", "0"]).exit_code == 2
    with pytest.raises(InputFileError, match="directory"):
        api.suggest_quotes(tmp_path, "Alpha")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.md")
        with pytest.raises(InputFileError, match="FIFO"):
            api.suggest_quotes(tmp_path / "pipe.md", "Alpha")


def test_the_scenario_names_the_actor_by_id_or_name(tmp_path: Path) -> None:
    src = tmp_path / "notes.md"
    src.write_text("Alpha spoke. The Gamma said no. Beta left.\n", encoding="utf-8")
    small = api.load(DATA / "small.yaml")
    by_id = api.suggest_quotes(src, "c", scenario=small)
    by_name = api.suggest_quotes(src, "gamma", scenario=small)
    assert by_id == by_name
    assert by_id.actor == "Gamma" and by_id.actor_id == "c"
    assert [c.text for c in by_id.candidates] == ["The Gamma said no."]


def test_an_over_long_sentence_is_cut_into_quotable_pieces() -> None:
    from statecraft.analysis.quotes import MAX_SENTENCE_CHARS
    words_ = " ".join(f"Alpha{n % 10} word" for n in range(300_000))  # ~3.3 MB, one line
    text = "Intro line.\n" + words_ + "\nmore on the next line " + "x" * 25_000 + "\n"
    sentences = split_sentences(text)
    assert sentences[0] == Sentence(1, "Intro line.")
    rest = sentences[1:]
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in rest)
    assert len(rest) > len(text) // MAX_SENTENCE_CHARS
    assert " ".join(s.text for s in rest).replace(" ", "") == text.split("\n", 1)[1].replace(
        "\n", "").replace(" ", "")
    # each piece keeps the line it starts on, and every piece is a quote of the text
    assert {s.line for s in rest} == {2, 3}
    assert rest[-1].line == 3 and set(rest[-1].text) == {"x"}
    index = QuoteIndex(text)
    assert all(index.contains(s.text) for s in rest[:50])
    ranked = rank_sentences(sentences, ["Alpha0"], top=3)
    assert ranked and all(len(c.text) <= MAX_SENTENCE_CHARS for c in ranked)


def test_a_long_block_of_many_lines_is_split_in_linear_time() -> None:
    import time
    line = "Alpha said the border stays shut. Beta said it opens. " * 10
    text = "\n".join([line] * 5_000)  # one block: 5,000 lines, 100,000 sentences
    began = time.perf_counter()
    sentences = split_sentences(text)
    ranked = rank_sentences(sentences, ["Alpha"], ["border"], top=5)
    assert time.perf_counter() - began < 10  # a generous bound; it grew with lines x sentences
    assert len(sentences) == 100_000
    assert [s.line for s in sentences[:21]] == [1] * 20 + [2]
    assert sentences[-1] == Sentence(5_000, "Beta said it opens.")
    assert [c.line for c in ranked] == [1]  # the others repeat it word for word


def test_when_no_sentence_holds_a_keyword_it_says_the_ranking_is_by_the_actor_alone(
        tmp_path: Path) -> None:
    src = tmp_path / "notes.md"
    src.write_text(MARKDOWN, encoding="utf-8")
    got = runner.invoke(app, ["quotes", str(src), "--actor", "Gamma", "--issue", "zebras"])
    assert got.exit_code == 0
    said = " ".join(got.output.split())
    assert ("none of these holds a keyword of zebras: they are ranked by their mentions of "
            "Gamma alone") in said, said
    matched = runner.invoke(app, ["quotes", str(src), "--actor", "Alpha", "--issue",
                                  "permanent closure"])
    assert "none of these holds a keyword" not in matched.output
