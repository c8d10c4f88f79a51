"""The options game's size is counted before the tree is built, and a game past the stated
limit is refused with its size, on the command line and the web alike."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.games.tree import (
    MAX_GAME_NODES,
    MAX_GAME_VALUES,
    GameTooLarge,
    Leaf,
    Move,
    build_tree,
    check_size,
    expanded_size,
)
from statecraft.scenario import load_scenario_text, to_model_inputs
from tests.conftest import DATA

ENTRY = yaml.safe_load((DATA / "entry.yaml").read_text())


def with_nodes(nodes: list[dict[str, Any]], **extra: Any) -> str:
    data = {**ENTRY, **extra, "options": {"root": nodes[0]["id"], "nodes": nodes}}
    return yaml.safe_dump(data, sort_keys=False)


def doubling(levels: int) -> str:
    """``levels`` nodes in a row, each with two options that both lead to the next one:
    a few lines whose game has 2 ** (levels + 1) - 1 nodes."""
    nodes = []
    for k in range(levels):
        nxt = {"next": f"n{k + 1}"} if k + 1 < levels else {}
        nodes.append({"id": f"n{k}", "actor": "ent" if k % 2 == 0 else "inc", "label": f"L{k}",
                      "options": [{"id": "a", "label": "A", **nxt,
                                   "effects": [{"issue": "market", "shift": 10}]},
                                  {"id": "b", "label": "B", **nxt,
                                   "effects": [{"issue": "price", "shift": 10}]}]})
    return with_nodes(nodes)


def wide(options: int) -> str:
    """One decision with ``options`` options, each an end point: ``options + 1`` nodes."""
    return with_nodes([{"id": "root", "actor": "ent", "label": "Which?",
                        "options": [{"id": f"o{k}", "label": f"O{k}",
                                     "effects": [{"issue": "market", "set": k % 101}]}
                                    for k in range(options)]}])


def built_nodes(node: Move | Leaf) -> int:
    """Nodes of a built tree, counted by walking it."""
    if isinstance(node, Leaf):
        return 1
    return 1 + sum(built_nodes(child) for child in node.children)


@pytest.mark.parametrize("levels", [1, 2, 5])
def test_the_count_is_the_size_of_the_tree_that_is_built(levels: int) -> None:
    scenario = load_scenario_text(doubling(levels), "d.yaml").scenario
    game = build_tree(scenario, to_model_inputs(scenario))
    assert check_size(scenario) == built_nodes(game.root) == 2 ** (levels + 1) - 1


def test_the_count_leaves_out_the_options_a_rule_does_not_offer() -> None:
    data = yaml.safe_load(doubling(3))
    data["rules"] = [{"id": "treaty", "text": "a five-year term", "in_force_from": "2020-01-01",
                      "term": {"years": 5}}]
    data["options"]["nodes"][0]["options"][1]["requires"] = {"rule": "treaty"}
    scenario = load_scenario_text(yaml.safe_dump(data), "d.yaml").scenario
    inputs = to_model_inputs(scenario)
    for when in (dt.date(2024, 1, 1), dt.date(2026, 1, 1)):  # in force, then expired
        game = build_tree(scenario, inputs, as_of=when)
        assert check_size(scenario, as_of=when) == built_nodes(game.root)
    assert check_size(scenario, as_of=dt.date(2026, 1, 1)) < check_size(scenario)


def test_a_thirty_level_doubling_game_is_counted_at_once_and_refused() -> None:
    loaded = load_scenario_text(doubling(30), "d.yaml")
    t0 = time.perf_counter()
    assert expanded_size(loaded.scenario.options) == 2**31 - 1  # type: ignore[arg-type]
    with pytest.raises(GameTooLarge) as exc:
        api.options_analysis(loaded)
    assert time.perf_counter() - t0 < 1.0  # counted, not built: generous bound
    assert f"{2**31 - 1:,} nodes" in str(exc.value)
    assert f"the limit is {MAX_GAME_NODES:,}" in str(exc.value)


def test_an_astronomical_game_is_named_by_its_power_of_ten() -> None:
    loaded = load_scenario_text(doubling(400), "d.yaml")
    with pytest.raises(GameTooLarge, match=r"about 10\^120 nodes"):  # 2**401 = 5.2e120
        check_size(loaded.scenario)


def test_the_largest_accepted_game_is_solved_and_one_more_node_is_refused() -> None:
    largest = load_scenario_text(wide(MAX_GAME_NODES - 1), "w.yaml")
    result = api.options_analysis(largest).to_dict()
    assert len(result["nodes"][0]["options"]) == MAX_GAME_NODES - 1
    too_big = load_scenario_text(wide(MAX_GAME_NODES), "w.yaml")
    with pytest.raises(GameTooLarge, match=f"would have {MAX_GAME_NODES + 1} nodes"):
        api.options_analysis(too_big)
    with pytest.raises(GameTooLarge):  # building it directly is refused the same way
        build_tree(too_big.scenario, to_model_inputs(too_big.scenario))


def test_samples_of_the_game_are_bounded_before_any_is_drawn() -> None:
    loaded = load_scenario_text(doubling(3), "d.yaml")
    nodes, actors, issues = 15, 2, 2
    per_sample = nodes * (issues + actors) + 2 * actors * issues
    most = MAX_GAME_VALUES // per_sample
    assert check_size(loaded.scenario, samples=most) == nodes
    with pytest.raises(GameTooLarge, match=f"take at most {most:,} samples"):
        check_size(loaded.scenario, samples=most + 1)
    t0 = time.perf_counter()
    with pytest.raises(GameTooLarge):
        api.options_analysis(loaded, samples=10**9)
    assert time.perf_counter() - t0 < 1.0  # refused before sampling: generous bound


runner = CliRunner()


def test_the_command_line_refuses_a_large_game_in_one_line(tmp_path: Path) -> None:
    f = tmp_path / "doubling.yaml"
    f.write_text(doubling(30))
    result = runner.invoke(app, ["options", str(f), "-q"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"{2**31 - 1:,} nodes" in result.output and f"limit is {MAX_GAME_NODES}" in (
        result.output)
    many = runner.invoke(app, ["options", str(DATA / "entry.yaml"), "-q",
                               "--samples", "1000000000"])
    assert many.exit_code == 1 and isinstance(many.exception, SystemExit)
    assert "take at most" in many.output and "Traceback" not in many.output


def test_a_chain_of_1500_nodes_validates_and_its_game_is_refused(tmp_path: Path) -> None:
    nodes = [{"id": f"n{k}", "actor": "ent", "label": f"L{k}",
              "options": [{"id": "go", "label": "Go",
                           **({"next": f"n{k + 1}"} if k < 1499 else {})}]}
             for k in range(1500)]
    f = tmp_path / "chain.yaml"
    f.write_text(with_nodes(nodes))
    assert runner.invoke(app, ["validate", str(f), "-q"]).exit_code == 0
    result = runner.invoke(app, ["options", str(f), "-q"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "1,501 nodes" in result.output


def test_the_web_refuses_a_large_game_with_its_size(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    client = TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1",
                        headers={"Origin": "http://127.0.0.1"})
    got = client.post("/api/options", json={"text": doubling(30)})
    assert got.status_code == 413, got.text  # over a limit, as too much work is
    assert f"{2**31 - 1:,} nodes" in got.text and f"limit is {MAX_GAME_NODES}" in got.text
    ok = client.post("/api/options", json={"text": doubling(3)})
    assert ok.status_code == 200 and len(ok.json()["nodes"]) == 7


@pytest.mark.parametrize("value", [".inf", ".nan", "1.0e+300", "1" + "0" * 400])
def test_a_rationality_past_the_stated_maximum_is_a_located_error(value: str) -> None:
    from statecraft.scenario import ScenarioError

    text = (DATA / "entry.yaml").read_text().replace("rationality: 5", f"rationality: {value}")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "rationality:" in s)
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, "e.yaml")
    assert [(p.line, p.path) for p in exc.value.problems] == [(line, ("options",
                                                                      "rationality"))]


@pytest.mark.parametrize("lam", ["inf", "1e50", "1000.5"])
def test_a_lambda_past_the_stated_maximum_is_refused_in_one_line(lam: str) -> None:
    from statecraft.scenario.options_schema import MAX_RATIONALITY

    t0 = time.perf_counter()
    result = runner.invoke(app, ["options", str(DATA / "entry.yaml"), "-q", "--lambda", lam])
    assert time.perf_counter() - t0 < 10  # refused, not traced to 1e50: generous bound
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"expected a number from 0 to {MAX_RATIONALITY:g}" in result.output
    assert runner.invoke(app, ["options", str(DATA / "entry.yaml"), "-q", "--lambda",
                               f"{MAX_RATIONALITY:g}"]).exit_code == 0


def test_the_api_refuses_a_lambda_that_is_not_a_number() -> None:
    loaded = load_scenario_text((DATA / "entry.yaml").read_text(), "e.yaml")
    with pytest.raises(ValueError, match="lambda: found nan"):
        api.options_analysis(loaded, lam=float("nan"))
