"""A round cap above ``registry.MAX_ROUNDS`` is refused in one line before anything runs,
on the command line (``--rounds``, ``--setting max_rounds=``) and through the API, where
100,000,000 rounds crashed with numpy out of memory and 30,000,000 ran for over ten
minutes without a word."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.models.registry import MAX_ROUNDS, SettingError, settings

runner = CliRunner()


@pytest.mark.parametrize("args", [
    ["run", "--rounds", "100000000"],
    ["run", "--model", "exchange", "--rounds", str(MAX_ROUNDS + 1)],
    ["forecast", "--rounds", "10000000", "--samples", "10", "--no-store"],
    ["forecast", "--setting", "max_rounds=30000000", "--samples", "10", "--no-store",
     "--uncalibrated"],
])
def test_the_command_line_refuses_a_round_cap_over_the_limit(args: list[str]) -> None:
    got = runner.invoke(app, args)
    assert got.exit_code == 1, got.output
    lines = got.stderr.strip().splitlines()
    assert len(lines) == 1 and "max_rounds" in lines[0], got.stderr
    assert f"from 0 to {MAX_ROUNDS:,}" in lines[0]
    assert "Traceback" not in got.output


def test_the_limit_itself_is_taken() -> None:
    for model in ("eum", "smp", "exchange"):
        assert settings(model, {"max_rounds": MAX_ROUNDS}).as_dict()["max_rounds"] \
            == MAX_ROUNDS
        with pytest.raises(SettingError, match="max_rounds"):
            settings(model, {"max_rounds": MAX_ROUNDS + 1})


def test_the_api_refuses_it_before_a_run_starts() -> None:
    loaded = api.load(None)
    with pytest.raises(api.InputError, match=f"from 0 to {MAX_ROUNDS:,}"):
        api.forecast_run(loaded, samples=10, seed=1, params={"max_rounds": 30_000_000},
                     calibrated=False)
