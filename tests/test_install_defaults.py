"""What the README's first command gives: numba installed with statecraft (the default
model's compiled kernel), forecast's progress on a terminal, and explain saying at once
that SALib is missing rather than after its samples."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _names(requirements: list[str]) -> list[str]:
    return [re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements]


def test_numba_is_a_base_dependency_and_the_fast_extra_still_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = project["dependencies"]
    assert "numba" in _names(base)
    assert all(re.search(r">=[^,]+,<", r) or "==" in r for r in base)  # each a range
    extras = project["optional-dependencies"]
    assert "fast" in extras  # '.[fast]' in older install lines still resolves
    # one pin for numba, where the base dependencies say it
    pinned = [r for reqs in extras.values() for r in reqs if _names([r]) == ["numba"]]
    assert pinned == []


def test_forecast_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    proc = subprocess.Popen(
        [sys.executable, "-m", "statecraft", "forecast", "--samples", "20000", "--no-store",
         "--model", "compromise"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env,
        cwd=tmp_path)
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
        assert proc.wait(timeout=120) == 0
    assert b"forecasting" in seen and b"%" in seen


def test_forecast_shows_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    got = CliRunner().invoke(app, ["forecast", "--samples", "300", "--no-store",
                                   "--model", "compromise"])
    assert got.exit_code == 0, got.output
    assert "forecasting" not in got.stderr


def test_explain_says_at_once_that_salib_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "SALib", None)  # import SALib raises ImportError

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("explain worked before checking for SALib")

    monkeypatch.setattr(api, "load", no_work)
    monkeypatch.setattr(api, "explain", no_work)
    got = CliRunner().invoke(app, ["explain", "--question", "karabakh-stays-separate"])
    assert got.exit_code == 1, got.output
    lines = got.stderr.strip().splitlines()
    assert len(lines) == 1 and "SALib" in lines[0]
    assert "pip install 'statecraft[sensitivity]'" in lines[0]
