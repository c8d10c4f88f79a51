"""`runs list` and `runs compare` read at 80 columns: ids, dates, statuses and question ids
whole, one line a row, a long scenario name cut with an ellipsis (they were cut to
'comp…' and '2026…', a name wrapped over 7 lines, two questions both shown as
'peacekeepers-leave-…')."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from statecraft.cli import app
from tests.conftest import DATA

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_runs_list_and_compare_read_at_80_columns(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    long_name = tmp_path / "long.yaml"
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    long_name.write_text(re.sub(r"(?m)^name: .*$", "name: " + "Karabakh " * 40, text,
                                count=1), encoding="utf-8")
    ids = []
    for args in (["--seed", "7"], ["--seed", "8"]):
        ids.append(json.loads(_run("forecast", "--samples", "40", "--store", store,
                                   "--json", "--quiet", *args))["run_id"])
    ids.append(json.loads(_run("forecast", str(long_name), "--samples", "20", "--store",
                               store, "--json", "--quiet"))["run_id"])
    listed = _run("runs", "list", "--store", store)
    lines = listed.splitlines()
    assert max(map(len, lines)) <= 80
    for run_id in ids:
        row = [k for k, line in enumerate(lines) if run_id in line]
        assert len(row) == 1, listed  # one line a run, its scenario's name on the next
        assert re.search(rf"^{run_id}  \d{{4}}-\d\d-\d\d \d\d:\d\d  complete  eum ",
                         lines[row[0]])
        name = lines[row[0] + 1]
        assert name.startswith("  South Caucasus after the 2020 Karabakh war") or \
            (name.startswith("  Karabakh Karabakh") and name.endswith("…") and len(name) == 80)
    assert lines[0] == "Runs (each with its scenario under it)"
    # wide enough, the name is a column of its own
    wide = runner.invoke(app, ["runs", "list", "--store", store], env={"COLUMNS": "140"},
                         terminal_width=140).stdout
    assert re.search(rf"^{ids[0]} .* 7 +\d+\.\d  South Caucasus after the 2020 Karabakh war",
                     wide, re.MULTILINE), wide
    # compare: every question and issue id whole, on its own line
    compared = _run("runs", "compare", ids[0], ids[1], "--store", store)
    assert max(map(len, compared.splitlines())) <= 80
    for qid in ("peacekeepers-leave-by-term-end", "peacekeepers-leave-early",
                "azerbaijan-joins-russian-blocs", "route-leaves-armenian-control"):
        assert re.search(rf"^{qid} +\d\.\d{{3}} +\d\.\d{{3}} +[+-]\d\.\d{{3}} +\d\.\d{{3}}",
                         compared, re.MULTILINE), compared
    assert re.search(r"^azerbaijan_alignment +\d+\.\d +\d+\.\d +[+-]\d+\.\d", compared,
                     re.MULTILINE)


def test_runs_list_says_when_its_store_folder_does_not_exist(
        tmp_path: Path, monkeypatch: Any) -> None:
    """A mistyped --store listed an empty table without saying the folder is not there."""
    typo = tmp_path / "typo"
    got = runner.invoke(app, ["runs", "list", "--store", str(typo)])
    assert got.exit_code == 1 and got.stdout == ""
    assert got.stderr.strip() == (f"error: no run store at {typo}: the folder does not exist "
                                  "(a forecast saving there would create it)")
    assert not typo.exists()  # and listing made nothing
    # the default store, before any forecast, says it has no runs yet
    monkeypatch.setenv("STATECRAFT_STORE", str(tmp_path / "fresh"))
    fresh = runner.invoke(app, ["runs", "list", "--json"])
    assert fresh.exit_code == 0 and json.loads(fresh.stdout) == []
    assert "no runs yet: the run store" in fresh.stderr and "does not exist" in fresh.stderr


def test_runs_list_of_an_empty_store_says_it_has_no_runs_and_where(tmp_path: Path) -> None:
    """An existing store with no runs printed an empty table."""
    store = tmp_path / "empty"
    store.mkdir()
    got = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert got.exit_code == 0 and got.stdout == ""
    assert " ".join(got.stderr.split()) == f"no runs in the run store {store}"
    assert json.loads(runner.invoke(app, ["runs", "list", "--store", str(store),
                                          "--json"]).stdout) == []
    older = runner.invoke(app, ["runs", "list", "--store", str(store), "--before", "abc"])
    assert older.exit_code == 1 and "no run 'abc'" in older.stderr and older.stdout == ""
