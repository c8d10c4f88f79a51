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
    assert "2 quotes citing it not checked" in loaded.notes[0]  # type: ignore[attr-defined]


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


def test_an_alias_repeating_a_long_text_is_capped_by_its_characters() -> None:
    """A few values, each a long text: under the cap on values, but 100 KB of file named
    a 100,000-character text a thousand times, 100 MB once built."""
    import time

    from statecraft.scenario.yamlsafe import MAX_TEXT_CHARS, parse_yaml

    bomb = ("name: &a " + "x" * 100_000 + "\nas_of: 2021-01-01\nextra:\n"
            + "- *a\n" * 1000)
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=f"expands to more than {MAX_TEXT_CHARS:,} "
                                            "characters of text"):
        load_scenario_text(bomb, "bomb.yaml")
    assert time.perf_counter() - start < 5  # refused as it builds, not after
    # a file of that size without aliases is read whole
    plain = "name: " + "x" * (MAX_TEXT_CHARS - 100) + "\n"
    assert len(parse_yaml(plain, "plain.yaml").data["name"]) == MAX_TEXT_CHARS - 100


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


# ---- source documents stay with the scenario -------------------------------------------

def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every source document the loader opens."""
    import statecraft.scenario.load as load_module

    opened: list[Path] = []
    real = load_module._read_document

    def spy(path: Path) -> str:
        opened.append(path)
        return real(path)

    monkeypatch.setattr(load_module, "_read_document", spy)
    return opened


def _outside_path(kind: str, folder: Path) -> str:
    """A source path in ``folder``'s scenario that leads to /etc/passwd."""
    if kind == "symlink":
        (folder / "article.md").symlink_to("/etc/passwd")
        return "article.md"
    if kind == "dotdot":
        return "../" * (len(folder.parts) + 2) + "etc/passwd"
    return "/etc/passwd"


@pytest.mark.parametrize("kind", ["symlink", "dotdot", "absolute"])
def test_a_source_path_outside_the_scenarios_folder_is_never_opened(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _spy_reads(monkeypatch)
    path = _outside_path(kind, tmp_path)
    # were /etc/passwd read, this quote would not be found in it and loading would fail
    loaded = load_text(tmp_path, scenario_text(doc_path=path))
    assert opened == []
    assert (loaded.quotes_checked, loaded.quotes_unchecked) == (0, 2)  # type: ignore[attr-defined]
    warning = next(p for p in loaded.warnings if p.path == ("sources", 0, "path"))  # type: ignore[attr-defined]
    assert warning.severity == "warning" and warning.line == 3
    assert f"{path} resolves to /etc/passwd" in warning.message
    assert f"outside the folders source documents are read from ({tmp_path.resolve()})" \
        in warning.message
    assert "--sources-dir" in warning.message
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(doc_path=path), strict=True)
    assert opened == []
    errors = [str(p) for p in exc.value.problems if p.path == ("sources", 0, "path")]
    assert len(errors) == 1 and "error:" in errors[0] and "/etc/passwd" in errors[0]


def test_sources_dirs_allow_a_folder_outside_the_scenarios(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside, here = tmp_path / "library", tmp_path / "scenario"
    outside.mkdir()
    here.mkdir()
    (outside / "article.md").write_text(f"Before. {QUOTE} After.", encoding="utf-8")
    opened = _spy_reads(monkeypatch)
    text = scenario_text(doc_path="../library/article.md")
    loaded = load_text(here, text)
    assert opened == [] and loaded.quotes_checked == 0  # type: ignore[attr-defined]
    loaded = load_text(here, text, sources_dirs=[outside])  # type: ignore[arg-type]
    assert opened == [outside / "article.md"]
    assert (loaded.quotes_checked, loaded.quotes_unchecked) == (2, 0)  # type: ignore[attr-defined]
    assert loaded.warnings and all(p.path[0] == "actors" or p.path[0] == "stances"  # type: ignore[attr-defined]
                                   for p in loaded.warnings)  # type: ignore[attr-defined]
    # the text was really read: a quote it does not hold is an error
    with pytest.raises(ScenarioError, match="found word for word"):
        load_text(here, scenario_text(doc_path="../library/article.md", quote="Not there."),
                  sources_dirs=[outside])  # type: ignore[arg-type]


def test_a_symlink_inside_the_folder_to_a_file_inside_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "text.md").write_text(QUOTE, encoding="utf-8")
    (tmp_path / "article.md").symlink_to(tmp_path / "text.md")
    loaded = load_text(tmp_path, scenario_text())
    assert loaded.quotes_checked == 2  # type: ignore[attr-defined]


def test_text_from_elsewhere_never_opens_documents(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "article.md").write_text("nothing quoted here", encoding="utf-8")
    opened = _spy_reads(monkeypatch)
    loaded = load_scenario_text(scenario_text(), "s.yaml", base_dir=tmp_path,
                                read_documents=False)
    assert opened == [] and loaded.quotes_unchecked == 2
    assert "never opened" in loaded.notes[0]
    # a relative path with no folder to resolve it against is not read either
    loaded = load_scenario_text(scenario_text(), "s.yaml")
    assert opened == [] and any("no folder to resolve" in p.message for p in loaded.warnings)


def test_a_document_that_is_a_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "article.md").mkdir()
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text())
    assert "article.md: the source document is a directory; expected a regular file" \
        in only_error(exc)


# ---- strict means checked ----------------------------------------------------------------

def test_strict_needs_every_documents_text(tmp_path: Path, article_path: Path) -> None:
    # the same file with its article present passes strict but for the two unsourced values
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(), article_path, strict=True)
    assert all("sources[0]" not in str(p) for p in exc.value.problems)
    (tmp_path / "article.md").unlink()
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, scenario_text(), strict=True)
    found = [str(p) for p in exc.value.problems if p.path == ("sources", 0, "path")]
    assert found == [f"{tmp_path / 'scenario.yaml'}:3:61: error: sources[0].path: source "
                     f"'article': text not found at {tmp_path.resolve() / 'article.md'}; 2 "
                     "quotes citing it not checked (strict validation needs every quote checked "
                     "against its text)"]


def test_a_document_with_neither_path_nor_url(tmp_path: Path) -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8").replace(
        "sources:\n", "sources:\n  - {id: doc, kind: document, title: A speech}\n")
    loaded = load_scenario_text(text, "s.yaml")
    [warning] = loaded.warnings
    assert warning.path == ("sources", 0) and warning.line == 5
    assert "document 'doc' has neither a path to its text nor a url" in warning.message
    with pytest.raises(ScenarioError, match="neither a path to its text nor a url"):
        load_scenario_text(text, "s.yaml", strict=True)
    with_url = text.replace("title: A speech}", "title: A speech, url: 'https://example.org'}")
    assert load_scenario_text(with_url, "s.yaml", strict=True).warnings == ()


JUDGMENT = ("  - {id: my-view, kind: judgment, author: A. Analyst, date: 2021-11-01,\n"
            "     rationale: \"Beta's budget doubles Alpha's, by my reading of the press.\"}\n")


def _with_judgment(source: str = JUDGMENT,
                   ref: str = "{judgment: my-view, note: twice Alpha}") -> str:
    return (DATA / "small.yaml").read_text(encoding="utf-8").replace(
        "sources:\n", "sources:\n" + source).replace(
        "capability: 2, source: {dataset: notes}", f"capability: 2, source: {ref}")


def test_a_judgment_source_passes_strict() -> None:
    loaded = load_scenario_text(_with_judgment(), "s.yaml", strict=True)
    view = loaded.scenario.source("my-view")
    assert view is not None and view.effective_kind == "judgment"
    assert view.title == "Judgment of A. Analyst, 2021-11-01"
    assert [s.id for s in loaded.scenario.sources_by_kind()["judgment"]] == ["my-view"]
    assert [s.id for s in loaded.scenario.sources_by_kind()["dataset"]] == ["notes"]
    ref = loaded.scenario.actor("b").source[0]  # type: ignore[index]
    assert ref.source_id == "my-view" and ref.note == "twice Alpha"  # type: ignore[union-attr]
    # a bare reference without a note is enough
    load_scenario_text(_with_judgment(ref="{judgment: my-view}"), "s.yaml", strict=True)


@pytest.mark.parametrize(("source", "ref", "needle"), [
    (JUDGMENT.replace("rationale", "reasoning"), None, "unknown field 'reasoning'"),
    (JUDGMENT.replace(" date: 2021-11-01,", ""), None, "missing: date"),
    (JUDGMENT.replace("2021-11-01,", "2021-11-01, url: 'https://x.org',"), None,
     "a judgment without url"),
    (None, '{judgment: my-view, quote: "words"}', "unknown field 'quote'"),
    (None, '{doc: my-view, quote: "words"}', "a source of kind 'document' (it is 'judgment')"),
    (None, "{judgment: notes}", "a source of kind 'judgment' (it is 'dataset')"),
])
def test_a_judgment_is_checked_like_any_source(source: str | None, ref: str | None,
                                               needle: str) -> None:
    text = _with_judgment(*(x for x in (source or JUDGMENT, ref) if x is not None))
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, "s.yaml")
    assert needle in only_error(exc)


def test_the_json_schema_knows_judgments() -> None:
    import datetime as dt

    import jsonschema
    import yaml

    from statecraft.scenario import json_schema

    def as_json(v: object) -> object:
        if isinstance(v, dict):
            return {str(k): as_json(x) for k, x in v.items()}
        if isinstance(v, list):
            return [as_json(x) for x in v]
        return v.isoformat() if isinstance(v, dt.date) else v

    validator = jsonschema.Draft202012Validator(json_schema())
    good = as_json(yaml.safe_load(_with_judgment()))
    assert list(validator.iter_errors(good)) == []
    for bad in (_with_judgment(JUDGMENT.replace("rationale", "note")),
                _with_judgment(ref='{judgment: my-view, quote: "words"}')):
        assert list(validator.iter_errors(as_json(yaml.safe_load(bad))))


# ---- the validate command: strict, --sources-dir, the bundled scenario ------------------

def _validate(*args: str | Path) -> object:
    from typer.testing import CliRunner

    from statecraft.cli import app

    return CliRunner().invoke(app, ["validate", *map(str, args)])


def test_the_bundled_scenario_checks_its_quotes_against_the_shared_article(
        article_path: Path) -> None:
    from statecraft import api

    loaded = api.load(strict=True)
    assert loaded.quotes_checked > 100 and loaded.warnings == ()
    # only the quotes of the tripartite statement (a document with a url, no local text)
    # go unchecked
    tripartite = sum(1 for st in loaded.scenario.stances for r in st.source or []
                     if getattr(r, "doc", None) == "tripartite-2020")
    tripartite += sum(1 for rule in loaded.scenario.rules for r in rule.source or []
                      if getattr(r, "doc", None) == "tripartite-2020")
    assert loaded.quotes_unchecked == tripartite > 0
    result = _validate(api.default_scenario_path(), "--strict")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert (f"0 warnings); quotes: {loaded.quotes_checked} checked against their "
            f"documents, {tripartite} unchecked") in result.output  # type: ignore[attr-defined]


def test_strict_fails_a_copy_of_the_bundled_scenario_whose_path_is_broken(
        tmp_path: Path) -> None:
    from statecraft import api

    text = api.default_scenario_path().read_text(encoding="utf-8")
    broken = tmp_path / "copy.yaml"
    broken.write_text(text.replace("path: ../../shared/sources/",
                                   "path: ../../shared/source/"), encoding="utf-8")
    result = _validate(broken, "--strict")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    output = " ".join(result.output.split())  # type: ignore[attr-defined]
    assert f"{broken}:25:11: error: sources[0].path" in output
    assert "../../shared/source/valiyev-2021-end-of-the-war-but-no-peace.md" in output
    assert f"{broken}: not valid (1 error)" in output
    # not strict: valid, with a warning, and every quote counted as unchecked
    result = _validate(broken)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "1 warning); quotes: 0 checked" in " ".join(result.output.split())  # type: ignore[attr-defined]


def test_sources_dir_on_the_command_line(tmp_path: Path) -> None:
    library, here = tmp_path / "library", tmp_path / "scenario"
    library.mkdir()
    here.mkdir()
    (library / "article.md").write_text(QUOTE, encoding="utf-8")
    f = here / "s.yaml"
    f.write_text(scenario_text(doc_path="../library/article.md"), encoding="utf-8")
    result = _validate(f, "--strict")
    assert result.exit_code == 1 and "outside the folders" in result.output  # type: ignore[attr-defined]
    result = _validate(f, "--json", "--sources-dir", tmp_path / "elsewhere",
                       "--sources-dir", library)
    import json

    data = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert data["valid"] is True and data["quotes"] == {"checked": 2, "unchecked": 0}
    assert "source 'article': quotes checked against ../library/article.md" in data["notes"]


def test_a_value_resting_on_a_judgment_is_cited_as_one() -> None:
    from statecraft.report.build import sources_appendix
    from statecraft.web.cards import _sources

    sc = load_scenario_text(_with_judgment(ref="{judgment: my-view}"), "s.yaml").scenario
    [cite] = next(c["cites"] for c in sources_appendix(sc)["capabilities"] if c["actor"] == "Beta")
    assert cite == {"kind": "judgment", "title": "Judgment of A. Analyst, 2021-11-01",
                    "text": "Beta's budget doubles Alpha's, by my reading of the press."}
    assert _sources(sc, sc.actor("b").source) == [cite]
    noted = load_scenario_text(_with_judgment(), "s.yaml").scenario
    assert _sources(noted, noted.actor("b").source)[0]["text"] == "twice Alpha"


def test_a_copy_kept_elsewhere_finds_its_documents_by_name_in_sources_dir(
        tmp_path: Path) -> None:
    """The README's advice for a copy of the bundled scenario: its
    ../../shared/sources/... path leads nowhere from the copy's folder, and naming the
    folder that holds the article with --sources-dir is enough; a runs export file the
    same."""
    import json

    from statecraft import api

    shared = api.bundled_sources_dirs()[0]
    copy = tmp_path / "x" / "copy.yaml"
    copy.parent.mkdir()
    copy.write_text(api.default_scenario_path().read_text(encoding="utf-8"), encoding="utf-8")
    refused = _validate(copy, "--strict")
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    result = _validate(copy, "--strict", "--json", "--sources-dir", shared)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    data = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert data["quotes"]["checked"] > 100
    article = shared / "valiyev-2021-end-of-the-war-but-no-peace.md"
    assert (f"source 'valiyev-2021': quotes checked against {article.resolve()} (found by its "
            "name in a sources folder (sources_dirs, --sources-dir); ../../shared/sources/"
            "valiyev-2021-end-of-the-war-but-no-peace.md does not lead to it)") in data["notes"]
    # a runs export of a run of the bundled scenario, written elsewhere
    from typer.testing import CliRunner

    from statecraft.cli import app

    store = tmp_path / "store"
    run = CliRunner().invoke(app, ["forecast", "--samples", "8", "--store", str(store),
                                   "--quiet", "--json"])
    assert run.exit_code == 0, run.output
    run_id = json.loads(run.stdout)["run_id"]
    exported = tmp_path / "y" / "z" / "exported.yaml"
    exported.parent.mkdir(parents=True)
    out = CliRunner().invoke(app, ["runs", "export", run_id, "-o", str(exported),
                                   "--store", str(store), "--quiet"])
    assert out.exit_code == 0, out.output
    assert _validate(exported, "--strict").exit_code == 1  # type: ignore[attr-defined]
    assert _validate(exported, "--strict", "--sources-dir",  # type: ignore[attr-defined]
                     shared).exit_code == 0


def test_sources_dir_finds_by_name_only_inside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file name is looked for directly inside each folder named, never through a
    link out of it; a folder without it says so, naming the folder and the name."""
    here, library, other = tmp_path / "s", tmp_path / "lib", tmp_path / "other"
    for d in (here, library, other):
        d.mkdir()
    (other / "article.md").write_text(f"x {QUOTE} y", encoding="utf-8")
    (library / "article.md").symlink_to(other / "article.md")  # a link out of lib
    opened = _spy_reads(monkeypatch)
    text = scenario_text(doc_path="../../gone/article.md")
    loaded = load_text(here, text, sources_dirs=[library])  # type: ignore[arg-type]
    assert opened == [] and loaded.quotes_checked == 0  # type: ignore[attr-defined]
    warning = next(p for p in loaded.warnings if p.path == ("sources", 0, "path"))  # type: ignore[attr-defined]
    assert (f"no file named 'article.md' is in {library.resolve()}; it was not opened (name "
            "the folder that holds it as a sources folder, sources_dirs (--sources-dir on the "
            "command line), to allow it)") in warning.message
    # a real file of that name in the folder is read, and its text checked
    (library / "article.md").unlink()
    (library / "article.md").write_text(f"x {QUOTE} y", encoding="utf-8")
    loaded = load_text(here, text, sources_dirs=[library])  # type: ignore[arg-type]
    assert opened == [library.resolve() / "article.md"] and loaded.quotes_checked == 2  # type: ignore[attr-defined]
    with pytest.raises(ScenarioError, match="found word for word"):
        load_text(here, scenario_text(doc_path="../../gone/article.md", quote="Not there."),
                  sources_dirs=[library])  # type: ignore[arg-type]
