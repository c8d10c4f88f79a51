"""The deals and advise commands: their output, --json, and bad input refused by name
with exit 1 before any model runs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from statecraft.cli import app
from tests.conftest import DATA

runner = CliRunner()
SMALL = str(DATA / "small.yaml")


def test_deals_json_and_words() -> None:
    got = runner.invoke(app, ["deals", "--actor", "rus", "--samples", "200", "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert data["actor"] == "rus" and data["samples"] == 200 and data["deals"]
    assert all("rus" in (d["actor_a"], d["actor_b"]) for d in data["deals"])
    gains = [d["joint_gain"] for d in data["deals"]]
    assert gains == sorted(gains, reverse=True)
    assert all(0 <= d["share_paying"] <= 1 for d in data["deals"])
    words = runner.invoke(app, ["deals", "--actor", "rus"])
    assert words.exit_code == 0, words.output
    assert "1. Russia moves on" in words.stdout or "in return Russia moves" in words.stdout
    # Russia gives way on peacekeepers in no deal the model finds
    assert "Russia gives way in no deal on: peacekeepers" in " ".join(words.stdout.split())


def test_advise_answers_russias_price() -> None:
    got = runner.invoke(app, ["advise", "aze", "--issue", "peacekeepers", "--target", "<= 40",
                              "--samples", "300"])
    assert got.exit_code == 0, got.output
    text = " ".join(got.stdout.split())
    assert "What it would take for peacekeepers <= 40" in text
    assert "Russia's price: with peacekeepers at 40" in text
    as_json = runner.invoke(app, ["advise", "aze", "--issue", "peacekeepers", "--target",
                                  "<= 40", "--samples", "300", "--json"])
    data = json.loads(as_json.stdout)
    assert data["options"][0]["reaches"] and data["options"][0]["probability_after"] >= 0.5
    rus = next(p for p in data["prices"] if p["actor"] == "rus")
    assert rus["loss"] > 0 and rus["payer"] == "aze"


@pytest.mark.parametrize(("args", "words"), [
    (["advise", "zzz", "--issue", "peacekeepers", "--target", "<= 40"], "unknown actor 'zzz'"),
    (["advise", "aze", "--issue", "nope", "--target", "<= 40"], "unknown issue 'nope'"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", "<= 140"],
     "the target '<= 140': 140 is outside the issue's scale; expected a number from 0 to "
     "100 (--target)"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", "=> 40"],
     "the target '=> 40' has no operator"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", "<= 4O"],
     "'4O' is not a number"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", "<= 40", "--probability", "0"],
     "the probability 0 is out of range; expected a probability from 0.01 to 0.99 "
     "(--probability)"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", "< 0"],
     "the target '< 0': no outcome on the issue's 0-100 scale is below 0"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", "<= 40", "--probability",
      "1e-300"], "the probability 1e-300 is out of range; expected a probability from 0.01 "
     "to 0.99 (--probability)"),
    (["advise", "aze", "--issue", "peacekeepers", "--target", " "], "--target: empty"),
    (["deals", "--actor", "zzz"], "unknown actor 'zzz'"),
    (["deals", SMALL, "--actor", "rus"], "unknown actor 'rus'"),
])
def test_bad_input_exits_1_naming_it(args: list[str], words: str) -> None:
    got = runner.invoke(app, args)
    assert got.exit_code == 1, got.output
    assert words in " ".join(got.output.split())


def test_advise_says_at_once_that_a_target_is_already_met() -> None:
    got = runner.invoke(app, ["advise", "aze", "--issue", "peacekeepers", "--target", ">= 0",
                              "--samples", "200"])
    assert got.exit_code == 0, got.output
    text = " ".join(got.output.split())
    assert "1 forecast searched." in text and "already met" in text
    assert "Options that reach it" not in text


def test_advise_says_an_actor_has_no_stance_and_names_possessives_right() -> None:
    got = runner.invoke(app, ["advise", "usa", "--issue", "peacekeepers", "--target", "<= 40",
                              "--samples", "200"])
    assert got.exit_code == 0, got.output
    text = " ".join(got.output.split())
    assert "United States has no stance on peacekeepers" in text
    assert "United States's" not in text and "United States position" not in text
    as_json = runner.invoke(app, ["advise", "usa", "--issue", "peacekeepers", "--target",
                                  "<= 40", "--samples", "200", "--json"])
    data = json.loads(as_json.output)
    assert any("no stance on peacekeepers" in n for n in data["notes"])
    assert all(m["actor"] != "usa" or m["issue"] != "peacekeepers"
               for o in data["options"] for m in o["moves"])
    nka = runner.invoke(app, ["advise", "nka", "--issue", "peacekeepers", "--target", ">= 85",
                              "--samples", "200"])
    assert nka.exit_code == 0, nka.output
    words = " ".join(nka.output.split())
    assert "Karabakh Armenian authorities' own position" in words
    assert "authorities's" not in words and "no stance" not in words
