"""Start-up: a command imports what it uses and nothing else.

Each check runs a fresh Python process and reads ``sys.modules`` after the import or the
command: what was imported, never how long it took.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numba", "pandas", "pyarrow", "matplotlib", "scipy", "fastapi")
"""Modules the command line's import must not pull in (each costs 0.1 s or more)."""


def _imported_after(code: str, *, cwd: Path | None = None) -> set[str]:
    probe = (code + "\nimport json, sys\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=cwd)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_command_line_imports_no_heavy_module() -> None:
    found = _imported_after("import statecraft.cli")
    # nor NumPy or pydantic: declaring the commands reads only the model registry
    assert found.isdisjoint((*HEAVY, "numpy", "pydantic")), found & {*HEAVY, "numpy",
                                                                     "pydantic"}
    assert "typer" in found  # the probe sees what was imported


def test_importing_the_api_imports_none_of_its_modules() -> None:
    found = _imported_after("import statecraft.api as api\nassert api.DEFAULT_MODEL")
    assert found.isdisjoint((*HEAVY, "numpy", "pydantic")), found


def test_the_api_names_every_name_it_lists() -> None:
    from statecraft import api

    missing = [n for n in api.__all__ if not hasattr(api, n)]
    assert not missing
    assert set(api.__all__) <= set(dir(api))
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = api.no_such_name  # type: ignore[attr-defined]


def test_a_model_function_keeps_its_name_when_its_module_is_imported_first() -> None:
    found = subprocess.run(
        [sys.executable, "-c",
         "import statecraft.models.smp, statecraft.models.registry\n"
         "from statecraft.models import eum, median, smp\n"
         "print(callable(smp), callable(eum), callable(median), smp.__module__)"],
        capture_output=True, text=True, check=True).stdout.split()
    assert found == ["True", "True", "True", "statecraft.models.smp"]


def test_the_models_registry_imports_no_model() -> None:
    found = _imported_after("import statecraft.models.registry")
    assert found.isdisjoint(("numpy", "numba")), found
