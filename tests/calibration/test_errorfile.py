"""The model-error file: bad files are named and refused; forecasts never fall back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import statecraft.api.calibration as calibration_api
from statecraft.api.calibration import ERROR_FILE, read_error_file
from statecraft.calibration.errorfile import ErrorFileError, parse_error_file
from statecraft.cli import app
from statecraft.models.registry import MODEL_VERSIONS
from tests.conftest import DATA


def _doc() -> dict:  # type: ignore[type-arg]
    return json.loads(ERROR_FILE.read_bytes())


def test_the_bundled_file_reads_and_covers_every_model() -> None:
    ef = read_error_file()
    assert set(MODEL_VERSIONS) <= set(ef.models)
    assert ef.identity == {"file": ERROR_FILE.name, "version": ef.version, "sha256": ef.sha256}
    assert abs(sum(ef.weights.values()) - 1) < 1e-9
    assert ef.made["command"].startswith("statecraft calibrate-deu ")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("models"), "field 'models' is missing"),
    (lambda d: d["models"]["eum"].update(version=99),
     "field 'models.eum.version': the errors were measured on eum version 99"),
    (lambda d: d["models"]["median"]["forecast"].pop(), "field 'models.median.forecast'"),
    (lambda d: d["issues"]["outcome"].__setitem__(3, 140.0), "field 'issues.outcome'"),
    (lambda d: d.update(format="something else"), "not a statecraft model-error file"),
    (lambda d: d["ensemble"].update(weights={"compromise": 0.5}), "field 'ensemble.weights'"),
    (lambda d: d["ensemble"].update(weights={"compromise": True}), "field 'ensemble.weights'"),
    (lambda d: d["issues"]["outcome"].__setitem__(0, 10**400), "field 'issues.outcome'"),
    (lambda d: d["issues"].update(fold=[0] * len(d["issues"]["fold"])), "field 'issues.fold'"),
    (lambda d: d.update(format_version=True), "field 'format_version'"),
    (lambda d: d["made"].update(seed="abc"), "field 'made.seed'"),
    (lambda d: d.update(scores=[1, 2]), "field 'scores'"),
])
def test_bad_files_name_the_file_and_the_field(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = _doc()
    edit(doc)
    raw = json.dumps(doc).encode()
    with pytest.raises(ErrorFileError, match=r"^errors\.json: ") as info:
        parse_error_file(raw, "errors.json").error_model("eum")
    assert message in str(info.value)


def test_a_truncated_file_is_named_as_damaged() -> None:
    raw = ERROR_FILE.read_bytes()
    for bad in (raw[: len(raw) // 2], b"[" * 100_000, b"9" * 5000, b"\xff\xfe"):
        with pytest.raises(ErrorFileError, match=r"^errors\.json: "):
            parse_error_file(bad, "errors.json")


@pytest.mark.parametrize("damage", ["missing", "truncated", "old-version"])
def test_a_forecast_never_falls_back_to_uncalibrated(
        damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "model-errors.json"
    if damage == "truncated":
        bad.write_bytes(ERROR_FILE.read_bytes()[:5000])
    elif damage == "old-version":
        doc = _doc()
        doc["models"]["compromise"]["version"] = 0
        bad.write_text(json.dumps(doc))
    monkeypatch.setattr(calibration_api, "ERROR_FILE", bad)
    store = tmp_path / "runs"
    args = ["forecast", str(DATA / "small.yaml"), "--samples", "50", "--model", "compromise",
            "--store", str(store), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert str(bad) in result.output and "error" in result.output
    assert not (store / "runs.sqlite").exists() or not list(store.glob("*.parquet"))
    # asked for explicitly, the inputs-only forecast runs and says it is uncalibrated
    plain = CliRunner().invoke(app, [*args, "--uncalibrated"])
    assert plain.exit_code == 0 and json.loads(plain.stdout)["calibration"] is None


def test_runs_record_their_error_file_and_still_rerun_bit_for_bit(tmp_path: Path) -> None:
    store = tmp_path / "runs"
    made = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "300",
                                    "--model", "compromise", "--store", str(store), "--json"])
    run_id = json.loads(made.stdout)["run_id"]
    shown = json.loads(CliRunner().invoke(app, ["runs", "show", run_id, "--store", str(store),
                                                "--json"]).stdout)
    assert shown["calibration"] == read_error_file().identity
    assert all(row["calibrated"] and row["predictive"] for row in shown["issues"])
    again = CliRunner().invoke(app, ["runs", "show", run_id, "--store", str(store), "--rerun",
                                     "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["matches"] is True
    plain = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "300",
                                     "--model", "compromise", "--store", str(store), "--json",
                                     "--uncalibrated"])
    plain_id = json.loads(plain.stdout)["run_id"]
    shown = json.loads(CliRunner().invoke(app, ["runs", "show", plain_id, "--store",
                                                str(store), "--json"]).stdout)
    assert shown["calibration"] is None
    assert all(r["calibrated"] is False and r["predictive"] is None for r in shown["issues"])


def test_a_calibrated_run_is_still_shown_when_its_error_file_is_gone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "runs"
    made = CliRunner().invoke(app, ["forecast", str(DATA / "small.yaml"), "--samples", "100",
                                    "--model", "compromise", "--store", str(store), "--json"])
    run_id = json.loads(made.stdout)["run_id"]
    monkeypatch.setattr(calibration_api, "ERROR_FILE", tmp_path / "gone.json")
    shown = CliRunner().invoke(app, ["runs", "show", run_id, "--store", str(store), "--json"])
    assert shown.exit_code == 0
    assert "cannot be now" in shown.stderr and "gone.json" in shown.stderr
    data = json.loads(shown.stdout)
    assert data["calibration"] is not None  # what calibrated it stays on record
    assert all(r["calibrated"] is False and r["predictive"] is None for r in data["issues"])
