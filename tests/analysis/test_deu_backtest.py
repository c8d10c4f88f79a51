"""DEU backtest: scores computed by hand on a tiny file, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from statecraft.analysis.deu import backtest, mean_absolute_error
from statecraft.cli import app
from statecraft.models import compromise, median
from statecraft.scenario.deu import read_deu_tsv
from tests.scenario.test_deu import SMALL


def test_scores_by_hand() -> None:
    # equal capabilities. d1i1: com 0 (s .5), de 100 (s 1), fr 50 (s .5); out 60, rp 0.
    #   compromise = (0*.5 + 100*1 + 50*.5) / 2 = 62.5 -> error 2.5
    #   median: sorted 0 (.5), 50 (.5), 100 (1); half of 2 is 1; cumulative .5, 1 -> 50 -> 10
    # d1i2: com 100 (s .8), fr 20 (s .4); out 30, no rp.
    #   compromise = (80 + 8) / 1.2 = 73.33 -> error 43.33
    #   median: 20 (.4), 100 (.8); half of 1.2 is .6; cumulative .4, 1.2 -> 100 -> 70
    # status quo: only d1i1 has an rp: |0 - 60| = 60 on 1 issue
    scores = {s.name: s for s in backtest(read_deu_tsv(SMALL),
                                          {"compromise": compromise, "median": median},
                                          capability="equal")}
    assert scores["compromise"].mae == pytest.approx((2.5 + 43.3333333) / 2)
    assert scores["median"].mae == pytest.approx(40.0)
    assert scores["status quo"].mae == 60.0 and scores["status quo"].issues == 1
    assert scores["compromise"].issues == 2


def test_mean_absolute_error_rejects_mismatch() -> None:
    with pytest.raises(ValueError):
        mean_absolute_error(np.array([1.0]), np.array([1.0, 2.0]))


def test_backtest_deu_command(tmp_path: Path) -> None:
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    result = CliRunner().invoke(app, ["backtest-deu", str(src), "--capability", "equal",
                                      "--models", "eum,compromise,median", "--grid", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = [s["model"] for s in data["scores"]]
    assert names[:3] == ["eum", "compromise", "median"] and names[-1] == "status quo"
    assert len(names) == 3 + 8 + 1  # the fixed grid has eight EUM settings
    assert all(s["issues"] == 2 for s in data["scores"][:-1])


def test_unknown_model_is_bad_input(tmp_path: Path) -> None:
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    result = CliRunner().invoke(app, ["backtest-deu", str(src), "--models", "oracle"])
    assert result.exit_code == 1 and "unknown model 'oracle'" in result.output
