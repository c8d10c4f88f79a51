"""The bad-input battery: values the YAML constructor or the validators once raised on
(impossible dates, wrong tags, huge integers, numbers past a float, loops, deep nesting),
in scenario, question and observation files. Each one, through ``validate``, ``run``,
``forecast`` (and ``backtest`` for question files) and the web's upload, is one located
problem (file:line:column and the field) and exit 1 or an HTTP 4xx; never a traceback."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from statecraft.analysis.questions import load_observed_text, load_questions_text
from statecraft.cli import app
from statecraft.scenario import ScenarioError, load_scenario_text
from tests.conftest import DATA

SMALL = (DATA / "small.yaml").read_text()
ENTRY = (DATA / "entry.yaml").read_text()
RESOLVED = (DATA / "small-resolved.yaml").read_text()
BIG = "1" + "0" * 400  # 10**400: an integer, but past the largest float (about 1.8e308)
RULE = ("rules:\n  - id: treaty\n    text: a five-year term\n"
        "    in_force_from: {date}\n    term: {{years: {years}}}\n")


@dataclass(frozen=True)
class Bad:
    """A bad file: its text, the field its problem names, and a piece of its line."""

    name: str
    text: str
    field: str
    needle: str

    @property
    def line(self) -> int:
        """The line the problem must name, found in the text (the first holding needle)."""
        return next(n for n, s in enumerate(self.text.splitlines(), 1) if self.needle in s)


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _loop(n: int) -> str:
    """The entry game with a chain of ``n`` option nodes whose last leads back to the first."""
    head = ENTRY[:ENTRY.index("options:")]
    nodes = [f"    - {{id: n{k}, actor: ent, label: L{k}, options: [{{id: go, label: Go, "
             f"next: n{(k + 1) % n}}}]}}" for k in range(n)]
    return head + "options:\n  root: n0\n  nodes:\n" + "\n".join(nodes) + "\n"


def _merges(n: int) -> str:
    """Anchors each merging the one before: ``n * n / 2`` values once merged."""
    lines = ["x0: &x0 {a: 1}"] + [f"x{k}: &x{k} {{<<: *x{k - 1}, b: {k}}}" for k in range(1, n)]
    return SMALL + "\n".join(lines) + "\n"


SCENARIOS = [
    Bad("date for a name", _swap(SMALL, "name: Small test scenario", "name: 2021-02-30"),
        "name", "name: 2021-02-30"),
    Bad("impossible as_of", SMALL + "as_of: 2021-02-30\n", "as_of", "as_of:"),
    Bad("month 13 in as_of", SMALL + "as_of: 2021-13-01\n", "as_of", "as_of:"),
    Bad("impossible in_force_from", ENTRY + RULE.format(date="2021-02-30", years=5),
        "rules[0].in_force_from", "in_force_from:"),
    Bad("!!float abc", SMALL + "description: !!float abc\n", "description", "description:"),
    Bad("!!bool maybe", SMALL + "description: !!bool maybe\n", "description", "description:"),
    Bad("!!timestamp yesterday", SMALL + "as_of: !!timestamp yesterday\n", "as_of", "as_of:"),
    Bad("!!int abc", _swap(SMALL, "year: 2024", "year: !!int abc"), "sources[0].year",
        "year:"),
    Bad("integer of 4,401 digits", _swap(SMALL, "capability: 1,", f"capability: 1{'0' * 4400},"),
        "actors[0].capability", "capability: 1000"),
    Bad("hex integer of 16,000 bits",
        _swap(SMALL, "capability: 1,", f"capability: 0x{'f' * 4000},"),
        "actors[0].capability", "capability: 0xf"),
    Bad("capability 10^400", _swap(SMALL, "capability: 1,", f"capability: {BIG},"),
        "actors[0].capability", "capability: 1000"),
    Bad("capability range to 10^400", _swap(SMALL, "capability: 1,", f"capability: [1, {BIG}],"),
        "actors[0].capability", "capability: [1, 1000"),
    Bad("position 1.0e+400", _swap(SMALL, "position: 60,", "position: 1.0e+400,"),
        "stances[1].position", "position: 1.0e+400"),
    Bad("salience -10^400", _swap(SMALL, "salience: 0.5,", f"salience: -{BIG},"),
        "stances[1].salience", "salience: -1000"),
    Bad("salience .nan", _swap(SMALL, "salience: 0.5,", "salience: .nan,"),
        "stances[1].salience", "salience: .nan"),
    Bad("scale key 10^400",
        _swap(SMALL, "scale: {0: none, 50: half", f"scale: {{0: none, {BIG}: half"),
        "issues[0].scale", "scale: {0: none, 1000"),
    Bad("status quo 10^400", _swap(SMALL, "status_quo: 50", f"status_quo: {BIG}"),
        "issues[0].status_quo", "status_quo: 1000"),
    Bad("year 10^400", _swap(SMALL, "year: 2024", f"year: {BIG}"), "sources[0].year", "year:"),
    Bad("term of 10^400 years", ENTRY + RULE.format(date="2021-01-01", years=BIG),
        "rules[0].term.years", "term:"),
    Bad("effect shift 10^400", _swap(ENTRY, "set: 50}", f"shift: {BIG}}}"),
        "options.nodes[0].options[0].effects[0].shift", "shift: 1000"),
    Bad("rationality .inf", _swap(ENTRY, "rationality: 5", "rationality: .inf"),
        "options.rationality", "rationality:"),
    Bad("rationality 10^400", _swap(ENTRY, "rationality: 5", f"rationality: {BIG}"),
        "options.rationality", "rationality:"),
    Bad("1,500 option nodes in a loop", _loop(1500),
        "options.nodes[1499].options[0].next", "id: n1499,"),
    Bad("100,000 nested brackets", SMALL + "description: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "description", "description:"),
    Bad("1,500 merge keys in a chain", _merges(1500), "(top level)", "name: Small"),
]

QUESTIONS = [
    Bad("impossible resolved_on", _swap(RESOLVED, "resolved_on: 2024-01-01,",
                                        "resolved_on: 2021-02-30,"),
        "questions[0].resolved_on", "resolved_on: 2021-02-30"),
    Bad("threshold 10^400", _swap(RESOLVED, "threshold: 50,", f"threshold: {BIG},"),
        "questions[0].threshold", "threshold: 1000"),
    Bad("threshold !!float abc", _swap(RESOLVED, "threshold: 50,", "threshold: !!float abc,"),
        "questions[0].threshold", "threshold: !!float"),
    Bad("nested brackets", _swap(RESOLVED, "op: \">=\", threshold: 50,",
                                 "op: " + "[" * 100_000 + "]" * 100_000 + ", threshold: 50,"),
        "questions[0].op", "op: [[["),
]

OBSERVED = [
    Bad("position 10^400", f"x: {BIG}\ny: 40\n", "x", "x:"),
    Bad("a date for a position", "x: 50\ny: 2021-02-30\n", "y", "y:"),
    Bad("!!float abc", "x: !!float abc\ny: 40\n", "x", "x:"),
]

runner = CliRunner()


def located(bad: Bad, where: str) -> re.Pattern[str]:
    """The located problem: ``file:line:col: error: field`` (or a field within it)."""
    return re.compile(rf"{re.escape(where)}:{bad.line}:\d+: error: {re.escape(bad.field)}"
                      r"(?=[:.\[])")


def clean_failure(result: Result, bad: Bad, where: str) -> None:
    assert isinstance(result.exception, SystemExit), result.exception  # no uncaught error
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert located(bad, where).search(result.output), result.output


@pytest.fixture
def written(tmp_path: Path) -> Callable[[Bad], Path]:
    def write(bad: Bad) -> Path:
        f = tmp_path / "bad.yaml"
        f.write_text(bad.text, encoding="utf-8")
        return f
    return write


@pytest.mark.parametrize("bad", SCENARIOS, ids=[b.name for b in SCENARIOS])
def test_a_bad_scenario_is_one_located_problem(bad: Bad) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(bad.text, "bad.yaml")
    errors = [p for p in exc.value.problems if p.severity == "error"]
    assert any(located(bad, "bad.yaml").search(str(p)) for p in errors), errors


@pytest.mark.parametrize("bad", SCENARIOS, ids=[b.name for b in SCENARIOS])
@pytest.mark.parametrize("command", [["validate"], ["run"],
                                     ["forecast", "--samples", "10", "--no-store"]],
                         ids=["validate", "run", "forecast"])
def test_every_command_reports_a_bad_scenario_cleanly(
        bad: Bad, command: list[str], written: Callable[[Bad], Path]) -> None:
    f = written(bad)
    clean_failure(runner.invoke(app, [command[0], str(f), *command[1:]]), bad, str(f))


@pytest.mark.parametrize("bad", QUESTIONS, ids=[b.name for b in QUESTIONS])
def test_a_bad_question_file_is_reported_cleanly(bad: Bad,
                                                 written: Callable[[Bad], Path]) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_questions_text(bad.text, "q.yaml", {"x", "y"})
    assert any(located(bad, "q.yaml").search(str(p)) for p in exc.value.problems)
    f = written(bad)
    small = str(DATA / "small.yaml")
    clean_failure(runner.invoke(app, ["forecast", small, "--questions", str(f), "--samples",
                                      "10", "--no-store"]), bad, str(f))
    clean_failure(runner.invoke(app, ["backtest", small, str(f), "--samples", "10"]),
                  bad, str(f))


@pytest.mark.parametrize("bad", OBSERVED, ids=[b.name for b in OBSERVED])
def test_a_bad_observations_file_is_reported_cleanly(bad: Bad,
                                                     written: Callable[[Bad], Path]) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_observed_text(bad.text, "o.yaml", {"x", "y"})
    assert any(located(bad, "o.yaml").search(str(p)) for p in exc.value.problems)
    f = written(bad)
    clean_failure(runner.invoke(app, ["backtest", str(DATA / "small.yaml"),
                                      str(DATA / "small-resolved.yaml"), "--numeric", str(f),
                                      "--samples", "10"]), bad, str(f))


# ---- the web ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    with TestClient(create_app(tmp_path_factory.mktemp("store")), base_url="http://127.0.0.1",
                    headers={"Origin": "http://127.0.0.1"}) as c:
        yield c


def _has(problems: list[dict[str, object]], bad: Bad) -> bool:
    return any(p["line"] == bad.line and isinstance(p["column"], int)
               and re.fullmatch(rf"{re.escape(bad.field)}([.\[].*)?", str(p["path"]))
               and p["severity"] == "error" for p in problems)


@pytest.mark.parametrize("bad", SCENARIOS, ids=[b.name for b in SCENARIOS])
def test_the_web_reports_a_bad_scenario_with_its_place(bad: Bad, client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    # /api/validate answers the question "is it valid?": 200 and ok false, with the problems
    got = client.post("/api/validate", json={"text": bad.text})
    assert got.status_code == 200 and got.json()["ok"] is False, got.text
    assert _has(got.json()["problems"], bad), got.json()["problems"]
    upload = client.post("/api/upload", files={"file": ("bad.yaml", bad.text.encode(),
                                                        "text/yaml")})
    assert upload.status_code == 200 and _has(upload.json()["problems"], bad)
    run = client.post("/api/forecast", json={"text": bad.text, "samples": 10})
    assert run.status_code == 422 and _has(run.json()["problems"], bad), run.text
    page = client.post("/ui/upload", files={"file": ("bad.yaml", bad.text.encode(),
                                                     "text/yaml")})
    assert page.status_code == 422, page.text
    assert f"Line {bad.line}, column " in page.text
    assert bad.field == "(top level)" or f"(in {bad.field}" in page.text


# ---- options that share next nodes ----------------------------------------------------

def doubling(levels: int) -> str:
    """``levels`` decision nodes whose two options both lead to the next: 2**levels paths."""
    head = ENTRY[:ENTRY.index("options:")]
    nodes = []
    for k in range(levels):
        nxt = f", next: n{k + 1}" if k + 1 < levels else ""
        nodes.append(f"    - {{id: n{k}, actor: {'ent' if k % 2 == 0 else 'inc'}, label: L{k}, "
                     f"options: [{{id: a, label: A{nxt}}}, {{id: b, label: B{nxt}}}]}}")
    return head + "options:\n  root: n0\n  nodes:\n" + "\n".join(nodes) + "\n"


def test_a_30_level_doubling_graph_validates_in_under_a_second(
        written: Callable[[Bad], Path]) -> None:
    text = doubling(30)
    assert yaml.safe_load(text)["options"]["nodes"][29]["options"][0].get("next") is None
    t0 = time.perf_counter()
    loaded = load_scenario_text(text, "doubling.yaml")
    assert time.perf_counter() - t0 < 1.0  # the stated check: generous bound
    assert loaded.scenario.options is not None and len(loaded.scenario.options.nodes) == 30
    f = written(Bad("doubling", text, "", ""))
    t0 = time.perf_counter()
    assert runner.invoke(app, ["validate", str(f), "-q"]).exit_code == 0
    assert time.perf_counter() - t0 < 1.0


def test_a_loop_deep_in_a_doubling_graph_is_found_once() -> None:
    text = _swap(doubling(30), "{id: b, label: B, next: n29}", "{id: b, label: B, next: n3}")
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, "doubling.yaml")
    loops = [p for p in exc.value.problems if "loop back" in p.message]
    assert [(p.path, p.message) for p in loops] == [
        (("options", "nodes", 28, "options", 1, "next"),
         "the options loop back: n3 -> n4 -> n5 -> n6 -> n7 -> ... 17 more ... -> n25 -> n26 "
         "-> n27 -> n28 -> n3"),  # n8 to n24 left out
    ]
