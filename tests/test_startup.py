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


def _point_scenario(tmp_path: Path) -> Path:
    """KTAB's smallest reference dataset as a scenario: 7 actors, 3 issues, no ranges."""
    import yaml

    from statecraft.scenario.ktab import read_ktab_csv
    from statecraft.scenario.ktab_scenario import ktab_to_scenario
    from tests.conftest import shared_file

    data = read_ktab_csv(shared_file("anchors/ktab/dummyData_3Dim.csv").read_text())
    path = tmp_path / "3dim.yaml"
    path.write_text(yaml.safe_dump(ktab_to_scenario(data), sort_keys=False))
    return path


def _modules_after_command(args: list[str], cwd: Path) -> set[str]:
    """Every module name in ``sys.modules`` after the command line's ``main`` ran ``args``
    in a fresh process (it must succeed)."""
    probe = ("import json, sys\nfrom statecraft.cli import main\n"
             f"sys.argv = ['statecraft', *{args!r}]\n"
             "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
             "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=cwd)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _loaded(found: set[str], names: tuple[str, ...]) -> set[str]:
    """Those of ``names`` that were imported, or one of their submodules."""
    return {n for n in names for m in found if m == n or m.startswith(n + ".")}


NOT_FOR_A_SINGLE_RUN = (
    "statecraft.analysis.backtest",  # scoring resolved questions
    "statecraft.analysis.questions",  # question files
    "statecraft.calibration",  # error files, cross-validation, stacking
    "statecraft.uncertainty.runner",  # Monte Carlo in chunks, its executors
    "statecraft.models.ensemble",
    "statecraft.api.monte_carlo",
    "statecraft.api.results",
    "statecraft.store",
    "statecraft.report",
    "statecraft.games",
    "statecraft.web",
    "concurrent.futures",
    "sqlite3",
)
"""statecraft's modules (and what they bring) that ``run FILE --model M --json`` on a
scenario has no use for."""

NOT_FOR_VALIDATE = (*NOT_FOR_A_SINGLE_RUN, "numpy", "statecraft.scenario.compile",
                    "statecraft.models.smp", "statecraft.models.eum",
                    "statecraft.uncertainty")
"""Nor has ``validate``: checking a file compiles nothing and runs no model."""


@pytest.mark.parametrize("model", ["smp", "eum"])
def test_a_single_run_imports_only_what_it_uses(tmp_path: Path, model: str) -> None:
    path = _point_scenario(tmp_path)
    found = _modules_after_command(["run", str(path), "--model", model, "--json"], tmp_path)
    # no compiled kernel (its samples are all the single run: the scenario has no
    # ranges), no store, no tables, no plots
    assert not _loaded(found, HEAVY), _loaded(found, HEAVY)
    assert not _loaded(found, NOT_FOR_A_SINGLE_RUN), _loaded(found, NOT_FOR_A_SINGLE_RUN)
    # what it does use (the probe sees it)
    assert {"numpy", "pydantic", f"statecraft.models.{model}",
            "statecraft.uncertainty.sampling", "statecraft.analysis.modes"} <= found


def test_validate_imports_only_what_it_uses(tmp_path: Path) -> None:
    path = _point_scenario(tmp_path)
    found = _modules_after_command(["validate", str(path)], tmp_path)
    assert not _loaded(found, HEAVY), _loaded(found, HEAVY)
    assert not _loaded(found, NOT_FOR_VALIDATE), _loaded(found, NOT_FOR_VALIDATE)
    assert {"pydantic", "yaml", "statecraft.scenario.schema",
            "statecraft.scenario.validate"} <= found


def test_without_ranges_the_mode_check_reads_the_single_run_as_its_samples(
        tmp_path: Path) -> None:
    import numpy as np

    from statecraft import api
    from statecraft.analysis.modes import find_modes
    from statecraft.api.running import model_function
    from statecraft.uncertainty.runner import run_batch

    loaded = api.load(_point_scenario(tmp_path))
    single = api.run_scenario(loaded, "smp").forecast[0]
    notes = api.run_notes(loaded, single, model="smp")
    ids = tuple(i.id for i in loaded.scenario.issues)
    sampled = run_batch(loaded.text, samples=api.MODE_SAMPLES, seed=api.MODE_SEED,
                        model="smp", model_fn=model_function("smp"), params={},
                        issue_ids=ids).outcomes
    assert [n.issue for n in notes] == list(ids)
    for k, note in enumerate(notes):
        assert np.ptp(sampled[:, k]) == 0.0  # the samples are all one run
        expected = find_modes(sampled[:, k], (0.0, 100.0)).modes
        assert len(note.modes.modes) == len(expected) == 1
        got = note.modes.modes[0]
        assert (got.location, got.low, got.high, got.share) == pytest.approx(
            (expected[0].location, expected[0].low, expected[0].high, expected[0].share),
            abs=1e-6)


def test_a_forecast_saves_its_run_without_importing_pandas(tmp_path: Path) -> None:
    # Parquet is written through pyarrow, whose pyarrow.array would import pandas to look
    # for pandas objects; the store reads runs back as DataFrames, but saving one does not
    path = _point_scenario(tmp_path)
    store = tmp_path / "store"
    found = _modules_after_command(["forecast", str(path), "--samples", "50", "--model",
                                    "smp", "--json", "--store", str(store)], tmp_path)
    assert "pandas" not in found
    assert {"pyarrow", "statecraft.store.frames"} <= found
    assert len(list((store / "runs").glob("*.parquet"))) == 1
