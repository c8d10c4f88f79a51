"""The options game: a textbook game solved through the scenario format, payoffs derived
from stances, pygambit cross-checks, Monte Carlo frequencies, rule-bound options."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
import yaml

from statecraft import api
from statecraft.games.tree import build_tree, logit_qre, spe
from statecraft.scenario import ScenarioError, load_scenario, load_scenario_text, to_model_inputs
from tests.conftest import DATA

gbt = pytest.importorskip("pygambit")
from statecraft.games import gambit  # noqa: E402

ENTRY = DATA / "entry.yaml"


def entry_game(salience_price: float = 0.8) -> tuple[object, object]:
    text = ENTRY.read_text().replace("position: 0, salience: 0.8",
                                      f"position: 0, salience: {salience_price}")
    scenario = load_scenario_text(text, "entry.yaml").scenario
    return scenario, build_tree(scenario, to_model_inputs(scenario))


def test_entry_deterrence_subgame_perfect_equilibrium() -> None:
    _, game = entry_game()
    sol = spe(game)  # type: ignore[arg-type]
    assert sol.choice[()].tolist() == [0]  # enter
    assert sol.choice[(("entry", "enter"),)].tolist() == [1]  # accommodate
    np.testing.assert_allclose(sol.value[0], [1.0, 0.8])  # entrant 1, incumbent s_p
    # pygambit agrees that nobody gains by deviating from these choices...
    choice = {path: int(c[0]) for path, c in sol.choice.items()}
    assert gambit.max_regret(game, choice) == pytest.approx(0.0, abs=1e-12)  # type: ignore[arg-type]
    # (out, fight) is a Nash equilibrium too (the threat is never tested on its path)...
    threat = {(): 1, (("entry", "enter"),): 0}
    assert gambit.max_regret(game, threat) == pytest.approx(0.0, abs=1e-12)  # type: ignore[arg-type]
    # ...but not subgame perfect: pygambit's limiting logit equilibrium, which selects the
    # subgame-perfect one in this game, enters and accommodates, as backward induction does.
    g, decisions = gambit.to_gambit(game)  # type: ignore[arg-type]
    result = gbt.nash.logit_solve(g)
    assert result.success
    eq = result.equilibrium
    enter = eq[decisions[()]]["enter"]
    accommodate = eq[decisions[(("entry", "enter"),)]]["accommodate"]
    assert float(enter) > 0.99 and float(accommodate) > 0.99


def test_changing_a_salience_flips_the_choice() -> None:
    # With s_p = 0.2 a price war costs the incumbent little: it fights, so the entrant stays out.
    _, game = entry_game(0.2)
    sol = spe(game)  # type: ignore[arg-type]
    assert sol.choice[(("entry", "enter"),)].tolist() == [0]  # fight
    assert sol.choice[()].tolist() == [1]  # out


def test_qre_matches_pygambit_sums_to_one_and_tends_to_spe() -> None:
    _, game = entry_game()
    previous = 0.0
    for lam in (0.5, 2.0, 8.0, 30.0):
        theirs = gambit.qre(game, lam)  # type: ignore[arg-type]
        ours = logit_qre(game, lam)  # type: ignore[arg-type]
        for path, probs in theirs.items():
            assert sum(probs) == pytest.approx(1.0)
            np.testing.assert_allclose(probs, ours[path][0], atol=1e-6)
        p_enter = theirs[()][0]
        assert p_enter > previous
        previous = p_enter
    assert previous > 0.99


def test_efg_export_loads_back_with_identical_payoffs(tmp_path: Path) -> None:
    _, game = entry_game()
    text = gambit.to_efg(game)  # type: ignore[arg-type]
    back = gbt.read_efg(io.StringIO(text))
    original, _ = gambit.to_gambit(game)  # type: ignore[arg-type]
    pay = [[float(original.get_outcome_payoffs(o)[p]) for p in original.players]
           for o in original.get_outcomes()]
    pay_back = [[float(back.get_outcome_payoffs(o)[p]) for p in back.players]
                for o in back.get_outcomes()]
    assert pay == pay_back and len(pay) == 3
    assert list(back.players) == ["ent", "inc"]


def test_monte_carlo_frequencies_are_reproducible() -> None:
    loaded = api.load()
    a = api.options_analysis(loaded, samples=300, seed=3).to_dict()
    b = api.options_analysis(loaded, samples=300, seed=3).to_dict()
    c = api.options_analysis(loaded, samples=300, seed=4).to_dict()
    shares = [[o.get("mc_share") for n in r["nodes"] for o in n["options"]] for r in (a, b, c)]
    assert shares[0] == shares[1] and shares[0] != shares[2]
    for node in a["nodes"]:
        assert sum(o["mc_share"] for o in node["options"]) == pytest.approx(1.0)
        assert sum(o["qre"] for o in node["options"]) == pytest.approx(1.0)
        assert sum(o["spe"] for o in node["options"]) == 1


def test_payoffs_follow_the_stances() -> None:
    _scenario, game = entry_game()
    leaf_payoffs = {tuple(o for _, o in leaf.path): leaf.payoffs[0].tolist()
                    for leaf in _leaves(game.root)}  # type: ignore[attr-defined]
    assert leaf_payoffs == {("out",): [0.0, 1.8], ("enter", "fight"): [-2.0, pytest.approx(0.2)],
                            ("enter", "accommodate"): [1.0, 0.8]}


def _leaves(node: object) -> list[object]:
    children = getattr(node, "children", None)
    if children is None:
        return [node]
    return [leaf for child in children for leaf in _leaves(child)]


def test_rule_bound_option_is_offered_only_while_the_rule_allows(tmp_path: Path) -> None:
    data = yaml.safe_load(ENTRY.read_text())
    data["rules"] = [{"id": "treaty", "text": "a renewing term", "in_force_from": "2020-11-10",
                      "term": {"years": 5, "renews_for_years": 5, "notice_months": 6}}]
    data["options"]["nodes"][1]["options"][0]["requires"] = {"rule": "treaty",
                                                            "while": "notice_open"}
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(data))
    scenario = load_scenario(f).scenario
    inputs = to_model_inputs(scenario)
    open_tree = build_tree(scenario, inputs, as_of=dt.date(2025, 5, 10))
    closed = build_tree(scenario, inputs, as_of=dt.date(2025, 5, 11))
    assert open_tree.root.children[0].options == ("fight", "accommodate")  # type: ignore[union-attr]
    assert closed.root.children[0].options == ("accommodate",)  # type: ignore[union-attr]


@pytest.mark.parametrize(("change", "needle"), [
    (lambda d: d["options"]["nodes"][0]["options"][0].update(next="nowhere"),
     "options.nodes[0].options[0].next: found 'nowhere'"),
    (lambda d: d["options"]["nodes"][1]["options"][0]["effects"][0].update(issue="oil"),
     "options.nodes[1].options[0].effects[0].issue: found 'oil'"),
    (lambda d: d["options"]["nodes"][1]["options"][0].update(next="entry"),
     "the options loop back: entry -> response -> entry"),
    (lambda d: d["options"]["nodes"][1].update(actor="chance"),
     "an option of a chance node needs a probability"),
    (lambda d: d["options"].update(root="start"), "options.root: found 'start'"),
])
def test_bad_options_are_located(tmp_path: Path, change: object, needle: str) -> None:
    data = yaml.safe_load(ENTRY.read_text())
    change(data)  # type: ignore[operator]
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    messages = [str(p) for p in exc.value.problems]
    assert any(needle in m and f"{f}:" in m for m in messages), messages


def test_default_scenario_game() -> None:
    result = api.options_analysis(api.load()).to_dict()
    assert result["players"] == ["aze", "rus", "tur"]
    russia = [n for n in result["nodes"] if n["actor"] == "rus"]
    assert len(russia) == 4
    for node in russia:  # the article's existing models alienate Baku: never chosen
        chosen = [o["id"] for o in node["options"] if o["spe"]]
        assert chosen[0] not in ("recognise", "passportise")


def test_chance_node_takes_expectations(tmp_path: Path) -> None:
    # Nature moves first: with probability 0.3 a price war breaks out regardless (a leaf:
    # market 0, price 100, so entrant (1-2) + (1-2) = -2 and incumbent 1 + 0.8(1-2) = 0.2);
    # with 0.7 the entry game is played as before (values 1 and 0.8).
    # Root value: 0.3 * (-2, 0.2) + 0.7 * (1, 0.8) = (0.1, 0.62).
    data = yaml.safe_load(ENTRY.read_text())
    data["options"]["nodes"].insert(0, {
        "id": "nature", "actor": "chance", "label": "Does a price war break out anyway?",
        "options": [
            {"id": "war", "label": "War", "probability": 0.3,
             "effects": [{"issue": "price", "set": 100}]},
            {"id": "calm", "label": "Calm", "probability": 0.7, "next": "entry"}]})
    data["options"]["root"] = "nature"
    f = tmp_path / "chance.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    scenario = load_scenario(f).scenario
    game = build_tree(scenario, to_model_inputs(scenario))
    sol = spe(game)
    assert game.root.probabilities == (0.3, 0.7)  # type: ignore[union-attr]
    np.testing.assert_allclose(sol.value[0], [0.1, 0.62])
    np.testing.assert_allclose(sol.outcome[0], [0.7 * 50, 0.3 * 100])
    probs = gambit.qre(game, 5.0)  # type: ignore[arg-type]
    assert () not in probs and len(probs) == 2  # chance nodes have no QRE of their own
    choice = {path: int(c[0]) for path, c in sol.choice.items()}
    assert gambit.max_regret(game, choice) == pytest.approx(0.0, abs=1e-12)  # type: ignore[arg-type]


def test_pygambit_confirms_subgame_perfection() -> None:
    # Both (enter, accommodate) and (out, fight) are pure equilibria of the agent form;
    # only the first survives pygambit's check at the node off the path.
    _, game = entry_game()
    g, decisions = gambit.to_gambit(game)  # type: ignore[arg-type]
    found = {tuple(float(p) for where in decisions.values() for _, p in eq[where])
             for eq in gbt.nash.enumpure_agent_solve(g).equilibria}
    assert found == {(1.0, 0.0, 0.0, 1.0), (0.0, 1.0, 1.0, 0.0)}
    choice = {path: int(c[0]) for path, c in spe(game).choice.items()}  # type: ignore[arg-type]
    assert gambit.sequential_regret(game, choice) == pytest.approx(0.0, abs=1e-6)  # type: ignore[arg-type]
    threat = {(): 1, (("entry", "enter"),): 0}
    assert gambit.sequential_regret(game, threat) == pytest.approx(0.6)  # type: ignore[arg-type]


def test_default_scenario_game_agrees_with_pygambit(tmp_path: Path) -> None:
    scenario = api.load().scenario
    game = build_tree(scenario, to_model_inputs(scenario))
    sol = spe(game)
    choice = {path: int(c[0]) for path, c in sol.choice.items()}
    assert gambit.sequential_regret(game, choice) == pytest.approx(0.0, abs=1e-6)
    for path, theirs in gambit.qre(game, 10.0).items():
        np.testing.assert_allclose(theirs, logit_qre(game, 10.0)[path][0], atol=1e-6)
    # The exported .efg loads back with every leaf's payoffs exactly as derived.
    efg = tmp_path / "default.efg"
    api.export_efg(api.load(), efg)
    back = gbt.read_efg(str(efg))
    who = [game.actors.index(p) for p in game.players]
    derived = {" / ".join(f"{n}:{o}" for n, o in leaf.path): [leaf.payoffs[0, k] for k in who]
               for leaf in _leaves(game.root)}  # type: ignore[attr-defined]
    loaded = {o: [float(back.get_outcome_payoffs(o)[p]) for p in back.players]
              for o in back.get_outcomes()}
    assert loaded == derived and len(loaded) == 20


def test_russia_cares_less_about_alienating_baku_and_freezes() -> None:
    # After a hedging Baku, Russia prefers the new formula narrowly; an existing model costs
    # it Azerbaijan's alignment. Lower Russia's salience on that issue and it freezes.
    scenario = api.load().scenario
    inputs = to_model_inputs(scenario)
    after_hedge = (("aze_alignment", "hedge"),)
    options = build_tree(scenario, inputs).root.children[1].options  # type: ignore[union-attr]
    assert options[int(spe(build_tree(scenario, inputs)).choice[after_hedge][0])] == "new_formula"
    rus, alignment = inputs.actor_ids.index("rus"), inputs.issue_ids.index("azerbaijan_alignment")
    salience = inputs.salience.copy()
    salience[:, rus, alignment] = 0.3
    changed = build_tree(scenario, dataclasses.replace(inputs, salience=salience))
    assert options[int(spe(changed).choice[after_hedge][0])] == "freeze"


def test_monte_carlo_with_one_sample_and_mean_qre() -> None:
    result = api.options_analysis(api.load(), samples=1, seed=0).to_dict()
    for node in result["nodes"]:
        assert sum(o["mc_share"] for o in node["options"]) == pytest.approx(1.0)
        assert sum(o["mc_qre"] for o in node["options"]) == pytest.approx(1.0)
