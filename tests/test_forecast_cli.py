"""`statecraft forecast` with bad arguments and failing runs: each is one clear line on
stderr, exit 1, no traceback, and nothing half-written left in the store."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from statecraft.cli import app
from statecraft.store import RunStore
from statecraft.uncertainty import BLOCK, limits
from tests.conftest import DATA

SMALL = str(DATA / "small.yaml")
runner = CliRunner()


def forecast(store: Path, *args: str) -> Result:
    return runner.invoke(app, ["forecast", SMALL, "--store", str(store), "--quiet", *args])


def one_error_line(result: Result) -> str:
    """The single line a refused forecast prints (and it says nothing else)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert result.stdout == ""
    return lines[0]


def no_runs(store: Path) -> bool:
    return RunStore(store).list() == [] and not list(store.glob("runs/*"))


@pytest.mark.parametrize(("args", "message"), [
    (["--seed", "-1"], "error: seed: found -1; expected a whole number from 0 to "
                       "9223372036854775807 (2**63 - 1)"),
    (["--seed", "18446744073709551616"], "error: seed: found 18446744073709551616;"),
    (["--samples", "0"], "error: samples: found 0; expected at least 1"),
    (["--samples", "1000000000"], "error: samples: found 1,000,000,000; expected at most "
                                  "50,000,000, the most one forecast takes"),
    (["--chunk-size", "0"], "error: chunk_size: found 0; expected a whole number of at "
                            "least 1"),
    (["--workers", "-1"], "error: workers: found -1;"),
    (["--workers", "2", "--dask", "tcp://127.0.0.1:1"], "error: give either workers or a "
                                                        "Dask scheduler, not both"),
    (["--dask", "nonsense"], "error: dask: 'nonsense' is not a scheduler address"),
])
def test_a_bad_argument_is_one_line_and_registers_no_run(
        tmp_path: Path, args: list[str], message: str) -> None:
    line = one_error_line(forecast(tmp_path, *args))
    assert line.startswith(message), line
    assert no_runs(tmp_path)


def test_the_real_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    for args in (["--seed", "-1"], ["--samples", "1000000000"]):
        proc = subprocess.run([sys.executable, "-m", "statecraft", "forecast", SMALL,
                               "--store", str(tmp_path), *args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr and proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("error: ")
    assert no_runs(tmp_path)


def test_too_many_samples_for_the_memory_says_how_much_is_needed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "available_memory", lambda: 64 * 2**20)
    line = one_error_line(forecast(tmp_path, "--samples", "2000000"))
    # 2,000,000 x 3 copies x 8 bytes x (sample, seed, 2 inputs, 2 issues)
    assert "2,000,000 samples of 2 issue(s) and 2 uncertain input(s) need about 0.3 GiB" in line
    assert "0.1 GiB is available" in line
    assert no_runs(tmp_path)


def test_the_largest_seed_is_taken_and_saved(tmp_path: Path) -> None:
    result = forecast(tmp_path, "--seed", str(2**63 - 1), "--samples", "50", "--model",
                      "median", "--json")
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    assert RunStore(tmp_path).get(run_id).seed == 2**63 - 1


def test_an_unreachable_dask_scheduler_is_one_line_within_seconds(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="needs the 'dask' extra")
    started = time.perf_counter()
    line = one_error_line(forecast(tmp_path, "--dask", "tcp://127.0.0.1:1"))
    seconds = time.perf_counter() - started
    assert line.startswith("error: dask: cannot reach a Dask scheduler at "
                           "'tcp://127.0.0.1:1'"), line
    assert seconds < 8, f"took {seconds:.1f} s"  # generous: the connect timeout is 3 s
    assert no_runs(tmp_path)


def failing_model(fail_from_call: int) -> Any:
    """A model function that works for ``fail_from_call - 1`` calls, then raises."""
    from statecraft.api.running import model_function

    real = model_function("median")
    calls = [0]

    def model(inputs: Any, **params: Any) -> Any:
        calls[0] += 1
        if calls[0] >= fail_from_call:
            raise ValueError(f"the model gave up on call {calls[0]}")
        return real(inputs, **params)

    return lambda name: model


def test_failing_chunks_report_the_first_ones_error_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("statecraft.api.monte_carlo.model_function", failing_model(1))
    result = forecast(tmp_path, "--samples", str(3 * BLOCK), "--chunk-size", str(BLOCK))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "IndexError" not in result.output
    first, second = result.stderr.splitlines()[:2]
    assert first == ("error: chunk 0 (samples 0-1023) failed: ValueError: the model gave up "
                     "on call 1")
    (record,) = RunStore(tmp_path).list()
    assert record.status == "failed"
    assert second == (f"3 chunk(s) failed; 0 of 3072 samples completed; run {record.id} is "
                      f"saved as failed, with each chunk's error (statecraft runs show "
                      f"{record.id}); it is never read as a result")
    assert result.stdout == ""  # no table of a run that failed


def test_failing_chunks_in_json_still_give_the_record_and_exit_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("statecraft.api.monte_carlo.model_function", failing_model(2))
    result = forecast(tmp_path, "--samples", str(2 * BLOCK + 10), "--chunk-size", str(BLOCK),
                      "--json", "--no-store")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: chunk 1 (samples 1024-2047) failed: ValueError: "
                                    "the model gave up on call 2\n")
    assert "nothing was saved" in result.stderr
    data = json.loads(result.stdout)
    assert data["completed"] == BLOCK and len(data["failures"]) == 2
    assert [r["issue"] for r in data["issues"]] == ["x", "y"]  # of the completed samples


def test_a_full_disk_mid_run_is_one_line_and_leaves_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from statecraft.store.frames import FrameWriter

    real_write = FrameWriter.write
    calls = [0]

    def write(self: FrameWriter, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == 3:  # two chunks are on disk in the partial file by now
            assert self.part.is_file()
            raise OSError(errno.ENOSPC, "No space left on device", str(self.part))
        real_write(self, *args, **kwargs)

    monkeypatch.setattr(FrameWriter, "write", write)
    result = forecast(tmp_path, "--samples", str(5 * BLOCK), "--chunk-size", str(BLOCK))
    line = one_error_line(result)
    (record,) = RunStore(tmp_path).list()
    assert line == (f"error: run {record.id}: its data could not be written to the run store "
                    "(No space left on device); the run is marked failed and its partial "
                    "data file removed")
    assert record.status == "failed"
    assert list((tmp_path / "runs").iterdir()) == []
