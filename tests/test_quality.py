"""Lint and type checks run with the tests, so CI fails on either."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(REPO / ".venv" / "bin")) or shutil.which(name)
    exe_dir = sys.executable.rsplit("/", 1)[0]
    path = shutil.which(name, path=exe_dir) or path
    if path is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return path


def test_ruff_clean() -> None:
    dirs = [d for d in ("src", "tests", "benchmarks") if (REPO / d).is_dir()]
    result = subprocess.run([_tool("ruff"), "check", *dirs], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
