"""The layer order of DESIGN.md holds in the code: nothing below the API imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "statecraft"
LOWER = ("uncertainty", "models", "scenario", "store", "calibration", "analysis", "games",
         "rules", "report")
INTERFACES = ("statecraft.api", "statecraft.cli", "statecraft.web")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):  # imports inside functions count too
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", LOWER)
def test_no_lower_layer_imports_an_interface(package: str) -> None:
    offenders = [f"{path.relative_to(SRC)}:{line}: {name}"
                 for path in sorted((SRC / package).rglob("*.py"))
                 for line, name in _imports(path)
                 if name == "statecraft.api" or name.startswith(INTERFACES)]
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from statecraft.api import run_model\n")
    assert _imports(probe) == [(2, "statecraft.api")]
