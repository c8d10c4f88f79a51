"""DEU import: parsing, the reference figures of the public file, scenario files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from statecraft.cli import app
from statecraft.scenario import load_scenario, to_model_inputs
from statecraft.scenario.deu import capabilities, read_deu_tsv, to_scenario
from statecraft.scenario.deu import to_model_inputs as deu_inputs
from tests.conftest import shared_file

HEADER = "prnr\tprname\tisnr\tpcom\tpde\tpfr\tscom\tsde\tsfr\trp\tout"
SMALL = "\n".join([
    HEADER,
    "\t\t\t4.1\t4.1\t2.8\t\t\t\t\t",          # the GDP row
    "d1\tone\td1i1\t0\t100\t50\t50\t100\t50\t0\t60",
    "d1\tone\td1i2\t100\t\t20\t80\t90\t40\t\t30",  # de has no position: absent
    "d2\ttwo\td2i1\t10\t20\t30\t0\t0\t0\t\t",       # all saliences 0: unusable
])


def test_parse_small_file() -> None:
    data = read_deu_tsv(SMALL)
    assert data.actors == ("com", "de", "fr")
    assert data.gdp == {"com": 4.1, "de": 4.1, "fr": 2.8}
    first, second, third = data.issues
    assert first.positions == {"com": 0.0, "de": 100.0, "fr": 50.0}
    assert first.reference_point == 0.0 and first.outcome == 60.0
    assert "de" not in second.positions and second.reference_point is None
    assert third.outcome is None
    inputs, issues = deu_inputs(data, "equal")
    assert [i.id for i in issues] == ["d1i1", "d1i2"]  # the all-zero issue is left out
    assert inputs.present.tolist() == [[True, True], [True, False], [True, True]]
    assert inputs.salience[0, :, 0].tolist() == [0.5, 1.0, 0.5]


@pytest.mark.parametrize(("text", "needle"), [
    ("a\tb\n1\t2", "row 1: expected a header"),
    (SMALL.replace("\t60", "\tsixty"), "row 3, column 'out': found 'sixty'"),
    (SMALL.replace("d1i1\t0\t100", "d1i1\t0\t170"), "row 3, column 'pde': found 170"),
    (SMALL.replace("d1i2", "d1i1"), "row 4, column 'isnr': duplicate issue id 'd1i1'"),
])
def test_malformed_input_names_row_and_column(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        read_deu_tsv(text)


def test_capability_conventions() -> None:
    data = read_deu_tsv(SMALL)
    assert capabilities(data, "votes") == {"com": 29, "de": 29, "fr": 29}
    assert capabilities(data, "gdp")["fr"] == 2.8
    with pytest.raises(ValueError, match="unknown capability"):
        capabilities(data, "population")


def test_scenario_of_an_issue_loads_and_matches_the_batch(tmp_path: Path) -> None:
    data = read_deu_tsv(SMALL)
    scenario = to_scenario(data, data.issues[1], "gdp")
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(scenario))
    one = to_model_inputs(load_scenario(f, strict=True).scenario)
    batch, _ = deu_inputs(data, "gdp")
    keep = batch.present[:, 1]
    np.testing.assert_allclose(one.position[0, :, 0], batch.position[0, keep, 1])
    np.testing.assert_allclose(one.salience[0, :, 0], batch.salience[0, keep, 1])
    np.testing.assert_allclose(one.capability[0], batch.capability[0, keep])


def test_real_file_reproduces_the_published_reference_figures() -> None:
    """The anchor's README: equal capabilities, every actor with a position and salience:
    salience-weighted mean 23.3, weighted median 28.0 (230 issues), reference point 51.5
    (161 issues)."""
    from statecraft.analysis.deu import backtest
    from statecraft.models import compromise, median

    path = shared_file("anchors/deu/deu3-public.tsv")
    data = read_deu_tsv(path.read_text(encoding="utf-8"))
    scores = {s.name: s for s in backtest(data, {"compromise": compromise, "median": median},
                                          capability="equal")}
    assert round(scores["compromise"].mae, 1) == 23.3 and scores["compromise"].issues == 230
    assert round(scores["median"].mae, 1) == 28.0
    assert round(scores["status quo"].mae, 1) == 51.5 and scores["status quo"].issues == 161


def test_deu_import_writes_valid_scenarios_and_refuses_to_clobber(tmp_path: Path) -> None:
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["deu-import", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["d1i1.yaml", "d1i2.yaml", "outcomes.yaml"]
    for f in out.glob("d*.yaml"):
        load_scenario(f, strict=True)
    assert yaml.safe_load((out / "outcomes.yaml").read_text()) == {"d1i1": 60.0, "d1i2": 30.0}
    again = runner.invoke(app, ["deu-import", str(src), "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output
    forced = runner.invoke(app, ["deu-import", str(src), "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_deu_import_of_bad_file_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL.replace("\t60", "\tsixty"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["deu-import", str(src), "-o", str(out)])
    assert result.exit_code == 1 and "row 3, column 'out'" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


@pytest.mark.parametrize("kind", ["file", "link"])
def test_deu_import_over_a_path_that_is_not_a_folder_is_refused(tmp_path: Path,
                                                                 kind: str) -> None:
    """--force replaces a folder only: a file (or a link) of that name was renamed aside,
    the scenarios written in its place and the command then failed, leaving the old file
    under a hidden name."""
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    kept = tmp_path / "kept"
    kept.mkdir()
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("mine")
    else:
        out.symlink_to(kept, target_is_directory=True)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(app, ["deu-import", str(src), "-o", str(out), "--force"])
    assert result.exit_code == 1, result.output
    assert "exists and is not a folder" in result.output and "out" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert out.is_symlink() if kind == "link" else out.read_text() == "mine"
    assert list(kept.iterdir()) == []


def test_deu_import_that_fails_on_replacing_puts_the_old_folder_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from statecraft.api.deu import import_deu

    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.yaml").write_text("x: 1")
    real = Path.rename

    def refuse_into_out(self: Path, target: Path) -> Path:
        if Path(target) == out and self.name.startswith(".deu-new-"):
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", refuse_into_out)
    with pytest.raises(OSError, match="No space left"):
        import_deu(src, out, force=True)
    assert [p.name for p in tmp_path.iterdir() if p.name != "deu.tsv"] == ["out"]
    assert [p.name for p in out.iterdir()] == ["mine.yaml"]


def test_deu_import_into_a_folder_named_near_the_limit(tmp_path: Path) -> None:
    """The temporary folders beside the output were named after it, so a 250-byte name
    (allowed) failed with 'File name too long' and a traceback."""
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    out = tmp_path / ("d" * 250)
    runner = CliRunner()
    for args in ([], ["--force"]):  # new, then replacing it
        got = runner.invoke(app, ["deu-import", str(src), "-o", str(out), *args])
        assert got.exit_code == 0, got.output
        assert sorted(p.name for p in out.iterdir()) == ["d1i1.yaml", "d1i2.yaml",
                                                         "outcomes.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d" * 250, "deu.tsv"]


@pytest.mark.parametrize("target", [".", ".."])
def test_deu_import_refuses_to_replace_the_folder_it_runs_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    src = tmp_path / "deu.tsv"
    src.write_text(SMALL)
    here = tmp_path / "sub"
    here.mkdir()
    (here / "mine.txt").write_text("x")
    monkeypatch.chdir(here)
    got = CliRunner().invoke(app, ["deu-import", str(src), "-o", target, "--force"])
    assert got.exit_code == 1, got.output
    assert "is the current folder or holds it" in got.output
    assert "Traceback" not in got.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deu.tsv", "sub"]
    assert [p.name for p in here.iterdir()] == ["mine.txt"]
