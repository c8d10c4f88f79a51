"""KTAB CSV <-> statecraft scenario: lossless round trip, same SMP run, the commands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from statecraft.cli import app
from statecraft.models import smp
from statecraft.scenario import load_scenario, to_model_inputs
from statecraft.scenario.ktab import read_ktab_csv
from statecraft.scenario.ktab_scenario import ktab_to_scenario, scenario_to_ktab
from tests.conftest import DATA, shared_file

runner = CliRunner()


def test_round_trip_and_same_smp_run(tmp_path: Path) -> None:
    csv_path = shared_file("anchors/ktab/dummyData_3Dim.csv")
    data = read_ktab_csv(csv_path.read_text())
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(ktab_to_scenario(data)))
    scenario = load_scenario(f, strict=True).scenario
    back = scenario_to_ktab(scenario)
    np.testing.assert_allclose(back.position, data.position)
    np.testing.assert_allclose(back.salience, data.salience, atol=1e-12)
    np.testing.assert_allclose(back.capability, data.capability)
    assert back.actor_names == data.actor_names
    direct = smp(data.to_model_inputs())
    via_scenario = smp(to_model_inputs(scenario))
    np.testing.assert_allclose(via_scenario.positions, direct.positions, atol=1e-9)


def test_import_command_writes_once(tmp_path: Path) -> None:
    csv_path = shared_file("anchors/ktab/SOE-Pol-Comp.csv")
    out = tmp_path / "soe.yaml"
    first = runner.invoke(app, ["ktab-import", str(csv_path), "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert len(load_scenario(out, strict=True).scenario.actors) == 13
    again = runner.invoke(app, ["ktab-import", str(csv_path), "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output


def test_import_of_malformed_csv_names_the_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("S,desc,2,1\nActor,Description,Power,P1,S1\nA,a,1,50,60\nB,b,x,50,60\n")
    out = tmp_path / "bad.yaml"
    result = runner.invoke(app, ["ktab-import", str(bad), "-o", str(out)])
    assert result.exit_code == 1 and "row 4" in result.output
    assert not out.exists()


def test_export_refuses_saliences_over_100_unless_normalised() -> None:
    plain = runner.invoke(app, ["ktab-export", str(DATA / "small.yaml")])
    # actor a: saliences 1.0 on x and 0.5 on y -> 150 on KTAB's scale (the first to fail)
    assert plain.exit_code == 1 and "actor 'a': saliences sum to 150" in plain.output
    scaled = runner.invoke(app, ["ktab-export", str(DATA / "small.yaml"), "--normalise"])
    assert scaled.exit_code == 0, scaled.output
    data = read_ktab_csv(scaled.stdout)
    assert sum(data.salience[1]) == pytest.approx(100.0)
    assert data.position[2][1] == 0.0 and data.salience[2][1] == 0.0  # c has no stance on y
