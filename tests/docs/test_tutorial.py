"""The tutorial runs: its code cells, in order, in a fresh interpreter, as a notebook
would run them (``docs/tutorial.md``, a jupytext Markdown notebook)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"


def code_cells(text: str) -> list[str]:
    """The notebook's code cells: its ```python blocks, in order."""
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def test_the_cells_are_found() -> None:
    text = "# t\n\n```python\na = 1\n```\n\nprose\n\n```python\nb = a + 1\n```\n```text\nno\n```\n"
    assert code_cells(text) == ["a = 1\n", "b = a + 1\n"]


def test_the_tutorial_runs(tmp_path: Path) -> None:
    pytest.importorskip("SALib")  # explain needs the sensitivity extra
    pytest.importorskip("pygambit")  # the options game needs the games extra
    cells = code_cells(TUTORIAL.read_text(encoding="utf-8"))
    assert len(cells) >= 10
    script = tmp_path / "tutorial.py"
    script.write_text("\n".join(cells), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    # what it shows: the what-if's edits, its effect (Russia settling for 40 moves the
    # peacekeepers' median down), and the report written where asked
    assert "rus on peacekeepers position 40 (edited; cited" in done.stdout
    moved = re.search(r"peacekeepers: median (\d+) -> (\d+)", done.stdout)
    assert moved is not None and int(moved[2]) < int(moved[1])
    report = tmp_path / "what-if.html"
    assert report.is_file() and "edited" in report.read_text(encoding="utf-8")
