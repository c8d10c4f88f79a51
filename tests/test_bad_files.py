"""Input files that are not regular files: /dev/zero, a FIFO and a directory, given as every
kind of input file, are refused at once with a message naming the file (exit 1).

Each case runs the command line in a subprocess with a timeout, so a read that would block
(a FIFO with no writer) or never end (/dev/zero) fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DATA

TIMEOUT = 60  # seconds: far above the 1-2 s a refused file takes, far below a hang
SMALL = DATA / "small.yaml"


def statecraft(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line; a hang past ``TIMEOUT`` fails the test."""
    try:
        return subprocess.run([sys.executable, "-m", "statecraft", *map(str, args)],
                              capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd,
                              env={**os.environ, "COLUMNS": "400"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"statecraft {' '.join(map(str, args))} still running after {TIMEOUT} s")


def _dev_zero(tmp_path: Path) -> Path:
    return Path("/dev/zero")


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "folder.yaml"
    path.mkdir()
    return path


KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "dev-zero": (_dev_zero, "is a character device; expected a regular file"),
    "fifo": (_fifo, "is a FIFO (named pipe); expected a regular file"),
    "directory": (_directory, "is a directory; expected a regular file"),
}


def _scenario_citing(tmp_path: Path, doc: Path) -> Path:
    """A valid scenario in ``tmp_path`` with one document source whose path is ``doc``."""
    text = SMALL.read_text(encoding="utf-8").replace(
        "sources:\n", f"sources:\n  - {{id: doc, kind: document, title: T, path: '{doc}'}}\n"
    ).replace("capability: 1, source: {dataset: notes}",
              'capability: 1, source: {doc: doc, quote: "some words"}')
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


USES: dict[str, Callable[[Path, Path], list[str | Path]]] = {
    "scenario": lambda bad, tmp: ["validate", bad],
    "scenario-of-run": lambda bad, tmp: ["run", bad, "--model", "compromise"],
    # /dev/zero lies outside the scenario's folder: its folder must be allowed to be opened
    "source-path": lambda bad, tmp: ["validate", _scenario_citing(tmp, bad),
                                     "--sources-dir", bad.parent],
    "questions": lambda bad, tmp: ["forecast", SMALL, "--questions", bad, "--samples", "10",
                                   "--model", "compromise", "--no-store"],
    "numeric": lambda bad, tmp: ["backtest", SMALL, DATA / "small-resolved.yaml",
                                 "--numeric", bad, "--samples", "10", "--model", "compromise"],
    "ktab-import": lambda bad, tmp: ["ktab-import", bad],
    "deu-import": lambda bad, tmp: ["deu-import", bad, "-o", tmp / "out"],
    "backtest-deu": lambda bad, tmp: ["backtest-deu", bad],
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("use", USES)
def test_a_file_that_is_not_regular_is_refused_at_once(kind: str, use: str,
                                                        tmp_path: Path) -> None:
    make, says = KINDS[kind]
    bad = make(tmp_path)
    result = statecraft(*USES[use](bad, tmp_path), cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert str(bad) in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert not (tmp_path / "out").exists()  # deu-import wrote nothing


@pytest.mark.parametrize("kind", KINDS)
def test_the_model_error_file_is_refused_when_not_a_regular_file(kind: str,
                                                                 tmp_path: Path) -> None:
    make, says = KINDS[kind]
    bad = make(tmp_path)
    code = ("import sys\nfrom statecraft.api import read_error_file\n"
            "from statecraft.calibration.errorfile import ErrorFileError\n"
            "try:\n    read_error_file(sys.argv[1])\n"
            "except ErrorFileError as exc:\n    print(exc)\n    sys.exit(3)\n")
    result = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert str(bad) in result.stdout and says in result.stdout


def test_a_source_path_with_a_null_byte_is_a_located_error(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace(
        "sources:\n", 'sources:\n  - {id: doc, kind: document, title: T, path: "a\\0b"}\n')
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = statecraft("validate", path)
    assert result.returncode == 1, result.stderr
    assert f"{path}:5:" in result.stderr and "sources[0].path" in result.stderr
    assert "null byte" in result.stderr and "Traceback" not in result.stderr


def test_a_file_over_the_limit_is_refused_while_it_is_read(tmp_path: Path) -> None:
    from statecraft.files import InputFileError, read_input

    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 1001)
    assert read_input(path, limit=1001, what="test file") == b"x" * 1001
    with pytest.raises(InputFileError, match="1,001 bytes; the limit is 1,000") as exc:
        read_input(path, limit=1000, what="test file")
    assert exc.value.cause == "refused"
    # /proc files say they hold 0 bytes: the limit holds while reading, whatever stat says
    proc = Path("/proc/self/status")
    if proc.is_file() and proc.stat().st_size == 0:
        with pytest.raises(InputFileError, match="larger than the limit of 10 bytes"):
            read_input(proc, limit=10, what="test file")
    with pytest.raises(InputFileError, match="No such file") as missing:
        read_input(tmp_path / "absent.yaml", limit=1000, what="test file")
    assert missing.value.cause == "missing"
