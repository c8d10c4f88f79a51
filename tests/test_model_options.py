"""Every model through every command that takes one, with every command-line option it
declares; every option it does not declare refused with a clear message. Generated from
the model registry, so a model or a setting added there is tested here at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from statecraft import api
from statecraft.cli import app
from statecraft.models.registry import SPECS, TERMS, Term
from tests.conftest import DATA

runner = CliRunner()
SMALL = str(DATA / "small.yaml")
RESOLVED = str(DATA / "small-resolved.yaml")
COMMANDS = ("run", "forecast", "backtest", "explain", "report")
CALIBRATED = ("forecast", "backtest", "explain", "report")


def _other(term: Term, default: Any) -> Any:
    """A value the term takes, other than the default (small where it is a cap)."""
    if term.expected.startswith("one of"):
        return [c for c in term.expected.removeprefix("one of ").split(", ") if c != default][-1]
    if term.expected.startswith("a whole number"):
        return 3 if default != 3 else 4
    return 0.01 if default in (None, 0.02) else default / 2


def _option(name: str, value: Any) -> list[str]:
    term = TERMS[name]
    return [term.option, str(value)] if term.option else ["--setting", f"{name}={value}"]


def declared(model: str) -> dict[str, Any]:
    """Every setting the model takes on the command line, at a value other than its
    default."""
    return {k: _other(TERMS[k], v) for k, v in SPECS[model].defaults.as_dict().items()
            if TERMS[k].command_line}


def undeclared(model: str) -> dict[str, Any]:
    """Every command-line setting of the vocabulary the model does not take, at a value
    another model takes."""
    out = {}
    for name, term in TERMS.items():
        if term.command_line and name not in SPECS[model].setting_names:
            owner = next(s for s in SPECS.values() if name in s.setting_names)
            out[name] = _other(term, getattr(owner.defaults, name))
    return out


def command(name: str, model: str, options: list[str], tmp: Path) -> list[str]:
    """The command line of one command on the small test scenario, with few samples."""
    common = ["--model", model, *options, "-q"]
    return {
        "run": ["run", SMALL, *common, "--json"],
        "forecast": ["forecast", SMALL, *common, "--samples", "20", "--no-store", "--json"],
        "backtest": ["backtest", SMALL, RESOLVED, *common, "--samples", "20", "--json"],
        "explain": ["explain", SMALL, "--questions", RESOLVED, "--question", "q1", *common,
                    "--samples", "100", "--json"],
        "report": ["report", SMALL, *common, "--samples", "20", "--no-store", "-o",
                   str(tmp / "report.html")],
    }[name]


def invoke(args: list[str]) -> Result:
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output and "TypeError" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    return result


@pytest.mark.parametrize("cmd", COMMANDS)
@pytest.mark.parametrize("model", list(SPECS))
def test_every_model_runs_with_every_option_it_declares(model: str, cmd: str,
                                                        tmp_path: Path) -> None:
    settings = declared(model)
    options = [a for k, v in settings.items() for a in _option(k, v)]
    calibrate = [] if not settings or cmd not in CALIBRATED else ["--uncalibrated"]
    result = invoke(command(cmd, model, [*options, *calibrate], tmp_path))
    assert result.exit_code == 0, result.output
    if cmd == "report":
        assert (tmp_path / "report.html").stat().st_size > 10_000
        return
    data = json.loads(result.stdout)
    if cmd == "run":  # the settings reached the model, by their shared names
        assert data["model"] == model
        assert {k: data["params"][k] for k in settings} == settings
        cap = settings.get("max_rounds")
        if cap is not None:
            assert all(i["rounds"] <= cap for i in data["issues"])
    elif cmd == "forecast":
        assert data["completed"] == 20 and data["model"] == model
        assert (data["calibration"] is None) == bool(calibrate)
    elif cmd == "backtest":
        names = {s["name"] for s in data["scores"]}
        assert f"{model} (uncalibrated)" in names and (model in names) != bool(calibrate)
    else:
        assert data["model"] == model and data["calibrated"] != bool(calibrate)


@pytest.mark.parametrize("cmd", CALIBRATED)
@pytest.mark.parametrize("model", [m for m in SPECS if declared(m)])
def test_settings_other_than_the_defaults_are_not_calibrated(model: str, cmd: str,
                                                             tmp_path: Path) -> None:
    name, value = next(iter(declared(model).items()))
    result = invoke(command(cmd, model, _option(name, value), tmp_path))
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert f"no measured errors for {model} with {name}={value}" in said
    assert "--uncalibrated" in said and not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("cmd", COMMANDS)
@pytest.mark.parametrize("model", list(SPECS))
def test_every_option_a_model_does_not_declare_is_refused_naming_both(
        model: str, cmd: str, tmp_path: Path) -> None:
    for name, value in undeclared(model).items():
        option = _option(name, value)
        result = invoke(command(cmd, model, [*option, "--uncalibrated"]
                                if cmd in CALIBRATED else option, tmp_path))
        said = " ".join(result.output.split())
        assert result.exit_code == 1, said
        shown = option[0] if TERMS[name].option else f"--setting {name}"
        assert said.startswith(f"error: {shown}: model {model} has no "), said
        if name == "max_rounds":
            assert "models with rounds: " + ", ".join(
                n for n, s in SPECS.items() if s.rounds) in said
        else:
            assert SPECS[model].takes() in said
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("cmd", COMMANDS)
def test_bad_values_unknown_names_and_python_only_settings_are_refused(
        cmd: str, tmp_path: Path) -> None:
    cases = {
        ("smp", "--setting", "voting_rule=nope"): "--setting voting_rule: model smp: "
        "setting 'voting_rule': found 'nope'; expected one of binary, prop_bin, "
        "proportional, prop_cubic, cubic, asym_prospect",
        ("eum", "--setting", "q=much"): "--setting q: model eum: setting 'q': found "
        "'much'; expected a number >= 0",
        ("eum", "--setting", "max_rounds=-2"): "--setting max_rounds: model eum: setting "
        "'max_rounds': found -2; expected a whole number from 0 to 10,000",
        ("eum", "--setting", "nonsense=1"): "--setting nonsense: model eum has no setting "
        "'nonsense'; its settings: variant, q, max_rounds, tol",
        ("eum", "--setting", "max_rounds"): "--setting 'max_rounds': expected NAME=VALUE",
        ("eum", "--rounds", "4", "--setting", "max_rounds=4"): "give --rounds or --setting "
        "max_rounds, not both",
        ("smp", "--setting", "stochastic=true"): "--setting stochastic: model smp's "
        "stochastic is set from Python only",
        ("oracle",): "unknown model 'oracle'; expected one of " + ", ".join(SPECS),
    }
    for (model, *options), message in cases.items():
        result = invoke(command(cmd, model, options, tmp_path))
        assert result.exit_code == 1, result.output
        assert message in " ".join(result.output.split()), result.output


def test_a_negative_round_count_is_a_usage_error() -> None:
    result = invoke(["run", SMALL, "--model", "eum", "--rounds", "-1"])
    assert result.exit_code == 2


def test_run_smp_rounds_means_at_most_that_many_turns() -> None:
    from tests.models.test_smp import synthetic

    assert api.run_model(synthetic(1, 6, 3, 0), "smp").rounds.max() > 5
    result = invoke(["run", SMALL, "--model", "smp", "--rounds", "5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["params"]["max_rounds"] == 5 and "max_turns" not in data["params"]
    refused = invoke(["run", SMALL, "--model", "compromise", "--rounds", "5"])
    assert refused.exit_code == 1
    assert ("--rounds: model compromise has no rounds (it forecasts in one step); models "
            "with rounds: eum, smp") in " ".join(refused.output.split())


def test_trace_is_refused_by_a_model_that_makes_no_offers() -> None:
    for name, spec in SPECS.items():
        result = invoke(["run", SMALL, "--model", name, "--trace", "x", "--json"])
        if spec.offers:
            assert result.exit_code == 0 and json.loads(result.stdout)["issue"] == "x"
        else:
            assert result.exit_code == 1
            assert f"--trace: model {name} makes no offers to trace" in result.output


def test_the_stored_forecast_records_its_settings(tmp_path: Path) -> None:
    result = invoke(["forecast", SMALL, "--model", "smp", "--rounds", "4", "--setting",
                     "voting_rule=binary", "--setting", "min_rounds=2", "--samples", "30",
                     "--uncalibrated", "--store", str(tmp_path), "--json", "-q"])
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    shown = invoke(["runs", "show", run_id, "--store", str(tmp_path), "--json"])
    # by their shared names; min_rounds=2 is the default, so not a setting of the run
    assert json.loads(shown.stdout)["params"] == {"max_rounds": 4, "voting_rule": "binary"}


def test_models_lists_the_registry() -> None:
    result = invoke(["models", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["default"] == api.DEFAULT_MODEL
    assert [m["name"] for m in data["models"]] == list(SPECS)
    for m in data["models"]:
        spec = SPECS[m["name"]]
        assert m["version"] == spec.version and m["description"] == spec.description
        assert {s["name"]: s["default"] for s in m["settings"]} == spec.defaults.as_dict()
    text = invoke(["models"]).stdout
    assert all(f"{name}" in text for name in SPECS) and "--rounds" in text


def test_the_web_form_lists_the_registrys_models(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    page = TestClient(create_app(tmp_path / "store"),
                      base_url="http://127.0.0.1:8000").get("/").text
    for name, spec in SPECS.items():
        assert f'<option value="{name}" title="{spec.description}"' in page.replace(
            "&#39;", "'")


def test_a_setting_given_at_its_default_is_calibrated() -> None:
    for model in (n for n, s in SPECS.items() if s.rounds):
        cap = SPECS[model].defaults.as_dict()["max_rounds"]
        result = invoke(["forecast", SMALL, "--model", model, "--rounds", str(cap),
                         "--samples", "20", "--no-store", "--json", "-q"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["calibration"]["file"] == "model-errors.json"
