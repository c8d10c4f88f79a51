"""Loading and validating scenario files: valid files load, every bad input is located."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from statecraft.scenario import ScenarioError, load_scenario, load_scenario_text, to_model_inputs
from tests.conftest import DATA

QUOTE = "Another clear winner was Russia."


def scenario_text(doc_path: str = "article.md", quote: str = QUOTE, position: str = "80",
                  salience: str = "0.9", stance_issue: str = "peacekeepers",
                  issue_id_line: str = "  - id: peacekeepers") -> str:
    """A small valid scenario; keyword arguments break one thing at a time.

    Line numbers (1-based) used by the tests: issue id on line 9, the stance's issue on
    line 15, position on 16, salience on 17, quote on 18.
    """
    rus_source = f'{{doc: article, quote: "{QUOTE}"}}'
    return textwrap.dedent(f"""\
        name: Test
        sources:
          - {{id: article, kind: document, title: The article, path: "{doc_path}"}}
        actors:
          - {{id: rus, name: Russia, kind: state, capability: 7.85, source: {rus_source}}}
          - {{id: aze, name: Azerbaijan, kind: state, capability: 1.5}}
        issues:
        # the issue
        {issue_id_line}
            question: How long do Russian peacekeepers stay?
            scale: {{0: "withdrawn by 2024", 40: "at the end", 60: "extended", 100: "permanent"}}
            status_quo: 60
        stances:
          - actor: rus
            issue: {stance_issue}
            position: {position}
            salience: {salience}
            source: {{doc: article, quote: "{quote}"}}
          - {{actor: aze, issue: peacekeepers, position: 20, salience: 0.8}}
        """)


def load_text(tmp_path: Path, text: str, article: Path | None = None, **kw: bool) -> object:
    if article is not None:
        (tmp_path / "article.md").write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    f = tmp_path / "scenario.yaml"
    f.write_text(text, encoding="utf-8")
    return load_scenario(f, **kw)


def only_error(exc: pytest.ExceptionInfo[ScenarioError]) -> str:
    errors = [p for p in exc.value.problems if p.severity == "error"]
    assert len(errors) == 1, [str(p) for p in errors]
    return str(errors[0])


def test_small_scenario_loads_and_compiles() -> None:
    loaded = load_scenario(DATA / "small.yaml", strict=True)
    sc = loaded.scenario
    assert [a.id for a in sc.actors] == ["a", "b", "c"]
    inputs = to_model_inputs(sc)
    assert inputs.position.shape == (1, 3, 2)
    # c's salience on x is the range [0.2, 0.6]: its midpoint is used
    assert inputs.salience[0, 2, 0] == pytest.approx(0.4)
    # a's position on y is the range [10, 30]
    assert inputs.position[0, 0, 1] == pytest.approx(20.0)
    # c takes no stance on y: absent, not merely silent
    assert not inputs.present[2, 1] and inputs.salience[0, 2, 1] == 0
    np.testing.assert_array_equal(inputs.status_quo, [50.0, 0.0])


def test_valid_text_with_real_quote(tmp_path: Path, article_path: Path) -> None:
    loaded = load_text(tmp_path, scenario_text(), article_path)
    assert loaded.notes == ("source 'article': quotes checked against article.md",)  # type: ignore[attr-defined]
    # aze's stance and capability have no source: warnings only
    assert len(loaded.warnings) == 2  # type: ignore[attr-defined]


def test_wrong_quote_is_located(tmp_path: Path, article_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(quote="Another clear loser was Russia."), article_path)
    msg = only_error(exc)
    assert msg.startswith(f"{tmp_path / 'scenario.yaml'}:18:")
    assert "stances[0].source.quote" in msg
    assert "'Another clear loser was Russia.'" in msg and "word for word" in msg


def test_quote_check_forgives_whitespace_and_typography(tmp_path: Path, article_path: Path) -> None:
    # The article writes ‘othering of Russia’ with typographic quotes and breaks lines.
    quote = "the appearance of a certain \\\"othering  of Russia\\\" due to"
    load_text(tmp_path, scenario_text(quote=quote), article_path)


def test_quote_unchecked_when_document_absent(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, scenario_text(quote="Not in any article."))
    assert "its quotes were not checked" in loaded.notes[0]  # type: ignore[attr-defined]


def test_position_120(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(position="120"))
    msg = only_error(exc)
    assert ":16:" in msg and "stances[0].position" in msg
    assert "found 120" in msg and "from 0 to 100" in msg


def test_salience_minus_one(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(salience="-1"))
    msg = only_error(exc)
    assert ":17:" in msg and "stances[0].salience" in msg
    assert "found -1" in msg and "from 0 to 1" in msg


def test_stance_on_unknown_issue(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(stance_issue="peacekeeper"))
    msg = only_error(exc)
    assert ":15:" in msg and "stances[0].issue" in msg
    assert "found 'peacekeeper'" in msg and "issues (peacekeepers)" in msg


def test_issue_without_id(tmp_path: Path) -> None:
    text = scenario_text(issue_id_line="  - idd: peacekeepers")
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, text)
    messages = [str(p) for p in exc.value.problems]
    assert any(":9:" in m and "issues[0].id: missing field 'id'" in m for m in messages)
    assert any("unknown field 'idd'" in m for m in messages)
    # both stances now point at an issue that does not exist
    assert sum("stances[" in m and "issues (none)" in m for m in messages) == 2


def test_all_errors_reported_at_once(tmp_path: Path, article_path: Path) -> None:
    text = scenario_text(position="120", salience="-1", quote="Invented words.")
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, text, article_path)
    lines = sorted(p.line for p in exc.value.problems if p.severity == "error")
    assert lines == [16, 17, 18]


def test_strict_makes_missing_sources_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(), strict=True)
    messages = [str(p) for p in exc.value.problems]
    assert len(messages) == 3
    # the article is absent: its quotes cannot be checked, and strict means checked
    assert any(":3:" in m and "sources[0].path" in m
               and f"text not found at {tmp_path / 'article.md'}" in m for m in messages)
    assert any(":6:" in m and "actor 'aze' has no source" in m for m in messages)
    assert any(":19:" in m and "stance of 'aze' on 'peacekeepers' has no source" in m
               for m in messages)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a\n- b\n", "expected a mapping"),
        ("name: a\nname: b\n", "duplicate key 'name'"),
        ("name: !!python/object:os.system ls\n", "not valid YAML"),
    ],
)
def test_unusable_yaml(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, "f.yaml")
    assert needle in str(exc.value)


def test_non_utf8_bytes() -> None:
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario_text(b"name: \xff\xfe", "f.yaml")


def test_alias_bomb_is_capped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(ScenarioError, match="expands to more than"):
        load_scenario_text("\n".join(lines), "bomb.yaml")


def test_duplicate_ids_and_pairs() -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("id: c, name: Gamma", "id: b, name: Gamma")
    text = text.replace("actor: c, issue: x", "actor: b, issue: x")
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, "dup.yaml")
    messages = [str(p) for p in exc.value.problems]
    assert any("duplicate id 'b' in actors" in m for m in messages)
    assert any("a second stance of 'b' on 'x'" in m for m in messages)


def test_all_zero_salience_is_refused() -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("position: [10, 30], salience: 0.5", "position: [10, 30], salience: 0")
    text = text.replace("position: 80, salience: 1.0", "position: 80, salience: 0.0")
    with pytest.raises(ScenarioError, match="every salience on issue 'y' is 0"):
        load_scenario_text(text, "zero.yaml")


def test_failed_file_is_never_partly_used(tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ScenarioError):
        load_scenario_text(scenario_text(position="120"), "x.yaml", base_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
